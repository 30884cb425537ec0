#include "model/losses.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "model/internal/target_shapes.h"
#include "model/more_losses.h"

namespace minnow {

namespace {

constexpr float kEps = 1e-7f;                // Keras' backend.epsilon()
constexpr float kOneMinusEps = 1.0f - kEps;  // 0.99999988: Keras computes 1 - epsilon in float32

double clip(double p) { return std::clamp(p, double(kEps), double(kOneMinusEps)); }
// The gradient of clip is 0 outside [eps, 1 - eps] (tf.clip_by_value's gradient).
bool clipped(double p) { return p < kEps || p > kOneMinusEps; }

double sigmoid(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }

// log sum_j exp(z_j), shifted by the maximum so that no exp overflows.
double log_sum_exp(const Eigen::Ref<const RowVector>& z) {
  const double m = z.maxCoeff();
  double sum = 0;
  for (long j = 0; j < z.size(); ++j) sum += std::exp(z[j] - m);
  return m + std::log(sum);
}

template <class L>
std::unique_ptr<Loss> make() {
  return std::make_unique<L>();
}

// Keras' divide_no_nan: an empty batch has loss 0.
double safe_inverse(long n) { return n == 0 ? 0.0 : 1.0 / double(n); }

bool equal_but_trailing_one(const Shape& longer, const Shape& shorter) {
  if (longer.rank() != shorter.rank() + 1 || longer[-1] != 1) return false;
  return std::equal(shorter.dims().begin(), shorter.dims().end(), longer.dims().begin());
}

// y_pred's shape without its last axis: the shape of one label per row.
Shape without_last_axis(const Shape& s) { return Shape(std::vector<long>(s.dims().begin(), s.dims().end() - 1)); }

// The class index held by label value v, or a ShapeError naming it, its index and the range.
long class_index(std::string_view who, float v, long index, long classes, const Shape& pred_shape) {
  if (std::isfinite(v) && v == std::floor(v) && v >= 0 && v < float(classes)) return long(v);
  throw ShapeError(fmt::format(
      "{}: the label at index {} is {}, which is not a class index in [0, {}) for y_pred of shape {}. Labels must "
      "be integers from 0 to {}; check the number of units of the last layer.",
      who, index, v, classes, pred_shape, classes - 1));
}

}  // namespace

void check_same_shape(std::string_view who, const Tensor& y_pred, const Tensor& y_true) {
  const Shape& p = y_pred.shape();
  const Shape& t = y_true.shape();
  if (p == t || equal_but_trailing_one(p, t) || equal_but_trailing_one(t, p)) return;
  throw ShapeError(fmt::format("{}: y_true of shape {} does not fit y_pred of shape {}. y_true must have the shape "
                               "of y_pred, {}.",
                               who, t, p, p));
}

void check_sparse_shape(std::string_view who, const Tensor& y_pred, const Tensor& y_true) {
  const Shape& p = y_pred.shape();
  const Shape& t = y_true.shape();
  // Checked without building shapes first, so that a training step does not allocate.
  const auto& pd = p.dims();
  const auto& td = t.dims();
  const bool leading_equal =
      p.rank() >= 2 && t.rank() >= p.rank() - 1 && std::equal(pd.begin(), pd.end() - 1, td.begin());
  if (leading_equal && (t.rank() == p.rank() - 1 || (t.rank() == p.rank() && td.back() == 1))) return;
  if (p.rank() >= 2) {
    const Shape labels = without_last_axis(p);
    Shape labels_1 = p;
    labels_1[-1] = 1;
    if (t == labels || t == labels_1) return;
    throw ShapeError(fmt::format("{} expects one class index per row of y_pred: y_true of shape {} or {} for "
                                 "y_pred of shape {}, but received y_true of shape {}.{}",
                                 who, labels, labels_1, p, t,
                                 t == p ? " These look like one-hot labels: use categorical_crossentropy." : ""));
  }
  throw ShapeError(fmt::format("{} expects y_pred of shape (N, classes), but received y_pred of shape {}.", who, p));
}

double MeanSquaredError::compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const {
  check_same_shape("mean_squared_error", y_pred, y_true);
  const double inv = safe_inverse(y_pred.size());  // 1/S
  if (grad) grad->resize(y_pred.shape());
  double sum = 0;
  for (long i = 0; i < y_pred.size(); ++i) {
    const double d = double(y_pred[i]) - y_true[i];
    sum += d * d;                               // (F1)
    if (grad) (*grad)[i] = float(2 * d * inv);  // (B1)
  }
  return sum * inv;
}

double BinaryCrossentropy::compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const {
  check_same_shape("binary_crossentropy", y_pred, y_true);
  for (long i = 0; i < y_true.size(); ++i)  // all valid first: a label of 2 would train silently
    if (!(y_true[i] >= 0.0f && y_true[i] <= 1.0f))
      throw ShapeError(fmt::format("binary_crossentropy: the label at index {} is {}, which is not in [0, 1] (y_true "
                                   "of shape {}). Labels are probabilities of the positive class: 0, 1 or between.",
                                   i, y_true[i], y_true.shape()));
  const double inv = safe_inverse(y_pred.size());  // 1/S
  if (grad) grad->resize(y_pred.shape());
  double sum = 0;
  for (long i = 0; i < y_pred.size(); ++i) {
    const double y = y_true[i];
    double g;
    if (from_logits_) {
      const double z = y_pred[i];
      sum += std::max(z, 0.0) - z * y + std::log1p(std::exp(-std::abs(z)));  // (F3)
      g = sigmoid(z) - y;                                                    // (B3)
    } else {
      const double c = clip(y_pred[i]);
      sum -= y * std::log(c + kEps) + (1 - y) * std::log(1 - c + kEps);           // (F2)
      g = clipped(y_pred[i]) ? 0.0 : -y / (c + kEps) + (1 - y) / (1 - c + kEps);  // (B2)
    }
    if (grad) (*grad)[i] = float(g * inv);
  }
  return sum * inv;
}

double CategoricalCrossentropy::compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const {
  check_same_shape("categorical_crossentropy", y_pred, y_true);
  const auto P = y_pred.matrix();                    // (R, C)
  const auto Y = y_true.matrix(P.rows(), P.cols());  // (R, C)
  const double inv = safe_inverse(P.rows());         // 1/R
  if (grad) grad->resize(y_pred.shape());
  float* G = grad ? grad->data() : nullptr;  // (R, C) row-major
  const long C = P.cols();
  std::vector<double> g(static_cast<size_t>(C));  // (B4) g_k of one row
  double sum = 0;
  for (long r = 0; r < P.rows(); ++r) {
    if (from_logits_) {
      const double lse = log_sum_exp(P.row(r));
      const double y_sum = Y.row(r).cast<double>().sum();
      for (long k = 0; k < P.cols(); ++k) {
        sum += Y(r, k) * (lse - P(r, k));                                                // (F5)
        if (G) G[r * C + k] = float((std::exp(P(r, k) - lse) * y_sum - Y(r, k)) * inv);  // (B5)
      }
      continue;
    }
    const double s = P.row(r).cast<double>().sum();
    double gq = 0;  // sum_j g_j q_j
    for (long k = 0; k < P.cols(); ++k) {
      const double q = P(r, k) / s;
      sum -= Y(r, k) * std::log(clip(q));                    // (F4)
      g[size_t(k)] = clipped(q) ? 0.0 : -Y(r, k) / clip(q);  // (B4)
      gq += g[size_t(k)] * q;
    }
    if (G)
      for (long k = 0; k < C; ++k) G[r * C + k] = float((g[size_t(k)] - gq) / s * inv);  // (B4)
  }
  return sum * inv;
}

double SparseCategoricalCrossentropy::compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const {
  constexpr std::string_view who = "sparse_categorical_crossentropy";  // name(), without allocating
  check_sparse_shape(who, y_pred, y_true);
  const auto P = y_pred.matrix();                                                                // (R, C)
  for (long r = 0; r < P.rows(); ++r) class_index(who, y_true[r], r, P.cols(), y_pred.shape());  // all valid first
  const double inv = safe_inverse(P.rows());                                                     // 1/R
  if (grad) grad->resize(y_pred.shape());
  float* G = grad ? grad->data() : nullptr;  // (R, C) row-major
  const long C = P.cols();
  double sum = 0;
  for (long r = 0; r < P.rows(); ++r) {
    const long t = long(y_true[r]);
    if (from_logits_) {
      const double lse = log_sum_exp(P.row(r));
      sum += lse - P(r, t);  // (F7)
      if (G)
        for (long k = 0; k < C; ++k)
          G[r * C + k] = float((std::exp(P(r, k) - lse) - (k == t ? 1.0 : 0.0)) * inv);  // (B7)
      continue;
    }
    double s = 0;  // sum_j clip(p_j)
    for (long k = 0; k < P.cols(); ++k) s += clip(P(r, k));
    const double c_t = clip(P(r, t));
    sum += std::log(s) - std::log(c_t);  // (F6)
    if (G)
      for (long k = 0; k < C; ++k)
        G[r * C + k] = clipped(P(r, k)) ? 0.0f : float((1 / s - (k == t ? 1 / c_t : 0.0)) * inv);  // (B6)
  }
  return sum * inv;
}

Tensor Loss::per_sample(const Tensor& y_pred, const Tensor& y_true) const {
  compute(y_pred, y_true, nullptr);  // every check, with the whole batch's shapes and indices
  const Shape& ps = y_pred.shape();
  const long C = ps.rank() == 0 ? 1 : ps[-1];
  const long rows = C == 0 ? 0 : y_pred.size() / C;
  const long per_row_true = rows == 0 ? 0 : y_true.size() / rows;  // C, or 1 for a sparse label
  Tensor out(ps.rank() == 0 ? ps : Shape(std::vector<long>(ps.dims().begin(), ps.dims().end() - 1)));
  Tensor p({1, C}), t(per_row_true == C ? Shape({1, C}) : Shape({1}));
  for (long r = 0; r < rows; ++r) {
    std::copy_n(y_pred.data() + r * C, C, p.data());
    std::copy_n(y_true.data() + r * per_row_true, per_row_true, t.data());
    out[r] = float(compute(p, t, nullptr));  // the mean over a batch of one row: that row's loss
  }
  return out;
}

std::unique_ptr<Loss> make_loss(const std::string& name) {
  using Make = std::unique_ptr<Loss> (*)();
  // Keras 3's names: the function name, its aliases (keras/src/losses/__init__.py) and the class name.
  static const std::vector<std::pair<std::vector<std::string>, Make>> table = {
      {{"mean_squared_error", "mse", "MSE", "MeanSquaredError"}, [] { return make<MeanSquaredError>(); }},
      {{"mean_absolute_error", "mae", "MAE", "MeanAbsoluteError"}, [] { return make<MeanAbsoluteError>(); }},
      {{"binary_crossentropy", "bce", "BCE", "BinaryCrossentropy"}, [] { return make<BinaryCrossentropy>(); }},
      {{"categorical_crossentropy", "CategoricalCrossentropy"}, [] { return make<CategoricalCrossentropy>(); }},
      {{"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"},
       [] { return make<SparseCategoricalCrossentropy>(); }},
      {{"huber", "Huber"}, [] { return make<Huber>(); }},
      {{"kl_divergence", "kld", "KLD", "KLDivergence"}, [] { return make<KLDivergence>(); }},
      {{"categorical_hinge", "CategoricalHinge"}, [] { return make<CategoricalHinge>(); }},
  };
  std::string known;
  for (const auto& [names, build] : table) {
    if (std::find(names.begin(), names.end(), name) != names.end()) return build();
    known += fmt::format("{}'{}'", known.empty() ? "" : ", ", names[0]);
  }
  throw ConfigError(fmt::format("Unknown loss function: '{}'. Expected one of {} (or an alias such as 'mse', "
                                "'mae', 'kld', or the class name).",
                                name, known));
}

}  // namespace minnow
