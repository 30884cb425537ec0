// Sequential (sequential.h). Layers added before an Input wait in pending_ until the first batch
// or build() gives the input shape, as in Keras.
#include "model/sequential.h"

#include <fmt/format.h>

#include "core/error.h"
#include "layers/input_layer.h"

namespace minnow {

Sequential::Sequential(const std::string& name) : Model(Deferred{}, "sequential", name) { list_inputs_ = false; }

Sequential::Sequential(const std::vector<LayerRef<Layer>>& layers, const std::string& name) : Sequential(name) {
  for (const auto& l : layers) add(l);
}

void Sequential::add(const SymbolicTensor& input) {
  if (input_.layer || !pending_.empty())
    throw UsageError(fmt::format("Sequential '{}': an Input can only be the first element", this->name()));
  input_ = output_ = input;
}

void Sequential::add(const LayerRef<Layer>& layer) {
  if (!layer) throw UsageError(fmt::format("Sequential '{}': cannot add an empty layer", this->name()));
  if (!input_.layer) {
    pending_.push_back(layer.ptr());
    return;
  }
  connect(layer.ptr());
}

void Sequential::connect(const std::shared_ptr<Layer>& layer) {
  const SymbolicTensor out = (*layer)(output_);
  set_graph({input_}, {out});
  output_ = out;
}

void Sequential::build(const Shape& input_shape) {
  if (input_.layer) throw UsageError(fmt::format("Sequential '{}' is already built", this->name()));
  if (pending_.empty()) throw UsageError(fmt::format("Sequential '{}' has no layers to build", this->name()));
  // Accept (None, 30) as well as (30).
  Shape sample = input_shape;
  if (sample.rank() > 0 && sample[0] == Shape::kNone) sample = Shape({sample.dims().begin() + 1, sample.dims().end()});
  input_ = output_ = Input(sample);
  std::vector<std::shared_ptr<Layer>> layers;
  layers.swap(pending_);
  for (const auto& l : layers) connect(l);
}

void Sequential::prepare(std::span<const Tensor* const> xs) {
  if (!has_graph_ && !pending_.empty() && xs.size() == 1) build(xs[0]->shape().with_batch(Shape::kNone));
  require_graph();
}

}  // namespace minnow
