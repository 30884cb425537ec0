#include "layers/up_sampling2d.h"

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

UpSampling2DLayer::UpSampling2DLayer(Size2D size, const std::string& interpolation, const std::string& name)
    : Layer("UpSampling2D", name), size_(size) {
  if (size_[0] < 1 || size_[1] < 1)
    throw ConfigError(
        fmt::format("{}: size must be positive integers, but received size=({}, {})", describe(), size_[0], size_[1]));
  if (interpolation != "nearest")
    throw ConfigError(fmt::format("{}: interpolation must be 'nearest' (bilinear is not supported yet), but received "
                                  "interpolation='{}'",
                                  describe(), interpolation));
}

Shape UpSampling2DLayer::build_impl(const Shape& in) {
  if (in.rank() != 4)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, H, W, C), but received {}", describe(), in));
  long OH = 0, OW = 0;
  if (__builtin_mul_overflow(in[1], size_[0], &OH) || __builtin_mul_overflow(in[2], size_[1], &OW))
    throw ShapeError(fmt::format("{}: the output of {} upsampled by ({}, {}) is too large for a long", describe(), in,
                                 size_[0], size_[1]));
  return {Shape::kNone, OH, OW, in[3]};
}

void UpSampling2DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  const long N = x.shape()[0], H = x.shape()[1], W = x.shape()[2], SH = size_[0], SW = size_[1];
  const auto X = x.matrix();  // (N*H*W, C): row (n, h, w) is one pixel
  auto Y = y.matrix();        // (N*H*SH*W*SW, C)
  for (long n = 0; n < N; ++n)
    for (long oh = 0; oh < H * SH; ++oh)
      for (long ow = 0; ow < W * SW; ++ow)  // (F1) with h = oh / SH, w = ow / SW
        Y.row((n * H * SH + oh) * W * SW + ow) = X.row((n * H + oh / SH) * W + ow / SW);
}

void UpSampling2DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const long N = dx.shape()[0], H = dx.shape()[1], W = dx.shape()[2], SH = size_[0], SW = size_[1];
  const auto dY = dy.matrix();  // (N*H*SH*W*SW, C)
  auto dX = dx.matrix();        // (N*H*W, C)
  dX.setZero();
  for (long n = 0; n < N; ++n)
    for (long oh = 0; oh < H * SH; ++oh)
      for (long ow = 0; ow < W * SW; ++ow)  // (B1)
        dX.row((n * H + oh / SH) * W + ow / SW) += dY.row((n * H * SH + oh) * W * SW + ow);
}

LayerRef<UpSampling2DLayer> UpSampling2D(Size2D size, const std::string& interpolation, const std::string& name) {
  return std::make_shared<UpSampling2DLayer>(size, interpolation, name);
}

std::shared_ptr<Layer> UpSampling2DLayer::clone() const {
  return std::make_shared<UpSampling2DLayer>(size_, "nearest", name());
}

}  // namespace minnow
