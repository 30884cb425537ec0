#include "layers/average_pooling2d.h"

namespace minnow {

void AveragePooling2DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  g_.N = x.shape()[0];
  const auto X = x.matrix();  // (N*H*W, C)
  auto Y = y.matrix();        // (N*OH*OW, C)
  for (long n = 0; n < g_.N; ++n)
    for (long oh = 0; oh < g_.OH; ++oh)
      for (long ow = 0; ow < g_.OW; ++ow) {
        const Window win = window(oh, ow);
        auto out = Y.row((n * g_.OH + oh) * g_.OW + ow);  // (C,)
        out.setZero();
        for (long h = win.h0; h < win.h1; ++h)
          for (long w = win.w0; w < win.w1; ++w) out += X.row((n * g_.H + h) * g_.W + w);  // (F1) the sum
        out /= float(win.cells());                                                         // (F1) / k
      }
}

void AveragePooling2DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  dx.fill(0.0f);
  const auto dY = dy.matrix();  // (N*OH*OW, C)
  auto dX = dx.matrix();        // (N*H*W, C)
  for (long n = 0; n < g_.N; ++n)
    for (long oh = 0; oh < g_.OH; ++oh)
      for (long ow = 0; ow < g_.OW; ++ow) {
        const Window win = window(oh, ow);
        const RowVector share = dY.row((n * g_.OH + oh) * g_.OW + ow) / float(win.cells());  // (C,) dy / k
        for (long h = win.h0; h < win.h1; ++h)
          for (long w = win.w0; w < win.w1; ++w) dX.row((n * g_.H + h) * g_.W + w) += share;  // (B1)
      }
}

LayerRef<AveragePooling2DLayer> AveragePooling2D(const Pooling2DOptions& options) {
  return std::make_shared<AveragePooling2DLayer>(options);
}

std::shared_ptr<Layer> AveragePooling2DLayer::clone() const {
  Pooling2DOptions o = options();
  o.name = name();
  return std::make_shared<AveragePooling2DLayer>(o);
}

}  // namespace minnow
