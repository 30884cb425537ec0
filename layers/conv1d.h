// Conv1D: a 1-D convolution over sequences (N, L, C), computed as Conv2D's matrix product on a
// sequence seen as an image of height 1 (im2col + GEMM, core/kernels/convolution.h).
//
// Shapes: x (N, L, C), kernel K (KL, C, F), bias b (F,), y (N, OL, F). With dilation d the kernel
// spans KE = (KL-1)*d + 1 steps; OL and the padding follow TensorFlow's rules with KE:
//   valid:  OL = floor((L - KE) / S) + 1, no padding; needs KE <= L
//   same:   OL = ceil(L / S),  pad_total = max((OL-1)*S + KE - L, 0), pad_left = pad_total / 2
//   causal: OL = ceil(L / S),  pad_left = KE - 1 (zeros before the sequence, none after):
//           y[t] never reads x after t*S
// Forward (training and inference alike)
//   (F1)  X = im2col(x)                  (N*OL, KE*C): row (n, ol) is the window x[n, ol*S - pad_left
//                                         + [0, KE), :], zeros where it hangs over the padding
//   (F2)  Z = X Ke + b                   Ke (KE*C, F): K as it lies when d = 1; for d > 1, K with
//                                         d-1 zero rows of taps between its taps, Ke[j*d] = K[j]
//   (F3)  y = activation(Z)              Z (N*OL, F) IS y's layout
// Backward, given dy (N, OL, F) seen as dY (N*OL, F)
//   (B1)  dZ = dY * activation'(Z)       from the cached y, or Z for silu / gelu
//   (B2)  dKe = X^T dZ,  dK[j] = dKe[j*d]  (KL, C, F): the taps between are not weights
//   (B3)  db = column sums of dZ         (F,)
//   (B4)  dx = col2im(dZ Ke^T)           (N, L, C): each window's gradient added back where it came
//                                         from; with stride 1, one convolution of dZ with Ke turned
// Weights (Keras' names and layout)
//   kernel (KL, C, F), trainable, kernel_initializer (default glorot_uniform)
//   bias   (F,),       trainable, bias_initializer (default zeros); absent with use_bias = false
// Parameters: KL*C*F + F.   Cache: Z only for silu / gelu; backward reads the input x again.
// Dilation costs d times the work of an undilated kernel (the zero taps are multiplied too).
// Reference: tf.keras.layers.Conv1D (channels_last, groups 1). As Keras, strides > 1 and
// dilation_rate > 1 together are refused.
#pragma once

#include <vector>

#include "core/activations.h"
#include "core/layer.h"
#include "core/ops.h"

namespace minnow {

struct Conv1DOptions {
  long filters = 0;
  long kernel_size = 1;
  long strides = 1;
  std::string padding = "valid";  // "valid", "same" or "causal"
  long dilation_rate = 1;
  std::string activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  Regularizer kernel_regularizer{};  // none; L1(..), L2(..), L1L2(..), "l1", "l2" (core/regularizers.h)
  Regularizer bias_regularizer{};
  std::string name = "";
};

class Conv1DLayer : public Layer {
 public:
  explicit Conv1DLayer(const Conv1DOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const Conv1DOptions& options() const { return opt_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  ConstMatrixMap dilated_kernel();  // (F2)'s Ke (KE*C, F)

  Conv1DOptions opt_;
  ActivationKind activation_;
  Parameter* kernel_ = nullptr;
  Parameter* bias_ = nullptr;
  WindowGeometry g_;               // the image (N, 1, L, C), kernel (1, KE), stride (1, S)
  std::vector<float> dilated_;     // (F2)'s Ke, for d > 1
  std::vector<float> dilated_dk_;  // (B2)'s dKe, for d > 1
  Tensor z_;                       // (F2)'s Z, kept only when activation_needs_input
  Tensor dz_;                      // (B1) scratch
};

LayerRef<Conv1DLayer> Conv1D(const Conv1DOptions& options);
LayerRef<Conv1DLayer> Conv1D(long filters, long kernel_size, const std::string& padding = "valid", long strides = 1,
                             const std::string& activation = "linear");

}  // namespace minnow
