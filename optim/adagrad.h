// Adagrad: each element's step shrinks with the sum of its squared gradients so far.
//
// Update of a parameter w with gradient g (Keras' formulation):
//   (U1)  a <- a + g^2                     slot "accumulator", starting at initial_accumulator_value
//   (U2)  w <- w - lr g / sqrt(a + eps)    eps inside the square root
// PyTorch's Adagrad adds eps outside the root (sqrt(a) + eps) and starts a at 0 by default.
// Reference: Duchi, Hazan & Singer, "Adaptive Subgradient Methods" (2011); keras.optimizers.Adagrad
// (Keras 3, keras/src/optimizers/adagrad.py): learning_rate=0.001, initial_accumulator_value=0.1,
// epsilon=1e-7.
#pragma once

#include <optional>

#include "optim/optimizer.h"

namespace minnow {

struct AdagradOptions {
  float learning_rate = 0.001f;
  float initial_accumulator_value = 0.1f;
  float epsilon = 1e-7f;
  std::optional<float> weight_decay{};  // Keras 3's common arguments: (D) and (C1)-(C3) of
  std::optional<float> clipnorm{};      // optim/optimizer.h, unset by default
  std::optional<float> clipvalue{};
  std::optional<float> global_clipnorm{};
};

class Adagrad : public Optimizer {
 public:
  explicit Adagrad(const AdagradOptions& options = {});
  const AdagradOptions& options() const { return opt_; }

 private:
  void update(Parameter& p, const Tensor& g) override;

  AdagradOptions opt_;
};

}  // namespace minnow
