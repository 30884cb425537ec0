// A model's graph as it runs: the layer calls (steps) in execution order, each reading tensors
// by slot (the numbered tensors of the graph) and writing one. build_graph (model/graph.cpp)
// finds it from the outputs back, as Keras' _map_graph_network.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/layer.h"
#include "model/internal/gradient_sum.h"

namespace minnow {

// One call of a layer, in execution order. A shared layer (called n > 1 times in the model) runs
// its first call itself and each further call on a call instance (Layer::call_instance): one
// forward cache per call, one set of weights.
struct Step {
  std::shared_ptr<Layer> layer;  // the layer as the model lists it
  std::shared_ptr<Layer> call;   // what runs this call: `layer`, or a call instance of it
  bool shared = false;           // the layer is called more than once in this model
  int node_index = 0;
  std::vector<int> input_slots;
  int output_slot = 0;
  int depth = 0;
  bool reads_only_model_inputs = false;  // then its dL/dx is needed only for the model's dL/dx
};

struct Graph {
  std::vector<SymbolicTensor> inputs, outputs;
  std::vector<Step> steps;                                // every non-input node, topologically sorted
  std::vector<std::shared_ptr<Layer>> layers;             // Keras' model.layers
  std::vector<std::pair<const Layer*, int>> layer_nodes;  // each layer's nodes in this model, as run
  std::vector<int> input_slots, output_slots;
  std::vector<bool> is_input_slot;  // per slot
  int slots = 0;
};

// What a forward leaves for its backward, and the model's own input tensors (its input slots).
struct Execution {
  std::vector<Tensor> inputs;                 // the input slots' tensors: the model's own batch
  std::vector<const Tensor*> values;          // per slot: the tensor the last forward computed
  std::vector<const Tensor*> step_inputs;     // scratch for one step's inputs
  std::vector<std::uint64_t> forward_counts;  // per step: its layer's forward_count() after ours
  bool ran = false;                           // a forward ran (fit's backward may follow)
  bool by_user = false;                       // ... and it was forward(), not predict or fit
  GradientSum grads;                          // per slot, during backward
  std::vector<const Layer*> summed;           // shared layers whose weight grads this backward set
  std::vector<Tensor> saved;                  // scratch: a shared layer's weight grads so far
  Tensor no_gradient;                         // what backward returns without input gradients
};

// The graph from `inputs` to `outputs`, checked: connected, acyclic, names unique (a layer
// called n times is listed once and runs n steps). list_inputs: whether layers lists the InputLayers (false for a
// Sequential).
Graph build_graph(const std::string& model_name, const std::vector<SymbolicTensor>& inputs,
                  const std::vector<SymbolicTensor>& outputs, bool list_inputs);

}  // namespace minnow
