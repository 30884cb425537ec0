// LayerNormalization: normalizes each sample over the `axis` axes (its features), then scales
// and shifts each normalized position (Ba, Kiros & Hinton 2016, eq. 4).
//
// x: (N, d1, .., dk). A = the normalized axes (default {-1}; never the batch axis), sorted.
// Each statistic is per sample (and per position along the axes not in A), over the m values
// of the axes in A: m = d_{-1} for axis -1, m = d1*d2 for axis {1, 2} on (N, d1, d2).
//   (F1)  mu = (1/m) sum_A x,  var = (1/m) sum_A (x - mu)^2       biased; ops.h moments
//   (F2)  x_hat = (x - mu) / sqrt(var + epsilon)                   ops.h batch_normalization
//   (F3)  y = gamma * x_hat + beta      gamma, beta: one value per position of the A axes (same call)
// Backward, given dy; k = 1 / sqrt(var + epsilon); sum_A sums over a statistic's m values,
// sum_rest over every other axis (batch included):
//   (B1)  dbeta  = sum_rest dy
//   (B2)  dgamma = sum_rest dy * x_hat
//   (B3)  g = gamma * dy;   dx = k / m * (m * g - sum_A g - x_hat * sum_A (g * x_hat))
//         BatchNormalization's (B3) with the roles of the axes swapped; gamma moves inside the
//         sums because here it varies within one statistic (docs/normalization-family.md)
//   (B1)-(B3) are ops.h batch_normalization_gradient, the one the whole normalization family calls.
// Modes: none. Training and inference compute the same thing; there are no moving statistics.
// Weights: gamma (ones) and beta (zeros), each of shape (d_a for a in A), both trainable;
// scale=false drops gamma, center=false drops beta. Parameters: 2 * prod_A d_a.
// Cache: mu and k; backward recomputes x_hat from x.
// Reference: tf.keras.layers.LayerNormalization (epsilon 1e-3). Keras keeps `axis` in the order
// given; minnow sorts it, so gamma's axes are in the input's order.
#pragma once

#include <vector>

#include "core/layer.h"
#include "core/ops.h"

namespace minnow {

struct LayerNormalizationOptions {
  std::vector<long> axis = {-1};
  float epsilon = 1e-3f;
  bool center = true;  // learn beta
  bool scale = true;   // learn gamma
  Initializer beta_initializer = "zeros";
  Initializer gamma_initializer = "ones";
  std::string name = "";
};

class LayerNormalizationLayer : public Layer {
 public:
  explicit LayerNormalizationLayer(const LayerNormalizationOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const LayerNormalizationOptions& options() const { return opt_; }
  // The normalized axes of the full input shape, sorted (after build).
  const std::vector<long>& normalized_axes() const { return axes_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  Tensor as_param(const Tensor& v) const;  // gamma / beta reshaped to broadcast against x

  LayerNormalizationOptions opt_;
  std::vector<long> axes_;  // A, sorted
  Shape param_broadcast_;   // (1, .., d_a, .., 1): d_a on the A axes, 1 elsewhere
  Parameter *gamma_ = nullptr, *beta_ = nullptr;
  NormalizationAxes grad_axes_;  // (B1)-(B3): statistics over A, gamma and beta on A
  Tensor mean_;                  // (F1) mu, x's shape with the A axes 1
  Tensor k_;                     // 1 / sqrt(var + epsilon), the same shape
};

LayerRef<LayerNormalizationLayer> LayerNormalization(const LayerNormalizationOptions& options = {});

}  // namespace minnow
