#include "layers/leaky_relu.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

LeakyReLULayer::LeakyReLULayer(float negative_slope, const std::string& name)
    : Layer("LeakyReLU", name), a_(negative_slope) {
  if (!std::isfinite(a_) || a_ < 0)
    throw ConfigError(
        fmt::format("{}: negative_slope must be a finite number >= 0, but received negative_slope={}", describe(), a_));
}

void LeakyReLULayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  for (long i = 0; i < x.size(); ++i) y[i] = x[i] > 0 ? x[i] : a_ * x[i];  // (F1)
}

void LeakyReLULayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const Tensor& x = input();
  for (long i = 0; i < dy.size(); ++i) dx[i] = x[i] > 0 ? dy[i] : a_ * dy[i];  // (B1)
}

LayerRef<LeakyReLULayer> LeakyReLU(float negative_slope, const std::string& name) {
  return std::make_shared<LeakyReLULayer>(negative_slope, name);
}

std::shared_ptr<Layer> LeakyReLULayer::clone() const { return std::make_shared<LeakyReLULayer>(a_, name()); }

}  // namespace minnow
