#include "layers/activation.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kernels/threading.h"

namespace minnow {

ActivationLayer::ActivationLayer(const std::string& activation, const std::string& name) : Layer("Activation", name) {
  kind_ = parse_activation(activation, describe());
}

void ActivationLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  activation_forward(kind_, x.matrix(), y.matrix());  // (F1)
}

void ActivationLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  activation_backward(kind_, input().matrix(), output().matrix(), dy.matrix(), dx.matrix());  // (B1)
}

ReLULayer::ReLULayer(const ReLUOptions& options) : Layer("ReLU", options.name), opt_(options) {
  if (std::isnan(opt_.max_value) || opt_.max_value < 0)
    throw ConfigError(fmt::format("{}: max_value must be >= 0, but received max_value={}", describe(), opt_.max_value));
  if (!std::isfinite(opt_.negative_slope) || opt_.negative_slope < 0)
    throw ConfigError(fmt::format("{}: negative_slope must be >= 0, but received negative_slope={}", describe(),
                                  opt_.negative_slope));
  if (!std::isfinite(opt_.threshold))
    throw ConfigError(
        fmt::format("{}: threshold must be finite, but received threshold={}", describe(), opt_.threshold));
}

// Element by element, in ranges on the threads the size calls for (core/kernels/threading.h).
void ReLULayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  const float *in = x.data(), hi = opt_.max_value, t = opt_.threshold, a = opt_.negative_slope;
  float* out = y.data();
  parallel_ranges(x.size(), [=](long first, long last) {                        // by value: no aliasing
    for (long i = first; i < last; ++i)                                         // (F1)
      out[i] = in[i] >= hi ? hi : in[i] >= t ? in[i] : a * (in[i] - t) + 0.0f;  // + 0: 0 * (negative) is -0
  });
}

void ReLULayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const float* x = input().data();  // the input of the last forward (shared, not copied)
  const float *g = dy.data(), hi = opt_.max_value, t = opt_.threshold, a = opt_.negative_slope;
  float* out = dx.data();
  parallel_ranges(dy.size(), [=](long first, long last) {
    for (long i = first; i < last; ++i) {  // (B1); at the kinks x = threshold and x = max_value the left
      const float gi = g[i];               // piece's slope, as TF and PyTorch; g read always: no branch
      out[i] = x[i] >= hi ? 0.0f : x[i] > t ? gi : a * gi;
    }
  });
}

LayerRef<ActivationLayer> Activation(const std::string& activation, const std::string& name) {
  return std::make_shared<ActivationLayer>(activation, name);
}

LayerRef<ReLULayer> ReLU(const ReLUOptions& options) { return std::make_shared<ReLULayer>(options); }

std::shared_ptr<Layer> ActivationLayer::clone() const {
  return std::make_shared<ActivationLayer>(activation_name(kind_), name());
}

std::shared_ptr<Layer> ReLULayer::clone() const {
  ReLUOptions o = opt_;
  o.name = name();
  return std::make_shared<ReLULayer>(o);
}

}  // namespace minnow
