// Subtract: the element-wise difference of exactly two inputs of one shape.
//
// Shapes: x_1, ..., x_k and y all (N, ...), the same shape (layers/merge.h); k = 2.
// Forward (training and inference alike)
//   (F1)  y = x_1 - x_2
// Backward, given dy
//   (B1)  dx_1 = dy,   dx_2 = -dy
// No weights.
// Reference: keras.layers.Subtract. Unlike Keras, the shapes must be equal: no broadcasting.
#pragma once

#include "layers/merge.h"

namespace minnow {

class SubtractLayer : public MergeLayer {
 public:
  explicit SubtractLayer(const std::string& name = "") : MergeLayer("Subtract", name, 2) {}
  std::shared_ptr<Layer> clone() const override;

 private:
  void forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode mode) override;
  void backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) override;
};

LayerRef<SubtractLayer> Subtract(const std::string& name = "");

}  // namespace minnow
