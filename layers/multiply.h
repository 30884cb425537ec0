// Multiply: the element-wise product of two or more inputs of one shape.
//
// Shapes: x_1, ..., x_k and y all (N, ...), the same shape (layers/merge.h); k >= 2.
// Forward (training and inference alike)
//   (F1)  y = x_1 * x_2 * ... * x_k
// Backward, given dy
//   (B1)  dx_i = dy * (the product of every x_j but x_i)      the product rule
// No weights. Backward reads the inputs of the last forward (no copy). It multiplies the
// other inputs rather than dividing y by x_i, which would fail where x_i = 0.
// Reference: keras.layers.Multiply. Unlike Keras, the shapes must be equal: no broadcasting.
#pragma once

#include "layers/merge.h"

namespace minnow {

class MultiplyLayer : public MergeLayer {
 public:
  explicit MultiplyLayer(const std::string& name = "") : MergeLayer("Multiply", name, -1) {}
  std::shared_ptr<Layer> clone() const override;

 private:
  void forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode mode) override;
  void backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) override;
};

LayerRef<MultiplyLayer> Multiply(const std::string& name = "");

}  // namespace minnow
