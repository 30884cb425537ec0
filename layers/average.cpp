#include "layers/average.h"

namespace minnow {

void AverageLayer::forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode) {
  y.row() = xs[0]->row();
  for (size_t i = 1; i < xs.size(); ++i) y.row() += xs[i]->row();  // (F1)
  y.row() /= float(xs.size());
}

void AverageLayer::backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) {
  for (Tensor& dx : dxs) dx.row() = dy.row() / float(dxs.size());  // (B1)
}

LayerRef<AverageLayer> Average(const std::string& name) { return std::make_shared<AverageLayer>(name); }

std::shared_ptr<Layer> AverageLayer::clone() const { return std::make_shared<AverageLayer>(name()); }

}  // namespace minnow
