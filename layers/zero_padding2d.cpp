#include "layers/zero_padding2d.h"

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

ZeroPadding2DLayer::ZeroPadding2DLayer(const Padding2D& padding, const std::string& name)
    : Layer("ZeroPadding2D", name), pad_(padding) {
  const Size2D &rows = pad_.rows, &cols = pad_.cols;
  if (rows[0] < 0 || rows[1] < 0 || cols[0] < 0 || cols[1] < 0)
    throw ConfigError(fmt::format("{}: padding must be >= 0, but received padding=(({}, {}), ({}, {}))", describe(),
                                  rows[0], rows[1], cols[0], cols[1]));
}

Shape ZeroPadding2DLayer::build_impl(const Shape& in) {
  if (in.rank() != 4)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, H, W, C), but received {}", describe(), in));
  const Size2D &rows = pad_.rows, &cols = pad_.cols;
  long OH = 0, OW = 0;
  if (__builtin_add_overflow(in[1], rows[0], &OH) || __builtin_add_overflow(OH, rows[1], &OH) ||
      __builtin_add_overflow(in[2], cols[0], &OW) || __builtin_add_overflow(OW, cols[1], &OW))
    throw ShapeError(fmt::format("{}: the output of {} padded by (({}, {}), ({}, {})) is too large for a long",
                                 describe(), in, rows[0], rows[1], cols[0], cols[1]));
  return {Shape::kNone, OH, OW, in[3]};
}

void ZeroPadding2DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  const long N = x.shape()[0], H = x.shape()[1], W = x.shape()[2], OH = y.shape()[1], OW = y.shape()[2];
  const long top = pad_.rows[0], left = pad_.cols[0];
  const auto X = x.matrix();  // (N*H*W, C)
  auto Y = y.matrix();        // (N*OH*OW, C)
  Y.setZero();
  for (long n = 0; n < N; ++n)
    for (long h = 0; h < H; ++h)  // (F1): image row (n, h), W pixels, to row top + h from column left
      Y.middleRows((n * OH + top + h) * OW + left, W) = X.middleRows((n * H + h) * W, W);
}

void ZeroPadding2DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const long N = dx.shape()[0], H = dx.shape()[1], W = dx.shape()[2], OH = dy.shape()[1], OW = dy.shape()[2];
  const long top = pad_.rows[0], left = pad_.cols[0];
  const auto dY = dy.matrix();  // (N*OH*OW, C)
  auto dX = dx.matrix();        // (N*H*W, C)
  for (long n = 0; n < N; ++n)
    for (long h = 0; h < H; ++h)  // (B1)
      dX.middleRows((n * H + h) * W, W) = dY.middleRows((n * OH + top + h) * OW + left, W);
}

LayerRef<ZeroPadding2DLayer> ZeroPadding2D(const Padding2D& padding, const std::string& name) {
  return std::make_shared<ZeroPadding2DLayer>(padding, name);
}

std::shared_ptr<Layer> ZeroPadding2DLayer::clone() const { return std::make_shared<ZeroPadding2DLayer>(pad_, name()); }

}  // namespace minnow
