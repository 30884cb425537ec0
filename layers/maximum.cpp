#include "layers/maximum.h"

namespace minnow {

void MaximumLayer::forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode) {
  winner_.assign(size_t(y.size()), 0);
  y.row() = xs[0]->row();
  for (size_t i = 1; i < xs.size(); ++i)
    for (long e = 0; e < y.size(); ++e)
      if ((*xs[i])[e] > y[e]) y[e] = (*xs[i])[e], winner_[size_t(e)] = int(i);  // (F1), (F2): only > moves it
}

void MaximumLayer::backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) {
  for (size_t i = 0; i < dxs.size(); ++i)
    for (long e = 0; e < dy.size(); ++e) dxs[i][e] = winner_[size_t(e)] == int(i) ? dy[e] : 0.0f;  // (B1)
}

LayerRef<MaximumLayer> Maximum(const std::string& name) { return std::make_shared<MaximumLayer>(name); }

std::shared_ptr<Layer> MaximumLayer::clone() const { return std::make_shared<MaximumLayer>(name()); }

}  // namespace minnow
