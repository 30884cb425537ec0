#include "core/random.h"

#include <bit>
#include <cmath>
#include <numbers>
#include <sstream>

namespace minnow {

float Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // u1 in (0, 1] so that log(u1) is finite.
  const double u1 = 1.0 - static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  const double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_ = static_cast<float>(r * std::sin(theta));
  has_spare_ = true;
  return static_cast<float>(r * std::cos(theta));
}

std::string Rng::state() const {
  std::ostringstream out;
  out << engine_ << ' ' << (has_spare_ ? 1 : 0) << ' ' << std::bit_cast<std::uint32_t>(spare_);
  return out.str();
}

bool Rng::set_state(const std::string& state) {
  std::istringstream in(state);
  std::mt19937_64 engine;
  int has_spare = -1;
  std::uint32_t spare_bits = 0;
  in >> engine >> has_spare >> spare_bits;
  if (in.fail() || (has_spare != 0 && has_spare != 1)) return false;
  in >> std::ws;
  if (!in.eof()) return false;  // text after the state
  engine_ = engine, has_spare_ = has_spare == 1, spare_ = std::bit_cast<float>(spare_bits);
  return true;
}

namespace {
Rng& session_rng() {
  static Rng rng(0x6d696e6e6f77ULL);  // "minnow"
  return rng;
}
}  // namespace

void set_random_seed(std::uint64_t seed) { session_rng() = Rng(seed); }
std::uint64_t next_session_seed() { return session_rng().next(); }

}  // namespace minnow
