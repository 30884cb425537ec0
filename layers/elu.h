// ELU: the exponential linear unit, smooth where ReLU has a corner, saturating at -alpha.
//
// Shapes: x and y (N, ...), the same shape.
// Forward (training and inference alike)
//   (F1)  y = x                        if x > 0
//         y = alpha * (exp(x) - 1)     otherwise
// Backward, given dy
//   (B1)  dx = dy                      if x > 0
//         dx = dy * (y + alpha)        otherwise: d/dx alpha (exp(x) - 1) = alpha exp(x) = y + alpha
// No weights; backward reads the input x (which piece) and the output y of the last forward.
// Reference: keras.layers.ELU (alpha, default 1.0). The activation "elu" is alpha = 1.
#pragma once

#include "core/layer.h"

namespace minnow {

class ELULayer : public Layer {
 public:
  explicit ELULayer(float alpha = 1.0f, const std::string& name = "");
  std::shared_ptr<Layer> clone() const override;
  float alpha() const { return alpha_; }

 private:
  Shape build_impl(const Shape& input_shape) override { return input_shape; }
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  float alpha_;
};

LayerRef<ELULayer> ELU(float alpha = 1.0f, const std::string& name = "");

}  // namespace minnow
