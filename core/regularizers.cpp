#include "core/regularizers.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

Regularizer::Regularizer(const std::string& name) {
  if (name == "l1" || name == "L1") l1 = 0.01f;
  else if (name == "l2" || name == "L2") l2 = 0.01f;
  else if (!name.empty())
    throw ConfigError(fmt::format("Unknown regularizer: '{}'. Use 'l1', 'l2', or L1(l1), L2(l2), L1L2(l1, l2).", name));
}

Regularizer::Regularizer(const char* name) : Regularizer(std::string(name ? name : "")) {}

double Regularizer::penalty(const Tensor& w) const {
  double abs_sum = 0, square_sum = 0;
  for (const float v : w.values()) abs_sum += std::abs(double(v)), square_sum += double(v) * v;
  return l1 * abs_sum + l2 * square_sum;  // (R1)
}

void Regularizer::add_gradient(const Tensor& w, Tensor& grad) const {
  for (long i = 0; i < w.size(); ++i) {
    const float v = w[i];
    grad[i] += l1 * float((v > 0) - (v < 0)) + 2 * l2 * v;  // (R2)
  }
}

void check_regularizer(const Regularizer& r, const std::string& what) {
  if (!(std::isfinite(r.l1) && r.l1 >= 0 && std::isfinite(r.l2) && r.l2 >= 0))
    throw ConfigError(fmt::format("{}: the regularizer's factors must be finite and >= 0, but received l1={} and "
                                  "l2={}",
                                  what, r.l1, r.l2));
}

}  // namespace minnow
