#include "model/more_losses.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "model/internal/target_shapes.h"

namespace minnow {

namespace {

constexpr float kEps = 1e-7f;  // Keras' backend.epsilon()

double inverse(long n) { return n == 0 ? 0.0 : 1.0 / double(n); }  // an empty batch has loss 0
double sign(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); }

// The mean over every element of f(e_i), e = p - y, with df/de / S written to grad.
template <class F>
double elementwise_mean(std::string_view who, const Tensor& y_pred, const Tensor& y_true, Tensor* grad, F f) {
  check_same_shape(who, y_pred, y_true);
  const double inv = inverse(y_pred.size());  // 1/S
  if (grad) grad->resize(y_pred.shape());
  double sum = 0;
  for (long i = 0; i < y_pred.size(); ++i) {
    const auto [value, slope] = f(double(y_pred[i]) - y_true[i]);
    sum += value;
    if (grad) (*grad)[i] = float(slope * inv);
  }
  return sum * inv;
}

}  // namespace

double MeanAbsoluteError::compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const {
  return elementwise_mean("mean_absolute_error", y_pred, y_true, grad, [](double e) {
    return std::pair{std::abs(e), sign(e)};
  });  // (F8) (B8)
}

Huber::Huber(float delta) : delta_(delta) {
  if (!(std::isfinite(delta) && delta > 0))
    throw ConfigError(fmt::format("Huber: delta must be a finite number > 0, but received delta={}", delta));
}

double Huber::compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const {
  const double d = delta_;
  return elementwise_mean("huber", y_pred, y_true, grad, [d](double e) {
    if (std::abs(e) <= d) return std::pair{0.5 * e * e, e};  // (F9) (B9) quadratic part
    return std::pair{d * std::abs(e) - 0.5 * d * d, d * sign(e)};
  });
}

double KLDivergence::compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const {
  check_same_shape("kl_divergence", y_pred, y_true);
  const auto P = y_pred.matrix();                    // (R, C)
  const auto Y = y_true.matrix(P.rows(), P.cols());  // (R, C)
  const double inv = inverse(P.rows());              // 1/R
  if (grad) grad->resize(y_pred.shape());
  float* G = grad ? grad->data() : nullptr;  // (R, C) row-major
  const long C = P.cols();
  auto clip = [](double v) { return std::clamp(v, double(kEps), 1.0); };
  double sum = 0;
  for (long r = 0; r < P.rows(); ++r)
    for (long k = 0; k < C; ++k) {
      const double y = clip(Y(r, k)), p = clip(P(r, k));
      sum += y * std::log(y / p);                                                          // (F10)
      if (G) G[r * C + k] = (P(r, k) < kEps || P(r, k) > 1) ? 0.0f : float(-y / p * inv);  // (B10)
    }
  return sum * inv;
}

double CategoricalHinge::compute(const Tensor& y_pred, const Tensor& y_true, Tensor* grad) const {
  check_same_shape("categorical_hinge", y_pred, y_true);
  const auto P = y_pred.matrix();                    // (R, C)
  const auto Y = y_true.matrix(P.rows(), P.cols());  // (R, C)
  const double inv = inverse(P.rows());              // 1/R
  if (grad) grad->resize(y_pred.shape());
  float* G = grad ? grad->data() : nullptr;  // (R, C) row-major
  const long C = P.cols();
  double sum = 0;
  for (long r = 0; r < P.rows(); ++r) {
    double pos = 0, neg = -std::numeric_limits<double>::infinity();
    long j = 0;  // the first k attaining neg
    for (long k = 0; k < C; ++k) {
      pos += double(Y(r, k)) * P(r, k);
      const double n = (1.0 - Y(r, k)) * P(r, k);
      if (n > neg) neg = n, j = k;
    }
    const double row = std::max(0.0, 1 + neg - pos);  // (F11)
    sum += row;
    if (G)
      for (long k = 0; k < C; ++k)
        G[r * C + k] = row > 0 ? float(((k == j ? 1.0 - Y(r, k) : 0.0) - Y(r, k)) * inv) : 0.0f;  // (B11)
  }
  return sum * inv;
}

}  // namespace minnow
