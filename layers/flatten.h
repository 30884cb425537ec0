// Flatten: (N, d1, d2, ...) -> (N, d1*d2*...). No weights, no math.
//
//   (F1)  y = x, relabelled: the data is already contiguous in row-major (NHWC) order, so the
//         flattening order is Keras' channels_last order: index (h*W + w)*C + c
//   (B1)  dx = dy, relabelled back to x's shape
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
};

LayerRef<FlattenLayer> Flatten(const std::string& name = "");

}  // namespace minnow
