#include "model/internal/graph.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {

using NodeKey = std::pair<const Layer*, int>;
NodeKey key_of(const SymbolicTensor& t) { return {t.layer.get(), t.node_index}; }

// Walks the graph from the outputs back to the inputs: finds the nodes in topological order and
// checks that the graph is connected to the given inputs and has no cycle.
class Walk {
 public:
  Walk(const std::string& model, const std::vector<SymbolicTensor>& inputs) : model_(model) {
    for (const SymbolicTensor& t : inputs) {
      if (!t.layer || t.layer->class_name() != "InputLayer")
        throw UsageError(fmt::format("Model '{}': every input must be an Input(...), but received the output of {}",
                                     model, t.layer ? t.layer->describe() : "nothing"));
      input_keys_.insert(key_of(t));
    }
  }

  void visit(const SymbolicTensor& t) {
    const NodeKey k = key_of(t);
    if (done_.count(k)) return;
    if (in_progress_.count(k))
      throw UsageError(fmt::format("Model '{}': the graph has a cycle at {}", model_, t.layer->describe()));
    if (!layer_index.count(t.layer.get())) layer_index[t.layer.get()] = int(layer_index.size());
    const Node& node = t.layer->inbound_nodes().at(size_t(t.node_index));
    if (node.inputs.empty() && !input_keys_.count(k))
      throw UsageError(fmt::format("Model '{}': graph disconnected: the value of '{}' is needed, but it is not one of "
                                   "the model's inputs",
                                   model_, t.layer->name()));
    in_progress_.insert(k);
    for (const SymbolicTensor& in : node.inputs) visit(in);
    in_progress_.erase(k);
    done_.insert(k);
    order.push_back(t);
  }

  std::vector<SymbolicTensor> order;        // topological: every node after its inputs
  std::map<const Layer*, int> layer_index;  // the order in which layers were first met

 private:
  const std::string& model_;
  std::set<NodeKey> input_keys_, done_, in_progress_;
};

// Depths, from the outputs back (outputs 0, each input one deeper than its deepest consumer).
std::map<NodeKey, int> depths(const std::vector<SymbolicTensor>& order, const std::vector<SymbolicTensor>& outputs) {
  std::map<NodeKey, int> depth;
  for (const SymbolicTensor& o : outputs) depth[key_of(o)] = 0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const int d = depth[key_of(*it)];
    for (const SymbolicTensor& in : it->layer->inbound_nodes()[size_t(it->node_index)].inputs)
      depth[key_of(in)] = std::max(depth[key_of(in)], d + 1);
  }
  return depth;
}

// Each layer once per model, and names unique.
void check_layers(const std::string& model, const std::vector<SymbolicTensor>& order) {
  std::map<const Layer*, int> uses;
  std::map<std::string, const Layer*> names;
  for (const SymbolicTensor& t : order) {
    if (++uses[t.layer.get()] > 1)
      throw UsageError(fmt::format("Model '{}': {} is called more than once in this model; minnow models use each "
                                   "layer once. Create a second layer instead.",
                                   model, t.layer->describe()));
    if (!names.emplace(t.layer->name(), t.layer.get()).second)
      throw UsageError(fmt::format("Model '{}': the name '{}' is used by two layers; all layer names in a model must "
                                   "be unique",
                                   model, t.layer->name()));
  }
}

// The steps, in execution and listing order (Keras'): deepest first; ties in the order of the walk.
void order_steps(Graph& g, const Walk& walk, std::map<NodeKey, int>& depth, bool list_inputs,
                 std::map<NodeKey, int>& slot) {
  std::vector<SymbolicTensor> sorted = walk.order;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const SymbolicTensor& a, const SymbolicTensor& b) {
    const int da = depth[key_of(a)], db = depth[key_of(b)];
    if (da != db) return da > db;
    return walk.layer_index.at(a.layer.get()) < walk.layer_index.at(b.layer.get());
  });
  for (const SymbolicTensor& t : sorted) {
    const int s = int(slot.size());
    slot[key_of(t)] = s;
    const bool is_input = t.layer->class_name() == "InputLayer";
    g.layer_nodes.emplace_back(t.layer.get(), t.node_index);
    if (!is_input || list_inputs) g.layers.push_back(t.layer);
    if (is_input) continue;
    Step step{t.layer, t.node_index, {}, s, depth[key_of(t)]};
    for (const SymbolicTensor& in : t.layer->inbound_nodes()[size_t(t.node_index)].inputs)
      step.input_slots.push_back(slot.at(key_of(in)));
    g.steps.push_back(std::move(step));
  }
}

}  // namespace

Graph build_graph(const std::string& model_name, const std::vector<SymbolicTensor>& inputs,
                  const std::vector<SymbolicTensor>& outputs, bool list_inputs) {
  if (inputs.empty() || outputs.empty())
    throw UsageError(fmt::format("Model '{}' needs at least one input and one output", model_name));
  Walk walk(model_name, inputs);
  for (const SymbolicTensor& o : outputs) {
    if (!o.layer) throw UsageError(fmt::format("Model '{}': an output is an empty symbolic tensor", model_name));
    walk.visit(o);
  }
  std::map<NodeKey, int> depth = depths(walk.order, outputs);
  check_layers(model_name, walk.order);
  Graph g{inputs, outputs, {}, {}, {}, {}, {}, {}, 0};
  std::map<NodeKey, int> slot;
  order_steps(g, walk, depth, list_inputs, slot);
  for (const SymbolicTensor& in : inputs) {
    if (!slot.count(key_of(in)))
      throw UsageError(
          fmt::format("Model '{}': input '{}' is not connected to any output", model_name, in.layer->name()));
    g.input_slots.push_back(slot.at(key_of(in)));
  }
  for (const SymbolicTensor& o : outputs) g.output_slots.push_back(slot.at(key_of(o)));
  g.slots = int(slot.size());
  g.is_input_slot.assign(slot.size(), false);
  for (int s : g.input_slots) g.is_input_slot[size_t(s)] = true;
  for (Step& step : g.steps)
    step.reads_only_model_inputs = std::all_of(step.input_slots.begin(), step.input_slots.end(),
                                               [&](int s) { return g.is_input_slot[size_t(s)]; });
  return g;
}

}  // namespace minnow
