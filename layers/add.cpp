#include "layers/add.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace minnow {

Shape AddLayer::build_multi_impl(const std::vector<Shape>& shapes) {
  for (const Shape& s : shapes)
    if (s != shapes[0])
      throw ShapeError(fmt::format("{} expects inputs that all have the same shape, but received shapes {}. Add "
                                   "does not broadcast: reshape the inputs to one shape first.",
                                   describe(), fmt::join(shapes, ", ")));
  return shapes[0];
}

void AddLayer::forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode) {
  y.row() = xs[0]->row();
  for (size_t i = 1; i < xs.size(); ++i) y.row() += xs[i]->row();  // (F1)
}

void AddLayer::backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) {
  for (Tensor& dx : dxs) dx.row() = dy.row();  // (B1)
}

LayerRef<AddLayer> Add(const std::string& name) { return std::make_shared<AddLayer>(name); }

std::shared_ptr<Layer> AddLayer::clone() const { return std::make_shared<AddLayer>(name()); }

}  // namespace minnow
