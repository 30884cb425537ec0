#include "core/kernels/philox.h"

#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "core/kernels/threading.h"
#include "test_util.h"

using namespace minnow;

namespace {

// A fill with 1 and with 2 threads (n large enough to run on threads).
template <class Fill>
void same_with_1_and_2_threads(Fill fill, long n) {
  const int before = num_threads();
  std::vector<float> one(static_cast<size_t>(n)), two(static_cast<size_t>(n));
  set_num_threads(1);
  fill(one.data(), n);
  set_num_threads(2);
  fill(two.data(), n);
  set_num_threads(before);
  CHECK(std::memcmp(one.data(), two.data(), sizeof(float) * size_t(n)) == 0);
}

double mean_of(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += x;
  return s / double(v.size());
}

double variance_of(const std::vector<float>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (float x : v) s += (x - m) * (x - m);
  return s / double(v.size());
}

}  // namespace

TEST_CASE("philox4x32 gives Random123's known answers", "[philox]") {
  // Random123's tests/kat_vectors, the three philox4x32 10 lines: counter words, key words, result.
  using W = std::array<std::uint32_t, 4>;
  CHECK(philox4x32(0, 0, 0) == W{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(philox4x32(~0ULL, ~0ULL, ~0ULL) == W{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(philox4x32(0x299f31d0a4093822ULL, 0x85a308d3243f6a88ULL, 0x0370734413198a2eULL) ==
        W{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("the Philox fills equal their definitions element by element", "[philox]") {
  const long n = 1003;  // not a multiple of 4: the last block is cut
  std::vector<float> u(static_cast<size_t>(n)), z(static_cast<size_t>(n)), t(static_cast<size_t>(n));
  philox_uniform(u.data(), n, 7, -2.0f, 3.0f);
  philox_normal(z.data(), n, 7, 1.0f, 0.5f);
  philox_truncated_normal(t.data(), n, 7, 0.0f, 1.0f);
  for (long i = 0; i < n; ++i) {
    INFO("i=" << i);
    const auto b = philox4x32(7, std::uint64_t(i / 4), 0);
    CHECK(u[size_t(i)] == -2.0f + 5.0f * (float(b[size_t(i % 4)] >> 8) / 16777216.0f));
    const long pair = (i % 4) / 2;  // Box-Muller of words (0, 1) or (2, 3): cos, then sin
    const double u1 = (double(b[size_t(2 * pair)] >> 8) + 1) / 16777216.0;
    const double u2 = double(float(b[size_t(2 * pair + 1)] >> 8) / 16777216.0f);
    const double r = std::sqrt(-2 * std::log(u1)), th = 2 * std::numbers::pi * u2;
    CHECK(z[size_t(i)] == 1.0f + 0.5f * float(i % 2 == 0 ? r * std::cos(th) : r * std::sin(th)));
    CHECK(std::fabs(t[size_t(i)]) <= 2.0f);
  }
}

TEST_CASE("the Philox fills hold the same bits with 1 and 2 threads", "[philox]") {
  const long n = (1L << 20) + 5;  // many parallel chunks and a cut last block
  same_with_1_and_2_threads([](float* o, long m) { philox_uniform(o, m, 42, -1, 1); }, n);
  same_with_1_and_2_threads([](float* o, long m) { philox_normal(o, m, 42, 0, 1); }, n);
  same_with_1_and_2_threads([](float* o, long m) { philox_truncated_normal(o, m, 42, 0, 1); }, n);
}

TEST_CASE("the Philox fills have the moments of their distributions", "[philox]") {
  const long n = 1L << 20;
  std::vector<float> v(static_cast<size_t>(n));
  philox_uniform(v.data(), n, 3, 0, 1);  // U(0, 1): mean 1/2, variance 1/12
  CHECK(mean_of(v) == Approx(0.5).margin(2e-3));
  CHECK(variance_of(v) == Approx(1.0 / 12).margin(1e-3));
  philox_normal(v.data(), n, 3, 0, 1);
  CHECK(mean_of(v) == Approx(0).margin(3e-3));
  CHECK(variance_of(v) == Approx(1).margin(5e-3));
  philox_truncated_normal(v.data(), n, 3, 0, 1);  // cut at +-2: variance 0.8796^2 = 0.7737
  CHECK(mean_of(v) == Approx(0).margin(3e-3));
  CHECK(variance_of(v) == Approx(0.7737413).margin(5e-3));
  // Other seeds give other numbers; neighbouring seeds are not shifted copies.
  std::vector<float> a(64), b(64);
  philox_uniform(a.data(), 64, 1, 0, 1);
  philox_uniform(b.data(), 64, 2, 0, 1);
  long equal = 0;
  for (size_t i = 0; i < 64; ++i)
    for (size_t j = 0; j < 64; ++j) equal += a[i] == b[j];
  CHECK(equal <= 1);
}
