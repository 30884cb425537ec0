#include "core/initializers.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <Eigen/QR>
#include <fmt/format.h>

#include "core/error.h"
#include "core/kernels/philox.h"
#include "core/random.h"

namespace minnow {

namespace {

constexpr std::array<const char*, 12> kNames = {
    "glorot_uniform", "zeros",        "ones",          "he_normal",        "he_uniform",       "random_normal",
    "random_uniform", "lecun_normal", "lecun_uniform", "truncated_normal", "variance_scaling", "orthogonal"};
constexpr double kTruncatedStddev = 0.87962566103423978;  // the stddev of N(0, 1) cut at +-2

struct Fans {
  double in, out;
};

// Keras' _compute_fans: the receptive field is the product of all but the last two axes.
Fans compute_fans(const Shape& s) {
  if (s.rank() < 1) return {1, 1};
  if (s.rank() == 1) return {double(s[0]), double(s[0])};
  double receptive = 1;
  for (long i = 0; i + 2 < s.rank(); ++i) receptive *= double(s[i]);
  return {double(s[-2]) * receptive, double(s[-1]) * receptive};
}

// N(mean, stddev) cut at mean +- 2 stddev: draws outside are drawn again (core/kernels/philox.h).
void fill_truncated_normal(Tensor& t, std::uint64_t seed, float mean, float stddev) {
  philox_truncated_normal(t.values().data(), t.size(), seed, mean, stddev);
}

// variance_scaling with Keras' lecun / glorot / he presets expressed in it.
void fill_variance_scaling(Tensor& t, std::uint64_t seed, double scale, const std::string& mode,
                           const std::string& dist) {
  const Fans fans = compute_fans(t.shape());
  const double n = mode == "fan_in" ? fans.in : (mode == "fan_out" ? fans.out : (fans.in + fans.out) / 2);
  const double v = scale / std::max(1.0, n);
  if (dist == "truncated_normal") return fill_truncated_normal(t, seed, 0.0f, float(std::sqrt(v) / kTruncatedStddev));
  if (dist == "untruncated_normal") return philox_normal(t.values().data(), t.size(), seed, 0.0f, float(std::sqrt(v)));
  const auto limit = float(std::sqrt(3 * v));  // uniform
  philox_uniform(t.values().data(), t.size(), seed, -limit, limit);
}

// gain * Q of the QR decomposition of a normal (max(rows, cols) x min(rows, cols)) matrix.
void fill_orthogonal(Tensor& t, std::uint64_t seed, double gain) {
  if (t.shape().rank() < 2)
    throw ConfigError(
        fmt::format("orthogonal initializer: the tensor must have rank >= 2, but received shape {}", t.shape()));
  const long cols = t.shape()[-1], rows = cols == 0 ? 0 : t.size() / cols;
  const long big = std::max(rows, cols), small = std::min(rows, cols);
  Eigen::MatrixXf normal(big, small);
  philox_normal(normal.data(), normal.size(), seed, 0.0f, 1.0f);
  const Eigen::MatrixXd a = normal.cast<double>();
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(big, small);
  const Eigen::MatrixXd r = qr.matrixQR().topRows(small).triangularView<Eigen::Upper>();
  for (long j = 0; j < small; ++j)
    if (r(j, j) < 0) q.col(j) *= -1;  // sign(diag(R)): Q does not depend on the QR routine's choice
  if (rows < cols) q.transposeInPlace();
  auto out = t.matrix(rows, cols);
  for (long i = 0; i < rows; ++i)
    for (long j = 0; j < cols; ++j) out(i, j) = float(gain * q(i, j));
}

void check_parameters(const Initializer& init, const std::string& what) {
  const bool normal = init.name == "random_normal" || init.name == "truncated_normal";
  if (normal && !(std::isfinite(init.mean) && std::isfinite(init.stddev) && init.stddev >= 0))
    throw ConfigError(fmt::format("{}: {} needs a finite mean and a finite stddev >= 0, but received mean={} and "
                                  "stddev={}",
                                  what, init.name, init.mean, init.stddev));
  if (init.name == "random_uniform" &&
      !(std::isfinite(init.minval) && std::isfinite(init.maxval) && init.minval <= init.maxval))
    throw ConfigError(fmt::format("{}: random_uniform needs finite bounds with minval <= maxval, but received "
                                  "minval={} and maxval={}",
                                  what, init.minval, init.maxval));
  if (init.name == "orthogonal" && !std::isfinite(init.gain))
    throw ConfigError(fmt::format("{}: orthogonal needs a finite gain, but received gain={}", what, init.gain));
}

void check_variance_scaling(const Initializer& init, const std::string& what) {
  if (!(std::isfinite(init.scale) && init.scale > 0))
    throw ConfigError(
        fmt::format("{}: variance_scaling needs a finite scale > 0, but received scale={}", what, init.scale));
  if (init.mode != "fan_in" && init.mode != "fan_out" && init.mode != "fan_avg")
    throw ConfigError(fmt::format("{}: variance_scaling's mode must be fan_in, fan_out or fan_avg, but received "
                                  "mode='{}'",
                                  what, init.mode));
  const std::string& d = init.distribution;
  if (d != "truncated_normal" && d != "untruncated_normal" && d != "uniform")
    throw ConfigError(fmt::format("{}: variance_scaling's distribution must be truncated_normal, untruncated_normal "
                                  "or uniform, but received distribution='{}'",
                                  what, d));
}

}  // namespace

void check_initializer(const Initializer& init, const std::string& what) {
  check_parameters(init, what);
  if (init.name == "variance_scaling") check_variance_scaling(init, what);
  for (const char* n : kNames)
    if (init.name == n) return;
  throw ConfigError(fmt::format("{}: unknown initializer '{}'. Use one of: glorot_uniform, zeros, ones, he_normal, "
                                "he_uniform, lecun_normal, lecun_uniform, random_normal, random_uniform, "
                                "truncated_normal, variance_scaling, orthogonal.",
                                what, init.name));
}

void initialize(Tensor& t, const Initializer& init) {
  check_initializer(init, "initializer");
  if (init.name == "zeros") return t.fill(0.0f);
  if (init.name == "ones") return t.fill(1.0f);
  // Every draw is keyed by the weight's seed and the element's index (core/kernels/philox.h): the
  // same values for any number of threads, filled in parallel.
  const std::uint64_t seed = init.seed ? *init.seed : next_session_seed();
  float* out = t.values().data();
  const Fans fans = compute_fans(t.shape());
  if (init.name == "glorot_uniform" || init.name == "he_uniform") {
    const double limit =
        init.name == "glorot_uniform" ? std::sqrt(6.0 / (fans.in + fans.out)) : std::sqrt(6.0 / fans.in);
    philox_uniform(out, t.size(), seed, float(-limit), float(limit));
  } else if (init.name == "he_normal") {
    // A normal truncated at two standard deviations; the divisor restores the variance 2/fan_in.
    fill_truncated_normal(t, seed, 0.0f, float(std::sqrt(2.0 / fans.in) / kTruncatedStddev));
  } else if (init.name == "lecun_normal" || init.name == "lecun_uniform") {
    fill_variance_scaling(t, seed, 1.0, "fan_in", init.name == "lecun_normal" ? "truncated_normal" : "uniform");
  } else if (init.name == "variance_scaling") {
    fill_variance_scaling(t, seed, init.scale, init.mode, init.distribution);
  } else if (init.name == "orthogonal") {
    fill_orthogonal(t, seed, init.gain);
  } else if (init.name == "truncated_normal") {
    fill_truncated_normal(t, seed, init.mean, init.stddev);
  } else if (init.name == "random_normal") {
    philox_normal(out, t.size(), seed, init.mean, init.stddev);
  } else {  // random_uniform
    philox_uniform(out, t.size(), seed, init.minval, init.maxval);
  }
}

}  // namespace minnow
