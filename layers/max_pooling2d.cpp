#include "layers/max_pooling2d.h"

#include <algorithm>

#include "core/kernels/threading.h"

namespace minnow {

// One image per task, on the threads the size calls for (core/kernels/threading.h): images write
// disjoint parts of y, a and dx, so the result is the same for any number of threads.
void MaxPooling2DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  g_.N = x.shape()[0];
  argmax_.resize(size_t(y.size()));
  const float* in = x.data();
  float* out_all = y.data();
  long* arg_all = argmax_.data();
  parallel_for(g_.N, threads_for(x.size() + y.size()), [&](long n) {
    const long C = g_.C;
    for (long oh = 0; oh < g_.OH; ++oh)
      for (long ow = 0; ow < g_.OW; ++ow) {
        const long o = offset_nhwc(n, oh, ow, 0, g_.OH, g_.OW, C);
        float* out = out_all + o;  // (C,) maxima of this window
        long* arg = arg_all + o;
        // Only real cells are visited: padding is -inf and never wins (F1). A window holds at least
        // one real cell: the first sets the maxima, the others replace them when strictly greater.
        const Window win = window(oh, ow);
        const long first = offset_nhwc(n, win.h0, win.w0, 0, g_.H, g_.W, C);
        for (long c = 0; c < C; ++c) out[c] = in[first + c], arg[c] = first + c;
        for (long h = win.h0; h < win.h1; ++h)
          for (long w = win.w0; w < win.w1; ++w) {
            const long i = offset_nhwc(n, h, w, 0, g_.H, g_.W, C);
            for (long c = 0; c < C; ++c) {  // strictly greater: the first of equals stays (F2)
              const float v = in[i + c];
              const bool wins = v > out[c];
              out[c] = wins ? v : out[c];      // (F1)
              arg[c] = wins ? i + c : arg[c];  // (F2)
            }
          }
      }
  });
}

void MaxPooling2DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const long per_in = dx.size() / g_.N, per_out = dy.size() / g_.N;
  const float* g = dy.data();
  float* out = dx.data();
  const long* arg = argmax_.data();
  parallel_for(g_.N, threads_for(dx.size() + dy.size()), [&](long n) {  // image n's a points into image n
    std::fill(out + n * per_in, out + (n + 1) * per_in, 0.0f);
    for (long o = n * per_out; o < (n + 1) * per_out; ++o) out[arg[o]] += g[o];  // (B1)
  });
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
