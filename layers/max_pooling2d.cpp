#include "layers/max_pooling2d.h"

#include <algorithm>
#include <limits>

namespace minnow {

void MaxPooling2DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  g_.N = x.shape()[0];
  const long C = g_.C;
  argmax_.resize(size_t(y.size()));
  for (long n = 0; n < g_.N; ++n)
    for (long oh = 0; oh < g_.OH; ++oh)
      for (long ow = 0; ow < g_.OW; ++ow) {
        const long o = offset_nhwc(n, oh, ow, 0, g_.OH, g_.OW, C);
        float* out = y.data() + o;  // (C,) maxima of this window
        long* arg = argmax_.data() + o;
        std::fill(out, out + C, -std::numeric_limits<float>::infinity());
        std::fill(arg, arg + C, -1L);
        // Only real cells are visited: padding is -inf and never wins (F1).
        const Window win = window(oh, ow);
        for (long h = win.h0; h < win.h1; ++h)
          for (long w = win.w0; w < win.w1; ++w) {
            const long i = offset_nhwc(n, h, w, 0, g_.H, g_.W, C);
            for (long c = 0; c < C; ++c)
              if (arg[c] < 0 || x[i + c] > out[c]) {  // strictly greater: the first of equals stays (F2)
                out[c] = x[i + c];                    // (F1)
                arg[c] = i + c;                       // (F2)
              }
          }
      }
}

void MaxPooling2DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  dx.fill(0.0f);
  for (long o = 0; o < dy.size(); ++o) dx[argmax_[size_t(o)]] += dy[o];  // (B1)
}

LayerRef<MaxPooling2DLayer> MaxPooling2D(const Pooling2DOptions& options) {
  return std::make_shared<MaxPooling2DLayer>(options);
}

std::shared_ptr<Layer> MaxPooling2DLayer::clone() const {
  Pooling2DOptions o = options();
  o.name = name();
  return std::make_shared<MaxPooling2DLayer>(o);
}

}  // namespace minnow
