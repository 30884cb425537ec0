#include "layers/flatten.h"

#include <algorithm>

namespace minnow {

Shape FlattenLayer::build_impl(const Shape& in) { return {Shape::kNone, in.num_elements_from(1)}; }

void FlattenLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  std::copy(x.data(), x.data() + x.size(), y.data());  // (F1)
}

void FlattenLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  std::copy(dy.data(), dy.data() + dy.size(), dx.data());  // (B1)
}

LayerRef<FlattenLayer> Flatten(const std::string& name) { return std::make_shared<FlattenLayer>(name); }

std::shared_ptr<Layer> FlattenLayer::clone() const { return std::make_shared<FlattenLayer>(name()); }

}  // namespace minnow
