#include "layers/batch_normalization.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kernels/column_ops.h"
#include "core/ops.h"

namespace minnow {

BatchNormalizationLayer::BatchNormalizationLayer(const BatchNormalizationOptions& options)
    : Layer("BatchNormalization", options.name), opt_(options) {
  if (!(opt_.epsilon > 0.0f) || !std::isfinite(opt_.epsilon))
    throw ConfigError(fmt::format("{}: epsilon must be > 0, but received epsilon={}", describe(), opt_.epsilon));
  if (!(opt_.momentum >= 0.0f && opt_.momentum <= 1.0f))
    throw ConfigError(
        fmt::format("{}: momentum must be in [0, 1], but received momentum={}", describe(), opt_.momentum));
  for (const auto* init : {&opt_.beta_initializer, &opt_.gamma_initializer, &opt_.moving_mean_initializer,
                           &opt_.moving_variance_initializer})
    check_initializer(*init, describe());
}

Shape BatchNormalizationLayer::build_impl(const Shape& in) {
  if (opt_.axis == 0 || opt_.axis < -in.rank() || opt_.axis >= in.rank())
    throw ShapeError(fmt::format("{}: axis={} is not a channel axis of inputs of shape {} (valid: 1..{} or -1..-{})",
                                 describe(), opt_.axis, in, in.rank() - 1, in.rank() - 1));
  axis_ = in.normalize_axis(opt_.axis);
  const long C = in[axis_];
  std::vector<long> stat(size_t(in.rank()), 1);
  stat[size_t(axis_)] = C;
  stat_shape_ = Shape(stat);
  mean_s_.resize(stat_shape_), k_s_.resize(stat_shape_), gamma_s_.resize(stat_shape_);
  grad_axes_ = {};
  for (long a = 0; a < in.rank(); ++a) (a == axis_ ? grad_axes_.param_axes : grad_axes_.axes).push_back(a);
  const bool affine_trainable = opt_.train_gamma_beta == GammaBetaTraining::Auto;  // control (c)
  if (opt_.scale) gamma_ = &add_weight("gamma", {C}, opt_.gamma_initializer, affine_trainable);
  if (opt_.center) beta_ = &add_weight("beta", {C}, opt_.beta_initializer, affine_trainable);
  moving_mean_ = &add_weight("moving_mean", {C}, opt_.moving_mean_initializer, false);
  moving_variance_ = &add_weight("moving_variance", {C}, opt_.moving_variance_initializer, false);
  return in;
}

void BatchNormalizationLayer::set_train_gamma_beta(GammaBetaTraining v) {
  opt_.train_gamma_beta = v;
  for (Parameter* p : {gamma_, beta_}) {
    if (!p) continue;
    p->trainable_by_design = v == GammaBetaTraining::Auto;
    if (p->trainable_by_design && p->grad.shape() != p->value.shape()) p->grad = Tensor(p->value.shape());
  }
}

void BatchNormalizationLayer::batch_moments(const Tensor& x) {
  if (grad_axes_.param_axes[0] == x.shape().rank() - 1) {  // channel last: x is an (m, C) matrix
    column_moments(x.matrix(), batch_mean_, batch_var_);   // (F1)
    return;
  }
  const Moments m = moments(x, grad_axes_.axes);  // (F1)
  batch_mean_ = m.mean.row(), batch_var_ = m.variance.row();
}

long BatchNormalizationLayer::variance_divisor(const Shape& x_shape, long m) const {
  switch (opt_.moving_variance_update) {
    case UpdateVariance::Biased: return m;
    case UpdateVariance::Unbiased: return m - 1;  // (F4t); m = 1 is refused before
    case UpdateVariance::Auto: break;
  }
  // (F4k): tf.keras 2.x runs rank-4 inputs with the channel axis last or 1 through its fused
  // kernel, which corrects the variance (not when m = 1); every other input, the biased one.
  const bool fused = x_shape.rank() == 4 && (axis_ == 3 || axis_ == 1);
  return fused ? std::max(m - 1, 1L) : m;
}

void BatchNormalizationLayer::apply_moving_update(long m, long divisor) {
  // (F4) with (F4k): w_old = momentum, w_new = 1 - momentum; (F4t): w_old = 1 - momentum, w_new = momentum.
  const float mo = opt_.momentum;
  const bool keras = opt_.momentum_meaning == MomentumMeaning::WeightOnOld;
  const float w_old = keras ? mo : 1.0f - mo, w_new = keras ? 1.0f - mo : mo;
  moving_mean_->value.row() = w_old * moving_mean_->value.row() + w_new * batch_mean_;
  if (divisor != m)  // v = var * m / (m - 1)
    moving_variance_->value.row() =
        w_old * moving_variance_->value.row() + (w_new * float(m) / float(divisor)) * batch_var_;
  else moving_variance_->value.row() = w_old * moving_variance_->value.row() + w_new * batch_var_;
}

BatchNormalizationLayer::Policy BatchNormalizationLayer::resolve(Mode mode) const {
  const bool training = mode == Mode::Training && trainable();  // Keras' one branch
  Policy p;
  switch (opt_.normalize_with) {  // control (a)
    case NormalizeWith::Auto: p.batch_statistics = training; break;
    case NormalizeWith::BatchStatistics: p.batch_statistics = true; break;
    case NormalizeWith::MovingStatistics: p.batch_statistics = false; break;
  }
  switch (opt_.update_moving_statistics) {  // control (b)
    case MovingStatisticsUpdate::Auto: p.update_moving = mode == Mode::Training && p.batch_statistics; break;
    case MovingStatisticsUpdate::Always: p.update_moving = mode == Mode::Training; break;
    case MovingStatisticsUpdate::Never: p.update_moving = false; break;
  }
  p.train_gamma_beta = opt_.train_gamma_beta == GammaBetaTraining::Auto;  // control (c)
  return p;
}

void BatchNormalizationLayer::throw_single_value(const Shape& x_shape) const {
  throw ShapeError(fmt::format(
      "{}: expected more than 1 value per channel to update the moving variance with the unbiased batch variance "
      "(moving_variance_update=Unbiased divides by m - 1), but received an input of shape {}: m = 1 value per "
      "channel. Use a batch of 2 or more, or moving_variance_update=Auto (Keras' rule).",
      describe(), x_shape));
}

void BatchNormalizationLayer::forward_impl(const Tensor& x, Tensor& y, Mode mode) {
  policy_ = resolve(mode);  // (a)-(c) from Keras' one branch: training = Training mode and trainable
  const long C = stat_shape_.num_elements(), m = x.size() / C;
  if (policy_.update_moving && opt_.moving_variance_update == UpdateVariance::Unbiased && m == 1)
    throw_single_value(x.shape());                                                    // (F4t) needs m > 1
  if (policy_.batch_statistics || policy_.update_moving) batch_moments(x);            // (F1)
  if (policy_.batch_statistics) mean_ = batch_mean_, var_ = batch_var_;               // (F2) with (F1)
  else mean_ = moving_mean_->value.row(), var_ = moving_variance_->value.row();       // (I1), before (F4)
  if (policy_.update_moving) apply_moving_update(m, variance_divisor(x.shape(), m));  // (F4)
  k_ = (var_.array() + opt_.epsilon).rsqrt().matrix();
  if (gamma_) gamma_row_ = gamma_->value.row();
  else gamma_row_.setOnes(C);
  if (beta_) beta_row_ = beta_->value.row();
  else beta_row_.setZero(C);
  normalize(x, y);  // (F2)-(F3) / (I1)
}

void BatchNormalizationLayer::normalize(const Tensor& x, Tensor& y) const {
  if (grad_axes_.param_axes[0] == x.shape().rank() - 1) {
    normalize_columns(x.matrix(), mean_, k_, gamma_row_, beta_row_, y.matrix());  // (F2)-(F3) / (I1)
    return;
  }
  const long C = stat_shape_.num_elements(), inner = x.shape().num_elements_from(axis_ + 1);
  for (long i = 0; i < x.size(); ++i) {  // (F2)-(F3) / (I1), element i in channel (i / inner) % C
    const long c = (i / inner) % C;
    y[i] = (x[i] - mean_[c]) * k_[c] * gamma_row_[c] + beta_row_[c];
  }
}

void BatchNormalizationLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  NormalizationGradients out;
  const bool affine = policy_.train_gamma_beta;                             // (c)
  if (affine && beta_ && beta_->trainable()) out.dbeta = &beta_->grad;      // (B1)
  if (affine && gamma_ && gamma_->trainable()) out.dgamma = &gamma_->grad;  // (B2)
  if (input_gradients_needed()) out.dx = &dx;  // (B3) with the batch statistics, (B4) with the moving ones
  grad_axes_.through_statistics = policy_.batch_statistics;
  mean_s_.row() = mean_, k_s_.row() = k_, gamma_s_.row() = gamma_row_;
  batch_normalization_gradient(dy, input(), mean_s_, k_s_, &gamma_s_, grad_axes_, out);
}

LayerRef<BatchNormalizationLayer> BatchNormalization(const BatchNormalizationOptions& options) {
  return std::make_shared<BatchNormalizationLayer>(options);
}

std::shared_ptr<Layer> BatchNormalizationLayer::clone() const {
  BatchNormalizationOptions o = opt_;
  o.name = name();
  return std::make_shared<BatchNormalizationLayer>(o);
}

}  // namespace minnow
