#include "core/initializers.h"

#include <array>
#include <cmath>

#include "core/error.h"
#include "core/random.h"

namespace minnow {

namespace {

constexpr std::array<const char*, 7> kNames = {"glorot_uniform", "zeros",         "ones",          "he_normal",
                                               "he_uniform",     "random_normal", "random_uniform"};

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

}  // namespace

void check_initializer(const Initializer& init, const std::string& what) {
  if (init.name == "random_normal" && !(std::isfinite(init.mean) && std::isfinite(init.stddev) && init.stddev >= 0))
    throw ConfigError(fmt::format("{}: random_normal needs a finite mean and a finite stddev >= 0, but received "
                                  "mean={} and stddev={}",
                                  what, init.mean, init.stddev));
  if (init.name == "random_uniform" &&
      !(std::isfinite(init.minval) && std::isfinite(init.maxval) && init.minval <= init.maxval))
    throw ConfigError(fmt::format("{}: random_uniform needs finite bounds with minval <= maxval, but received "
                                  "minval={} and maxval={}",
                                  what, init.minval, init.maxval));
  for (const char* n : kNames)
    if (init.name == n) return;
  throw ConfigError(fmt::format("{}: unknown initializer '{}'. Use one of: glorot_uniform, zeros, ones, he_normal, "
                                "he_uniform, random_normal, random_uniform.",
                                what, init.name));
}

void initialize(Tensor& t, const Initializer& init) {
  check_initializer(init, "initializer");
  if (init.name == "zeros") return t.fill(0.0f);
  if (init.name == "ones") return t.fill(1.0f);
  Rng rng(init.seed ? *init.seed : next_session_seed());
  const Fans fans = compute_fans(t.shape());
  if (init.name == "glorot_uniform" || init.name == "he_uniform") {
    const double limit =
        init.name == "glorot_uniform" ? std::sqrt(6.0 / (fans.in + fans.out)) : std::sqrt(6.0 / fans.in);
    for (float& v : t.values()) v = rng.uniform(float(-limit), float(limit));
  } else if (init.name == "he_normal") {
    // A normal truncated at two standard deviations; the divisor restores the variance 2/fan_in.
    const float stddev = float(std::sqrt(2.0 / fans.in) / 0.87962566103423978);
    for (float& v : t.values()) {
      float z;
      do z = rng.normal();
      while (std::fabs(z) > 2.0f);
      v = stddev * z;
    }
  } else if (init.name == "random_normal") {
    for (float& v : t.values()) v = rng.normal(init.mean, init.stddev);
  } else {  // random_uniform
    for (float& v : t.values()) v = rng.uniform(init.minval, init.maxval);
  }
}

}  // namespace minnow
