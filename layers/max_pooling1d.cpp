#include "layers/max_pooling1d.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

MaxPooling1DLayer::MaxPooling1DLayer(const Pooling1DOptions& options)
    : Layer("MaxPooling1D", options.name), opt_(options) {
  if (opt_.pool_size <= 0)
    throw ConfigError(
        fmt::format("{}: pool_size must be positive, but received pool_size={}", describe(), opt_.pool_size));
  if (opt_.strides && *opt_.strides <= 0)
    throw ConfigError(fmt::format("{}: strides must be positive, but received strides={}", describe(), *opt_.strides));
  if (opt_.padding != "valid" && opt_.padding != "same")
    throw ConfigError(
        fmt::format("{}: padding must be 'valid' or 'same', but received padding='{}'", describe(), opt_.padding));
}

Shape MaxPooling1DLayer::build_impl(const Shape& in) {
  if (in.rank() != 3)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, L, C), but received {}", describe(), in));
  if (opt_.padding == "valid" && opt_.pool_size > in[1])
    throw ShapeError(fmt::format("{}: pool_size={} is larger than the input's length {} (input shape {}) with "
                                 "padding='valid'. Use padding='same' or a smaller pool_size.",
                                 describe(), opt_.pool_size, in[1], in));
  g_ = window_geometry(1, in[1], in[2], 1, opt_.pool_size, 1, strides(), opt_.padding == "same");
  return {Shape::kNone, g_.OW, g_.C};
}

void MaxPooling1DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  const long N = x.shape()[0], L = g_.W, C = g_.C, OL = g_.OW;
  argmax_.resize(size_t(y.size()));
  for (long n = 0; n < N; ++n)
    for (long o = 0; o < OL; ++o) {
      float* out = y.data() + (n * OL + o) * C;  // (C,) maxima of this window
      long* arg = argmax_.data() + (n * OL + o) * C;
      std::fill(out, out + C, -std::numeric_limits<float>::infinity());
      std::fill(arg, arg + C, -1L);
      const long left = o * g_.SW - g_.pad_left;  // only real steps are visited: padding never wins (F1)
      for (long l = std::max(left, 0L); l < std::min(left + g_.KW, L); ++l) {
        const long i = (n * L + l) * C;
        for (long c = 0; c < C; ++c)
          if (arg[c] < 0 || x[i + c] > out[c]) {  // strictly greater: the first of equals stays (F2)
            out[c] = x[i + c];                    // (F1)
            arg[c] = i + c;                       // (F2)
          }
      }
    }
}

void MaxPooling1DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  dx.fill(0.0f);
  for (long o = 0; o < dy.size(); ++o) dx[argmax_[size_t(o)]] += dy[o];  // (B1)
}

LayerRef<MaxPooling1DLayer> MaxPooling1D(const Pooling1DOptions& options) {
  return std::make_shared<MaxPooling1DLayer>(options);
}

std::shared_ptr<Layer> MaxPooling1DLayer::clone() const {
  Pooling1DOptions o = opt_;
  o.name = name();
  return std::make_shared<MaxPooling1DLayer>(o);
}

}  // namespace minnow
