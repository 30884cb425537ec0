// Maximum: the element-wise maximum of two or more inputs of one shape.
//
// Shapes: x_1, ..., x_k and y all (N, ...), the same shape (layers/merge.h); k >= 2.
// Forward (training and inference alike)
//   (F1)  y = max(x_1, x_2, ..., x_k)
//   (F2)  w = the index i of the input that holds the maximum; ties go to the first (lowest i)
// Backward, given dy
//   (B1)  dx_i = dy where w = i, else 0       the gradient goes to the winner only
//         Keras chains tf.maximum pairwise, whose gradient gives a tie to its first argument:
//         the same rule.
// No weights. Cache: w, one input index per element of y.
// Reference: keras.layers.Maximum. Unlike Keras, the shapes must be equal: no broadcasting.
#pragma once

#include <vector>

#include "layers/merge.h"

namespace minnow {

class MaximumLayer : public MergeLayer {
 public:
  explicit MaximumLayer(const std::string& name = "") : MergeLayer("Maximum", name, -1) {}
  std::shared_ptr<Layer> clone() const override;

 private:
  void forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode mode) override;
  void backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) override;

  std::vector<int> winner_;  // (F2)
};

LayerRef<MaximumLayer> Maximum(const std::string& name = "");

}  // namespace minnow
