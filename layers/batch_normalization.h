// BatchNormalization: normalizes each channel with batch statistics in training and with
// moving statistics in inference, then scales and shifts it (Ioffe & Szegedy 2015, Alg. 1).
//
// x has its channel axis at `axis` (default -1: (N, C) or NHWC (N, H, W, C)); every statistic
// is per channel c, over the m values of the other axes (m = N for (N, C), N*H*W for NHWC).
// Training (mode == Training and the layer is trainable)
//   (F1)  mu_c = (1/m) sum x,  var_c = (1/m) sum (x - mu_c)^2           biased; ops.h moments
//   (F2)  x_hat = (x - mu_c) / sqrt(var_c + epsilon)                     ops.h batch_normalization
//   (F3)  y = gamma_c * x_hat + beta_c
//   (F4)  moving_mean <- momentum * moving_mean + (1 - momentum) * mu_c
//         moving_variance <- momentum * moving_variance + (1 - momentum) * var_c   (biased, as Keras)
// Inference (mode == Inference, or the layer is frozen: Keras >= 2.0 runs a frozen BN so)
//   (I1)  x_hat = (x - moving_mean) / sqrt(moving_variance + epsilon);  y = gamma * x_hat + beta
//         the moving statistics are not touched
// Backward, given dy; sums per channel over its m values; k = 1 / sqrt(var + epsilon)
//   (B1)  dbeta  = sum dy
//   (B2)  dgamma = sum dy * x_hat
//   (B3)  training: dx = gamma * k / m * (m * dy - sum dy - x_hat * sum(dy * x_hat))
//         (the gradient flows through mu and var too; derivation in docs/concepts/batchnorm-math.md)
//   (B4)  inference: dx = gamma * k * dy          (mu, var are constants there)
// Weights (each (C,)): gamma (ones, trainable; absent with scale=false), beta (zeros, trainable;
// absent with center=false), moving_mean (zeros) and moving_variance (ones), never trainable.
// Parameters: 4C (2C with neither gamma nor beta... 3C with one of them), 2C non-trainable.
// Cache: mu, k = 1 / sqrt(var + epsilon) and gamma, beta as used; backward reads x again and
// recomputes x_hat from it (cheaper than storing x_hat). With the channel axis last the passes
// over the data are the fused, parallel kernels of core/column_ops.h.   Reference: tf.keras.layers.BatchNormalization (momentum 0.99, epsilon 1e-3).
#pragma once

#include "core/layer.h"

namespace minnow {

struct BatchNormalizationOptions {
  long axis = -1;
  float momentum = 0.99f;
  float epsilon = 1e-3f;
  bool center = true;  // learn beta
  bool scale = true;   // learn gamma
  Initializer beta_initializer = "zeros";
  Initializer gamma_initializer = "ones";
  Initializer moving_mean_initializer = "zeros";
  Initializer moving_variance_initializer = "ones";
  std::string name = "";
};

class BatchNormalizationLayer : public Layer {
 public:
  explicit BatchNormalizationLayer(const BatchNormalizationOptions& options);
  const BatchNormalizationOptions& options() const { return opt_; }
  // True when the last forward normalized with the batch statistics (training, not frozen).
  bool used_batch_statistics() const { return used_batch_stats_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  BatchNormalizationOptions opt_;
  long axis_ = -1;   // normalized channel axis of the full input shape
  Shape stat_shape_;  // (1, .., C, .., 1): broadcasts along axis_
  Parameter *gamma_ = nullptr, *beta_ = nullptr, *moving_mean_ = nullptr, *moving_variance_ = nullptr;
  bool used_batch_stats_ = false;
  RowVector mean_, var_;  // (F1) or the moving statistics (I1), (C,); mean_ cached
  RowVector k_;           // 1 / sqrt(var + epsilon), (C,), cached
  RowVector gamma_row_, beta_row_;  // gamma (or ones) and beta (or zeros), (C,), cached
  RowVector sum_dy_, sum_dy_xhat_, scale_;  // backward scratch, (C,)
};

LayerRef<BatchNormalizationLayer> BatchNormalization(const BatchNormalizationOptions& options = {});

}  // namespace minnow
