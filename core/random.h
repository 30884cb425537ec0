// Random numbers: a seeded generator whose streams are the same on every platform.
//
// std::normal_distribution and friends are implementation-defined, so the same seed could
// give other weights with another standard library. minnow draws its own uniform and normal
// numbers from std::mt19937_64 (whose output the standard fixes) to stay reproducible.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace minnow {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 24 random bits (every float in the grid is exact).
  float uniform() { return static_cast<float>(engine_() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float low, float high) { return low + (high - low) * uniform(); }
  // Standard normal by the Box-Muller transform.
  float normal();
  float normal(float mean, float stddev) { return mean + stddev * normal(); }
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  std::uint64_t next() { return engine_(); }

  // The whole state as text (the engine's words, then the normal number held back, if any): a
  // generator given it by set_state draws the same numbers from there on (checkpoints save it).
  // set_state returns false, leaving the generator unchanged, for text state() did not write.
  std::string state() const;
  bool set_state(const std::string& state);

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  float spare_ = 0.0f;
};

// The session's seed sequence: a layer or initializer created without an explicit seed takes
// the next seed from it, so a program is deterministic from its start. set_random_seed()
// restarts the sequence (as tf.keras.utils.set_random_seed does).
void set_random_seed(std::uint64_t seed);
std::uint64_t next_session_seed();

}  // namespace minnow
