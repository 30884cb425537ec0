// Conv2DTranspose: the transpose of a 2-D convolution ("deconvolution"), which maps each input
// pixel to a kernel-sized patch of the output: the input gradient of a Conv2D run forward.
//
// Shapes: x (N, H, W, C), kernel K (KH, KW, F, C), bias b (F,), y (N, OH, OW, F), with Keras' sizes
// (deconv_output_length), S the strides, P the output_padding:
//   valid:  OH = H*SH + max(KH - SH, 0)             with P: OH = (H-1)*SH + KH + PH
//   same:   OH = H*SH                               with P: OH = (H-1)*SH + KH - 2*(KH/2) + PH
// likewise for W. The Conv2D it transposes is the one from y's size to x's size: kernel (KH, KW),
// strides S, the padding by TensorFlow's rules on (OH, OW) (core/kernels/im2col.h: window_geometry);
// K as it lies is that Conv2D's (KH*KW*F, C) kernel, with F its input and C its output channels.
// Forward (training and inference alike), x seen as X (N*H*W, C)
//   (F1)  P = X K^T                      (N*H*W, KH*KW*F): row (n, h, w) is the patch that pixel adds
//   (F2)  Z = col2im(P) + b              each patch added where the Conv2D's window (h, w) lies;
//                                         overlapping patches add up. Z (N*OH*OW, F) IS y's layout
//   (F3)  y = activation(Z)
//   (F1)-(F2) for stride 1: Z = im2col'(X) K', one convolution of x with the kernel turned by 180
//         degrees (core/kernels/convolution.h: conv2d_input_gradient_turned)
// Backward, given dy (N, OH, OW, F) seen as dY (N*OH*OW, F), D = im2col(dZ) (N*H*W, KH*KW*F)
//   (B1)  dZ = dY * activation'(Z)       from the cached y, or Z for silu / gelu
//   (B2)  dK = D^T X                     (KH*KW*F, C), as K lies
//   (B3)  db = column sums of dZ         (F,)
//   (B4)  dX = D K                       (N*H*W, C): the Conv2D's forward pass on dZ
// Weights (Keras' names and layout)
//   kernel (KH, KW, F, C), trainable, kernel_initializer (default glorot_uniform)
//   bias   (F,),           trainable, bias_initializer (default zeros); absent with use_bias = false
// Parameters: KH*KW*F*C + F.   Cache: Z only for silu / gelu; backward reads the input x again.
// Reference: tf.keras.layers.Conv2DTranspose (channels_last, dilation 1); output_padding must be
// smaller than the strides, as Keras requires.
#pragma once

#include <vector>

#include "core/activations.h"
#include "core/layer.h"
#include "core/ops.h"

namespace minnow {

struct Conv2DTransposeOptions {
  long filters = 0;
  Size2D kernel_size = 1;  // 3 means 3 x 3, as in Keras
  Size2D strides = 1;
  std::string padding = "valid";          // "valid" or "same"
  std::vector<long> output_padding = {};  // Keras' None; {p} means {p, p}; {ph, pw}
  std::string activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  Regularizer kernel_regularizer{};  // none; L1(..), L2(..), L1L2(..), "l1", "l2" (core/regularizers.h)
  Regularizer bias_regularizer{};
  std::string name = "";
};

class Conv2DTransposeLayer : public Layer {
 public:
  explicit Conv2DTransposeLayer(const Conv2DTransposeOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const Conv2DTransposeOptions& options() const { return opt_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  long output_length(long in, int axis) const;  // OH (axis 0) or OW (axis 1) from H or W

  Conv2DTransposeOptions opt_;
  ActivationKind activation_;
  Parameter* kernel_ = nullptr;
  Parameter* bias_ = nullptr;
  WindowGeometry g_;  // the transposed Conv2D: input (N, OH, OW, F), output (N, H, W, C)
  Tensor z_;          // (F2)'s Z, kept only when activation_needs_input
  Tensor dz_;         // (B1) scratch
};

LayerRef<Conv2DTransposeLayer> Conv2DTranspose(const Conv2DTransposeOptions& options);
LayerRef<Conv2DTransposeLayer> Conv2DTranspose(long filters, Size2D kernel_size, const std::string& padding = "valid",
                                               Size2D strides = 1, const std::string& activation = "linear");

}  // namespace minnow
