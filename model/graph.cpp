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

// Depths, from the outputs back, as Keras' _map_graph_network: outputs 0, each input one deeper
// than its deepest consumer, and every node of a layer at least as deep as its layer's nodes met
// before it; a layer's depth is that of its deepest node (where model.layers lists it).
struct Depths {
  std::map<NodeKey, int> node;
  std::map<const Layer*, int> layer;
};

Depths depths(const std::vector<SymbolicTensor>& order, const std::vector<SymbolicTensor>& outputs) {
  Depths d;
  for (const SymbolicTensor& o : outputs) d.node[key_of(o)] = 0;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const int depth = std::max(d.node[key_of(*it)], d.layer[it->layer.get()]);
    d.node[key_of(*it)] = d.layer[it->layer.get()] = depth;
    for (const SymbolicTensor& in : it->layer->inbound_nodes()[size_t(it->node_index)].inputs)
      d.node[key_of(in)] = std::max(d.node[key_of(in)], depth + 1);
  }
  return d;
}

// Names unique: two layers may not share a name (one layer called twice is one name).
void check_names(const std::string& model, const std::vector<SymbolicTensor>& order) {
  std::map<std::string, const Layer*> names;
  for (const SymbolicTensor& t : order) {
    auto [it, added] = names.emplace(t.layer->name(), t.layer.get());
    if (!added && it->second != t.layer.get())
      throw UsageError(fmt::format("Model '{}': the name '{}' is used by two layers; all layer names in a model must "
                                   "be unique",
                                   model, t.layer->name()));
  }
}

// Keras' model.layers: each layer once, deepest first; ties in the order the walk met them.
void list_layers(Graph& g, const Walk& walk, const Depths& depth, bool list_inputs) {
  std::vector<std::shared_ptr<Layer>> layers;
  for (const SymbolicTensor& t : walk.order)
    if (std::none_of(layers.begin(), layers.end(), [&](const auto& l) { return l == t.layer; }))
      layers.push_back(t.layer);
  std::stable_sort(layers.begin(), layers.end(), [&](const auto& a, const auto& b) {
    const int da = depth.layer.at(a.get()), db = depth.layer.at(b.get());
    if (da != db) return da > db;
    return walk.layer_index.at(a.get()) < walk.layer_index.at(b.get());
  });
  for (const auto& l : layers)
    if (l->class_name() != "InputLayer" || list_inputs) g.layers.push_back(l);
}

// The steps, in execution order (Keras'): deepest first; ties in the order of the walk. A layer's
// first call runs on the layer, each further one on a call instance sharing its weights.
void order_steps(Graph& g, const Walk& walk, Depths& depth, std::map<NodeKey, int>& slot) {
  std::vector<SymbolicTensor> sorted = walk.order;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const SymbolicTensor& a, const SymbolicTensor& b) {
    const int da = depth.node[key_of(a)], db = depth.node[key_of(b)];
    if (da != db) return da > db;
    return walk.layer_index.at(a.layer.get()) < walk.layer_index.at(b.layer.get());
  });
  std::map<const Layer*, int> calls;
  for (const SymbolicTensor& t : sorted) ++calls[t.layer.get()];
  std::set<const Layer*> running;
  for (const SymbolicTensor& t : sorted) {
    const int s = int(slot.size());
    slot[key_of(t)] = s;
    g.layer_nodes.emplace_back(t.layer.get(), t.node_index);
    if (t.layer->class_name() == "InputLayer") continue;
    const bool first = running.insert(t.layer.get()).second;
    std::shared_ptr<Layer> call = first ? t.layer : t.layer->call_instance(t.layer->input_shapes());
    Step step{t.layer, call, calls[t.layer.get()] > 1, t.node_index, {}, s, depth.node[key_of(t)]};
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
  Depths depth = depths(walk.order, outputs);
  check_names(model_name, walk.order);
  Graph g{inputs, outputs, {}, {}, {}, {}, {}, {}, 0};
  list_layers(g, walk, depth, list_inputs);
  std::map<NodeKey, int> slot;
  order_steps(g, walk, depth, slot);
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
