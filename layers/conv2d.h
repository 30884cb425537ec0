// Conv2D: a 2-D convolution over NHWC images, computed as one matrix product (im2col + GEMM).
//
// Shapes: x (N, H, W, C), kernel K (KH, KW, C, F), bias b (F,), y (N, OH, OW, F), with OH, OW
// and the padding from TensorFlow's rules (core/kernels/im2col.h: window_geometry).
// Forward (training and inference alike)
//   (F1)  X = im2col(x)                  (N*OH*OW, KH*KW*C): row (n, oh, ow) is the input patch
//                                         under the window, in (kh, kw, c) order
//   (F2)  Z = X K + b                    K as it lies is the (KH*KW*C, F) operand; Z (N*OH*OW, F)
//                                         IS y's NHWC layout, no reordering needed
//   (F3)  y = activation(Z)
// Backward, given dy (N, OH, OW, F) seen as dY (N*OH*OW, F)
//   (B1)  dZ = dY * activation'(Z)       from the cached y, or Z for silu / gelu
//   (B2)  dK = X^T dZ                    (KH*KW*C, F)
//   (B3)  db = column sums of dZ         (F,)
//   (B4)  dX = dZ K^T                    (N*OH*OW, KH*KW*C)
//   (B5)  dx = col2im(dX)                each patch gradient added back where the patch came from
//   (B4') stride 1, (B4)-(B5) as one convolution of dZ, with no col2im:
//         dx = im2col'(dZ) K'            K'[kh, kw, f, c] = K[KH-1-kh, KW-1-kw, c, f] (the kernel
//                                         turned by 180 degrees, its channel axes swapped), (KH*KW*F, C);
//                                         im2col' pads dZ by KH-1-pad_top rows above and KW-1-pad_left
//                                         columns left, so that dx is (N, H, W, C)
// Weights (Keras' names and layout)
//   kernel (KH, KW, C, F), trainable, kernel_initializer (default glorot_uniform)
//   bias   (F,),           trainable, bias_initializer (default zeros); absent with use_bias = false
//   kernel_regularizer / bias_regularizer (default none): a penalty training adds to the loss
// Parameters: KH*KW*C*F + F.   Cache: Z only when the activation's derivative needs it (silu,
// gelu); backward reads the input x again.
// Speed: the passes are core/kernels/convolution.h's: X is never stored whole but taken in
// cache-sized chunks of rows on all threads (none for a 1x1 kernel with stride 1: X is x); the
// weight gradients add a fixed number of partial sums in a fixed order, whatever the threads.
// Reference: tf.keras.layers.Conv2D (channels_last, dilation 1, groups 1).
#pragma once

#include "core/activations.h"
#include "core/layer.h"
#include "core/ops.h"

namespace minnow {

struct Conv2DOptions {
  long filters = 0;
  Size2D kernel_size = 1;  // 3 means 3 x 3, as in Keras
  Size2D strides = 1;
  std::string padding = "valid";  // "valid" or "same"
  std::string activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  Regularizer kernel_regularizer{};  // none; L1(..), L2(..), L1L2(..), "l1", "l2" (core/regularizers.h)
  Regularizer bias_regularizer{};
  std::string name = "";
};

class Conv2DLayer : public Layer {
 public:
  explicit Conv2DLayer(const Conv2DOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const Conv2DOptions& options() const { return opt_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  Conv2DOptions opt_;
  ActivationKind activation_;
  Parameter* kernel_ = nullptr;
  Parameter* bias_ = nullptr;
  WindowGeometry g_;
  Tensor z_;   // (F2)'s Z, kept only when activation_needs_input
  Tensor dz_;  // (B1) scratch
};

LayerRef<Conv2DLayer> Conv2D(const Conv2DOptions& options);
LayerRef<Conv2DLayer> Conv2D(long filters, Size2D kernel_size, const std::string& padding = "valid", Size2D strides = 1,
                             const std::string& activation = "linear");

}  // namespace minnow
