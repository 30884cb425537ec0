#include "model/graph_queries.h"

#include <fmt/format.h>

#include "core/error.h"
#include "layers/batch_normalization.h"

namespace minnow {

std::vector<const Layer*> consumers(const Model& model, const Layer& layer) {
  std::vector<const Layer*> out;
  for (const auto& l : model.layers())
    if (l->class_name() != "InputLayer")
      for (const Node* node : model.nodes_of(*l))
        for (const SymbolicTensor& in : node->inputs)
          if (in.layer.get() == &layer) out.push_back(l.get());
  return out;
}

const Layer* shared_layer(const Model& model) {
  for (const auto& l : model.layers())
    if (model.nodes_of(*l).size() > 1) return l.get();
  return nullptr;
}

void refuse_shared_layers(const Model& model, const std::string& what) {
  if (const Layer* l = shared_layer(model))
    throw UsageError(fmt::format("{}: {} is called {} times in model '{}' (a shared layer), which {} does not "
                                 "support; give each call its own layer",
                                 what, l->describe(), model.nodes_of(*l).size(), model.name(), what));
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
