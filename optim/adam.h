// Adam and AdamW: per-element steps from bias-corrected running moments of the gradient.
//
// Adam, at step t = iterations() + 1 (1 on the first call), for a parameter w with gradient g:
//   (U1)  alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)      both bias corrections folded into lr
//   (U2)  m <- m + (g - m)(1 - beta_1)                         slot "momentum":  = beta_1 m + (1 - beta_1) g
//   (U3)  v <- v + (g^2 - v)(1 - beta_2)                       slot "velocity":  = beta_2 v + (1 - beta_2) g^2
//   (U4)  v_hat <- max(v_hat, v), and v_hat replaces v below   amsgrad only; slot "velocity_hat"
//   (U5)  w <- w - alpha m / (sqrt(v) + eps)
// This is the form "just before Section 2.1" of the paper: eps is added to sqrt(v), not to the
// bias-corrected sqrt(v_hat), so it differs from Algorithm 1 by a factor sqrt(1 - beta_2^t) on eps.
// AdamW is Adam with weight_decay set, 0.004 by default: the weight first decays, decoupled from
// the gradient ((D) of optim/optimizer.h), then takes the Adam step:
//   (U0)  w <- w - lr lambda w                                 lambda = weight_decay
// Every slot starts at zero.
// Reference: Kingma & Ba, "Adam" (2015); Reddi et al., "On the Convergence of Adam and Beyond"
// (2018) for amsgrad; Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (2019).
// keras.optimizers.Adam / AdamW (Keras 2.11+ / Keras 3): learning_rate=0.001, beta_1=0.9,
// beta_2=0.999, epsilon=1e-7, amsgrad=False; AdamW weight_decay=0.004. Keras decays every
// trainable weight, biases included; so does minnow.
#pragma once

#include <optional>

#include "optim/optimizer.h"

namespace minnow {

struct AdamOptions {
  float learning_rate = 0.001f;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-7f;
  bool amsgrad = false;
  std::optional<float> weight_decay{};  // Keras 3's common arguments: (D) and (C1)-(C3) of
  std::optional<float> clipnorm{};      // optim/optimizer.h, unset by default
  std::optional<float> clipvalue{};
  std::optional<float> global_clipnorm{};
};

struct AdamWOptions {
  float learning_rate = 0.001f;
  float weight_decay = 0.004f;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-7f;
  bool amsgrad = false;
  std::optional<float> clipnorm{};  // Keras 3's clipping arguments: (C1)-(C3) of optim/optimizer.h
  std::optional<float> clipvalue{};
  std::optional<float> global_clipnorm{};
};

class Adam : public Optimizer {
 public:
  explicit Adam(const AdamOptions& options = {});
  const AdamOptions& options() const { return opt_; }

 protected:
  Adam(std::string name, const AdamOptions& options);  // for AdamW
  void update(Parameter& p, const Tensor& g) override;

 private:
  AdamOptions opt_;
};

class AdamW : public Adam {
 public:
  explicit AdamW(const AdamWOptions& options = {});
  float weight_decay() const { return weight_decay_; }

 private:
  float weight_decay_;
};

}  // namespace minnow
