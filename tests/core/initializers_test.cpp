#include "core/initializers.h"

#include <cmath>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

double stddev_of(const Tensor& t) {
  const double mean = t.row().cast<double>().mean();
  return std::sqrt((t.row().cast<double>().array() - mean).square().mean());
}

Initializer variance_scaling(float scale, const char* mode, const char* distribution, std::uint64_t seed) {
  Initializer init("variance_scaling", seed);
  init.scale = scale;
  init.mode = mode;
  init.distribution = distribution;
  return init;
}

}  // namespace

TEST_CASE("lecun_normal and lecun_uniform have variance 1 / fan_in", "[initializers]") {
  Tensor k({300, 200});  // fan_in 300
  const double s = std::sqrt(1.0 / 300);
  initialize(k, Initializer("lecun_normal", 1));
  CHECK(k.row().mean() == Approx(0).margin(0.002));
  CHECK(stddev_of(k) == Approx(s).epsilon(0.02));
  CHECK(k.row().cwiseAbs().maxCoeff() <= 2 * s / 0.87962566103423978 + 1e-6);  // cut at 2 stddev
  CHECK(k.row().cwiseAbs().maxCoeff() > 1.9 * s / 0.87962566103423978);
  initialize(k, Initializer("lecun_uniform", 2));
  const double limit = std::sqrt(3.0 / 300);
  CHECK(k.row().cwiseAbs().maxCoeff() <= limit);
  CHECK(k.row().cwiseAbs().maxCoeff() > 0.99 * limit);
  CHECK(stddev_of(k) == Approx(s).epsilon(0.02));
}

TEST_CASE("truncated_normal is Keras' TruncatedNormal: stddev 0.05 around the mean, cut at 2 stddev",
          "[initializers]") {
  Tensor k({200, 200});
  Initializer init("truncated_normal", 3);
  CHECK(init.stddev == 0.05f);
  initialize(k, init);
  CHECK(k.row().cwiseAbs().maxCoeff() <= 0.1f);
  CHECK(k.row().cwiseAbs().maxCoeff() > 0.099f);
  // the standard deviation of N(0, 0.05) cut at +-2 stddev is 0.05 * 0.8796
  CHECK(stddev_of(k) == Approx(0.05 * 0.87962566103423978).epsilon(0.02));
  init.mean = 1.0f;
  initialize(k, init);
  CHECK(k.row().mean() == Approx(1).margin(0.001));
  CHECK((k.row().array() - 1).abs().maxCoeff() <= 0.1f + 1e-6f);
}

TEST_CASE("variance_scaling gives variance scale / n for each mode and distribution", "[initializers]") {
  Tensor k({3, 3, 16, 32});  // fan_in 144, fan_out 288, fan_avg 216
  const std::vector<std::pair<const char*, double>> modes = {{"fan_in", 144}, {"fan_out", 288}, {"fan_avg", 216}};
  std::uint64_t seed = 10;
  for (const auto& [mode, n] : modes)
    for (const char* dist : {"truncated_normal", "untruncated_normal", "uniform"}) {
      INFO(mode << " " << dist);
      initialize(k, variance_scaling(3.0f, mode, dist, ++seed));
      const double s = std::sqrt(3.0 / n);
      CHECK(k.row().mean() == Approx(0).margin(5 * s / std::sqrt(double(k.size()))));  // 5 standard errors
      CHECK(stddev_of(k) == Approx(s).epsilon(0.03));
      const double bound = std::string(dist) == "uniform"            ? std::sqrt(3.0) * s
                           : std::string(dist) == "truncated_normal" ? 2 * s / 0.87962566103423978
                                                                     : 10 * s;
      CHECK(k.row().cwiseAbs().maxCoeff() <= bound + 1e-6);
    }
  // he_normal is variance_scaling(2, fan_in, truncated_normal): the same draws, bit for bit.
  Tensor he({3, 3, 16, 32});
  initialize(he, Initializer("he_normal", 7));
  initialize(k, variance_scaling(2.0f, "fan_in", "truncated_normal", 7));
  CHECK(he.row() == k.row());
}

TEST_CASE("orthogonal gives orthonormal columns (or rows), scaled by gain, and is reproducible", "[initializers]") {
  for (const Shape& shape : {Shape{50, 20}, Shape{20, 50}, Shape{3, 3, 4, 8}, Shape{16, 16}}) {
    INFO(shape.str());
    Tensor q(shape);
    initialize(q, Initializer("orthogonal", 4));
    const auto Q = q.matrix().cast<double>();
    const bool tall = Q.rows() >= Q.cols();
    const Eigen::MatrixXd gram = tall ? Eigen::MatrixXd(Q.transpose() * Q) : Eigen::MatrixXd(Q * Q.transpose());
    CHECK((gram - Eigen::MatrixXd::Identity(gram.rows(), gram.cols())).cwiseAbs().maxCoeff() < 1e-5);
  }
  Tensor a({30, 10}), b({30, 10});
  Initializer gain2("orthogonal", 5);
  gain2.gain = 2.0f;
  initialize(a, gain2);
  const auto A = a.matrix().cast<double>();
  CHECK((A.transpose() * A - 4 * Eigen::MatrixXd::Identity(10, 10)).cwiseAbs().maxCoeff() < 1e-4);
  initialize(b, gain2);
  CHECK(a.row() == b.row());
  gain2.seed = 6;
  initialize(b, gain2);
  CHECK_FALSE(a.row() == b.row());
  Tensor bias({8});
  require_throws<ConfigError>([&] { initialize(bias, Initializer("orthogonal", 1)); }, {"orthogonal", "rank", "(8,)"});
}

TEST_CASE("The new initializers work by name in layers and reject bad parameters by name", "[initializers]") {
  auto dense = Dense({.units = 6, .kernel_initializer = "orthogonal", .bias_initializer = "zeros"});
  dense->build(Shape{Shape::kNone, 6});
  const auto W = dense->weight("kernel").value.tensor().matrix().cast<double>();
  CHECK((W.transpose() * W - Eigen::MatrixXd::Identity(6, 6)).cwiseAbs().maxCoeff() < 1e-5);
  require_throws<ConfigError>(
      [] { Dense({.units = 2, .kernel_initializer = variance_scaling(0, "fan_in", "uniform", 1), .name = "d"}); },
      {"Dense 'd'", "kernel_initializer", "scale=0"});
  require_throws<ConfigError>(
      [] { Dense({.units = 2, .kernel_initializer = variance_scaling(1, "fan_sum", "uniform", 1), .name = "d"}); },
      {"mode='fan_sum'", "fan_avg"});
  require_throws<ConfigError>(
      [] { Dense({.units = 2, .kernel_initializer = variance_scaling(1, "fan_in", "normal", 1), .name = "d"}); },
      {"distribution='normal'", "untruncated_normal"});
  Initializer nan_gain("orthogonal");
  nan_gain.gain = std::nanf("");
  require_throws<ConfigError>([&] { Dense({.units = 2, .kernel_initializer = nan_gain, .name = "d"}); }, {"gain=nan"});
  require_throws<ConfigError>([] { Dense({.units = 2, .kernel_initializer = "lecun", .name = "d"}); },
                              {"'lecun'", "lecun_normal", "orthogonal"});
}
