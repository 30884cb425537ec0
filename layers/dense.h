// Dense: a fully connected layer, y = activation(x W + b).
//
// Forward (training and inference alike); x (N, in), or (N, ..., in): then Dense acts on the last
// axis, every other axis taken as more rows (Keras' rule; N below counts all those rows)
//   (F1)  z = x W + b                    x (N, in), W (in, units), b (units,), z (N, units)
//   (F2)  y = activation(z)              y (N, units)
// Backward, given dy = dL/dy (N, units)
//   (B1)  dz = dy * activation'(z)       from the cached y, or z for silu / gelu (core/activations.h)
//   (B2)  dW = x^T dz                    (in, units)
//   (B3)  db = sum over the batch of dz  (units,)
//   (B4)  dx = dz W^T                    (N, in)
// Weights (Keras' names and layout)
//   kernel (in, units), trainable, kernel_initializer (default glorot_uniform)
//   bias   (units,),    trainable, bias_initializer (default zeros); absent with use_bias = false
//   kernel_regularizer / bias_regularizer (default none): a penalty training adds to the loss
// Parameters: in*units + units.
// Cache: y (N, units), and z (N, units) when the activation's derivative needs it; backward reads the input x of the
// last forward again (no copy). The products run in core/kernels/gemm.h (threads, no allocation). Reference:
// tf.keras.layers.Dense. require_flat_input = true keeps a lesson's rule: inputs must be (None, F), Flatten first.
#pragma once

#include "core/activations.h"
#include "core/layer.h"

namespace minnow {

struct DenseOptions {
  long units = 0;
  std::string activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = "glorot_uniform";
  Initializer bias_initializer = "zeros";
  Regularizer kernel_regularizer{};  // none; L1(..), L2(..), L1L2(..), "l1", "l2" (core/regularizers.h)
  Regularizer bias_regularizer{};
  bool require_flat_input = false;  // refuse (None, ..., F) inputs, suggesting a Flatten (a lesson's rule)
  std::string name = "";
};

class DenseLayer : public Layer {
 public:
  explicit DenseLayer(const DenseOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const DenseOptions& options() const { return opt_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  DenseOptions opt_;
  ActivationKind activation_;
  Parameter* kernel_ = nullptr;
  Parameter* bias_ = nullptr;
  Tensor z_;   // (F1)'s z, kept only when activation_needs_input
  Tensor dz_;  // scratch for (B1)
};

LayerRef<DenseLayer> Dense(const DenseOptions& options);
LayerRef<DenseLayer> Dense(long units, const std::string& activation = "linear", bool use_bias = true);

}  // namespace minnow
