// MaxPooling2D: the largest value of each channel in each pooling window.
//
// Shapes, windows and padding: layers/pooling2d.h (TensorFlow's rules).
// x (N, H, W, C), y (N, OH, OW, C). For every n, oh, ow and c:
// Forward (training and inference alike)
//   (F1)  y[n,oh,ow,c] = max of x[n,h,w,c] over the real cells (h, w) of window (oh, ow);
//         padding cells count as -inf, so they never win
//   (F2)  a[n,oh,ow,c] = the flat index in x of the cell that won. Ties go to the first cell in
//         window order (row by row, each row left to right)
// Backward, given dy (N, OH, OW, C)
//   (B1)  dx = 0, then dx[a[n,oh,ow,c]] += dy[n,oh,ow,c]: each window's gradient goes to its
//         maximum. When strides < pool_size, windows overlap and one cell may collect several
// max is piecewise linear: away from ties (B1) is its exact gradient. At a tie, it is the
// gradient of the branch that (F2) picked.
// No weights. Cache: a, the argmax indices (N*OH*OW*C of them).
// Reference: tf.keras.layers.MaxPooling2D (channels_last), tf.nn.max_pool2d.
#pragma once

#include <vector>

#include "layers/pooling2d.h"

namespace minnow {

class MaxPooling2DLayer : public Pooling2DLayer {
 public:
  explicit MaxPooling2DLayer(const Pooling2DOptions& options) : Pooling2DLayer("MaxPooling2D", options) {}
  std::shared_ptr<Layer> clone() const override;
  // (F2) of the last forward: the flat index in x of each output's maximum.
  const std::vector<long>& argmax() const { return argmax_; }

 private:
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  std::vector<long> argmax_;  // (F2), in y's NHWC order
};

LayerRef<MaxPooling2DLayer> MaxPooling2D(const Pooling2DOptions& options = {});

}  // namespace minnow
