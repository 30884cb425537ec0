// AveragePooling2D: the mean of each channel over each pooling window.
//
// Shapes, windows and padding: layers/pooling2d.h (TensorFlow's rules).
// x (N, H, W, C), y (N, OH, OW, C); seen as matrices X (N*H*W, C) and Y (N*OH*OW, C), one row per
// pixel, so a window's C channels are averaged together as one row vector.
// Forward (training and inference alike)
//   (F1)  y[n,oh,ow,:] = (1 / k[oh,ow]) * sum of x[n,h,w,:] over the real cells (h, w) of window (oh, ow)
//         k[oh,ow] = the number of real cells in the window. With padding='same' a border window
//         averages over its real cells only: padding is neither a zero nor counted (as TF's avg_pool)
// Backward, given dy (N, OH, OW, C)
//   (B1)  dx = 0, then dx[n,h,w,:] += dy[n,oh,ow,:] / k[oh,ow] for every real cell (h, w) of
//         window (oh, ow): each window shares its gradient equally among its cells; overlapping
//         windows (strides < pool_size) add up
// No weights. Cache: none beyond the geometry (k is the window's cell count).
// Reference: tf.keras.layers.AveragePooling2D (channels_last), tf.nn.avg_pool2d.
#pragma once

#include "layers/pooling2d.h"

namespace minnow {

class AveragePooling2DLayer : public Pooling2DLayer {
 public:
  explicit AveragePooling2DLayer(const Pooling2DOptions& options) : Pooling2DLayer("AveragePooling2D", options) {}
  std::shared_ptr<Layer> clone() const override;

 private:
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
};

LayerRef<AveragePooling2DLayer> AveragePooling2D(const Pooling2DOptions& options = {});

}  // namespace minnow
