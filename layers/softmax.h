// Softmax: the softmax over the last axis, as a layer of its own.
//
// Shapes: x and y (N, ..., C); seen as (size/C, C) matrices, each row is one distribution.
// Forward (training and inference alike), per row:
//   (F1)  y_k = exp(x_k - max_j x_j) / sum_j exp(x_j - max_j x_j)
//         (subtracting the row maximum keeps exp finite and cancels in the ratio)
// Backward, given dy, per row:
//   (B1)  dx_k = y_k * (dy_k - sum_j dy_j y_j)
// Both are core/activations.h's softmax (activation_forward / activation_backward), as in Dense's
// and Activation's softmax.
// No weights. Cache: y (the layer's output). axis: only the last axis is supported, -1 or its
// positive index (rank - 1); any other axis throws ConfigError when the layer is built.
// Reference: tf.keras.layers.Softmax (axis=-1; the mask argument is not supported).
#pragma once

#include "core/layer.h"

namespace minnow {

struct SoftmaxOptions {
  long axis = -1;
  std::string name = "";
};

class SoftmaxLayer : public Layer {
 public:
  explicit SoftmaxLayer(const SoftmaxOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const SoftmaxOptions& options() const { return opt_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  SoftmaxOptions opt_;
};

LayerRef<SoftmaxLayer> Softmax(const SoftmaxOptions& options = {});

}  // namespace minnow
