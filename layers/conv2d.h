// Conv2D: a 2-D convolution over NHWC images, computed as one matrix product (im2col + GEMM).
//
// Shapes: x (N, H, W, C), kernel K (KH, KW, C, F), bias b (F,), y (N, OH, OW, F), with OH, OW
// and the padding from TensorFlow's rules (core/ops.h: window_geometry).
// Forward (training and inference alike)
//   (F1)  X = im2col(x)                  (N*OH*OW, KH*KW*C): row (n, oh, ow) is the input patch
//                                         under the window, in (kh, kw, c) order
//   (F2)  Z = X K + b                    K as it lies is the (KH*KW*C, F) operand; Z (N*OH*OW, F)
//                                         IS y's NHWC layout, no reordering needed
//   (F3)  y = activation(Z)
// Backward, given dy (N, OH, OW, F) seen as dY (N*OH*OW, F)
//   (B1)  dZ = dY * activation'(Z)       written from the cached y
//   (B2)  dK = X^T dZ                    (KH*KW*C, F)
//   (B3)  db = column sums of dZ         (F,)
//   (B4)  dX = dZ K^T                    (N*OH*OW, KH*KW*C)
//   (B5)  dx = col2im(dX)                each patch gradient added back where the patch came from
// Weights (Keras' names and layout)
//   kernel (KH, KW, C, F), trainable, kernel_initializer (default glorot_uniform)
//   bias   (F,),           trainable, bias_initializer (default zeros); absent with use_bias = false
// Parameters: KH*KW*C*F + F.   Cache: none; backward reads the input x again.
// Speed: X is (KH*KW) times larger than x, so it is never stored whole: forward and backward
// take X in chunks of rows small enough to stay in cache, im2col one chunk and use it at once
// (a 1x1 kernel with stride 1 needs no im2col at all: X is x). The chunks run on all threads;
// the weight gradients add per-chunk-group partial sums in a fixed order, so they do not depend
// on the number of threads.
// Reference: tf.keras.layers.Conv2D (channels_last, dilation 1, groups 1).
#pragma once

#include <array>

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
  // Rows [r0, r1) of X (F1): a view of x for a 1x1 kernel, else im2col'ed into `scratch`.
  ConstMatrixMap patches(const Tensor& x, long r0, long r1, Tensor& scratch) const;
  void input_gradient(const float* dZ, Tensor& dx);          // (B4)-(B5)
  void input_gradient_stride1(const float* dZ, Tensor& dx);  // the same as one convolution

  WindowGeometry g_;
  Tensor dz_;      // (B1) scratch
  Tensor turned_;  // K turned for input_gradient_stride1, (KH*KW*F, C)
  Tensor partials_;
  RowVector sums_;  // the groups' partials added up              // (B2)-(B3) per group of chunks: dK (KH*KW*C, F) and
                    // db (F,)
  std::vector<Tensor> scratch_;  // one chunk of X or dX per thread
};

LayerRef<Conv2DLayer> Conv2D(const Conv2DOptions& options);
LayerRef<Conv2DLayer> Conv2D(long filters, Size2D kernel_size, const std::string& padding = "valid", Size2D strides = 1,
                             const std::string& activation = "linear");

}  // namespace minnow
