// GlobalMaxPooling2D: the largest value of each channel over all H*W positions of each image.
//
// Shapes: x (N, H, W, C) -> y (N, C). Seen as a matrix X (N*H*W, C), image n is the block of
// H*W consecutive rows starting at row n*H*W, so y's row n is that block's column maximum.
// Forward (training and inference alike)
//   (F1)  y[n,c] = max over h, w of x[n,h,w,c]
//   (F2)  k[n,c] = the number of positions (h, w) where x[n,h,w,c] = y[n,c] (1 without ties)
// Backward, given dy (N, C)
//   (B1)  dx[n,h,w,c] = dy[n,c] / k[n,c]   where x[n,h,w,c] = y[n,c]
//         dx[n,h,w,c] = 0                  elsewhere
//         tied maxima share the gradient equally, as TF's reduce_max (and torch.amax) do;
//         MaxPooling2D instead gives it to the first (tf.nn.max_pool2d's rule)
// No weights. Cache: none; backward reads the input x and the output y of the last forward.
// Reference: keras.layers.GlobalMaxPooling2D (channels_last, keepdims=False; keepdims is not
// supported).
#pragma once

#include "core/layer.h"

namespace minnow {

class GlobalMaxPooling2DLayer : public Layer {
 public:
  explicit GlobalMaxPooling2DLayer(const std::string& name = "") : Layer("GlobalMaxPooling2D", name) {}
  std::shared_ptr<Layer> clone() const override;

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
};

LayerRef<GlobalMaxPooling2DLayer> GlobalMaxPooling2D(const std::string& name = "");

}  // namespace minnow
