// BatchNormalization: normalizes each channel with batch statistics in training and with
// moving statistics in inference, then scales and shifts it (Ioffe & Szegedy 2015, Alg. 1).
//
// x has its channel axis at `axis` (default -1: (N, C) or NHWC (N, H, W, C)); every statistic
// is per channel c, over the m values of the other axes (m = N for (N, C), N*H*W for NHWC).
// Normalizing with the batch statistics (by default: mode == Training and the layer is trainable)
//   (F1)  mu_c = (1/m) sum x,  var_c = (1/m) sum (x - mu_c)^2           biased; ops.h moments
//   (F2)  x_hat = (x - mu_c) / sqrt(var_c + epsilon)                     ops.h batch_normalization
//   (F3)  y = gamma_c * x_hat + beta_c
// Updating the moving statistics (by default: in the same forwards), with the weight w_new of the batch:
//   (F4)  moving_mean     <- (1 - w_new) * moving_mean     + w_new * mu_c
//         moving_variance <- (1 - w_new) * moving_variance + w_new * v_c
//   (F4k) Keras   (momentum_meaning WeightOnOld, moving_variance_update Auto; the default):
//         w_new = 1 - momentum (momentum 0.99), and tf.keras 2.x's two paths for v_c:
//         rank-4 input, channel axis last or 1 (its fused kernel, FusedBatchNormV3):
//                                                v_c = var_c * m / max(m - 1, 1)  Bessel-corrected
//         any other input:                       v_c = var_c   the biased variance of (F1)
//         (UpdateVariance::Biased gives the biased rule on every path: Keras 3, TensorFlow.js.)
//   (F4t) PyTorch (momentum_meaning WeightOnNew, moving_variance_update Unbiased; ::pytorch()):
//         w_new = momentum (momentum 0.1),       v_c = var_c * m / (m - 1)   Bessel-corrected,
//         on every input. A forward that would run it with m = 1 is a ShapeError naming the
//         layer and the input shape, and changes nothing (torch: "Expected more than 1 value
//         per channel when training").
//   Either way (F2) divides by the biased var_c, as both frameworks do.
// Normalizing with the moving statistics (by default: mode == Inference, or the layer is frozen;
// Keras >= 2.0 runs a frozen BN so)
//   (I1)  x_hat = (x - moving_mean) / sqrt(moving_variance + epsilon);  y = gamma * x_hat + beta
//         with the moving statistics as they were before this forward's (F4), if it has one
// Backward, given dy; sums per channel over its m values; k = 1 / sqrt(var + epsilon)
//   (B1)  dbeta  = sum dy                          only while beta is trainable
//   (B2)  dgamma = sum dy * x_hat                  only while gamma is trainable
//   (B3)  batch statistics: dx = gamma * k / m * (m * dy - sum dy - x_hat * sum(dy * x_hat))
//         (the gradient flows through mu and var too; derivation in docs/concepts/batchnorm-math.md)
//   (B4)  moving statistics: dx = gamma * k * dy   (mu, var are constants there)
// The three controls (each Auto by default, which is Keras' rule; docs/batchnorm-conventions.md
// has the fine-tuning recipes they express):
//   (a) normalize_with            Auto: batch statistics iff mode == Training and trainable(),
//                                 moving ones otherwise. BatchStatistics: (F1)-(F3) in every
//                                 forward, inference too. MovingStatistics: (I1) in every forward.
//   (b) update_moving_statistics  Auto: (F4) in the forwards that normalize with the batch
//                                 statistics in Mode::Training. Always: (F4) in every Mode::Training
//                                 forward (the batch statistics are computed for it even when (I1)
//                                 normalizes). Never. An inference forward never runs (F4).
//   (c) train_gamma_beta          Auto: gamma and beta are trainable weights, frozen with the layer
//                                 (set_trainable(false)). Never: created non-trainable (like the
//                                 moving statistics: no gradient (B1)-(B2), no optimizer update,
//                                 counted as non-trainable, as Keras counts weights made with
//                                 trainable=False).
// Weights (each (C,)): gamma (ones; absent with scale=false), beta (zeros; absent with
// center=false), moving_mean (zeros) and moving_variance (ones), never trainable.
// Parameters: 4C (3C with one of gamma and beta, 2C with neither), 2C non-trainable (4C when
// frozen or with train_gamma_beta Never).
// Cache: mu, k = 1 / sqrt(var + epsilon) and gamma, beta as used; backward reads x again and
// recomputes x_hat from it (cheaper than storing x_hat). With the channel axis last the passes
// over the data are the fused, parallel kernels of core/kernels/column_ops.h.
// Reference: tf.keras.layers.BatchNormalization (momentum 0.99, epsilon 1e-3); with ::pytorch(),
// torch.nn.BatchNorm1d / BatchNorm2d (momentum 0.1, eps 1e-5). Tests against both:
// tests/layers/batch_normalization_conventions_test.cpp.
#pragma once

#include "core/layer.h"

namespace minnow {

// (F4): what `momentum` weighs. WeightOnOld: Keras, moving = momentum * moving + (1 - momentum) * batch.
// WeightOnNew: PyTorch, running = (1 - momentum) * running + momentum * batch.
enum class MomentumMeaning { WeightOnOld, WeightOnNew };
// (F4): the batch variance v_c the moving variance moves towards. Auto: tf.keras 2.x's rule,
// Bessel-corrected on rank-4 inputs with the channel axis last or 1 (its fused kernel), biased
// otherwise. Biased: var_c everywhere (Keras 3, TensorFlow.js, tf.keras 2.x with fused=False).
// Unbiased: var_c * m / (m - 1) everywhere (PyTorch).
enum class UpdateVariance { Auto, Biased, Unbiased };
// Control (a): the statistics that normalize x.
enum class NormalizeWith { Auto, BatchStatistics, MovingStatistics };
// Control (b): whether a Mode::Training forward runs (F4).
enum class MovingStatisticsUpdate { Auto, Always, Never };
// Control (c): whether gamma and beta are trainable. (There is no "Always": set_trainable(false)
// freezes every weight of a layer, as in Keras; to train gamma and beta while normalizing with
// the moving statistics, keep the layer trainable and set (a) and (b).)
enum class GammaBetaTraining { Auto, Never };

struct BatchNormalizationOptions {
  long axis = -1;
  float momentum = 0.99f;
  MomentumMeaning momentum_meaning = MomentumMeaning::WeightOnOld;
  float epsilon = 1e-3f;
  UpdateVariance moving_variance_update = UpdateVariance::Auto;                    // (F4): v_c
  bool center = true;                                                              // learn beta
  bool scale = true;                                                               // learn gamma
  NormalizeWith normalize_with = NormalizeWith::Auto;                              // (a)
  MovingStatisticsUpdate update_moving_statistics = MovingStatisticsUpdate::Auto;  // (b)
  GammaBetaTraining train_gamma_beta = GammaBetaTraining::Auto;                    // (c)
  Initializer beta_initializer = "zeros";
  Initializer gamma_initializer = "ones";
  Initializer moving_mean_initializer = "zeros";
  Initializer moving_variance_initializer = "ones";
  std::string name = "";

  // tf.keras.layers.BatchNormalization's convention: the defaults above.
  static BatchNormalizationOptions keras() { return {}; }
  // torch.nn.BatchNorm1d / 2d's convention: momentum 0.1 weighing the new value, eps 1e-5, the
  // unbiased batch variance in (F4) on every input. Everything else stays as above (set the name after).
  static BatchNormalizationOptions pytorch() {
    BatchNormalizationOptions o;
    o.momentum = 0.1f;
    o.momentum_meaning = MomentumMeaning::WeightOnNew;
    o.epsilon = 1e-5f;
    o.moving_variance_update = UpdateVariance::Unbiased;
    return o;
  }
};

class BatchNormalizationLayer : public Layer {
 public:
  explicit BatchNormalizationLayer(const BatchNormalizationOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const BatchNormalizationOptions& options() const { return opt_; }
  // True when the last forward normalized with the batch statistics (F1)-(F3), false for (I1).
  bool used_batch_statistics() const { return used_batch_stats_; }
  // True when the last forward ran (F4).
  bool updated_moving_statistics() const { return updated_moving_stats_; }

  // The three controls, also after the layer is built (fine-tuning a loaded model). (c) makes
  // gamma and beta trainable or not at once; a model picks the change up at its next fit.
  void set_normalize_with(NormalizeWith v) { opt_.normalize_with = v; }
  void set_update_moving_statistics(MovingStatisticsUpdate v) { opt_.update_moving_statistics = v; }
  void set_train_gamma_beta(GammaBetaTraining v);

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  void batch_moments(const Tensor& x, bool channel_last);     // (F1) into batch_mean_, batch_var_
  long variance_divisor(const Shape& x_shape, long m) const;  // v_c = var_c * m / divisor: (F4k) / (F4t)
  void apply_moving_update(long m, long divisor);             // (F4)

  BatchNormalizationOptions opt_;
  long axis_ = -1;    // normalized channel axis of the full input shape
  Shape stat_shape_;  // (1, .., C, .., 1): broadcasts along axis_
  Parameter *gamma_ = nullptr, *beta_ = nullptr, *moving_mean_ = nullptr, *moving_variance_ = nullptr;
  bool used_batch_stats_ = false, updated_moving_stats_ = false;
  RowVector batch_mean_, batch_var_;        // (F1), (C,)
  RowVector mean_, var_;                    // the statistics (F2) or (I1) normalized with, (C,); mean_ cached
  RowVector k_;                             // 1 / sqrt(var + epsilon), (C,), cached
  RowVector gamma_row_, beta_row_;          // gamma (or ones) and beta (or zeros), (C,), cached
  RowVector sum_dy_, sum_dy_xhat_, scale_;  // backward scratch, (C,)
};

LayerRef<BatchNormalizationLayer> BatchNormalization(const BatchNormalizationOptions& options = {});

}  // namespace minnow
