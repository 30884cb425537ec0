#include "model/metrics.h"

#include "model/internal/target_shapes.h"

namespace minnow {

namespace {
// The index of the first maximum of row r (tf.argmax's choice on ties).
long argmax(const ConstMatrixMap& m, long r) {
  long best = 0;
  for (long k = 1; k < m.cols(); ++k)
    if (m(r, k) > m(r, best)) best = k;
  return best;
}
}  // namespace

void BinaryAccuracy::update_state(const Tensor& y_pred, const Tensor& y_true) {
  check_same_shape("BinaryAccuracy", y_pred, y_true);
  const auto P = y_pred.matrix();                    // (R, C)
  const auto Y = y_true.matrix(P.rows(), P.cols());  // (R, C)
  double sum = 0;
  for (long r = 0; r < P.rows(); ++r) {
    long hits = 0;
    for (long k = 0; k < P.cols(); ++k) hits += (P(r, k) > threshold_ ? 1.0f : 0.0f) == Y(r, k);
    sum += double(hits) / double(P.cols());  // (M2)
  }
  add(sum, P.rows());  // (M1)
}

void CategoricalAccuracy::update_state(const Tensor& y_pred, const Tensor& y_true) {
  check_same_shape("CategoricalAccuracy", y_pred, y_true);
  const auto P = y_pred.matrix();                    // (R, C)
  const auto Y = y_true.matrix(P.rows(), P.cols());  // (R, C)
  long hits = 0;
  for (long r = 0; r < P.rows(); ++r) hits += argmax(P, r) == argmax(Y, r);  // (M3)
  add(double(hits), P.rows());                                               // (M1)
}

void SparseCategoricalAccuracy::update_state(const Tensor& y_pred, const Tensor& y_true) {
  check_sparse_shape("SparseCategoricalAccuracy", y_pred, y_true);
  const auto P = y_pred.matrix();  // (R, C); y_true holds R labels
  long hits = 0;
  for (long r = 0; r < P.rows(); ++r) hits += float(argmax(P, r)) == y_true[r];  // (M4)
  add(double(hits), P.rows());                                                   // (M1)
}

void Accuracy::update_state(const Tensor& y_pred, const Tensor& y_true) {
  if (!chosen_) {  // tf.keras' rule (compile_utils.MetricsContainer), decided once
    const Shape& p = y_pred.shape();
    const Shape& t = y_true.shape();
    const bool binary = p.rank() > 0 && p[-1] == 1;
    const bool sparse = p.rank() > 0 && (t.rank() < p.rank() || (t.rank() > 0 && t[-1] == 1 && p[-1] > 1));
    if (binary) chosen_ = std::make_unique<BinaryAccuracy>();
    else if (sparse) chosen_ = std::make_unique<SparseCategoricalAccuracy>();
    else chosen_ = std::make_unique<CategoricalAccuracy>();
  }
  chosen_->update_state(y_pred, y_true);
}

void Mean::update_state(double value, double weight) {
  total_ += value * weight;  // (M5)
  weight_ += weight;
}

std::unique_ptr<Metric> make_accuracy(const Loss& loss) {
  switch (loss.accuracy_kind()) {
    case AccuracyKind::Binary: return std::make_unique<BinaryAccuracy>(loss.from_logits() ? 0.0f : 0.5f);
    case AccuracyKind::Categorical: return std::make_unique<CategoricalAccuracy>();
    case AccuracyKind::SparseCategorical: return std::make_unique<SparseCategoricalAccuracy>();
    case AccuracyKind::None: break;
  }
  return std::make_unique<Accuracy>();
}

}  // namespace minnow
