// GroupNormalization: splits the channels into `groups` groups and normalizes each sample's
// group over its spatial positions and its channels, then scales and shifts each channel
// (Wu & He 2018, eq. 1-3 with S_i of eq. 7).
//
// x: (N, H, W, C) or any rank >= 2 with the channel axis at `axis` (default -1); G = groups
// divides C. View x as x_g: (N, .., G, C/G, ..), the channel axis split in two (no copy: channel
// c = g * (C/G) + j). Each statistic is per sample n and group g, over the m values of every
// other axis: m = H*W*C/G for NHWC. G = 1 is LayerNormalization over all of (H, W, C) (with
// per-channel gamma); G = C is InstanceNormalization.
//   (F1)  mu = (1/m) sum x_g,  var = (1/m) sum (x_g - mu)^2 over the axes R (all but n and g)
//   (F2)  x_hat = (x_g - mu) / sqrt(var + epsilon)                  ops.h batch_normalization
//   (F3)  y = gamma_c * x_hat + beta_c                              per channel c, as in BN
// Backward, given dy; k = 1 / sqrt(var + epsilon); sum_R over a statistic's m values, sum_rest
// over every axis but the channel (batch and spatial):
//   (B1)  dbeta  = sum_rest dy                    (C,)
//   (B2)  dgamma = sum_rest dy * x_hat            (C,)
//   (B3)  g = gamma_c * dy;   dx = k / m * (m * g - sum_R g - x_hat * sum_R (g * x_hat))
//         LayerNormalization's (B3) on the grouped view (docs/normalization-family.md)
//   (B1)-(B3) are ops.h batch_normalization_gradient, the one the whole normalization family calls.
// Modes: none. Training and inference compute the same thing; there are no moving statistics.
// Weights: gamma (ones) and beta (zeros), each (C,), trainable; scale=false drops gamma,
// center=false drops beta. Parameters: 2C.
// Cache: x (grouped view), mu and k.   Reference: keras.layers.GroupNormalization (Keras 2.11+,
// Keras 3; groups 32, epsilon 1e-3).
#pragma once

#include <vector>

#include "core/layer.h"
#include "core/ops.h"

namespace minnow {

struct GroupNormalizationOptions {
  long groups = 32;
  long axis = -1;
  float epsilon = 1e-3f;
  bool center = true;  // learn beta
  bool scale = true;   // learn gamma
  Initializer beta_initializer = "zeros";
  Initializer gamma_initializer = "ones";
  std::string name = "";
};

class GroupNormalizationLayer : public Layer {
 public:
  explicit GroupNormalizationLayer(const GroupNormalizationOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const GroupNormalizationOptions& options() const { return opt_; }
  // The grouped view of an input batch of n samples: the channel axis split into (G, C/G).
  Shape grouped_shape(long n) const;

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  Tensor as_param(const Tensor& v) const;  // a (C,) weight reshaped to broadcast on the grouped view

  GroupNormalizationOptions opt_;
  long axis_ = -1;            // channel axis of the input
  std::vector<long> reduce_;  // R: grouped axes reduced by a statistic (all but 0 and axis_)
  Shape param_broadcast_;     // (1, .., G, C/G, .., 1)
  Parameter *gamma_ = nullptr, *beta_ = nullptr;
  NormalizationAxes grad_axes_;  // (B1)-(B3): statistics over R, gamma and beta on (G, C/G)
  Tensor xg_;                    // x, grouped view
  Tensor mean_;                  // (F1) mu, (N, 1, .., G, 1, ..)
  Tensor k_;                     // 1 / sqrt(var + epsilon), the same shape
};

LayerRef<GroupNormalizationLayer> GroupNormalization(const GroupNormalizationOptions& options = {});

}  // namespace minnow
