// Weight regularizers, Keras' keras.regularizers: a penalty on a weight's values that training
// adds to the loss (and so to the loss the progress bar shows), with its gradient.
//
//   (R1)  penalty(w) = l1 sum_i |w_i| + l2 sum_i w_i^2
//   (R2)  d penalty / d w_i = l1 sign(w_i) + 2 l2 w_i          sign(0) = 0, as tf's
// Keras' L2 has no 1/2: l2 = 0.01 adds 0.01 sum w^2 to the loss and 0.02 w to the gradient.
// Constructors with Keras' names and defaults: L1(0.01), L2(0.01), L1L2(l1 = 0, l2 = 0); by
// name, "l1" and "l2" (Keras 3's regularizers.get). The default Regularizer adds nothing.
#pragma once

#include <string>

#include "core/tensor.h"

namespace minnow {

struct Regularizer {
  float l1 = 0.0f;
  float l2 = 0.0f;

  Regularizer() = default;
  Regularizer(float l1_factor, float l2_factor) : l1(l1_factor), l2(l2_factor) {}
  // "l1" -> L1(), "l2" -> L2(); "" -> none. Throws ConfigError naming any other name.
  Regularizer(const char* name);         // NOLINT: implicit, so `.kernel_regularizer = "l2"` works
  Regularizer(const std::string& name);  // NOLINT

  bool active() const { return l1 != 0 || l2 != 0; }
  double penalty(const Tensor& w) const;                   // (R1)
  void add_gradient(const Tensor& w, Tensor& grad) const;  // grad += (R2)
};

inline Regularizer L1(float l1 = 0.01f) { return {l1, 0.0f}; }
inline Regularizer L2(float l2 = 0.01f) { return {0.0f, l2}; }
inline Regularizer L1L2(float l1 = 0.0f, float l2 = 0.0f) { return {l1, l2}; }

// Throws ConfigError naming `what` (e.g. "Dense 'dense': kernel_regularizer") unless l1 and l2
// are finite and >= 0.
void check_regularizer(const Regularizer& r, const std::string& what);

}  // namespace minnow
