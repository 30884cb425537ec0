// BatchNormalization: normalizes each channel with batch statistics in training and with
// moving statistics in inference, then scales and shifts it (Ioffe & Szegedy 2015, Alg. 1).
//
// x has its channel axis at `axis` (default -1: (N, C) or NHWC (N, H, W, C)); every statistic
// is per channel c, over the m values of the other axes (m = N for (N, C), N*H*W for NHWC).
// Normalizing with the batch statistics (by default: mode == Training and the layer is trainable)
//   (F1)  mu_c = (1/m) sum x,  var_c = (1/m) sum (x - mu_c)^2           biased; ops.h moments
//   (F2)  x_hat = (x - mu_c) / sqrt(var_c + epsilon)                     column_ops normalize_columns
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
//   (B1)-(B4) are ops.h batch_normalization_gradient, the one the whole normalization family calls.
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
#include "core/ops.h"
#include "layers/batch_normalization_options.h"

namespace minnow {

class BatchNormalizationLayer : public Layer {
 public:
  explicit BatchNormalizationLayer(const BatchNormalizationOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const BatchNormalizationOptions& options() const { return opt_; }
  // True when the last forward normalized with the batch statistics (F1)-(F3), false for (I1).
  bool used_batch_statistics() const { return policy_.batch_statistics; }
  // True when the last forward ran (F4).
  bool updated_moving_statistics() const { return policy_.update_moving; }

  // The three controls, also after the layer is built (fine-tuning a loaded model). (c) makes
  // gamma and beta trainable or not at once; a model picks the change up at its next fit.
  void set_normalize_with(NormalizeWith v) { opt_.normalize_with = v; }
  void set_update_moving_statistics(MovingStatisticsUpdate v) { opt_.update_moving_statistics = v; }
  void set_train_gamma_beta(GammaBetaTraining v);

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  // The controls (a)-(c) resolved for one forward: Keras' single branch, training = the mode is
  // Training and the layer trainable, then the overrides of the options.
  struct Policy {
    bool batch_statistics = false;  // (a): (F1)-(F3), else (I1)
    bool update_moving = false;     // (b): (F4)
    bool train_gamma_beta = true;   // (c): (B1)-(B2) wanted
  };
  Policy resolve(Mode mode) const;
  void batch_moments(const Tensor& x);                               // (F1) into batch_mean_, batch_var_
  long variance_divisor(const Shape& x_shape, long m) const;         // v_c = var_c * m / divisor: (F4k) / (F4t)
  void apply_moving_update(long m, long divisor);                    // (F4)
  void normalize(const Tensor& x, Tensor& y) const;                  // (F2)-(F3) / (I1)
  [[noreturn]] void throw_single_value(const Shape& x_shape) const;  // (F4t) with m = 1

  BatchNormalizationOptions opt_;
  Policy policy_;                // of the last forward
  long axis_ = -1;               // normalized channel axis of the full input shape
  Shape stat_shape_;             // (1, .., C, .., 1): broadcasts along axis_
  NormalizationAxes grad_axes_;  // (B1)-(B4): statistics over every axis but axis_, gamma and beta on it
  Parameter *gamma_ = nullptr, *beta_ = nullptr, *moving_mean_ = nullptr, *moving_variance_ = nullptr;
  RowVector batch_mean_, batch_var_;  // (F1), (C,)
  RowVector mean_, var_;              // the statistics (F2) or (I1) normalized with, (C,); mean_ cached
  RowVector k_;                       // 1 / sqrt(var + epsilon), (C,), cached
  RowVector gamma_row_, beta_row_;    // gamma (or ones) and beta (or zeros), (C,), cached
  Tensor mean_s_, k_s_, gamma_s_;     // mean_, k_, gamma_row_ in stat_shape_, for the backward
};

LayerRef<BatchNormalizationLayer> BatchNormalization(const BatchNormalizationOptions& options = {});

}  // namespace minnow
