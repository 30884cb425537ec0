#include "layers/elu.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

ELULayer::ELULayer(float alpha, const std::string& name) : Layer("ELU", name), alpha_(alpha) {
  if (!std::isfinite(alpha_))
    throw ConfigError(fmt::format("{}: alpha must be a finite number, but received alpha={}", describe(), alpha_));
}

void ELULayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  for (long i = 0; i < x.size(); ++i) y[i] = x[i] > 0 ? x[i] : alpha_ * std::expm1(x[i]);  // (F1)
}

void ELULayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const Tensor &x = input(), &y = output();
  for (long i = 0; i < dy.size(); ++i) dx[i] = x[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha_);  // (B1)
}

LayerRef<ELULayer> ELU(float alpha, const std::string& name) { return std::make_shared<ELULayer>(alpha, name); }

std::shared_ptr<Layer> ELULayer::clone() const { return std::make_shared<ELULayer>(alpha_, name()); }

}  // namespace minnow
