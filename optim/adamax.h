// Adamax: Adam with the infinity norm: the second moment becomes a decaying maximum of |g|.
//
// At step t = iterations() + 1, for a parameter w with gradient g:
//   (U1)  m <- m + (g - m)(1 - beta_1)                  slot "momentum"
//   (U2)  u <- max(beta_2 u, |g|)                       slot "norm"
//   (U3)  w <- w - lr m / ((1 - beta_1^t)(u + eps))     m's bias correction; u needs none
// PyTorch's Adamax puts eps inside the maximum (max(beta_2 u, |g| + eps)); TensorFlow.js'
// adamax decays the learning rate: neither is this rule.
// Reference: Kingma & Ba, "Adam" (2015), Section 7.1; keras.optimizers.Adamax (Keras 3,
// keras/src/optimizers/adamax.py): learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7.
#pragma once

#include <optional>

#include "optim/optimizer.h"

namespace minnow {

struct AdamaxOptions {
  float learning_rate = 0.001f;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-7f;
  std::optional<float> weight_decay{};  // Keras 3's common arguments: (D) and (C1)-(C3) of
  std::optional<float> clipnorm{};      // optim/optimizer.h, unset by default
  std::optional<float> clipvalue{};
  std::optional<float> global_clipnorm{};
};

class Adamax : public Optimizer {
 public:
  explicit Adamax(const AdamaxOptions& options = {});
  const AdamaxOptions& options() const { return opt_; }

 private:
  void update(Parameter& p, const Tensor& g) override;

  AdamaxOptions opt_;
};

}  // namespace minnow
