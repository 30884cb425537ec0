// Activation and ReLU: element-wise nonlinearities as layers of their own.
//
// Activation(name): y = f(x) for f in linear, relu, sigmoid, tanh, softmax (over the last axis),
//   elu, selu, leaky_relu, softplus, hard_sigmoid, silu (swish), gelu, gelu_tanh; the formulas and
//   derivatives are in core/activations.h.
//   (F1)  y = f(x)                 (B1)  dx = dy * f'(x), written from the cached y (or x)
// ReLU(max_value, negative_slope, threshold), Keras' ReLU layer:
//   (F1)  y = max_value                      if x >= max_value
//         y = x                              if threshold <= x < max_value
//         y = negative_slope * (x - threshold) otherwise
//   (B1)  dx = 0                             if x >= max_value
//         dx = dy                            if threshold < x < max_value
//         dx = negative_slope * dy           if x <= threshold
//         (at the corners x = threshold, x = max_value: the left piece's slope, as TF and PyTorch)
// No weights. Reference: tf.keras.layers.Activation, tf.keras.layers.ReLU.
#pragma once

#include <limits>

#include "core/activations.h"
#include "core/layer.h"

namespace minnow {

class ActivationLayer : public Layer {
 public:
  explicit ActivationLayer(const std::string& activation, const std::string& name = "");
  std::shared_ptr<Layer> clone() const override;
  ActivationKind kind() const { return kind_; }

 private:
  Shape build_impl(const Shape& input_shape) override { return input_shape; }
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  ActivationKind kind_ = ActivationKind::Linear;
};

struct ReLUOptions {
  float max_value = std::numeric_limits<float>::infinity();
  float negative_slope = 0.0f;
  float threshold = 0.0f;
  std::string name = "";
};

class ReLULayer : public Layer {
 public:
  explicit ReLULayer(const ReLUOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const ReLUOptions& options() const { return opt_; }

 private:
  Shape build_impl(const Shape& input_shape) override { return input_shape; }
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  ReLUOptions opt_;  // backward reads the input of the last forward
};

LayerRef<ActivationLayer> Activation(const std::string& activation, const std::string& name = "");
LayerRef<ReLULayer> ReLU(const ReLUOptions& options = {});

}  // namespace minnow
