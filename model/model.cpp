#include "model/model.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/naming.h"
#include "layers/input_layer.h"
#include "model/weights_io.h"

namespace minnow {

namespace {
using NodeKey = std::pair<const Layer*, int>;
NodeKey key_of(const SymbolicTensor& t) { return {t.layer.get(), t.node_index}; }
}  // namespace

// Walks the graph from the outputs back to the inputs, as Keras' _map_graph_network: finds the
// nodes, their depths (outputs 0, each input one deeper than its deepest consumer) and the
// layers' order; checks that the graph is connected to the given inputs.
class GraphBuilder {
 public:
  GraphBuilder(Model& m, const std::vector<SymbolicTensor>& inputs) : model_(m) {
    for (const SymbolicTensor& t : inputs) {
      if (!t.layer || t.layer->class_name() != "InputLayer")
        throw UsageError(fmt::format("Model '{}': every input must be an Input(...), but received the output of {}",
                                     m.name_, t.layer ? t.layer->describe() : "nothing"));
      input_keys_.insert(key_of(t));
    }
  }

  void visit(const SymbolicTensor& t) {
    const NodeKey k = key_of(t);
    if (done_.count(k)) return;
    if (in_progress_.count(k))
      throw UsageError(fmt::format("Model '{}': the graph has a cycle at {}", model_.name_, t.layer->describe()));
    if (!layer_index_.count(t.layer.get())) layer_index_[t.layer.get()] = int(layer_index_.size());
    const Node& node = t.layer->inbound_nodes().at(size_t(t.node_index));
    if (node.inputs.empty() && !input_keys_.count(k))
      throw UsageError(fmt::format("Model '{}': graph disconnected: the value of '{}' is needed, but it is not one of "
                                   "the model's inputs",
                                   model_.name_, t.layer->name()));
    in_progress_.insert(k);
    for (const SymbolicTensor& in : node.inputs) visit(in);
    in_progress_.erase(k);
    done_.insert(k);
    order_.push_back(t);
  }

  void finish(const std::vector<SymbolicTensor>& outputs) {
    // Depths, from the outputs back: process nodes in reverse topological order.
    std::map<NodeKey, int> depth;
    for (const SymbolicTensor& o : outputs) depth[key_of(o)] = 0;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      const int d = depth[key_of(*it)];
      for (const SymbolicTensor& in : it->layer->inbound_nodes()[size_t(it->node_index)].inputs)
        depth[key_of(in)] = std::max(depth[key_of(in)], d + 1);
    }
    // Each layer once per model, and names unique.
    std::map<const Layer*, int> uses;
    std::map<std::string, const Layer*> names;
    for (const SymbolicTensor& t : order_) {
      if (++uses[t.layer.get()] > 1)
        throw UsageError(fmt::format("Model '{}': {} is called more than once in this model; minnow models use each "
                                     "layer once. Create a second layer instead.",
                                     model_.name_, t.layer->describe()));
      auto [it, fresh] = names.emplace(t.layer->name(), t.layer.get());
      if (!fresh)
        throw UsageError(fmt::format("Model '{}': the name '{}' is used by two layers; all layer names in a model must "
                                     "be unique",
                                     model_.name_, t.layer->name()));
    }
    // Execution and listing order: by depth, deepest first; ties by the order of the walk.
    std::vector<SymbolicTensor> sorted = order_;
    std::stable_sort(sorted.begin(), sorted.end(), [&](const SymbolicTensor& a, const SymbolicTensor& b) {
      const int da = depth[key_of(a)], db = depth[key_of(b)];
      if (da != db) return da > db;
      return layer_index_[a.layer.get()] < layer_index_[b.layer.get()];
    });
    std::map<NodeKey, int> slot;
    for (const SymbolicTensor& t : sorted) {
      const int s = int(slot.size());
      slot[key_of(t)] = s;
      const bool is_input = t.layer->class_name() == "InputLayer";
      model_.layer_nodes_.emplace_back(t.layer.get(), t.node_index);
      if (!is_input || model_.list_inputs_) model_.layers_.push_back(t.layer);
      if (is_input) continue;
      Model::Step step{t.layer, t.node_index, {}, s, depth[key_of(t)]};
      for (const SymbolicTensor& in : t.layer->inbound_nodes()[size_t(t.node_index)].inputs)
        step.input_slots.push_back(slot.at(key_of(in)));
      model_.steps_.push_back(std::move(step));
    }
    for (const SymbolicTensor& in : model_.inputs_) {
      if (!slot.count(key_of(in)))
        throw UsageError(
            fmt::format("Model '{}': input '{}' is not connected to any output", model_.name_, in.layer->name()));
      model_.input_slots_.push_back(slot.at(key_of(in)));
    }
    for (const SymbolicTensor& o : outputs) model_.output_slots_.push_back(slot.at(key_of(o)));
    model_.values_.assign(slot.size(), nullptr);
    model_.grads_.resize(slot.size());
    model_.grad_set_.assign(slot.size(), false);
  }

 private:
  Model& model_;
  std::set<NodeKey> input_keys_, done_, in_progress_;
  std::map<const Layer*, int> layer_index_;
  std::vector<SymbolicTensor> order_;
};

// ---- construction -------------------------------------------------------------------------

Model::Model(const SymbolicTensor& input, const SymbolicTensor& output, const std::string& name)
    : Model(std::vector<SymbolicTensor>{input}, std::vector<SymbolicTensor>{output}, name) {}

Model::Model(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs,
             const std::string& name)
    : name_(name.empty() ? unique_name("model") : name) {
  set_graph(inputs, outputs);
}

Model::Model(Deferred, const std::string& prefix, const std::string& name)
    : name_(name.empty() ? unique_name(prefix) : name) {}

void Model::set_graph(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs) {
  if (inputs.empty() || outputs.empty())
    throw UsageError(fmt::format("Model '{}' needs at least one input and one output", name_));
  const std::vector<SymbolicTensor> old_inputs = inputs_, old_outputs = outputs_;
  const bool had_graph = has_graph_;
  try {
    inputs_ = inputs;
    outputs_ = outputs;
    steps_.clear(), layers_.clear(), layer_nodes_.clear(), input_slots_.clear(), output_slots_.clear();
    has_forward_ = false;
    GraphBuilder builder(*this, inputs);
    for (const SymbolicTensor& o : outputs) {
      if (!o.layer) throw UsageError(fmt::format("Model '{}': an output is an empty symbolic tensor", name_));
      builder.visit(o);
    }
    builder.finish(outputs);
    has_graph_ = true;
  } catch (...) {  // leave the model as it was
    has_graph_ = false;
    if (had_graph) set_graph(old_inputs, old_outputs);
    throw;
  }
}

void Model::require_graph() const {
  if (!has_graph_)
    throw UsageError(fmt::format("Model '{}' is not built yet: add an Input first, call build(input_shape), or run it "
                                 "on a batch",
                                 name_));
}

const std::vector<std::shared_ptr<Layer>>& Model::layers() const { return layers_; }

const Node& Model::node_of(const Layer& layer) const {
  for (const auto& [l, node] : layer_nodes_)
    if (l == &layer) return layer.inbound_nodes().at(size_t(node));
  throw UsageError(fmt::format("Model '{}' does not contain {}", name_, layer.describe()));
}

Layer& Model::get_layer(const std::string& name) const {
  for (const auto& l : layers_)
    if (l->name() == name) return *l;
  throw UsageError(fmt::format("Model '{}' has no layer named '{}'", name_, name));
}

// ---- computing ----------------------------------------------------------------------------

void Model::prepare(const std::vector<const Tensor*>&) { require_graph(); }

// The public forward keeps a copy of the batch, so that backward still has it when the caller's
// tensor is gone; fit() and the other training calls own their batches and lend them.
const Tensor& Model::forward(const Tensor& x, Mode mode) {
  const Tensor* xs[1] = {&x};
  forward_copy(xs, mode);
  return *values_[size_t(output_slots_[0])];
}

std::vector<const Tensor*> Model::forward(const std::vector<const Tensor*>& xs, Mode mode) {
  forward_copy(xs, mode);
  std::vector<const Tensor*> out;
  for (int slot : output_slots_) out.push_back(values_[size_t(slot)]);
  return out;
}

void Model::forward_copy(std::span<const Tensor* const> xs, Mode mode) {
  if (!has_graph_) prepare(std::vector<const Tensor*>(xs.begin(), xs.end()));
  owned_inputs_.resize(xs.size());
  owned_pointers_.resize(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    if (xs[i] != &owned_inputs_[i]) {
      owned_inputs_[i].resize(xs[i]->shape());
      std::copy(xs[i]->data(), xs[i]->data() + xs[i]->size(), owned_inputs_[i].data());
    }
    owned_pointers_[i] = &owned_inputs_[i];
  }
  run_forward(owned_pointers_, mode);
}

const Tensor& Model::forward_borrowed(const Tensor& x, Mode mode) {
  if (!has_graph_) prepare({&x});
  const Tensor* xs[1] = {&x};
  run_forward(xs, mode);
  return *values_[size_t(output_slots_[0])];
}

void Model::run_forward(std::span<const Tensor* const> xs, Mode mode) {
  require_graph();
  if (xs.size() != input_slots_.size())
    throw UsageError(
        fmt::format("Model '{}' expects {} input tensor(s), but received {}", name_, input_slots_.size(), xs.size()));
  // Every check comes before any layer runs, so that a failing training forward moves no statistic.
  for (size_t i = 0; i < xs.size(); ++i) {
    const Shape& want = inputs_[i].shape();
    if (!xs[i]->shape().same_sample_shape(want))
      throw ShapeError(fmt::format("Model '{}': input '{}' expects a batch of shape {}, but received a tensor of shape "
                                   "{}",
                                   name_, inputs_[i].layer->name(), want, xs[i]->shape()));
    const long batch = xs[i]->shape()[0], first = xs[0]->shape()[0];
    if (batch == 0)
      throw ShapeError(
          fmt::format("Model '{}': input '{}' received an empty batch (0 samples)", name_, inputs_[i].layer->name()));
    if (batch != first)
      throw ShapeError(fmt::format("Model '{}': input '{}' received a batch of {} samples and input '{}' a batch of "
                                   "{}; every input needs the same batch size",
                                   name_, inputs_[0].layer->name(), first, inputs_[i].layer->name(), batch));
  }
  has_forward_ = false;
  for (size_t i = 0; i < xs.size(); ++i) values_[size_t(input_slots_[i])] = xs[i];
  for (const Step& s : steps_) {
    step_inputs_.clear();
    for (int slot : s.input_slots) step_inputs_.push_back(values_[size_t(slot)]);
    values_[size_t(s.output_slot)] = &s.layer->forward_borrowed(step_inputs_, mode);
  }
  forward_counts_.clear();
  for (const Step& s : steps_) forward_counts_.push_back(s.layer->forward_count());
  has_forward_ = true;
}

const Tensor& Model::backward(const Tensor& dy, bool input_gradients) {
  const Tensor* dys[1] = {&dy};
  run_backward(dys, input_gradients);
  return input_gradients ? grads_[size_t(input_slots_.at(0))] : no_gradient_;
}

std::vector<const Tensor*> Model::backward(const std::vector<const Tensor*>& dys) {
  run_backward(dys, true);
  std::vector<const Tensor*> out;
  for (int slot : input_slots_) out.push_back(&grads_[size_t(slot)]);
  return out;
}

void Model::run_backward(std::span<const Tensor* const> dys, bool input_gradients) {
  if (!has_forward_)
    throw UsageError(fmt::format("Model '{}': backward was called before forward (predict, evaluate and the "
                                 "training calls leave no forward behind for it)",
                                 name_));
  if (dys.size() != output_slots_.size())
    throw UsageError(fmt::format("Model '{}' has {} output(s), but backward received {} gradient(s)", name_,
                                 output_slots_.size(), dys.size()));
  is_input_slot_.assign(values_.size(), false);
  for (int slot : input_slots_) is_input_slot_[size_t(slot)] = true;
  // A layer shared with another model (or run by hand) caches its latest forward, not ours.
  for (size_t k = 0; k < steps_.size(); ++k)
    if (steps_[k].layer->forward_count() != forward_counts_[k])
      throw UsageError(fmt::format("Model '{}': {} has run another forward (in another model, or by hand) since this "
                                   "model's forward, so its cache no longer holds this model's batch. Run this "
                                   "model's forward again before its backward.",
                                   name_, steps_[k].layer->describe()));
  std::fill(grad_set_.begin(), grad_set_.end(), false);
  grad_of_.assign(values_.size(), nullptr);
  // dL/d(slot): the producer's own gradient tensor when one layer feeds the slot (no copy);
  // a tensor that feeds several layers gets the sum of their gradients, in grads_[slot].
  auto add_grad = [&](int slot, const Tensor& g) {
    Tensor& acc = grads_[size_t(slot)];
    if (!grad_set_[size_t(slot)]) {
      grad_of_[size_t(slot)] = &g;
      grad_set_[size_t(slot)] = true;
      return;
    }
    if (grad_of_[size_t(slot)] != &acc) {  // the second gradient: start the sum
      if (acc.shape() != g.shape()) acc.resize(g.shape());
      std::copy(grad_of_[size_t(slot)]->data(), grad_of_[size_t(slot)]->data() + g.size(), acc.data());
      grad_of_[size_t(slot)] = &acc;
    }
    acc.row() += g.row();
  };
  for (size_t i = 0; i < dys.size(); ++i) {
    const Tensor& y = *values_[size_t(output_slots_[i])];
    if (dys[i]->shape() != y.shape())
      throw ShapeError(fmt::format("Model '{}': the gradient for output {} has shape {}, but the output has shape {}",
                                   name_, i, dys[i]->shape(), y.shape()));
    add_grad(output_slots_[i], *dys[i]);
  }
  for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
    if (!grad_set_[size_t(it->output_slot)]) continue;  // nothing downstream depends on it
    // A layer fed only by the model's inputs computes its dL/dx only when the caller wants them.
    bool needs_dx = input_gradients;
    for (int slot : it->input_slots) needs_dx = needs_dx || !is_input_slot_[size_t(slot)];
    it->layer->backward(*grad_of_[size_t(it->output_slot)], needs_dx);
    const std::vector<Tensor>& dxs = it->layer->input_gradients();
    for (size_t k = 0; k < it->input_slots.size(); ++k)
      if (input_gradients || !is_input_slot_[size_t(it->input_slots[k])]) add_grad(it->input_slots[k], dxs[k]);
  }
  if (!input_gradients) return;
  for (int slot : input_slots_) {  // the model's input gradients live in grads_
    Tensor& g = grads_[size_t(slot)];
    if (!grad_set_[size_t(slot)]) {
      g.resize(values_[size_t(slot)]->shape()), g.fill(0);
    } else if (grad_of_[size_t(slot)] != &g) {
      const Tensor& src = *grad_of_[size_t(slot)];
      if (g.shape() != src.shape()) g.resize(src.shape());
      std::copy(src.data(), src.data() + src.size(), g.data());
    }
  }
}

// ---- weights ------------------------------------------------------------------------------

std::vector<Parameter*> Model::weights() const {
  std::vector<Parameter*> out;
  for (const auto& l : layers_)
    for (Parameter* p : l->weights()) out.push_back(p);
  return out;
}

std::vector<Parameter*> Model::trainable_weights() const {
  std::vector<Parameter*> out;
  for (Parameter* p : weights())
    if (p->trainable()) out.push_back(p);
  return out;
}

std::vector<Parameter*> Model::non_trainable_weights() const {
  std::vector<Parameter*> out;
  for (Parameter* p : weights())
    if (!p->trainable()) out.push_back(p);
  return out;
}

std::vector<Tensor> Model::get_weights() const {
  std::vector<Tensor> out;
  for (const Parameter* p : weights()) out.push_back(p->value);
  return out;
}

void Model::set_weights(const std::vector<Tensor>& values) {
  const std::vector<Parameter*> ps = weights();
  if (values.size() != ps.size())
    throw ShapeError(fmt::format("Model '{}': set_weights received {} arrays, but the model has {} weights", name_,
                                 values.size(), ps.size()));
  for (size_t i = 0; i < ps.size(); ++i)
    if (values[i].shape() != ps[i]->value.shape())
      throw ShapeError(fmt::format("Model '{}': set_weights received an array of shape {} (position {}) for weight "
                                   "'{}' of shape {}; no weight was changed",
                                   name_, values[i].shape(), i, ps[i]->full_name(), ps[i]->value.shape()));
  for (size_t i = 0; i < ps.size(); ++i) ps[i]->value = values[i];
}

long Model::count_params() const {
  long n = 0;
  for (const auto& l : layers_) n += l->count_params();
  return n;
}

void Model::save_weights(const std::string& path) const {
  require_graph();
  minnow::save_weights(*this, path);
}

void Model::load_weights(const std::string& path) {
  require_graph();
  minnow::load_weights(*this, path);
}

void Model::set_trainable(bool trainable) {
  for (const auto& l : layers_) l->set_trainable(trainable);
}

bool Model::is_sequential_like() const {
  if (!list_inputs_) return true;  // a Sequential
  std::map<int, int> per_depth;
  for (const Step& s : steps_) {
    if (++per_depth[s.depth] > 1 || s.input_slots.size() > 1) return false;
  }
  return inputs_.size() == 1;
}

}  // namespace minnow
