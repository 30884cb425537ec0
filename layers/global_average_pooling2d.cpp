#include "layers/global_average_pooling2d.h"

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

Shape GlobalAveragePooling2DLayer::build_impl(const Shape& in) {
  if (in.rank() != 4)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, H, W, C), but received {}", describe(), in));
  return {Shape::kNone, in[3]};
}

void GlobalAveragePooling2DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  const long N = x.shape()[0], HW = x.shape()[1] * x.shape()[2];
  const auto X = x.matrix();                                                          // (N*H*W, C)
  auto Y = y.matrix();                                                                // (N, C)
  for (long n = 0; n < N; ++n) Y.row(n) = X.middleRows(n * HW, HW).colwise().mean();  // (F1)
}

void GlobalAveragePooling2DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const long N = dy.shape()[0], HW = dx.shape()[1] * dx.shape()[2];
  const auto dY = dy.matrix();                                                               // (N, C)
  auto dX = dx.matrix();                                                                     // (N*H*W, C)
  for (long n = 0; n < N; ++n) dX.middleRows(n * HW, HW).rowwise() = dY.row(n) / float(HW);  // (B1)
}

LayerRef<GlobalAveragePooling2DLayer> GlobalAveragePooling2D(const std::string& name) {
  return std::make_shared<GlobalAveragePooling2DLayer>(name);
}

std::shared_ptr<Layer> GlobalAveragePooling2DLayer::clone() const {
  return std::make_shared<GlobalAveragePooling2DLayer>(name());
}

}  // namespace minnow
