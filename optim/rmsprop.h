// RMSprop: divides each gradient by a running root mean square of its recent values.
//
// Update of a parameter w with gradient g, learning rate lr (Keras' formulation):
//   (U1)  v <- rho v + (1 - rho) g^2                  slot "velocity"
//   (U2)  a <- rho a + (1 - rho) g                    slot "average_gradient", centered only
//   (U3)  d = lr g / sqrt(v - a^2 + eps)              centered: v - a^2 estimates the variance of g
//         d = lr g / sqrt(v + eps)                    otherwise (eps inside the square root)
//   (U4)  m <- momentum m + d,  w <- w - m            momentum > 0; slot "momentum"
//   (U5)  w <- w - d                                  momentum = 0
// Every slot starts at zero, so the first step with rho = 0.9 divides by sqrt(0.1 g^2): a
// step of about 3.16 lr.
// Reference: Hinton, Lecture 6e of "Neural Networks for Machine Learning" (2012); Graves (2013)
// eq. (38)-(40) for the centered form; keras.optimizers.RMSprop (Keras 2.11+ / Keras 3):
// learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False.
#pragma once

#include <optional>

#include "optim/optimizer.h"

namespace minnow {

struct RMSpropOptions {
  float learning_rate = 0.001f;
  float rho = 0.9f;
  float momentum = 0.0f;
  float epsilon = 1e-7f;
  bool centered = false;
  std::optional<float> weight_decay{};  // Keras 3's common arguments: (D) and (C1)-(C3) of
  std::optional<float> clipnorm{};      // optim/optimizer.h, unset by default
  std::optional<float> clipvalue{};
  std::optional<float> global_clipnorm{};
};

class RMSprop : public Optimizer {
 public:
  explicit RMSprop(const RMSpropOptions& options = {});
  const RMSpropOptions& options() const { return opt_; }

 private:
  void update(Parameter& p, const Tensor& g) override;

  RMSpropOptions opt_;
};

}  // namespace minnow
