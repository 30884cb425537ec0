// The stepper's state machine: forward, loss, backward and update, one piece per key.
#include "tools/stepper.h"

#include <fmt/format.h>

#include "core/error.h"
#include "layers/batch_normalization.h"
#include "model/graph_queries.h"
#include "model/losses.h"
#include "model/model.h"
#include "optim/optimizer.h"
#include "tools/equations.h"
#include "tools/trace.h"

namespace minnow {

namespace {

std::string fixed(double v, int decimals = 4) {
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

// The model's layers in execution order, with the input layer first even for a Sequential.
std::vector<Layer*> layers_in_order(const Model& model) {
  if (model.inputs().size() != 1 || model.outputs().size() != 1)
    throw UsageError(fmt::format("Model '{}': the stepper runs models with one input and one output, but it has {} "
                                 "input(s) and {} output(s)",
                                 model.name(), model.inputs().size(), model.outputs().size()));
  Layer* input = model.inputs()[0].layer.get();
  std::vector<Layer*> out{input};
  for (const auto& l : model.layers())
    if (l.get() != input) out.push_back(l.get());
  return out;
}

// The statistics of t, four decimals each (a value that rounds to 0 prints as 0.0000, never -0.0000);
// with zeros, the share of values exactly 0 (dead ReLU units, in an output).
std::string stats_line(const Tensor& t, bool zeros = false) {
  const TensorStats s = tensor_stats(t);
  std::string out =
      fmt::format("mean {}  std {}  min {}  max {}", fixed(s.mean), fixed(s.stddev), fixed(s.min), fixed(s.max));
  if (zeros) out += fmt::format("  zeros {:.1f}%", 100 * s.zero_fraction);
  return out + fmt::format("  |.| {}", fixed(l2_norm(t)));
}

std::string equation_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "  " + l + "\n";
  return out;
}

}  // namespace

Stepper::Stepper(Model& model, BatchSource batches, Mode mode)
    : model_(model), batches_(std::move(batches)), mode_(mode), layers_(layers_in_order(model)) {
  refuse_shared_layers(model, "Stepper");  // it runs the model one layer at a time
  model.optimizer();                       // both throw a UsageError naming the model before compile()
  model.loss();
  batch_ = batches_(0);
}

std::string Stepper::run(const std::string& command) {
  try {
    return dispatch(command);
  } catch (const std::exception& e) {
    return fmt::format("error: {}\n", e.what());
  }
}

std::string Stepper::dispatch(const std::string& command) {
  const std::string key = command.substr(0, 1), rest = command.size() > 1 ? command.substr(1) : "";
  if (key == "p") return print(rest);
  if (!rest.empty() && rest.find_first_not_of(' ') != std::string::npos)
    throw UsageError(fmt::format("'{}': only p takes an argument (p <tensor>); h lists the keys", command));
  if (key == "f") return forward();
  if (key == "l") return compute_loss();
  if (key == "b") return backward();
  if (key == "o") return update();
  if (key == "n") return next_batch();
  if (key == "m") return toggle_mode();
  if (key == "s") return batch_norm_stats();
  if (key == "e") return equations();
  if (key == "g") return graph();
  if (key == "h" || key == "?") return help();
  if (key == "q") {
    quit_ = true;
    return "bye\n";
  }
  throw UsageError(fmt::format("unknown key '{}': h lists the keys", command));
}

// ---- forward and loss -----------------------------------------------------------------------

std::string Stepper::forward() {
  if (next_forward_ == layers_.size())
    throw UsageError(
        fmt::format("f: all {} layers have run forward on this batch; next: {}", layers_.size() - 1, next_action()));
  Layer& layer = *layers_[next_forward_];
  std::vector<const Tensor*> xs;
  std::string from;
  for (const SymbolicTensor& in : model_.node_of(layer).inputs) {
    xs.push_back(in.layer.get() == layers_[0] ? &batch_.x : &in.layer->output());
    from += (from.empty() ? "" : ", ") + in.layer->name();
  }
  auto* bn = dynamic_cast<BatchNormalizationLayer*>(&layer);
  if (bn) moving_before_[bn] = {bn->weight("moving_mean").value, bn->weight("moving_variance").value};
  const Tensor& y = xs.size() == 1 ? layer.forward(*xs[0], mode_) : layer.forward(xs, mode_);
  if (bn) last_bn_ = bn;
  ++next_forward_;
  last_ = Last::Forward, last_layer_ = &layer;
  const Equations eq = layer_equations(layer);
  return fmt::format("forward {}/{}  {} ({}) <- {}, {} mode   [{}]\n{}  output {}: {}\n{}", next_forward_ - 1,
                     layers_.size() - 1, layer.name(), layer.class_name(), from, to_string(mode_), eq.source,
                     equation_lines(eq.forward), y.shape().str(), stats_line(y, true), hint());
}

std::string Stepper::compute_loss() {
  if (next_forward_ < layers_.size())
    throw UsageError(fmt::format("l: the loss needs the model's output, but only {} of {} layers have run forward "
                                 "(f runs {} next)",
                                 next_forward_ - 1, layers_.size() - 1, layers_[next_forward_]->name()));
  if (backward_done_ > 0)
    throw UsageError(fmt::format("l: the loss of this batch is computed ({:.6f}); next: {}", *loss_, next_action()));
  const Loss& loss = model_.loss();
  loss_ = loss.compute(layers_.back()->output(), batch_.y, &loss_grad_);
  last_ = Last::Loss;
  const Equations eq = loss_equations(loss);
  return fmt::format("loss  {} = {:.6f}   [{}]\n{}  dL/dy_pred {}: {}\n{}", loss.name(), *loss_, eq.source,
                     equation_lines(eq.forward) + equation_lines(eq.backward), loss_grad_.shape().str(),
                     stats_line(loss_grad_), hint());
}

// ---- backward -------------------------------------------------------------------------------

std::string Stepper::backward() {
  if (!loss_)
    throw UsageError(next_forward_ < layers_.size()
                         ? fmt::format("b: no loss yet: the forward pass is at layer {} of {} (f runs {}); then l",
                                       next_forward_ - 1, layers_.size() - 1, layers_[next_forward_]->name())
                         : std::string("b: no loss yet: l computes the loss and dL/dy_pred that backward starts from"));
  if (backward_done_ + 1 == layers_.size())
    throw UsageError(
        fmt::format("b: the backward pass is done (all {} layers); next: {}", backward_done_, next_action()));
  Layer& layer = *layers_[layers_.size() - 1 - backward_done_];
  if (&layer == layers_.back()) grads_[&layer] = loss_grad_;
  const Tensor& dy = grads_.at(&layer);
  layer.backward(dy);
  std::string out = fmt::format("backward {}/{}  {} ({})   [{}]\n", backward_done_ + 1, layers_.size() - 1,
                                layer.name(), layer.class_name(), layer_equations(layer).source);
  out += equation_lines(layer_equations(layer).backward);
  out += fmt::format("  dL/dy {}: {}\n", dy.shape().str(), stats_line(dy));
  for (const Parameter* p : layer.weights())
    if (p->trainable()) out += fmt::format("  dL/d{} {}: {}\n", p->name, p->grad.shape().str(), stats_line(p->grad));
  const std::vector<SymbolicTensor>& ins = model_.node_of(layer).inputs;
  for (size_t k = 0; k < ins.size(); ++k) {
    const Tensor& dx = layer.input_gradients()[k];
    auto [it, first] = grads_.try_emplace(ins[k].layer.get(), dx);
    if (!first) it->second.row() += dx.row();  // a tensor feeding several layers: the gradients add
    out += fmt::format("  dL/dx {} -> {}: {}\n", dx.shape().str(), ins[k].layer->name(), stats_line(dx));
  }
  ++backward_done_;
  last_ = Last::Backward, last_layer_ = &layer;
  return out + hint();
}

const Tensor& Stepper::output_grad(const Layer& layer) const {
  const auto it = grads_.find(&layer);
  if (it == grads_.end())
    throw UsageError(fmt::format("{}: no gradient has reached its output yet (b runs the backward, last layer first)",
                                 layer.describe()));
  return it->second;
}

// ---- the optimizer --------------------------------------------------------------------------

std::string Stepper::update() {
  if (!updated_ && backward_done_ + 1 < layers_.size())
    throw UsageError(fmt::format("o: the optimizer needs every weight's gradient, but the backward pass has run {} of "
                                 "{} layers{}",
                                 backward_done_, layers_.size() - 1, loss_ ? " (b runs the next)" : " (no loss yet)"));
  if (!updated_) {
    trainable_ = model_.trainable_weights();
    before_update_.clear();
    for (const Parameter* p : trainable_) before_update_.push_back(p->value);
    model_.optimizer().apply_gradients(trainable_);  // the one update of train_on_batch
    updated_ = true, updates_shown_ = 0;
  }
  if (updates_shown_ == trainable_.size())
    throw UsageError(fmt::format("o: all {} trainable weights were shown; n takes the next batch", trainable_.size()));
  const Optimizer& opt = model_.optimizer();
  const size_t i = updates_shown_++;
  const Parameter& p = *trainable_[i];
  const Tensor& before = before_update_[i];
  Tensor change = p.value;
  change.row() -= before.row();
  std::string out =
      fmt::format("update {}/{}  {}/{} {}   {}, learning rate {}   [{}]\n", i + 1, trainable_.size(), p.layer_name,
                  p.name, p.value.shape().str(), opt.name(), opt.learning_rate(), optimizer_equations(opt).source);
  if (i == 0) out += equation_lines(optimizer_equations(opt).forward);
  out += fmt::format("  before: {}\n  after:  {}\n  change: {}\n  grad:   {}\n", stats_line(before),
                     stats_line(p.value), stats_line(change), stats_line(p.grad));
  const long n = std::min(4L, before.size());
  std::string b, a;
  for (long k = 0; k < n; ++k)
    b += fmt::format(" {}", fixed(before[k], 6)), a += fmt::format(" {}", fixed(p.value[k], 6));
  out += fmt::format("  first {} values: before{} -> after{}\n", n, b, a);
  last_ = Last::Update;
  return out + hint();
}

// ---- batches and modes ----------------------------------------------------------------------

std::string Stepper::start_pass() {
  next_forward_ = 1, backward_done_ = 0, updates_shown_ = 0;
  loss_.reset();
  grads_.clear();
  moving_before_.clear();
  updated_ = false, last_ = Last::Nothing, last_layer_ = nullptr, last_bn_ = nullptr;
  return fmt::format("batch {}: x {}, y {}; {} mode; the pass starts at the first layer\n", batch_index_ + 1,
                     batch_.x.shape().str(), batch_.y.shape().str(), to_string(mode_)) +
         hint();
}

std::string Stepper::next_batch() {
  batch_ = batches_(++batch_index_);
  return start_pass();
}

std::string Stepper::toggle_mode() {
  mode_ = mode_ == Mode::Training ? Mode::Inference : Mode::Training;
  return fmt::format("mode: {} ({})\n", to_string(mode_),
                     mode_ == Mode::Training
                         ? "BatchNormalization normalizes with the batch's statistics and moves its "
                           "moving statistics; Dropout drops"
                         : "BatchNormalization normalizes with its moving statistics; Dropout "
                           "passes x through") +
         start_pass();
}

std::string Stepper::hint() const { return "  next: " + next_action() + "\n"; }

std::string Stepper::status() const {
  return fmt::format("batch {}, {} mode, next: {}", batch_index_ + 1, to_string(mode_), next_action());
}

std::string Stepper::next_action() const {
  std::string next;
  if (next_forward_ < layers_.size())
    next = fmt::format("f (forward {}, {}/{})", layers_[next_forward_]->name(), next_forward_, layers_.size() - 1);
  else if (!loss_) next = "l (the loss)";
  else if (backward_done_ + 1 < layers_.size())
    next = fmt::format("b (backward {}, {}/{})", layers_[layers_.size() - 1 - backward_done_]->name(),
                       backward_done_ + 1, layers_.size() - 1);
  else if (!updated_ || updates_shown_ < trainable_.size()) next = "o (the optimizer's update)";
  else next = "n (the next batch)";
  return next;
}

}  // namespace minnow
