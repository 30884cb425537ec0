#include "model/more_metrics.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "model/internal/target_shapes.h"

namespace minnow {

namespace {

// (M6): whether the score of class t is among the k largest of row r.
bool in_top_k(const ConstMatrixMap& P, long r, long t, int k) {
  long above = 0;
  for (long j = 0; j < P.cols(); ++j) above += P(r, j) > P(r, t);
  return above < k;
}

long first_argmax(const ConstMatrixMap& m, long r) {
  long best = 0;
  for (long j = 1; j < m.cols(); ++j)
    if (m(r, j) > m(r, best)) best = j;
  return best;
}

int checked_k(const char* who, int k) {
  if (k < 1) throw ConfigError(fmt::format("{}: k must be an integer >= 1, but received k={}", who, k));
  return k;
}

// The sum over rows of the mean over the row of f(p - y), for (M7) and (M8).
template <class F>
double sum_of_row_means(const Tensor& y_pred, const Tensor& y_true, F f) {
  const auto P = y_pred.matrix();                    // (R, C)
  const auto Y = y_true.matrix(P.rows(), P.cols());  // (R, C)
  double sum = 0;
  for (long r = 0; r < P.rows(); ++r) {
    double row = 0;
    for (long k = 0; k < P.cols(); ++k) row += f(double(P(r, k)) - Y(r, k));
    sum += row / double(P.cols());
  }
  return sum;
}

}  // namespace

TopKCategoricalAccuracy::TopKCategoricalAccuracy(int k) : k_(checked_k("TopKCategoricalAccuracy", k)) {
  set_name("top_k_categorical_accuracy");
}

void TopKCategoricalAccuracy::update_state(const Tensor& y_pred, const Tensor& y_true) {
  check_same_shape("TopKCategoricalAccuracy", y_pred, y_true);
  const auto P = y_pred.matrix();                    // (R, C)
  const auto Y = y_true.matrix(P.rows(), P.cols());  // (R, C)
  long hits = 0;
  for (long r = 0; r < P.rows(); ++r) hits += in_top_k(P, r, first_argmax(Y, r), k_);  // (M6)
  add(double(hits), P.rows());
}

SparseTopKCategoricalAccuracy::SparseTopKCategoricalAccuracy(int k)
    : k_(checked_k("SparseTopKCategoricalAccuracy", k)) {
  set_name("sparse_top_k_categorical_accuracy");
}

void SparseTopKCategoricalAccuracy::update_state(const Tensor& y_pred, const Tensor& y_true) {
  check_sparse_shape("SparseTopKCategoricalAccuracy", y_pred, y_true);
  const auto P = y_pred.matrix();  // (R, C); y_true holds R labels
  long hits = 0;
  for (long r = 0; r < P.rows(); ++r) {
    const float t = y_true[r];  // a label that is no class index is never a hit (Keras: no error either)
    const bool index = t >= 0 && t < float(P.cols()) && t == std::floor(t);
    hits += index && in_top_k(P, r, long(t), k_);  // (M6)
  }
  add(double(hits), P.rows());
}

void MeanAbsoluteErrorMetric::update_state(const Tensor& y_pred, const Tensor& y_true) {
  check_same_shape("MeanAbsoluteErrorMetric", y_pred, y_true);
  add(sum_of_row_means(y_pred, y_true, [](double e) { return std::abs(e); }), y_pred.matrix().rows());  // (M7)
}

void MeanSquaredErrorMetric::update_state(const Tensor& y_pred, const Tensor& y_true) {
  check_same_shape("MeanSquaredErrorMetric", y_pred, y_true);
  add(sum_of_row_means(y_pred, y_true, [](double e) { return e * e; }), y_pred.matrix().rows());  // (M8)
}

std::unique_ptr<Metric> make_metric(const std::string& name, const Loss& loss) {
  using Make = std::function<std::unique_ptr<Metric>()>;
  const std::vector<std::pair<std::vector<std::string>, Make>> table = {
      {{"accuracy", "acc"}, [&loss] { return make_accuracy(loss); }},
      {{"binary_accuracy", "BinaryAccuracy"}, [] { return std::make_unique<BinaryAccuracy>(); }},
      {{"categorical_accuracy", "CategoricalAccuracy"}, [] { return std::make_unique<CategoricalAccuracy>(); }},
      {{"sparse_categorical_accuracy", "SparseCategoricalAccuracy"},
       [] { return std::make_unique<SparseCategoricalAccuracy>(); }},
      {{"top_k_categorical_accuracy", "TopKCategoricalAccuracy"},
       [] { return std::make_unique<TopKCategoricalAccuracy>(); }},
      {{"sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy"},
       [] { return std::make_unique<SparseTopKCategoricalAccuracy>(); }},
      {{"mean_absolute_error", "mae", "MAE", "MeanAbsoluteError"},
       [] { return std::make_unique<MeanAbsoluteErrorMetric>(); }},
      {{"mean_squared_error", "mse", "MSE", "MeanSquaredError"},
       [] { return std::make_unique<MeanSquaredErrorMetric>(); }},
  };
  std::string lower = name;  // Keras matches "accuracy" and "acc" in any case
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  std::string known;
  for (const auto& [names, build] : table) {
    const bool accuracy = names[0] == "accuracy" && (lower == "accuracy" || lower == "acc");
    if (accuracy || std::find(names.begin(), names.end(), name) != names.end()) {
      std::unique_ptr<Metric> metric = build();
      metric->set_name(name);
      return metric;
    }
    known += fmt::format("{}'{}'", known.empty() ? "" : ", ", names[0]);
  }
  throw ConfigError(fmt::format("Unknown metric '{}'. Expected one of {} (or an alias such as 'acc', 'mae', "
                                "'mse', or the class name).",
                                name, known));
}

}  // namespace minnow
