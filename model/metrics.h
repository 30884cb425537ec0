// Metrics: stateful running averages over the batches of an epoch, as Keras' metrics.
//
// An accuracy scores each row of the (size/C) x C view of y_pred (a sample of an (N, C) output)
// and keeps a running mean over all the rows seen since reset_state, so a batch counts by its
// number of samples (Keras' MeanMetricWrapper):
//   (M1)  result = sum of the row scores / number of rows
// Row scores (as tf.keras.metrics.*_accuracy):
//   (M2)  binary                 mean over the row of [ (p_k > threshold) == y_k ]
//   (M3)  categorical            [ argmax_k p_k == argmax_k y_k ]   (first maximum on ties)
//   (M4)  sparse categorical     [ argmax_k p_k == t ],  t the class index y_true holds
// Mean (Keras' Mean, used for the loss): a weighted running mean
//   (M5)  result = sum_i w_i v_i / sum_i w_i              (0 before the first update)
//
// make_accuracy(loss): which accuracy metrics=["accuracy"] means. tf.keras decides from the
// shapes; minnow decides from the loss, which gives the same choice in every usual case:
//   binary_crossentropy -> BinaryAccuracy (threshold 0.5; 0 when the loss is from_logits, where
//                          the prediction is a logit: sigmoid(z) > 0.5 <=> z > 0. Keras keeps 0.5.)
//   categorical_crossentropy -> CategoricalAccuracy, sparse_categorical_crossentropy -> SparseCategoricalAccuracy
//   mean_squared_error (AccuracyKind::None) -> an Accuracy that applies tf.keras' shape rule at its
//                          first update: y_pred's last axis 1 -> binary; y_true of lower rank, or with
//                          last axis 1 while y_pred's is > 1 -> sparse categorical; else categorical.
// The one place this differs from tf.keras: binary_crossentropy on a multi-label output (N, C > 1)
// gives BinaryAccuracy (per-label, what is meant), where tf.keras' shape rule picks categorical.
// Every accuracy is named "accuracy" until renamed: compile names each metric by the string asked for.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "core/tensor.h"
#include "model/losses.h"

namespace minnow {

class Metric {
 public:
  virtual ~Metric() = default;
  // The key of its result in the logs: "accuracy" unless renamed (make_metric gives the name asked for).
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  // Adds one batch. Throws ShapeError naming the metric and both shapes when y_true does not fit.
  virtual void update_state(const Tensor& y_pred, const Tensor& y_true) = 0;
  virtual double result() const = 0;
  virtual void reset_state() = 0;

 private:
  std::string name_ = "accuracy";
};

// The running mean of row scores (M1) shared by the accuracies.
class MeanRowMetric : public Metric {
 public:
  double result() const override { return count_ == 0 ? 0.0 : total_ / double(count_); }
  void reset_state() override { total_ = 0, count_ = 0; }

 protected:
  void add(double score_sum, long rows) { total_ += score_sum, count_ += rows; }

 private:
  double total_ = 0;
  long count_ = 0;
};

class BinaryAccuracy : public MeanRowMetric {
 public:
  explicit BinaryAccuracy(float threshold = 0.5f) : threshold_(threshold) {}
  float threshold() const { return threshold_; }
  void update_state(const Tensor& y_pred, const Tensor& y_true) override;  // (M2)

 private:
  float threshold_;
};

class CategoricalAccuracy : public MeanRowMetric {
 public:
  void update_state(const Tensor& y_pred, const Tensor& y_true) override;  // (M3)
};

class SparseCategoricalAccuracy : public MeanRowMetric {
 public:
  void update_state(const Tensor& y_pred, const Tensor& y_true) override;  // (M4)
};

// tf.keras' "accuracy" chosen from the shapes at the first update (see above); used for losses
// whose kind does not say (AccuracyKind::None). The choice is kept across reset_state.
class Accuracy : public Metric {
 public:
  void update_state(const Tensor& y_pred, const Tensor& y_true) override;
  double result() const override { return chosen_ ? chosen_->result() : 0.0; }
  void reset_state() override {
    if (chosen_) chosen_->reset_state();
  }
  // The accuracy chosen so far, or nullptr before the first update.
  const Metric* chosen() const { return chosen_.get(); }

 private:
  std::unique_ptr<Metric> chosen_;
};

// Keras' Mean (M5), used for the loss: each batch's mean loss weighted by its number of samples.
class Mean {
 public:
  explicit Mean(std::string name = "loss") : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  void update_state(double value, double weight = 1);
  double result() const { return weight_ == 0 ? 0.0 : total_ / weight_; }
  void reset_state() { total_ = 0, weight_ = 0; }

 private:
  std::string name_;
  double total_ = 0, weight_ = 0;
};

// The accuracy Keras' metrics=["accuracy"] means for this loss (the rule above).
std::unique_ptr<Metric> make_accuracy(const Loss& loss);

}  // namespace minnow
