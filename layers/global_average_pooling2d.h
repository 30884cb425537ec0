// GlobalAveragePooling2D: the mean of each channel over all H*W positions of each image.
//
// Shapes: x (N, H, W, C) -> y (N, C). Seen as a matrix X (N*H*W, C), image n is the block of
// H*W consecutive rows starting at row n*H*W, so y's row n is that block's column mean.
// Forward (training and inference alike)
//   (F1)  y[n,c] = (1 / (H*W)) * sum over h, w of x[n,h,w,c]
// Backward, given dy (N, C)
//   (B1)  dx[n,h,w,c] = dy[n,c] / (H*W)          every position shares the gradient equally
// No weights, no cache.
// Reference: tf.keras.layers.GlobalAveragePooling2D (channels_last, keepdims=False; keepdims
// is not supported).
#pragma once

#include "core/layer.h"

namespace minnow {

class GlobalAveragePooling2DLayer : public Layer {
 public:
  explicit GlobalAveragePooling2DLayer(const std::string& name = "") : Layer("GlobalAveragePooling2D", name) {}
  std::shared_ptr<Layer> clone() const override;

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
};

LayerRef<GlobalAveragePooling2DLayer> GlobalAveragePooling2D(const std::string& name = "");

}  // namespace minnow
