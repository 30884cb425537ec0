#include "layers/input_layer.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/naming.h"

namespace minnow {

namespace {
Shape with_batch_axis(const Shape& sample, const std::string& name) {
  if (sample.rank() == 0) throw ShapeError(fmt::format("Input '{}': shape must have at least one axis", name));
  std::vector<long> dims{Shape::kNone};
  for (long d : sample.dims()) {
    if (d <= 0) throw ShapeError(fmt::format("Input '{}': every size of shape {} must be positive", name, sample));
    dims.push_back(d);
  }
  return Shape(dims);
}
}  // namespace

InputLayer::InputLayer(const Shape& shape, const std::string& name)
    : Layer("InputLayer", name.empty() ? unique_name("input", /*zero_based=*/false) : name),
      shape_(with_batch_axis(shape, this->name())) {}

SymbolicTensor Input(const Shape& shape, const std::string& name) {
  auto layer = std::make_shared<InputLayer>(shape, name);
  return (*layer)(std::vector<SymbolicTensor>{});
}

}  // namespace minnow
