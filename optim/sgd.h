// SGD: stochastic gradient descent, optionally with (Nesterov) momentum.
//
// Update of a parameter w with gradient g, learning rate lr, momentum mu (Keras' formulation):
//   (U1)  w <- w - lr g                          momentum = 0
//   (U2)  v <- mu v - lr g                       momentum > 0; slot "momentum" (v), zero at start
//   (U3)  w <- w + v                             nesterov = false
//   (U4)  w <- w + mu v - lr g                   nesterov = true (v the new velocity of (U2))
// Note that Keras' v is already scaled by lr (PyTorch's buffer is not): the two agree only
// while lr stays constant.
// Reference: keras.optimizers.SGD (Keras 2.11+ / Keras 3): learning_rate=0.01, momentum=0.0,
// nesterov=False; momentum must lie in [0, 1].
#pragma once

#include <optional>

#include "optim/optimizer.h"

namespace minnow {

struct SGDOptions {
  float learning_rate = 0.01f;
  float momentum = 0.0f;
  bool nesterov = false;
  std::optional<float> weight_decay{};  // Keras 3's common arguments: (D) and (C1)-(C3) of
  std::optional<float> clipnorm{};      // optim/optimizer.h, unset by default
  std::optional<float> clipvalue{};
  std::optional<float> global_clipnorm{};
};

class SGD : public Optimizer {
 public:
  explicit SGD(const SGDOptions& options = {});
  const SGDOptions& options() const { return opt_; }

 private:
  void update(Parameter& p, const Tensor& g) override;

  SGDOptions opt_;
};

}  // namespace minnow
