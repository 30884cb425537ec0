// Counter-based random numbers (Philox4x32-10, Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3", SC 2011; the generator TensorFlow and JAX draw from).
//
// A counter-based generator is a keyed function, not a sequence: block(key, counter) scrambles a
// 128-bit counter with a 64-bit key through 10 rounds of multiply-and-xor, and returns four
// 32-bit words that look independent of every other counter's. Element i of a tensor draws from
// counter i (or i / 4, i / 2), so any thread can compute any element without the ones before it:
// the tensor is filled in parallel and holds the same values for any number of threads.
//
//   round:  (c0, c1, c2, c3) -> (hi(M1*c2) ^ c1 ^ k0, lo(M1*c2), hi(M0*c0) ^ c3 ^ k1, lo(M0*c0))
//           then the key is bumped: k0 += W0, k1 += W1 (Weyl sequence)
//
// The fills (the initializers' streams, keyed by the weight's seed):
//   philox_uniform          x_i = low + (high - low) * u,  u = the top 24 bits of word i%4 of
//                           block(seed, i/4) / 2^24, in [0, 1)
//   philox_normal           x_{4b..4b+3} = mean + stddev * Box-Muller of block(seed, b)'s two pairs
//                           of words:  r = sqrt(-2 ln u1),  (r cos 2 pi u2, r sin 2 pi u2)
//   philox_truncated_normal x_i = mean + stddev * z, z the first Box-Muller normal of
//                           block(seed, (i, attempt)) with the first attempt whose |z| <= 2
#pragma once

#include <array>
#include <cstdint>

namespace minnow {

// Philox4x32-10 of the 128-bit counter (counter_lo, counter_hi) under a 64-bit key.
std::array<std::uint32_t, 4> philox4x32(std::uint64_t key, std::uint64_t counter_lo, std::uint64_t counter_hi);

// out[0, n) drawn as above, on the threads the size calls for; the values depend on the seed and
// the element's index only.
void philox_uniform(float* out, long n, std::uint64_t seed, float low, float high);
void philox_normal(float* out, long n, std::uint64_t seed, float mean, float stddev);
void philox_truncated_normal(float* out, long n, std::uint64_t seed, float mean, float stddev);

}  // namespace minnow
