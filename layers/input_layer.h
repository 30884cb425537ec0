// InputLayer: the entry point of a functional model; Input(shape) makes one and returns the
// symbolic tensor that the first layers are called on. It has no weights and no math: the
// model feeds the batch it is given straight to the layers that consume it. Run by hand
// (stepping through model.layers()), it passes its batch through: y = x, dx = dy, the batch
// checked against its shape.
//
//   Input({30})          -> (None, 30)
//   Input({100, 200, 3}) -> (None, 100, 200, 3)   (NHWC: height, width, channels)
#pragma once

#include "core/layer.h"

namespace minnow {

class InputLayer : public Layer {
 public:
  // `shape` is one sample's shape, without the batch axis (Keras' Input(shape=...)).
  explicit InputLayer(const Shape& shape, const std::string& name = "");

 private:
  int expected_inputs() const override { return 0; }
  Shape build_impl(const Shape& input_shape) override { return input_shape; }
  Shape build_multi_impl(const std::vector<Shape>&) override { return shape_; }
  void forward_impl(const Tensor& x, Tensor& y, Mode) override { y = x; }
  void backward_impl(const Tensor& dy, Tensor& dx) override { dx = dy; }

  Shape shape_;
};

// Keras' Input(shape): the symbolic tensor of a new InputLayer (named input_1, input_2, ...).
SymbolicTensor Input(const Shape& shape, const std::string& name = "");

}  // namespace minnow
