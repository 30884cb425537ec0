#include "core/layer.h"

#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/naming.h"

namespace minnow {

const Shape& SymbolicTensor::shape() const { return layer->output_shape(); }

Layer::Layer(std::string class_name, const std::string& name)
    : class_name_(std::move(class_name)), name_(name.empty() ? unique_name(to_snake_case(class_name_)) : name) {}

std::string Layer::describe() const { return fmt::format("{} '{}'", class_name_, name_); }

std::shared_ptr<Layer> Layer::clone() const {
  throw UsageError(
      fmt::format("{} cannot be copied: layers of class {} do not implement clone()", describe(), class_name_));
}

// A call instance holds no weights of its own: its build_impl's add_weight calls return the
// owner's Parameters (add_weight below), so the layer classes know nothing of sharing.
std::shared_ptr<Layer> Layer::call_instance(const std::vector<Shape>& input_shapes) {
  if (owner_) return owner_->call_instance(input_shapes);
  if (!built_) throw UsageError(fmt::format("{} is not built: it has no weights to share yet", describe()));
  std::shared_ptr<Layer> instance = clone();
  instance->owner_ = shared_from_this();
  instance->build(input_shapes);
  if (instance->params_.size() != params_.size())
    throw UsageError(fmt::format("{}: a call on inputs of shape(s) {} would use {} weights, but the layer has {}",
                                 describe(), fmt::join(input_shapes, ", "), instance->params_.size(), params_.size()));
  return instance;
}

// ---- the functional API -------------------------------------------------------------------

SymbolicTensor Layer::operator()(const SymbolicTensor& x) { return (*this)(std::vector<SymbolicTensor>{x}); }

namespace {
// True when `layer` made t or any tensor t was computed from.
bool computed_by(const SymbolicTensor& t, const Layer* layer, std::set<std::pair<const Layer*, int>>& seen) {
  if (t.layer.get() == layer) return true;
  if (!seen.insert({t.layer.get(), t.node_index}).second) return false;
  for (const SymbolicTensor& in : t.layer->inbound_nodes().at(size_t(t.node_index)).inputs)
    if (computed_by(in, layer, seen)) return true;
  return false;
}
}  // namespace

SymbolicTensor Layer::operator()(const std::vector<SymbolicTensor>& xs) {
  check_input_count(xs.size());
  std::vector<Shape> shapes;
  std::set<std::pair<const Layer*, int>> seen;
  for (const SymbolicTensor& x : xs) {
    if (!x.layer) throw UsageError(fmt::format("{} was called on an empty symbolic tensor", describe()));
    // The node would hold its own layer through its inputs: a cycle of shared pointers, never freed,
    // and a graph no model can run (a call would need its own output). Calls on separate paths (a
    // shared layer) are fine: a model runs each on its own call instance (call_instance).
    if (computed_by(x, this, seen))
      throw UsageError(fmt::format("{} is called on a tensor computed from its own output; a layer cannot be "
                                   "called more than once along one path. Create a second layer instead.",
                                   describe()));
    shapes.push_back(x.shape());
  }
  build(shapes);
  nodes_.push_back(Node{xs});
  return SymbolicTensor{shared_from_this(), static_cast<int>(nodes_.size()) - 1, 0};
}

// ---- shapes -------------------------------------------------------------------------------

void Layer::check_input_count(size_t n) const {
  const int want = expected_inputs();
  if (want == -1 && n < 2)
    throw UsageError(fmt::format("{} expects a list of at least 2 inputs, but received {}", describe(), n));
  if (want > 0 && static_cast<int>(n) != want)
    throw UsageError(fmt::format("{} expects {} input{}, but received {}", describe(), want, want == 1 ? "" : "s", n));
  // A layer that takes any number of inputs (Add) keeps the number it was built with.
  if (built_ && n != input_shapes_.size())
    throw UsageError(fmt::format("{} was built for {} inputs, but received {}", describe(), input_shapes_.size(), n));
}

void Layer::build(const std::vector<Shape>& input_shapes) {
  check_input_count(input_shapes.size());
  std::vector<Shape> shapes;
  for (const Shape& s : input_shapes) shapes.push_back(s.with_batch(Shape::kNone));
  if (built_) {  // already built: the new input must have the same shape
    for (size_t i = 0; i < shapes.size(); ++i)
      if (!shapes[i].same_sample_shape(input_shapes_[i]))
        throw ShapeError(fmt::format("{} was built for inputs of shape {}, but received {}", describe(),
                                     input_shapes_[i], shapes[i]));
    return;
  }
  for (const Shape& s : input_shapes)  // as received: a (3,) tensor is not reported as (None,)
    if (s.rank() < 2)
      throw ShapeError(
          fmt::format("{} expects inputs with a batch axis and at least one more, but received {}", describe(), s));
  output_shape_ = expected_inputs() == 1 ? build_impl(shapes[0]) : build_multi_impl(shapes);
  input_shapes_ = std::move(shapes);
  built_ = true;
}

const Shape& Layer::input_shape() const {
  if (!built_) throw UsageError(fmt::format("{} has no input shape yet: it is not built", describe()));
  return input_shapes_.at(0);
}

const Shape& Layer::output_shape() const {
  if (!built_) throw UsageError(fmt::format("{} has no output shape yet: it is not built", describe()));
  return output_shape_;
}

// ---- computing ----------------------------------------------------------------------------

const Tensor& Layer::forward(const Tensor& x, Mode mode) {
  const Tensor* xs[1] = {&x};
  return run_forward(xs, mode);
}

const Tensor& Layer::forward(const std::vector<const Tensor*>& xs, Mode mode) { return run_forward(xs, mode); }

// An InputLayer (a layer with no inputs in the graph) run by hand takes one batch and passes it
// through, checked against its shape: stepping through model.layers() works from the first one.
void Layer::check_forward_inputs(std::span<const Tensor* const> xs) const {
  const bool source = expected_inputs() == 0;
  if (source && xs.size() != 1)
    throw UsageError(
        fmt::format("{} passes one batch through when run by hand, but received {} inputs", describe(), xs.size()));
  if (!source) check_input_count(xs.size());
  const long batch = xs[0]->shape().rank() > 0 ? xs[0]->shape()[0] : 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Shape& got = xs[i]->shape();
    const Shape& want = source ? output_shape_ : input_shapes_[i];
    if (!got.same_sample_shape(want))
      throw ShapeError(fmt::format("{} expects input{} of shape {}, but received a tensor of shape {}", describe(),
                                   xs.size() > 1 ? fmt::format(" {}", i) : "", want, got));
    if (got[0] != batch)
      throw ShapeError(
          fmt::format("{} received inputs with different batch sizes: {} and {}", describe(), batch, got[0]));
  }
  if (batch == 0) throw ShapeError(fmt::format("{} received an empty batch (0 samples)", describe()));
}

const Tensor& Layer::run_forward(std::span<const Tensor* const> xs, Mode mode) {
  if (!built_ && expected_inputs() != 0) {
    check_input_count(xs.size());
    std::vector<Shape> shapes;
    for (const Tensor* x : xs) shapes.push_back(x->shape());
    build(shapes);
  }
  check_forward_inputs(xs);
  // Resized only when the batch size changes, so that a steady-state step does not allocate.
  const long batch = xs[0]->shape()[0];
  if (!views_input() && (y_.shape().rank() == 0 || y_.shape()[0] != batch)) y_.resize(output_shape_.with_batch(batch));
  inputs_.resize(xs.size());  // shared, not copied: backward reads them, whatever the caller does
  input_ptrs_.resize(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) inputs_[i].share(*xs[i]), input_ptrs_[i] = &inputs_[i];
  if (expected_inputs() == 1) forward_impl(inputs_[0], y_, mode);
  else forward_multi_impl(input_ptrs_, y_, mode);
  has_forward_ = true;
  ++forward_count_;
  last_mode_ = mode;
  return y_;
}

const Tensor& Layer::backward(const Tensor& dy, bool input_gradients) {
  if (!has_forward_) throw UsageError(fmt::format("{}: backward was called before any forward", describe()));
  if (dy.shape() != y_.shape())
    throw ShapeError(fmt::format("{}: backward expects a gradient of the output's shape {}, but received {}",
                                 describe(), y_.shape(), dy.shape()));
  const bool source = expected_inputs() == 0;  // an InputLayer: dx = dy, of its own shape
  dx_.resize(source ? 1 : input_shapes_.size());
  const long batch = y_.shape()[0];
  for (size_t i = 0; i < dx_.size(); ++i)
    if (!views_input() && (dx_[i].shape().rank() == 0 || dx_[i].shape()[0] != batch))
      dx_[i].resize((source ? output_shape_ : input_shapes_[i]).with_batch(batch));
  input_gradients_needed_ = input_gradients;
  if (expected_inputs() == 1) backward_impl(dy, dx_[0]);
  else backward_multi_impl(dy, dx_);
  input_gradients_needed_ = true;
  return dx_[0];
}

Shape Layer::build_multi_impl(const std::vector<Shape>& input_shapes) { return build_impl(input_shapes.at(0)); }
void Layer::forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode mode) {
  forward_impl(*xs.at(0), y, mode);
}
void Layer::backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) { backward_impl(dy, dxs.at(0)); }

// ---- weights ------------------------------------------------------------------------------

Parameter& Layer::add_weight(const std::string& name, const Shape& shape, const Initializer& init, bool trainable) {
  if (owner_) {  // a call instance: the owner's weight of that name, which must have that shape
    Parameter& shared = owner_->weight(name);
    if (shared.value.shape() != shape)
      throw ShapeError(fmt::format("{}: this call needs weight '{}' of shape {}, but the layer's has shape {}; a "
                                   "shared layer's calls share its weights, so their shapes must agree",
                                   describe(), name, shape, shared.value.shape()));
    params_.push_back(&shared);
    return shared;
  }
  auto p = std::make_unique<Parameter>();
  p->name = name;
  p->layer_name = name_;
  Tensor value;
  try {
    value = Tensor(shape);
  } catch (const AllocationError& e) {  // say whose weight it is before the layer exists
    throw AllocationError(fmt::format("{}: weight '{}': {}", describe(), name, e.what()));
  }
  initialize(value, init);
  p->value.create(std::move(value), fmt::format("{}, weight '{}'", describe(), name));
  p->trainable_by_design = trainable;
  p->frozen = !trainable_;
  if (trainable) p->grad = Tensor(shape);
  params_.push_back(p.get());
  owned_.push_back(std::move(p));
  return *params_.back();
}

std::vector<Parameter*> Layer::weights() {
  std::vector<Parameter*> out;
  for (Parameter* p : params_) out.push_back(p);
  return out;
}

std::vector<const Parameter*> Layer::weights() const {
  std::vector<const Parameter*> out;
  for (const Parameter* p : params_) out.push_back(p);
  return out;
}

std::vector<Parameter*> Layer::trainable_weights() {
  std::vector<Parameter*> out;
  for (auto& p : params_)
    if (p->trainable()) out.push_back(p);
  return out;
}

std::vector<Parameter*> Layer::non_trainable_weights() {
  std::vector<Parameter*> out;
  for (auto& p : params_)
    if (!p->trainable()) out.push_back(p);
  return out;
}

Parameter& Layer::weight(const std::string& name) {
  for (auto& p : params_)
    if (p->name == name) return *p;
  throw UsageError(fmt::format("{} has no weight named '{}'", describe(), name));
}

std::vector<Tensor> Layer::get_weights() const {
  std::vector<Tensor> out;
  for (const auto& p : params_) out.push_back(p->value);
  return out;
}

void Layer::set_weights(const std::vector<Tensor>& values) {
  std::vector<std::string> names;
  for (const auto& p : params_) names.push_back(p->name);
  if (values.size() != params_.size())
    throw ShapeError(fmt::format("{}: set_weights received {} arrays, but the layer has {} weights ({})", describe(),
                                 values.size(), params_.size(), fmt::join(names, ", ")));
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].shape() != params_[i]->value.shape())
      throw ShapeError(fmt::format("{}: set_weights received an array of shape {} for weight '{}' of shape {}; no "
                                   "weight was changed",
                                   describe(), values[i].shape(), params_[i]->name, params_[i]->value.shape()));
  for (size_t i = 0; i < values.size(); ++i) params_[i]->value = values[i];
}

long Layer::count_params() const {
  long n = 0;
  for (const auto& p : params_) n += p->size();
  return n;
}

long Layer::count_trainable_params() const {
  long n = 0;
  for (const auto& p : params_)
    if (p->trainable()) n += p->size();
  return n;
}

void Layer::set_trainable(bool trainable) {
  if (owner_) return owner_->set_trainable(trainable);  // a call instance freezes what it shares
  trainable_ = trainable;
  for (auto& p : params_) p->frozen = !trainable;
}

}  // namespace minnow
