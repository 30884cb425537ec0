// Flatten: (N, d1, d2, ...) -> (N, d1*d2*...). No weights, no math.
//
//   (F1)  y = x, relabelled: the data is already contiguous in row-major (NHWC) order, so the
//         flattening order is Keras' channels_last order: index (h*W + w)*C + c
//   (B1)  dx = dy, relabelled back to x's shape
// y is a view of x and dx a view of dy (the same buffer under another shape, as torch.flatten and
// reshape return views): nothing is copied, and a write into one is seen in the other.
// Reference: tf.keras.layers.Flatten (data_format channels_last).
#pragma once

#include "core/layer.h"

namespace minnow {

class FlattenLayer : public Layer {
 public:
  explicit FlattenLayer(const std::string& name = "") : Layer("Flatten", name) {}
  std::shared_ptr<Layer> clone() const override;

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  bool views_input() const override { return true; }
  Shape y_shape_, x_shape_;  // the output's and the input's shape for the last batch size
};

LayerRef<FlattenLayer> Flatten(const std::string& name = "");

}  // namespace minnow
