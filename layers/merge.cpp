#include "layers/merge.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace minnow {

Shape MergeLayer::build_multi_impl(const std::vector<Shape>& shapes) {
  for (const Shape& s : shapes)
    if (s != shapes[0])
      throw ShapeError(fmt::format("{} expects inputs that all have the same shape, but received shapes {}. {} "
                                   "does not broadcast: reshape the inputs to one shape first.",
                                   describe(), fmt::join(shapes, ", "), class_name()));
  return shapes[0];
}

}  // namespace minnow
