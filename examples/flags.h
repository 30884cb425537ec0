// Numbers on the examples' command lines: a value that is not a number in range is a ConfigError
// naming the flag and the text (never a crash, never a silent 0).
#pragma once

#include <cmath>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow::examples {

// The whole text as a base-10 integer >= min.
inline long parse_long(const std::string& flag, const char* text, long min) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < min)
    throw ConfigError(fmt::format("{} expects a whole number >= {}, but received '{}'", flag, min, text));
  return v;
}

// The whole text as a finite number > 0 (a learning rate, a scale).
inline float parse_positive_float(const std::string& flag, const char* text) {
  char* end = nullptr;
  const float v = std::strtof(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(v) || !(v > 0))
    throw ConfigError(fmt::format("{} expects a number > 0, but received '{}'", flag, text));
  return v;
}

}  // namespace minnow::examples
