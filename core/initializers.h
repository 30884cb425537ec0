// Weight initializers with Keras' names and defaults.
//
//   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))     Keras' default kernel initializer
//   he_uniform      U(-l, l), l = sqrt(6 / fan_in)
//   he_normal       truncated N(0, s), s = sqrt(2 / fan_in) / 0.87962566 (cut at 2 s, as Keras)
//   lecun_uniform   U(-l, l), l = sqrt(3 / fan_in)
//   lecun_normal    truncated N(0, s), s = sqrt(1 / fan_in) / 0.87962566
//   variance_scaling, the family of the five above: n = fan_in, fan_out or (fan_in + fan_out) / 2
//                   by `mode`, v = scale / max(1, n), then by `distribution`:
//                     truncated_normal    s = sqrt(v) / 0.87962566103423978, cut at |x| <= 2 s
//                     untruncated_normal  N(0, sqrt(v))
//                     uniform             U(-l, l), l = sqrt(3 v)
//                   0.87962566... is the standard deviation of N(0, 1) cut at +-2: dividing by it
//                   gives the truncated draw the variance v.
//   orthogonal      gain * Q: the (rows x cols) view of the tensor, rows the product of all axes
//                   but the last, is filled from the QR decomposition of a normal matrix, the
//                   signs of Q's columns set by diag(R) (Saxe et al. 2014), transposed when rows < cols,
//                   so Q^T Q = I (columns orthonormal) or Q Q^T = I (rows)
//   random_normal   N(mean = 0, stddev = 0.05)
//   truncated_normal N(mean, stddev) cut at mean +- 2 stddev (stddev 0.05: Keras' TruncatedNormal)
//   random_uniform  U(minval = -0.05, maxval = 0.05)
//   zeros, ones     constants
// Fans as Keras computes them: a (in, out) kernel has fan_in = in, fan_out = out; a conv kernel
// (kh, kw, in, out) has fan_in = kh*kw*in and fan_out = kh*kw*out. Every draw comes from the
// seed (or the session's next seed) through the counter-based Philox generator, element i from
// counter i (core/kernels/philox.h): the same seed gives the same tensor on every platform and
// for any number of threads, and large tensors are filled in parallel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/tensor.h"

namespace minnow {

struct Initializer {
  std::string name = "glorot_uniform";
  std::optional<std::uint64_t> seed;              // none: the next seed of the session (see random.h)
  float mean = 0.0f, stddev = 0.05f;              // random_normal
  float minval = -0.05f, maxval = 0.05f;          // random_uniform
  float scale = 1.0f;                             // variance_scaling
  std::string mode = "fan_in";                    // variance_scaling: fan_in, fan_out or fan_avg
  std::string distribution = "truncated_normal";  // variance_scaling: or untruncated_normal, uniform
  float gain = 1.0f;                              // orthogonal

  Initializer() = default;
  Initializer(const char* n) : name(n) {}             // NOLINT: implicit, so `.kernel_initializer = "he_normal"` works
  Initializer(std::string n) : name(std::move(n)) {}  // NOLINT
  Initializer(std::string n, std::uint64_t s) : name(std::move(n)), seed(s) {}
};

// Throws ConfigError naming `what` (e.g. "Dense 'dense': kernel_initializer") for an unknown name,
// or for parameters out of range: a mean, stddev, bound, scale or gain that is not finite, a
// negative stddev, minval > maxval, scale <= 0, an unknown mode or distribution.
void check_initializer(const Initializer& init, const std::string& what);
// Fills `t` according to `init`; the fans come from t's shape. Also throws ConfigError for
// orthogonal on a tensor of rank < 2.
void initialize(Tensor& t, const Initializer& init);

}  // namespace minnow
