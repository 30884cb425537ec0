// Losses: the batch mean of a per-sample error, and its gradient dL/dy_pred.
//
// Notation: p = y_pred, y = y_true, z = y_pred when it holds logits (from_logits = true).
// A "row" is one row of the (size/C) x C view of y_pred, C its last axis: a sample of an
// (N, C) output, a pixel of an (N, H, W, C) one. eps = 1e-7 (Keras' backend.epsilon()), and
// clip(p) = min(max(p, eps), 1 - eps), both bounds in float32 as Keras computes them.
// Reduction: Keras' sum_over_batch_size, the mean of the per-row losses; the gradient carries
// that 1/R (R rows) or 1/S (S elements), so layers never divide by the batch size.
//
// mean_squared_error                                        (R rows of C, S = R*C elements)
//   (F1)  L = 1/S sum_i (p_i - y_i)^2                        the mean over C, then over rows
//   (B1)  dL/dp_i = 2 (p_i - y_i) / S
// binary_crossentropy: every label y_i must be in [0, 1] (ShapeError naming its index and value)
// binary_crossentropy, probabilities (tf.keras 2.x backend.binary_crossentropy)
//   (F2)  L = -1/S sum_i [ y_i log(c_i + eps) + (1 - y_i) log(1 - c_i + eps) ],  c = clip(p)
//   (B2)  dL/dp_i = 1/S [ -y_i / (c_i + eps) + (1 - y_i) / (1 - c_i + eps) ]   (0 where clipped)
// binary_crossentropy, logits (tf.nn.sigmoid_cross_entropy_with_logits)
//   (F3)  L = 1/S sum_i [ max(z_i, 0) - z_i y_i + log(1 + exp(-|z_i|)) ]
//   (B3)  dL/dz_i = (sigmoid(z_i) - y_i) / S
// categorical_crossentropy, probabilities: Keras first divides each row by its sum
//   (F4)  q_k = p_k / s,  s = sum_j p_j;   L = -1/R sum_rows sum_k y_k log(clip(q_k))
//   (B4)  g_k = -y_k / clip(q_k) (0 where clipped);  dL/dp_k = 1/R (g_k - sum_j g_j q_j) / s
// categorical_crossentropy, logits (fused log-softmax: no exp ever overflows)
//   (F5)  L = 1/R sum_rows [ sum_k y_k (lse(z) - z_k) ],   lse(z) = m + log sum_j exp(z_j - m), m = max z
//   (B5)  dL/dz_k = 1/R (softmax(z)_k sum_j y_j - y_k)      = (softmax(z) - y) / R for one-hot y
// sparse_categorical_crossentropy: y holds one class index t per row, as a float
//   probabilities: Keras clips, then uses log(c) as logits, so the row is renormalized AFTER clipping
//   (F6)  L = 1/R sum_rows [ log(sum_j c_j) - log(c_t) ],   c = clip(p)
//   (B6)  dL/dp_k = 1/R (1 / sum_j c_j - [k = t] / c_t)    (0 where clipped)
//   logits
//   (F7)  L = 1/R sum_rows [ lse(z) - z_t ]
//   (B7)  dL/dz_k = 1/R (softmax(z)_k - [k = t])
// For a softmax output (rows summing to 1) (F4) and (F6) agree; they differ only on rows that
// do not sum to 1 or that are clipped.
//
// Shapes: y_true has y_pred's shape; as Keras' loss wrapper squeezes, (N,) also fits (N, 1) and
// (N, 1) fits (N,). Sparse labels: y_pred's shape without its last axis, or with it as 1
// ((N,) or (N, 1) for an (N, C) y_pred). Sums are taken in double.
// Reference: tf.keras.losses (TF 2.x) MeanSquaredError, BinaryCrossentropy, CategoricalCrossentropy,
// SparseCategoricalCrossentropy with their defaults (from_logits=False, no label smoothing).
#pragma once

#include <memory>
#include <string>

#include "core/tensor.h"

namespace minnow {

// Which accuracy Keras' metrics=["accuracy"] picks (see model/metrics.h, make_accuracy).
// None: the loss does not say (mean squared error); the accuracy is then chosen from the shapes.
enum class AccuracyKind { Binary, Categorical, SparseCategorical, None };

class Loss {
 public:
  virtual ~Loss() = default;
  virtual std::string name() const = 0;  // Keras' name: "mean_squared_error", ...
  // The mean loss over the batch. If grad != nullptr, writes dL/dy_pred into *grad (resized to
  // y_pred's shape). Throws ShapeError naming the loss and both shapes when y_true does not fit.
  virtual double compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const = 0;
  virtual AccuracyKind accuracy_kind() const = 0;
  virtual bool from_logits() const { return false; }
  // Keras' reduction="none" (PyTorch's reduction='none'): the loss of each row, in a tensor of
  // y_pred's shape without its last axis ((N,) for an (N, C) output). compute() returns their
  // mean. Each row is the same formula on a batch of one row, so the two always agree. Throws
  // what compute throws.
  Tensor per_sample(const Tensor& y_pred, const Tensor& y_true) const;
};

class MeanSquaredError : public Loss {
 public:
  std::string name() const override { return "mean_squared_error"; }
  double compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const override;
  AccuracyKind accuracy_kind() const override { return AccuracyKind::None; }
};

class BinaryCrossentropy : public Loss {
 public:
  explicit BinaryCrossentropy(bool from_logits = false) : from_logits_(from_logits) {}
  std::string name() const override { return "binary_crossentropy"; }
  // Also throws ShapeError naming the value and its index when a label is outside [0, 1].
  double compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const override;
  AccuracyKind accuracy_kind() const override { return AccuracyKind::Binary; }
  bool from_logits() const override { return from_logits_; }

 private:
  bool from_logits_;
};

class CategoricalCrossentropy : public Loss {
 public:
  explicit CategoricalCrossentropy(bool from_logits = false) : from_logits_(from_logits) {}
  std::string name() const override { return "categorical_crossentropy"; }
  double compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const override;
  AccuracyKind accuracy_kind() const override { return AccuracyKind::Categorical; }
  bool from_logits() const override { return from_logits_; }

 private:
  bool from_logits_;
};

class SparseCategoricalCrossentropy : public Loss {
 public:
  explicit SparseCategoricalCrossentropy(bool from_logits = false) : from_logits_(from_logits) {}
  std::string name() const override { return "sparse_categorical_crossentropy"; }
  // Also throws ShapeError naming the value and its index when a label is not an integer in [0, C).
  double compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const override;
  AccuracyKind accuracy_kind() const override { return AccuracyKind::SparseCategorical; }
  bool from_logits() const override { return from_logits_; }

 private:
  bool from_logits_;
};

// A Keras 3 loss name ("mse", "binary_crossentropy", "mae", "huber", "kld", ...: the losses here
// and in model/more_losses.h, their aliases and class names) -> that loss with Keras' defaults.
// Throws ConfigError naming the value otherwise.
std::unique_ptr<Loss> make_loss(const std::string& name);

}  // namespace minnow
