#include "layers/softmax.h"

#include <fmt/format.h>

#include "core/activations.h"
#include "core/error.h"

namespace minnow {

namespace {
std::string unsupported_axis(const std::string& who, long axis, const std::string& detail) {
  return fmt::format("{}: only the last axis (axis=-1) is supported, but received axis={}{}", who, axis, detail);
}
}  // namespace

SoftmaxLayer::SoftmaxLayer(const SoftmaxOptions& options) : Layer("Softmax", options.name), opt_(options) {
  // A negative axis other than -1, or the batch axis 0, is never the last axis.
  if (opt_.axis < -1 || opt_.axis == 0) throw ConfigError(unsupported_axis(describe(), opt_.axis, ""));
}

Shape SoftmaxLayer::build_impl(const Shape& in) {
  if (opt_.axis != -1 && opt_.axis != in.rank() - 1)
    throw ConfigError(unsupported_axis(describe(), opt_.axis, fmt::format(" for inputs of shape {}", in)));
  return in;
}

void SoftmaxLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  activation_forward(ActivationKind::Softmax, x.matrix(), y.matrix());  // (F1)
}

void SoftmaxLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  activation_backward(ActivationKind::Softmax, input().matrix(), output().matrix(), dy.matrix(), dx.matrix());  // (B1)
}

LayerRef<SoftmaxLayer> Softmax(const SoftmaxOptions& options) { return std::make_shared<SoftmaxLayer>(options); }

std::shared_ptr<Layer> SoftmaxLayer::clone() const {
  SoftmaxOptions o = opt_;
  o.name = name();
  return std::make_shared<SoftmaxLayer>(o);
}

}  // namespace minnow
