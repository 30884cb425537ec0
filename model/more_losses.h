// More of Keras' losses: mean absolute error, Huber, Kullback-Leibler divergence, categorical hinge.
//
// Notation and reduction as in model/losses.h: p = y_pred, y = y_true, rows of C (the last axis),
// R rows, S = R*C elements, eps = 1e-7; each loss is a per-row value averaged over the R rows,
// and its gradient carries that 1/R. e = p - y.
//
// mean_absolute_error ("mae")
//   (F8)   L = 1/S sum_i |e_i|                                the mean over C, then over rows
//   (B8)   dL/dp_i = sign(e_i) / S                            0 where e_i = 0 (tf's sign(0))
// huber, delta d > 0 (Keras' default 1)
//   (F9)   L = 1/S sum_i h(e_i),  h(e) = e^2 / 2 for |e| <= d, d |e| - d^2 / 2 beyond
//   (B9)   dL/dp_i = h'(e_i) / S,  h'(e) = e for |e| <= d, d sign(e) beyond
// kl_divergence ("kld"): Keras clips BOTH y and p to [eps, 1] first, so a label of 0 counts as eps
//   (F10)  L = 1/R sum_rows sum_k c(y_k) log(c(y_k) / c(p_k)),    c(v) = min(max(v, eps), 1)
//   (B10)  dL/dp_k = -c(y_k) / (R p_k)                        0 where p_k is outside [eps, 1]
// categorical_hinge (y one-hot, or any weights)
//   (F11)  pos = sum_k y_k p_k,  neg = max_k (1 - y_k) p_k,  L = 1/R sum_rows max(0, 1 + neg - pos)
//   (B11)  where the row's loss > 0: dL/dp_k = 1/R ((1 - y_k) [k = j] - y_k), j the first k that
//          attains neg; 0 elsewhere (tf splits the gradient among tied maxima; minnow gives it to the first)
//
// Shapes: y_true has y_pred's shape, or differs by a trailing axis of 1 (ShapeError naming the
// loss and both shapes otherwise). Sums are taken in double.
// Reference: keras.losses (Keras 3, keras/src/losses/losses.py) mean_absolute_error, huber,
// kl_divergence, categorical_hinge; numbers from TensorFlow.js 4.22 in
// tests/reference/make_keras_losses_reference.js.
#pragma once

#include "model/losses.h"

namespace minnow {

class MeanAbsoluteError : public Loss {
 public:
  std::string name() const override { return "mean_absolute_error"; }
  double compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const override;  // (F8) (B8)
  AccuracyKind accuracy_kind() const override { return AccuracyKind::None; }
};

class Huber : public Loss {
 public:
  // Throws ConfigError naming delta unless it is finite and > 0.
  explicit Huber(float delta = 1.0f);
  std::string name() const override { return "huber"; }
  double compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const override;  // (F9) (B9)
  AccuracyKind accuracy_kind() const override { return AccuracyKind::None; }
  float delta() const { return delta_; }

 private:
  float delta_;
};

class KLDivergence : public Loss {
 public:
  std::string name() const override { return "kl_divergence"; }
  double compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const override;  // (F10) (B10)
  AccuracyKind accuracy_kind() const override { return AccuracyKind::None; }
};

class CategoricalHinge : public Loss {
 public:
  std::string name() const override { return "categorical_hinge"; }
  double compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const override;  // (F11) (B11)
  AccuracyKind accuracy_kind() const override { return AccuracyKind::None; }
};

}  // namespace minnow
