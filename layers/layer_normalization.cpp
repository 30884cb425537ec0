#include "layers/layer_normalization.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/ops.h"

namespace minnow {

LayerNormalizationLayer::LayerNormalizationLayer(const LayerNormalizationOptions& options)
    : Layer("LayerNormalization", options.name), opt_(options) {
  if (!(opt_.epsilon > 0.0f) || !std::isfinite(opt_.epsilon))
    throw ConfigError(fmt::format("{}: epsilon must be > 0, but received epsilon={}", describe(), opt_.epsilon));
  if (opt_.axis.empty())
    throw ConfigError(fmt::format("{}: axis must name at least one axis, but received axis=[]", describe()));
  check_initializer(opt_.beta_initializer, describe());
  check_initializer(opt_.gamma_initializer, describe());
}

Shape LayerNormalizationLayer::build_impl(const Shape& in) {
  axes_.clear();
  for (long a : opt_.axis) {
    if (a == 0 || a < -in.rank() || a >= in.rank())
      throw ShapeError(fmt::format("{}: axis={} is not a feature axis of inputs of shape {} (valid: 1..{} or -1..-{}); "
                                   "the batch axis 0 cannot be normalized over",
                                   describe(), fmt::join(opt_.axis, ","), in, in.rank() - 1, in.rank() - 1));
    axes_.push_back(in.normalize_axis(a));
  }
  std::sort(axes_.begin(), axes_.end());
  if (std::adjacent_find(axes_.begin(), axes_.end()) != axes_.end())
    throw ConfigError(fmt::format("{}: axis={} names an axis twice", describe(), fmt::join(opt_.axis, ",")));
  std::vector<long> broadcast(size_t(in.rank()), 1), param;
  for (long a : axes_) {
    broadcast[size_t(a)] = in[a];
    param.push_back(in[a]);
  }
  grad_axes_ = {.axes = axes_, .param_axes = axes_};  // statistics over A, gamma and beta on A
  param_broadcast_ = Shape(broadcast);
  if (opt_.scale) gamma_ = &add_weight("gamma", Shape(param), opt_.gamma_initializer, true);
  if (opt_.center) beta_ = &add_weight("beta", Shape(param), opt_.beta_initializer, true);
  return in;
}

Tensor LayerNormalizationLayer::as_param(const Tensor& v) const {
  return Tensor(param_broadcast_, {v.data(), v.data() + v.size()});
}

void LayerNormalizationLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  const Moments m = moments(x, axes_, /*keepdims=*/true);  // (F1), (N, .., 1, ..)
  mean_ = m.mean;
  k_ = m.variance;
  for (float& v : k_.values()) v = 1.0f / std::sqrt(v + opt_.epsilon);
  const Tensor gamma = gamma_ ? as_param(gamma_->value) : Tensor();
  const Tensor beta = beta_ ? as_param(beta_->value) : Tensor();
  batch_normalization(x, m.mean, m.variance, beta_ ? &beta : nullptr, gamma_ ? &gamma : nullptr, opt_.epsilon,
                      y);  // (F2)-(F3)
}

void LayerNormalizationLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const Tensor gamma = gamma_ ? as_param(gamma_->value) : Tensor();
  NormalizationGradients out;
  if (beta_ && beta_->trainable()) out.dbeta = &beta_->grad;      // (B1)
  if (gamma_ && gamma_->trainable()) out.dgamma = &gamma_->grad;  // (B2)
  if (input_gradients_needed()) out.dx = &dx;                     // (B3)
  batch_normalization_gradient(dy, input(), mean_, k_, gamma_ ? &gamma : nullptr, grad_axes_, out);
}

LayerRef<LayerNormalizationLayer> LayerNormalization(const LayerNormalizationOptions& options) {
  return std::make_shared<LayerNormalizationLayer>(options);
}

std::shared_ptr<Layer> LayerNormalizationLayer::clone() const {
  LayerNormalizationOptions o = opt_;
  o.name = name();
  return std::make_shared<LayerNormalizationLayer>(o);
}

}  // namespace minnow
