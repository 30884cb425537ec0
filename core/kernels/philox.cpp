#include "core/kernels/philox.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/kernels/threading.h"

namespace minnow {

namespace {

constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // the round multipliers
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // the key's Weyl increments
constexpr long kChunk = 1L << 14;                              // elements per parallel task

struct Block {
  std::uint32_t w[4];
};

inline Block philox(std::uint32_t k0, std::uint32_t k1, Block c) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) k0 += kW0, k1 += kW1;
    const std::uint64_t p0 = std::uint64_t(kM0) * c.w[0], p1 = std::uint64_t(kM1) * c.w[2];
    c = {{std::uint32_t(p1 >> 32) ^ c.w[1] ^ k0, std::uint32_t(p1), std::uint32_t(p0 >> 32) ^ c.w[3] ^ k1,
          std::uint32_t(p0)}};
  }
  return c;
}

inline Block philox(std::uint64_t key, std::uint64_t lo, std::uint64_t hi) {
  return philox(std::uint32_t(key), std::uint32_t(key >> 32),
                {{std::uint32_t(lo), std::uint32_t(lo >> 32), std::uint32_t(hi), std::uint32_t(hi >> 32)}});
}

// [0, 1) from a word's top 24 bits (every value exact in float); (0, 1] for a logarithm.
inline float unit(std::uint32_t w) { return float(w >> 8) * (1.0f / 16777216.0f); }
inline double open_unit(std::uint32_t w) { return (double(w >> 8) + 1.0) * (1.0 / 16777216.0); }

// The Box-Muller pair of two words.
inline void box_muller(std::uint32_t a, std::uint32_t b, double& z0, double& z1) {
  const double r = std::sqrt(-2.0 * std::log(open_unit(a))), theta = 2.0 * std::numbers::pi * unit(b);
  z0 = r * std::cos(theta), z1 = r * std::sin(theta);
}

// f(first, last) over [0, n) in chunks of kChunk elements, on the threads n calls for.
template <class F>
void in_chunks(long n, F&& f) {
  const long chunks = (n + kChunk - 1) / kChunk;
  parallel_for(chunks, threads_for(n), [&](long c) { f(c * kChunk, std::min(n, (c + 1) * kChunk)); });
}

}  // namespace

std::array<std::uint32_t, 4> philox4x32(std::uint64_t key, std::uint64_t counter_lo, std::uint64_t counter_hi) {
  const Block b = philox(key, counter_lo, counter_hi);
  return {b.w[0], b.w[1], b.w[2], b.w[3]};
}

void philox_uniform(float* out, long n, std::uint64_t seed, float low, float high) {
  in_chunks(n, [&](long first, long last) {  // kChunk is a multiple of 4: a block never straddles
    for (long i = first; i < last; i += 4) {
      const Block b = philox(seed, std::uint64_t(i / 4), 0);
      for (long j = 0; j < 4 && i + j < last; ++j) out[i + j] = low + (high - low) * unit(b.w[j]);
    }
  });
}

void philox_normal(float* out, long n, std::uint64_t seed, float mean, float stddev) {
  in_chunks(n, [&](long first, long last) {
    for (long i = first; i < last; i += 4) {
      const Block b = philox(seed, std::uint64_t(i / 4), 0);
      double z[4];
      box_muller(b.w[0], b.w[1], z[0], z[1]);
      box_muller(b.w[2], b.w[3], z[2], z[3]);
      for (long j = 0; j < 4 && i + j < last; ++j) out[i + j] = mean + stddev * float(z[j]);
    }
  });
}

void philox_truncated_normal(float* out, long n, std::uint64_t seed, float mean, float stddev) {
  in_chunks(n, [&](long first, long last) {
    for (long i = first; i < last; ++i) {
      double z = 0, unused = 0;
      for (std::uint64_t attempt = 0;; ++attempt) {  // P(|z| > 2) = 4.6%: two draws are rare
        const Block b = philox(seed, std::uint64_t(i), attempt);
        box_muller(b.w[0], b.w[1], z, unused);
        if (std::fabs(z) <= 2.0) break;
      }
      out[i] = mean + stddev * float(z);
    }
  });
}

}  // namespace minnow
