#include "layers/subtract.h"

namespace minnow {

void SubtractLayer::forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode) {
  y.row() = xs[0]->row() - xs[1]->row();  // (F1)
}

void SubtractLayer::backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) {
  dxs[0].row() = dy.row();  // (B1)
  dxs[1].row() = -dy.row();
}

LayerRef<SubtractLayer> Subtract(const std::string& name) { return std::make_shared<SubtractLayer>(name); }

std::shared_ptr<Layer> SubtractLayer::clone() const { return std::make_shared<SubtractLayer>(name()); }

}  // namespace minnow
