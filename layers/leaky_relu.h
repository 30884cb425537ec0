// LeakyReLU: a ReLU that lets a fixed fraction of the negative inputs through.
//
// Shapes: x and y (N, ...), the same shape; a = negative_slope (Keras 3's default 0.3).
// Forward (training and inference alike)
//   (F1)  y = x        if x > 0
//         y = a * x    otherwise
// Backward, given dy
//   (B1)  dx = dy      if x > 0
//         dx = a * dy  otherwise             (at the corner x = 0: a, as TF's LeakyReluGrad)
// No weights; backward reads the input x of the last forward.
// Reference: keras.layers.LeakyReLU (Keras 3: negative_slope; tf.keras 2.x called it alpha).
// The activation "leaky_relu" (core/activations.h) is the same with Keras 3's other default, 0.2.
#pragma once

#include "core/layer.h"

namespace minnow {

class LeakyReLULayer : public Layer {
 public:
  explicit LeakyReLULayer(float negative_slope = 0.3f, const std::string& name = "");
  std::shared_ptr<Layer> clone() const override;
  float negative_slope() const { return a_; }

 private:
  Shape build_impl(const Shape& input_shape) override { return input_shape; }
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  float a_;
};

LayerRef<LeakyReLULayer> LeakyReLU(float negative_slope = 0.3f, const std::string& name = "");

}  // namespace minnow
