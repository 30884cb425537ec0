// Adadelta: steps scaled by the ratio of running RMS of past steps to running RMS of gradients.
//
// Update of a parameter w with gradient g (Keras' formulation), RMS(x) = sqrt(x + eps):
//   (U1)  a <- rho a + (1 - rho) g^2                 slot "accumulated_grad"
//   (U2)  d = -RMS(s) g / RMS(a)                     s the accumulated squared steps below
//   (U3)  s <- rho s + (1 - rho) d^2                 slot "accumulated_delta_var"
//   (U4)  w <- w + lr d
// Zeiler's paper has no learning rate (lr = 1); Keras' default of 0.001 makes the steps small:
// the first is about lr sqrt(eps / (1 - rho)) = 1.4e-6 per element.
// Reference: Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (2012); keras.optimizers.Adadelta
// (Keras 3, keras/src/optimizers/adadelta.py): learning_rate=0.001, rho=0.95, epsilon=1e-7.
// PyTorch's Adadelta is the same rule (its defaults differ: lr=1.0, rho=0.9, eps=1e-6).
#pragma once

#include <optional>

#include "optim/optimizer.h"

namespace minnow {

struct AdadeltaOptions {
  float learning_rate = 0.001f;
  float rho = 0.95f;
  float epsilon = 1e-7f;
  std::optional<float> weight_decay{};  // Keras 3's common arguments: (D) and (C1)-(C3) of
  std::optional<float> clipnorm{};      // optim/optimizer.h, unset by default
  std::optional<float> clipvalue{};
  std::optional<float> global_clipnorm{};
};

class Adadelta : public Optimizer {
 public:
  explicit Adadelta(const AdadeltaOptions& options = {});
  const AdadeltaOptions& options() const { return opt_; }

 private:
  void update(Parameter& p, const Tensor& g) override;

  AdadeltaOptions opt_;
};

}  // namespace minnow
