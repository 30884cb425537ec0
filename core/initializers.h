// Weight initializers with Keras' names and defaults.
//
//   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))     Keras' default kernel initializer
//   he_uniform      U(-l, l), l = sqrt(6 / fan_in)
//   he_normal       truncated N(0, s), s = sqrt(2 / fan_in) / 0.87962566 (cut at 2 s, as Keras)
//   random_normal   N(mean = 0, stddev = 0.05)
//   random_uniform  U(minval = -0.05, maxval = 0.05)
//   zeros, ones     constants
// Fans as Keras computes them: a (in, out) kernel has fan_in = in, fan_out = out; a conv kernel
// (kh, kw, in, out) has fan_in = kh*kw*in and fan_out = kh*kw*out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/tensor.h"

namespace minnow {

struct Initializer {
  std::string name = "glorot_uniform";
  std::optional<std::uint64_t> seed;      // none: the next seed of the session (see random.h)
  float mean = 0.0f, stddev = 0.05f;      // random_normal
  float minval = -0.05f, maxval = 0.05f;  // random_uniform

  Initializer() = default;
  Initializer(const char* n) : name(n) {}             // NOLINT: implicit, so `.kernel_initializer = "he_normal"` works
  Initializer(std::string n) : name(std::move(n)) {}  // NOLINT
  Initializer(std::string n, std::uint64_t s) : name(std::move(n)), seed(s) {}
};

// Throws ConfigError naming `what` (e.g. "Dense 'dense': kernel_initializer") for an unknown name,
// or for random_normal / random_uniform parameters that are not finite, a negative stddev, or
// minval > maxval.
void check_initializer(const Initializer& init, const std::string& what);
// Fills `t` according to `init`; the fans come from t's shape.
void initialize(Tensor& t, const Initializer& init);

}  // namespace minnow
