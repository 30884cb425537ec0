// The graph of a Model, run: forward in topological order, backward in reverse (model.h).
//
//   forward:  for each step s (a layer call):  values[s.output] = s.layer.forward(values[s.inputs])
//   backward: for each step s, in reverse:     dx = s.layer.backward(dL/d values[s.output])
//                                              dL/d values[s.inputs] += dx    (GradientSum)
// A step runs s.call: the layer itself, or for a shared layer's further calls a call instance
// holding the same Parameters (model/internal/graph.h), so that each call keeps its own cache.
#include "model/model.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/naming.h"
#include "model/internal/training.h"

namespace minnow {

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

Model::~Model() = default;

// A failing build leaves the model as it was: the new graph is assigned only once it is whole.
void Model::set_graph(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs) {
  graph_ = build_graph(name_, inputs, outputs, list_inputs_);
  exec_ = Execution{};
  exec_.values.assign(size_t(graph_.slots), nullptr);
  exec_.inputs.resize(graph_.input_slots.size());
  has_graph_ = true;
}

void Model::require_graph() const {
  if (!has_graph_)
    throw UsageError(fmt::format("Model '{}' is not built yet: add an Input first, call build(input_shape), or run it "
                                 "on a batch",
                                 name_));
}

const std::vector<std::shared_ptr<Layer>>& Model::layers() const { return graph_.layers; }

std::vector<const Node*> Model::nodes_of(const Layer& layer) const {
  std::vector<int> indices;
  for (const auto& [l, node] : graph_.layer_nodes)
    if (l == &layer) indices.push_back(node);
  if (indices.empty()) throw UsageError(fmt::format("Model '{}' does not contain {}", name_, layer.describe()));
  std::sort(indices.begin(), indices.end());
  std::vector<const Node*> out;
  for (int i : indices) out.push_back(&layer.inbound_nodes().at(size_t(i)));
  return out;
}

const Node& Model::node_of(const Layer& layer) const { return *nodes_of(layer).front(); }

Layer& Model::get_layer(const std::string& name) const {
  for (const auto& l : graph_.layers)
    if (l->name() == name) return *l;
  throw UsageError(fmt::format("Model '{}' has no layer named '{}'", name_, name));
}

bool Model::is_sequential_like() const {
  if (!list_inputs_) return true;  // a Sequential
  std::vector<int> per_depth;
  for (const Step& s : graph_.steps) {
    if (size_t(s.depth) >= per_depth.size()) per_depth.resize(size_t(s.depth) + 1, 0);
    if (++per_depth[size_t(s.depth)] > 1 || s.input_slots.size() > 1) return false;
  }
  return graph_.inputs.size() == 1;
}

// ---- forward ------------------------------------------------------------------------------

void Model::prepare(std::span<const Tensor* const>) { require_graph(); }

const Tensor& Model::forward(const Tensor& x, Mode mode) {
  const Tensor* xs[1] = {&x};
  load_inputs(xs);
  const Tensor& y = run(mode);
  exec_.by_user = true;
  return y;
}

std::vector<const Tensor*> Model::forward(const std::vector<const Tensor*>& xs, Mode mode) {
  load_inputs(xs);
  run(mode);
  exec_.by_user = true;
  std::vector<const Tensor*> out;
  for (int slot : graph_.output_slots) out.push_back(exec_.values[size_t(slot)]);
  return out;
}

// Every check comes before any layer runs, so that a failing training forward moves no statistic.
void Model::check_inputs(std::span<const Tensor* const> xs, const char* what) {
  if (!has_graph_) prepare(xs);
  if (xs.size() != graph_.input_slots.size())
    throw UsageError(fmt::format("Model '{}' expects {} input tensor(s), but received {}", name_,
                                 graph_.input_slots.size(), xs.size()));
  auto who = [&] { return what ? fmt::format("Model '{}': {}", name_, what) : fmt::format("Model '{}'", name_); };
  for (size_t i = 0; i < xs.size(); ++i) {
    const std::string& input = graph_.inputs[i].layer->name();
    const Shape& want = graph_.inputs[i].shape();
    if (!xs[i]->shape().same_sample_shape(want))
      throw ShapeError(fmt::format("{}: input '{}' expects a batch of shape {}, but received a tensor of shape {}",
                                   who(), input, want, xs[i]->shape()));
    const long batch = xs[i]->shape()[0], first = xs[0]->shape()[0];
    if (batch == 0) throw ShapeError(fmt::format("{}: input '{}' received an empty batch (0 samples)", who(), input));
    if (batch != first)
      throw ShapeError(fmt::format("{}: input '{}' received a batch of {} samples and input '{}' a batch of {}; every "
                                   "input needs the same batch size",
                                   who(), graph_.inputs[0].layer->name(), first, input, batch));
  }
}

void Model::load_inputs(std::span<const Tensor* const> xs) {
  check_inputs(xs);
  for (size_t i = 0; i < xs.size(); ++i) {  // the one copy of the batch
    Tensor& slot = exec_.inputs[i];
    if (xs[i] == &slot) continue;
    slot.resize(xs[i]->shape());
    std::copy(xs[i]->data(), xs[i]->data() + xs[i]->size(), slot.data());
  }
}

const Tensor& Model::run(Mode mode) {
  exec_.ran = exec_.by_user = false;
  for (size_t i = 0; i < graph_.input_slots.size(); ++i) exec_.values[size_t(graph_.input_slots[i])] = &exec_.inputs[i];
  for (const Step& s : graph_.steps) {
    exec_.step_inputs.clear();
    for (int slot : s.input_slots) exec_.step_inputs.push_back(exec_.values[size_t(slot)]);
    exec_.values[size_t(s.output_slot)] = &s.call->forward(exec_.step_inputs, mode);
  }
  exec_.forward_counts.clear();
  for (const Step& s : graph_.steps) exec_.forward_counts.push_back(s.call->forward_count());
  exec_.ran = true;
  return *exec_.values[size_t(graph_.output_slots[0])];
}

// ---- backward -----------------------------------------------------------------------------

namespace {

// One step's backward. A layer's backward ASSIGNS its weight gradients; a shared layer's calls
// c = 1..n share the weights W, so the model sums them: dL/dW = sum over c of dL/dW_c. The first
// call run backward assigns; each further one keeps the sum so far, assigns its own, adds the sum.
void backward_step(Execution& exec, const Step& s, const Tensor& dy, bool input_gradients) {
  const bool summing =
      s.shared && std::find(exec.summed.begin(), exec.summed.end(), s.layer.get()) != exec.summed.end();
  std::vector<Parameter*> weights;
  if (summing) {
    weights = s.layer->trainable_weights();
    exec.saved.resize(weights.size());
    for (size_t i = 0; i < weights.size(); ++i) exec.saved[i] = weights[i]->grad;
  }
  s.call->backward(dy, input_gradients);
  if (!summing) {
    if (s.shared) exec.summed.push_back(s.layer.get());
    return;
  }
  for (size_t i = 0; i < weights.size(); ++i) weights[i]->grad.matrix() += exec.saved[i].matrix();
}

}  // namespace

const Tensor& Model::backward(const Tensor& dy, bool input_gradients) {
  const Tensor* dys[1] = {&dy};
  check_user_forward();
  run_backward(dys, input_gradients);
  return input_gradients ? exec_.grads.get(graph_.input_slots.at(0)) : exec_.no_gradient;
}

std::vector<const Tensor*> Model::backward(const std::vector<const Tensor*>& dys) {
  check_user_forward();
  run_backward(dys, true);
  std::vector<const Tensor*> out;
  for (int slot : graph_.input_slots) out.push_back(&exec_.grads.get(slot));
  return out;
}

void Model::check_user_forward() const {
  if (!exec_.ran || !exec_.by_user)
    throw UsageError(fmt::format("Model '{}': backward was called before forward (predict, evaluate and the "
                                 "training calls leave no forward behind for it)",
                                 name_));
}

void Model::check_gradients(std::span<const Tensor* const> dys) const {
  if (dys.size() != graph_.output_slots.size())
    throw UsageError(fmt::format("Model '{}' has {} output(s), but backward received {} gradient(s)", name_,
                                 graph_.output_slots.size(), dys.size()));
  // A layer shared with another model (or run by hand) caches its latest forward, not ours.
  for (size_t k = 0; k < graph_.steps.size(); ++k)
    if (graph_.steps[k].call->forward_count() != exec_.forward_counts[k])
      throw UsageError(fmt::format("Model '{}': {} has run another forward (in another model, or by hand) since this "
                                   "model's forward, so its cache no longer holds this model's batch. Run this "
                                   "model's forward again before its backward.",
                                   name_, graph_.steps[k].layer->describe()));
  for (size_t i = 0; i < dys.size(); ++i) {
    const Tensor& y = *exec_.values[size_t(graph_.output_slots[i])];
    if (dys[i]->shape() != y.shape())
      throw ShapeError(fmt::format("Model '{}': the gradient for output {} has shape {}, but the output has shape {}",
                                   name_, i, dys[i]->shape(), y.shape()));
  }
}

void Model::run_backward(std::span<const Tensor* const> dys, bool input_gradients) {
  check_gradients(dys);
  GradientSum& grads = exec_.grads;
  grads.reset(size_t(graph_.slots));
  exec_.summed.clear();
  for (size_t i = 0; i < dys.size(); ++i) grads.add(graph_.output_slots[i], *dys[i]);
  for (auto s = graph_.steps.rbegin(); s != graph_.steps.rend(); ++s) {
    if (!grads.has(s->output_slot)) continue;  // nothing downstream depends on it
    // A layer fed only by the model's inputs computes its dL/dx only when the caller wants them.
    backward_step(exec_, *s, grads.get(s->output_slot), input_gradients || !s->reads_only_model_inputs);
    const std::vector<Tensor>& dxs = s->call->input_gradients();
    for (size_t k = 0; k < s->input_slots.size(); ++k)
      if (input_gradients || !graph_.is_input_slot[size_t(s->input_slots[k])]) grads.add(s->input_slots[k], dxs[k]);
  }
  if (!input_gradients) return;
  for (size_t i = 0; i < graph_.input_slots.size(); ++i)  // kept in the model: the layers' dx change next time
    grads.own(graph_.input_slots[i], exec_.inputs[i].shape());
}

}  // namespace minnow
