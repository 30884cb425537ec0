// The examples' command lines: `--name VALUE` options, `--name` switches and `--help`.
//
//   examples::FlagParser flags("Usage: fold_batchnorm [--passes N] [--batch N]\n\n...");
//   flags.value("--passes", [&](const std::string& flag, const char* v) { passes = examples::parse_long(flag, v, 1);
//   }); flags.parse(argc, argv);
//
// `--help` (or `-h`) prints the usage text and exits with 0. A flag the program does not know is
// "unknown flag '--x'" wherever it stands (also last), a known one without its value "--x needs a
// value", and a value that is not a number in range names the flag and the text: each a
// ConfigError, which the examples print before they exit with 1 (never a crash, never a silent 0).
#pragma once

#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <utility>

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

class FlagParser {
 public:
  // usage: what --help prints, starting with a "Usage: program [flags]" line.
  explicit FlagParser(std::string usage) : usage_(std::move(usage)) {}

  // A flag followed by a value: set(flag, value) runs for each occurrence.
  FlagParser& value(const std::string& flag, std::function<void(const std::string&, const char*)> set) {
    flags_[flag] = {true, std::move(set)};
    return *this;
  }
  // A flag on its own (a switch): set(flag, nullptr) runs for each occurrence.
  FlagParser& toggle(const std::string& flag, std::function<void()> set) {
    flags_[flag] = {false, [set = std::move(set)](const std::string&, const char*) { set(); }};
    return *this;
  }

  // Reads argv[1..argc-1] in order; --help prints the usage and exits with 0.
  void parse(int argc, char** argv) const {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--help" || a == "-h") {
        fmt::print("{}", usage_);
        std::exit(0);
      }
      const auto it = flags_.find(a);
      if (it == flags_.end()) throw ConfigError(fmt::format("unknown flag '{}' (see --help)", a));
      const auto& [takes_value, set] = it->second;
      if (!takes_value) {
        set(a, nullptr);
        continue;
      }
      if (i + 1 >= argc) throw ConfigError(fmt::format("{} needs a value (see --help)", a));
      set(a, argv[++i]);
    }
  }

  // parse, for a program without its own error handling: a ConfigError is printed as
  // "<program>: <message>" on stderr and ends the program with exit code 1.
  void parse_or_exit(const char* program, int argc, char** argv) const {
    try {
      parse(argc, argv);
    } catch (const ConfigError& e) {
      fmt::print(stderr, "{}: {}\n", program, e.what());
      std::exit(1);
    }
  }

 private:
  struct Flag {
    bool takes_value;
    std::function<void(const std::string&, const char*)> set;
  };
  std::string usage_;
  std::map<std::string, Flag> flags_;
};

}  // namespace minnow::examples
