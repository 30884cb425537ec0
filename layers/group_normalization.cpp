#include "layers/group_normalization.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"
#include "core/reduce.h"

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
  reduce_.clear(), rest_.clear();
  std::vector<long> broadcast(size_t(rank), 1);
  broadcast[size_t(axis_)] = G, broadcast[size_t(axis_ + 1)] = C / G;
  for (long a = 0; a < rank; ++a) {
    if (a != 0 && a != axis_) reduce_.push_back(a);
    if (a != axis_ && a != axis_ + 1) rest_.push_back(a);
  }
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
  Tensor xg = x;
  xg.reshape(grouped_shape(x.shape()[0]));                    // (N, .., G, C/G, ..)
  const Moments m = moments(xg, reduce_, /*keepdims=*/true);  // (F1), (N, 1, .., G, 1, ..)
  k_ = m.variance;
  for (float& v : k_.values()) v = 1.0f / std::sqrt(v + opt_.epsilon);
  batch_normalization(xg, m.mean, m.variance, nullptr, nullptr, opt_.epsilon, x_hat_);  // (F2)
  const Tensor gamma = gamma_ ? as_param(gamma_->value) : Tensor();
  const Tensor beta = beta_ ? as_param(beta_->value) : Tensor();
  batch_normalization(xg, m.mean, m.variance, beta_ ? &beta : nullptr, gamma_ ? &gamma : nullptr, opt_.epsilon,
                      y);  // (F3)
  y.reshape(x.shape());
}

void GroupNormalizationLayer::backward_impl(const Tensor& dy_in, Tensor& dx) {
  Tensor dy = dy_in;
  const Shape& s = x_hat_.shape();
  dy.reshape(s);
  Tensor dy_xhat(s);
  dy_xhat.row() = dy.row().cwiseProduct(x_hat_.row());
  if (beta_ && beta_->trainable()) beta_->grad.row() = reduce_sum(dy, rest_).row();          // (B1)
  if (gamma_ && gamma_->trainable()) gamma_->grad.row() = reduce_sum(dy_xhat, rest_).row();  // (B2)
  Tensor g = dy;                                                                             // (B3) g = gamma_c * dy
  if (gamma_) g.row() = g.row().cwiseProduct(broadcast_to(as_param(gamma_->value), s).row());
  Tensor g_xhat(s);
  g_xhat.row() = g.row().cwiseProduct(x_hat_.row());
  const float m = float(x_hat_.size() / k_.size());
  const Tensor sum_g = broadcast_to(reduce_sum(g, reduce_, true), s);
  const Tensor sum_g_xhat = broadcast_to(reduce_sum(g_xhat, reduce_, true), s);
  const Tensor k = broadcast_to(k_, s);
  dx.row() = (k.row().array() / m *
              (m * g.row().array() - sum_g.row().array() - x_hat_.row().array() * sum_g_xhat.row().array()))
                 .matrix();
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
