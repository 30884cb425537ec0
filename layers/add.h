// Add: the element-wise sum of two or more inputs of one shape (a merge layer).
//
// Shapes: x_1, ..., x_k and y all (N, ...), the same shape; k >= 2.
// Forward (training and inference alike)
//   (F1)  y = x_1 + x_2 + ... + x_k
// Backward, given dy
//   (B1)  dx_i = dy for every i                 (dy/dx_i is the identity)
// When one tensor feeds several inputs of an Add (or several layers), the graph sums the
// gradients it receives (model/model.h); Add itself only copies.
// No weights, no cache.
// Reference: tf.keras.layers.Add. Unlike Keras, the shapes must be equal: no broadcasting.
#pragma once

#include "core/layer.h"

namespace minnow {

class AddLayer : public Layer {
 public:
  explicit AddLayer(const std::string& name = "") : Layer("Add", name) {}
  std::shared_ptr<Layer> clone() const override;

 private:
  int expected_inputs() const override { return -1; }
  Shape build_multi_impl(const std::vector<Shape>& input_shapes) override;
  void forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode mode) override;
  void backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) override;
  // Never called: a multi-input layer runs the *_multi_impl hooks above.
  Shape build_impl(const Shape& input_shape) override { return input_shape; }
  void forward_impl(const Tensor&, Tensor&, Mode) override {}
  void backward_impl(const Tensor&, Tensor&) override {}
};

LayerRef<AddLayer> Add(const std::string& name = "");

}  // namespace minnow
