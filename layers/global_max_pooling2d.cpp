#include "layers/global_max_pooling2d.h"

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

Shape GlobalMaxPooling2DLayer::build_impl(const Shape& in) {
  if (in.rank() != 4)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, H, W, C), but received {}", describe(), in));
  return {Shape::kNone, in[3]};
}

void GlobalMaxPooling2DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  const long N = x.shape()[0], HW = x.shape()[1] * x.shape()[2];
  const auto X = x.matrix();                                                              // (N*H*W, C)
  auto Y = y.matrix();                                                                    // (N, C)
  for (long n = 0; n < N; ++n) Y.row(n) = X.middleRows(n * HW, HW).colwise().maxCoeff();  // (F1)
}

void GlobalMaxPooling2DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const long N = dy.shape()[0], HW = dx.shape()[1] * dx.shape()[2];
  const auto X = input().matrix();   // (N*H*W, C)
  const auto Y = output().matrix();  // (N, C)
  const auto dY = dy.matrix();       // (N, C)
  auto dX = dx.matrix();             // (N*H*W, C)
  for (long n = 0; n < N; ++n) {
    const auto Xn = X.middleRows(n * HW, HW);
    const Eigen::ArrayXXf winners = (Xn.array() == Y.row(n).replicate(HW, 1).array()).cast<float>();  // x = y
    const Eigen::ArrayXXf share = dY.row(n).array() / winners.colwise().sum();                        // dy / k, (F2)
    dX.middleRows(n * HW, HW) = (winners.rowwise() * share.row(0)).matrix();                          // (B1)
  }
}

LayerRef<GlobalMaxPooling2DLayer> GlobalMaxPooling2D(const std::string& name) {
  return std::make_shared<GlobalMaxPooling2DLayer>(name);
}

std::shared_ptr<Layer> GlobalMaxPooling2DLayer::clone() const {
  return std::make_shared<GlobalMaxPooling2DLayer>(name());
}

}  // namespace minnow
