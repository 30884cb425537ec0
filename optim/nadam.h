// Nadam: Adam with Nesterov momentum, the momentum coefficient following Dozat's schedule.
//
// At step t = iterations() + 1, for a parameter w with gradient g:
//   (U1)  u_t = beta_1 (1 - 0.5 * 0.96^t)                      the momentum schedule
//   (U2)  P_t = u_1 u_2 ... u_t                                 its running product (a function of t)
//   (U3)  m <- m + (g - m)(1 - beta_1)                          slot "momentum"
//   (U4)  v <- v + (g^2 - v)(1 - beta_2)                        slot "velocity"
//   (U5)  m_hat = u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t)
//                                                               the next step's momentum, plus this gradient
//   (U6)  v_hat = v / (1 - beta_2^t)
//   (U7)  w <- w - lr m_hat / (sqrt(v_hat) + eps)
// Keras keeps P_t in a variable; minnow computes it from t, so save_state / restore_state need
// nothing more than the slots and the step count.
// Reference: Dozat, "Incorporating Nesterov Momentum into Adam" (2016); keras.optimizers.Nadam
// (Keras 3, keras/src/optimizers/nadam.py): learning_rate=0.001, beta_1=0.9, beta_2=0.999,
// epsilon=1e-7. PyTorch's NAdam with momentum_decay=1 is the same rule (torch 1.13 counts u_t
// twice in P_t u_{t+1}; later releases do not).
#pragma once

#include <optional>

#include "optim/optimizer.h"

namespace minnow {

struct NadamOptions {
  float learning_rate = 0.001f;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-7f;
  std::optional<float> weight_decay{};  // Keras 3's common arguments: (D) and (C1)-(C3) of
  std::optional<float> clipnorm{};      // optim/optimizer.h, unset by default
  std::optional<float> clipvalue{};
  std::optional<float> global_clipnorm{};
};

class Nadam : public Optimizer {
 public:
  explicit Nadam(const NadamOptions& options = {});
  const NadamOptions& options() const { return opt_; }

 private:
  void update(Parameter& p, const Tensor& g) override;
  double u_product(long t);  // (U2), cached from one step to the next

  NadamOptions opt_;
  long product_t_ = 0;  // the cache: P at step product_t_
  double product_ = 1;
};

}  // namespace minnow
