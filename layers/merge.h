// MergeLayer: the base of the element-wise merge layers Multiply, Subtract, Average and Maximum.
//
// Shapes: x_1, ..., x_k and y all (N, ...), the same shape (no broadcasting, as Add); k is 2 for
// Subtract and any number >= 2 for the others. A merge layer has no weights; each derived layer
// writes its (F) and (B) equations in its own header and overrides forward_multi_impl and
// backward_multi_impl.
// Reference: keras.layers.Multiply, Subtract, Average, Maximum. Unlike Keras, the shapes must be
// equal.
#pragma once

#include "core/layer.h"

namespace minnow {

class MergeLayer : public Layer {
 protected:
  // `inputs`: the number of inputs, or -1 for any number >= 2.
  MergeLayer(std::string class_name, const std::string& name, int inputs)
      : Layer(std::move(class_name), name), inputs_(inputs) {}

 private:
  int expected_inputs() const override { return inputs_; }
  Shape build_multi_impl(const std::vector<Shape>& input_shapes) override;
  // Never called: a multi-input layer runs the *_multi_impl hooks.
  Shape build_impl(const Shape& input_shape) override { return input_shape; }
  void forward_impl(const Tensor&, Tensor&, Mode) override {}
  void backward_impl(const Tensor&, Tensor&) override {}

  int inputs_;
};

}  // namespace minnow
