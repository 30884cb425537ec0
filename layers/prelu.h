// PReLU: a leaky ReLU whose negative slopes are learned, one per element (or per shared group).
//
// Shapes: x and y (N, d_1, ..., d_k); the weight alpha has x's shape without the batch axis,
// with 1 on each of the shared_axes (Keras' numbering: axis 1 is d_1). For an element x[n, i]
// (i its position within the sample), alpha[i] is the alpha entry i maps to: i with every shared
// axis set to 0 (broadcasting).
// Forward (training and inference alike)
//   (F1)  y[n,i] = x[n,i]              if x[n,i] > 0
//         y[n,i] = alpha[i] * x[n,i]   otherwise
// Backward, given dy
//   (B1)  dx[n,i] = dy[n,i]            if x[n,i] > 0
//         dx[n,i] = alpha[i] * dy[n,i] otherwise
//   (B2)  dalpha[j] = sum over n and over the i that map to j of dy[n,i] * min(x[n,i], 0)
// Weights (Keras' name): alpha, trainable, alpha_initializer (default zeros: a plain ReLU at first).
// Parameters: the product of alpha's shape: d_1*...*d_k without sharing; shared_axes = {1, 2}
// on images (N, H, W, C) leaves C, one slope per channel (as in He et al. 2015).
// Cache: none; backward reads the input x of the last forward.
// Reference: keras.layers.PReLU (alpha_initializer, shared_axes; no regularizer or constraint).
#pragma once

#include <vector>

#include "core/layer.h"

namespace minnow {

struct PReLUOptions {
  Initializer alpha_initializer = "zeros";
  std::vector<int> shared_axes = {};  // Keras' axes, 1 .. rank-1
  std::string name = "";
};

class PReLULayer : public Layer {
 public:
  explicit PReLULayer(const PReLUOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const PReLUOptions& options() const { return opt_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  PReLUOptions opt_;
  Parameter* alpha_ = nullptr;
  std::vector<long> alpha_index_;  // for each position i within a sample, its alpha entry
};

LayerRef<PReLULayer> PReLU(const PReLUOptions& options = {});

}  // namespace minnow
