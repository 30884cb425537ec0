#include "layers/multiply.h"

namespace minnow {

void MultiplyLayer::forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode) {
  y.row() = xs[0]->row();
  for (size_t i = 1; i < xs.size(); ++i) y.row().array() *= xs[i]->row().array();  // (F1)
}

void MultiplyLayer::backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) {
  for (size_t i = 0; i < dxs.size(); ++i) {
    dxs[i].row() = dy.row();  // (B1): dy times every other input
    for (size_t j = 0; j < dxs.size(); ++j)
      if (j != i) dxs[i].row().array() *= input(j).row().array();
  }
}

LayerRef<MultiplyLayer> Multiply(const std::string& name) { return std::make_shared<MultiplyLayer>(name); }

std::shared_ptr<Layer> MultiplyLayer::clone() const { return std::make_shared<MultiplyLayer>(name()); }

}  // namespace minnow
