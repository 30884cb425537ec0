#include "core/parameter.h"

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

WeightValue& WeightValue::operator=(const Tensor& t) {
  if (fixed_ && t.shape() != t_.shape())
    throw ShapeError(fmt::format("{} has shape {}, but a value of shape {} was assigned to it; the weight is "
                                 "unchanged (a weight's shape is fixed when its layer is built)",
                                 label_.empty() ? std::string("this weight") : label_, t_.shape(), t.shape()));
  if (&t != &t_) t_ = t;
  fixed_ = true;
  return *this;
}

}  // namespace minnow
