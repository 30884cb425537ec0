#include "layers/pooling2d.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace minnow {

Pooling2DLayer::Pooling2DLayer(const std::string& class_name, const Pooling2DOptions& options)
    : Layer(class_name, options.name), opt_(options) {
  const auto& ps = opt_.pool_size;
  if (ps[0] <= 0 || ps[1] <= 0)
    throw ConfigError(
        fmt::format("{}: pool_size must be positive, but received pool_size=({}, {})", describe(), ps[0], ps[1]));
  const auto& st = opt_.strides;
  if (st.size() > 2)
    throw ConfigError(fmt::format("{}: strides must be {{}}, {{s}} or {{sh, sw}}, but received strides=({})",
                                  describe(), fmt::join(st, ", ")));
  if (std::any_of(st.begin(), st.end(), [](long s) { return s <= 0; }))
    throw ConfigError(
        fmt::format("{}: strides must be positive, but received strides=({})", describe(), fmt::join(st, ", ")));
  if (st.empty()) strides_ = ps;
  else strides_ = {st.front(), st.back()};
  if (opt_.padding != "valid" && opt_.padding != "same")
    throw ConfigError(
        fmt::format("{}: padding must be 'valid' or 'same', but received padding='{}'", describe(), opt_.padding));
}

Shape Pooling2DLayer::build_impl(const Shape& in) {
  if (in.rank() != 4)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, H, W, C), but received {}", describe(), in));
  const long PH = opt_.pool_size[0], PW = opt_.pool_size[1];
  if (opt_.padding == "valid" && (PH > in[1] || PW > in[2]))
    throw ShapeError(fmt::format("{}: pool_size=({}, {}) is larger than the input's {}x{} (input shape {}) with "
                                 "padding='valid'. Use padding='same' or a smaller pool_size.",
                                 describe(), PH, PW, in[1], in[2], in));
  g_ = window_geometry(in[1], in[2], in[3], PH, PW, strides_[0], strides_[1], opt_.padding == "same");
  return {Shape::kNone, g_.OH, g_.OW, g_.C};
}

Pooling2DLayer::Window Pooling2DLayer::window(long oh, long ow) const {
  const long top = oh * g_.SH - g_.pad_top, left = ow * g_.SW - g_.pad_left;
  return {std::max(top, 0L), std::min(top + g_.KH, g_.H), std::max(left, 0L), std::min(left + g_.KW, g_.W)};
}

}  // namespace minnow
