// Average: the element-wise mean of two or more inputs of one shape.
//
// Shapes: x_1, ..., x_k and y all (N, ...), the same shape (layers/merge.h); k >= 2.
// Forward (training and inference alike)
//   (F1)  y = (x_1 + x_2 + ... + x_k) / k
// Backward, given dy
//   (B1)  dx_i = dy / k for every i
// No weights.
// Reference: keras.layers.Average. Unlike Keras, the shapes must be equal: no broadcasting.
#pragma once

#include "layers/merge.h"

namespace minnow {

class AverageLayer : public MergeLayer {
 public:
  explicit AverageLayer(const std::string& name = "") : MergeLayer("Average", name, -1) {}
  std::shared_ptr<Layer> clone() const override;

 private:
  void forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode mode) override;
  void backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) override;
};

LayerRef<AverageLayer> Average(const std::string& name = "");

}  // namespace minnow
