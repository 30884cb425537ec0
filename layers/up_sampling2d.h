// UpSampling2D: each pixel repeated as a block of size[0] x size[1] pixels (nearest neighbour).
//
// Shapes: x (N, H, W, C) -> y (N, H*SH, W*SW, C), (SH, SW) = size.
// Forward (training and inference alike)
//   (F1)  y[n, h*SH + i, w*SW + j, c] = x[n,h,w,c]          for 0 <= i < SH, 0 <= j < SW
// Backward, given dy
//   (B1)  dx[n,h,w,c] = sum over 0 <= i < SH, 0 <= j < SW of dy[n, h*SH + i, w*SW + j, c]
//         each input pixel collects the gradient of its whole block
// No weights, no cache.
// Reference: keras.layers.UpSampling2D (channels_last, interpolation="nearest";
// "bilinear" is not supported yet).
#pragma once

#include "core/layer.h"
#include "core/ops.h"

namespace minnow {

class UpSampling2DLayer : public Layer {
 public:
  explicit UpSampling2DLayer(Size2D size = 2, const std::string& interpolation = "nearest",
                             const std::string& name = "");
  std::shared_ptr<Layer> clone() const override;
  Size2D size() const { return size_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  Size2D size_;
};

LayerRef<UpSampling2DLayer> UpSampling2D(Size2D size = 2, const std::string& interpolation = "nearest",
                                         const std::string& name = "");

}  // namespace minnow
