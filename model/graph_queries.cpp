#include "model/graph_queries.h"

#include "layers/batch_normalization.h"

namespace minnow {

std::vector<const Layer*> consumers(const Model& model, const Layer& layer) {
  std::vector<const Layer*> out;
  for (const auto& l : model.layers())
    if (l->class_name() != "InputLayer")
      for (const SymbolicTensor& in : model.node_of(*l).inputs)
        if (in.layer.get() == &layer) out.push_back(l.get());
  return out;
}

bool is_model_output(const Model& model, const Layer& layer) {
  for (const SymbolicTensor& o : model.outputs())
    if (o.layer.get() == &layer) return true;
  return false;
}

bool normalizes_last_axis(const BatchNormalizationLayer& bn) {
  const long rank = bn.input_shape().rank();
  return bn.options().axis == -1 || bn.options().axis == rank - 1;
}

const BatchNormalizationLayer* following_batch_norm(const Model& model, const Layer& layer) {
  const std::vector<const Layer*> next = consumers(model, layer);
  if (next.size() != 1 || is_model_output(model, layer)) return nullptr;
  const auto* bn = dynamic_cast<const BatchNormalizationLayer*>(next[0]);
  return bn && normalizes_last_axis(*bn) ? bn : nullptr;
}

}  // namespace minnow
