#include "layers/group_normalization.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace minnow {

GroupNormalizationLayer::GroupNormalizationLayer(const GroupNormalizationOptions& options)
    : Layer("GroupNormalization", options.name), opt_(options) {
  if (opt_.groups < 1)
    throw ConfigError(fmt::format("{}: groups must be >= 1, but received groups={}", describe(), opt_.groups));
  if (!(opt_.epsilon > 0.0f) || !std::isfinite(opt_.epsilon))
    throw ConfigError(fmt::format("{}: epsilon must be > 0, but received epsilon={}", describe(), opt_.epsilon));
  check_initializer(opt_.beta_initializer, describe());
  check_initializer(opt_.gamma_initializer, describe());
}

Shape GroupNormalizationLayer::build_impl(const Shape& in) {
  if (opt_.axis == 0 || opt_.axis < -in.rank() || opt_.axis >= in.rank())
    throw ShapeError(fmt::format("{}: axis={} is not a channel axis of inputs of shape {} (valid: 1..{} or -1..-{})",
                                 describe(), opt_.axis, in, in.rank() - 1, in.rank() - 1));
  axis_ = in.normalize_axis(opt_.axis);
  const long C = in[axis_], G = opt_.groups;
  if (G > C || C % G != 0)
    throw ShapeError(fmt::format("{}: groups={} must divide the number of channels C={} of inputs of shape {}; "
                                 "choose groups among the divisors of {}",
                                 describe(), G, C, in, C));
  const long rank = in.rank() + 1;  // of the grouped view
  reduce_.clear();
  std::vector<long> broadcast(size_t(rank), 1);
  broadcast[size_t(axis_)] = G, broadcast[size_t(axis_ + 1)] = C / G;
  for (long a = 0; a < rank; ++a)
    if (a != 0 && a != axis_) reduce_.push_back(a);
  grad_axes_ = {.axes = reduce_, .param_axes = {axis_, axis_ + 1}};  // statistics over R, gamma per (g, j)
  param_broadcast_ = Shape(broadcast);
  if (opt_.scale) gamma_ = &add_weight("gamma", {C}, opt_.gamma_initializer, true);
  if (opt_.center) beta_ = &add_weight("beta", {C}, opt_.beta_initializer, true);
  return in;
}

Shape GroupNormalizationLayer::grouped_shape(long n) const {
  std::vector<long> dims = input_shape().with_batch(n).dims();
  const long C = dims[size_t(axis_)];
  dims[size_t(axis_)] = C / opt_.groups;
  dims.insert(dims.begin() + axis_, opt_.groups);
  return Shape(dims);
}

Tensor GroupNormalizationLayer::as_param(const Tensor& v) const {
  return Tensor(param_broadcast_, {v.data(), v.data() + v.size()});
}

void GroupNormalizationLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  xg_ = x;
  xg_.reshape(grouped_shape(x.shape()[0]));                    // (N, .., G, C/G, ..)
  const Moments m = moments(xg_, reduce_, /*keepdims=*/true);  // (F1), (N, 1, .., G, 1, ..)
  mean_ = m.mean;
  k_ = m.variance;
  for (float& v : k_.values()) v = 1.0f / std::sqrt(v + opt_.epsilon);
  const Tensor gamma = gamma_ ? as_param(gamma_->value) : Tensor();
  const Tensor beta = beta_ ? as_param(beta_->value) : Tensor();
  batch_normalization(xg_, m.mean, m.variance, beta_ ? &beta : nullptr, gamma_ ? &gamma : nullptr, opt_.epsilon,
                      y);  // (F2)-(F3)
  y.reshape(x.shape());
}

void GroupNormalizationLayer::backward_impl(const Tensor& dy_in, Tensor& dx) {
  Tensor dy = dy_in;
  dy.reshape(xg_.shape());
  const Tensor gamma = gamma_ ? as_param(gamma_->value) : Tensor();
  NormalizationGradients out;
  if (beta_ && beta_->trainable()) out.dbeta = &beta_->grad;      // (B1)
  if (gamma_ && gamma_->trainable()) out.dgamma = &gamma_->grad;  // (B2)
  if (input_gradients_needed()) out.dx = &dx;                     // (B3), x's shape, the grouped order
  batch_normalization_gradient(dy, xg_, mean_, k_, gamma_ ? &gamma : nullptr, grad_axes_, out);
}

LayerRef<GroupNormalizationLayer> GroupNormalization(const GroupNormalizationOptions& options) {
  return std::make_shared<GroupNormalizationLayer>(options);
}

std::shared_ptr<Layer> GroupNormalizationLayer::clone() const {
  GroupNormalizationOptions o = opt_;
  o.name = name();
  return std::make_shared<GroupNormalizationLayer>(o);
}

}  // namespace minnow
