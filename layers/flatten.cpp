#include "layers/flatten.h"

#include <algorithm>

namespace minnow {

Shape FlattenLayer::build_impl(const Shape& in) { return {Shape::kNone, in.num_elements_from(1)}; }

// y and dx are views (Tensor::share under another shape): relabelling copies nothing.
void FlattenLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  if (y_shape_.rank() == 0 || y_shape_[0] != x.shape()[0]) y_shape_ = output_shape().with_batch(x.shape()[0]);
  y.share(x, y_shape_);  // (F1)
}

void FlattenLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  if (x_shape_.rank() == 0 || x_shape_[0] != dy.shape()[0]) x_shape_ = input_shape().with_batch(dy.shape()[0]);
  dx.share(dy, x_shape_);  // (B1)
}

LayerRef<FlattenLayer> Flatten(const std::string& name) { return std::make_shared<FlattenLayer>(name); }

std::shared_ptr<Layer> FlattenLayer::clone() const { return std::make_shared<FlattenLayer>(name()); }

}  // namespace minnow
