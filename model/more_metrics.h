// More of Keras' metrics, and every metric by the name compile receives.
//
// Each is a running mean of row scores (M1 of model/metrics.h) over the rows of the (size/C) x C
// view of y_pred, t the true class (argmax of a one-hot y_true, or the index a sparse y_true holds):
//   (M6)  top-k (k = 5)      [ #{j : p_j > p_t} < k ]      p_t is among the k largest; classes tied
//                            with p_t count as below it, as tf.math.in_top_k (so k >= C always scores 1)
//   (M7)  mae                1/C sum_k |p_k - y_k|
//   (M8)  mse                1/C sum_k (p_k - y_k)^2
//
// make_metric(name, loss) builds the metric Keras 3's compile builds for that string, and names it
// by that string, which is its key in the logs and the progress bar ("val_" + it for validation),
// as Keras does: metrics={"mae"} shows "mae" and "val_mae", {"mean_absolute_error"} shows
// "mean_absolute_error". Names (keras/src/metrics/__init__.py: function names, aliases, class names):
//   "accuracy", "acc" (any case)          make_accuracy(loss), the variant that fits the loss
//   "binary_accuracy", "BinaryAccuracy"   threshold 0.5
//   "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
//   "sparse_top_k_categorical_accuracy"   and their class names (CategoricalAccuracy, ...)
//   "mae", "MAE", "mean_absolute_error", "MeanAbsoluteError";  "mse", "MSE", "mean_squared_error",
//   "MeanSquaredError"
// The C++ classes of mae and mse end in "Metric": the losses of the same Keras name take the plain one.
// Reference: keras.metrics (Keras 3) and their docstring examples.
#pragma once

#include "model/metrics.h"

namespace minnow {

class TopKCategoricalAccuracy : public MeanRowMetric {
 public:
  // Throws ConfigError naming k unless k >= 1.
  explicit TopKCategoricalAccuracy(int k = 5);
  int k() const { return k_; }
  void update_state(const Tensor& y_pred, const Tensor& y_true) override;  // (M6), y_true one-hot

 private:
  int k_;
};

class SparseTopKCategoricalAccuracy : public MeanRowMetric {
 public:
  // Throws ConfigError naming k unless k >= 1.
  explicit SparseTopKCategoricalAccuracy(int k = 5);
  int k() const { return k_; }
  void update_state(const Tensor& y_pred, const Tensor& y_true) override;  // (M6), y_true class indices

 private:
  int k_;
};

class MeanAbsoluteErrorMetric : public MeanRowMetric {
 public:
  MeanAbsoluteErrorMetric() { set_name("mean_absolute_error"); }
  void update_state(const Tensor& y_pred, const Tensor& y_true) override;  // (M7)
};

class MeanSquaredErrorMetric : public MeanRowMetric {
 public:
  MeanSquaredErrorMetric() { set_name("mean_squared_error"); }
  void update_state(const Tensor& y_pred, const Tensor& y_true) override;  // (M8)
};

// The metric compile builds for `name` (the list above), named `name`. Throws ConfigError naming
// the value and the names known otherwise.
std::unique_ptr<Metric> make_metric(const std::string& name, const Loss& loss);

}  // namespace minnow
