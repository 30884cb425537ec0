// Monitor and python_float (monitor.h).
#include "callbacks/monitor.h"

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

Monitor::Monitor(std::string who, std::string name, const std::string& mode)
    : who_(std::move(who)), name_(std::move(name)) {
  if (mode != "auto" && mode != "min" && mode != "max")
    throw ConfigError(fmt::format(R"({}: mode must be "auto", "min" or "max", but received "{}")", who_, mode));
  const bool auc = name_.size() >= 3 && name_.compare(name_.size() - 3, 3, "auc") == 0;
  maximize_ = mode == "max" || (mode == "auto" && (name_.find("acc") != std::string::npos || auc));
}

double Monitor::worst() const {
  const double inf = std::numeric_limits<double>::infinity();
  return maximize_ ? -inf : inf;
}

bool Monitor::improved(double current, double reference, double min_delta) const {
  return maximize_ ? current > reference + min_delta : current < reference - min_delta;
}

namespace {
std::string missing(const std::string& who, const std::string& name, const std::vector<std::string>& keys) {
  return fmt::format("{}: monitor '{}' is not in the training logs, which hold: {}{}", who, name, fmt::join(keys, ", "),
                     name.rfind("val_", 0) == 0 ? " (a val_ quantity needs validation data in fit)" : "");
}
}  // namespace

void Monitor::check(const CallbackParams& params) const {
  if (params.log_keys.empty()) return;
  for (const std::string& key : params.log_keys)
    if (key == name_) return;
  throw ConfigError(missing(who_, name_, params.log_keys));
}

double Monitor::value(const Logs& logs) const {
  const auto it = logs.find(name_);
  if (it != logs.end()) return it->second;
  std::vector<std::string> keys;
  for (const auto& [key, v] : logs) keys.push_back(key);
  throw ConfigError(missing(who_, name_, keys));
}

std::string python_float(double value) {
  std::string text = fmt::format("{}", value);
  if (std::isfinite(value) && text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

}  // namespace minnow
