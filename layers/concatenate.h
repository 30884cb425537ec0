// Concatenate: joins two or more inputs along one axis (a merge layer).
//
// Shapes: x_i (N, ..., a_i, ...) with equal sizes on every axis but `axis`, where x_i has a_i;
// y has A = a_1 + ... + a_k there and the common sizes elsewhere.
// Row-major order makes this a side-by-side copy of matrices: with P = the product of the sizes
// before the axis (the batch included) and Q = the product of the sizes after it, x_i is a
// (P, a_i*Q) matrix, y a (P, A*Q) matrix, and x_i's columns start at o_i = (a_1 + ... + a_{i-1})*Q.
// Forward (training and inference alike)
//   (F1)  y[:, o_i : o_i + a_i*Q] = x_i             for each i
// Backward, given dy (P, A*Q)
//   (B1)  dx_i = dy[:, o_i : o_i + a_i*Q]           the gradient is split back
// No weights, no cache. axis: any axis but the batch axis 0; negative counts from the end.
// Reference: tf.keras.layers.Concatenate (axis=-1).
#pragma once

#include "core/layer.h"

namespace minnow {

struct ConcatenateOptions {
  long axis = -1;
  std::string name = "";
};

class ConcatenateLayer : public Layer {
 public:
  explicit ConcatenateLayer(const ConcatenateOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const ConcatenateOptions& options() const { return opt_; }

 private:
  int expected_inputs() const override { return -1; }
  Shape build_multi_impl(const std::vector<Shape>& input_shapes) override;
  void forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode mode) override;
  void backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) override;
  // Never called: a multi-input layer runs the *_multi_impl hooks above.
  Shape build_impl(const Shape& input_shape) override { return input_shape; }
  void forward_impl(const Tensor&, Tensor&, Mode) override {}
  void backward_impl(const Tensor&, Tensor&) override {}

  ConcatenateOptions opt_;
  long axis_ = -1;  // opt_.axis, normalized at build
};

LayerRef<ConcatenateLayer> Concatenate(const ConcatenateOptions& options = {});

}  // namespace minnow
