// What the stepper shows without moving: tensors (p), BatchNormalization's statistics (s), the
// equations (e), the graph (g) and the keys (h).
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "layers/batch_normalization.h"
#include "model/losses.h"
#include "model/model.h"
#include "optim/optimizer.h"
#include "tools/equations.h"
#include "tools/stepper.h"
#include "tools/tensor_slice.h"
#include "tools/trace.h"

namespace minnow {

namespace {

constexpr const char* kTensorNames =
    "x, y, loss/grad, LAYER/output, LAYER/grad (dL/dy), LAYER/dx, LAYER/WEIGHT, LAYER/WEIGHT.grad";

std::string stats_of(const Tensor& t) {
  const TensorStats s = tensor_stats(t);
  return fmt::format("mean {:.4f}  std {:.4f}  min {:.4f}  max {:.4f}", s.mean, s.stddev, s.min, s.max);
}

}  // namespace

const Layer& Stepper::find_layer(const std::string& name, const std::string& what) const {
  for (const Layer* l : layers_)
    if (l->name() == name) return *l;
  std::string names;
  for (const Layer* l : layers_) names += (names.empty() ? "" : ", ") + l->name();
  throw UsageError(fmt::format("{}: model '{}' has no layer '{}' (its layers: {})", what, model_.name(), name, names));
}

const Tensor& Stepper::find_tensor(const std::string& name) const {
  const std::string what = "p " + name;
  if (name == "x") return batch_.x;
  if (name == "y") return batch_.y;
  if (name == "loss/grad") {
    if (!loss_) throw UsageError(what + ": no loss yet in this pass (l computes it after the forward)");
    return loss_grad_;
  }
  const size_t slash = name.find('/');
  if (slash == std::string::npos)
    throw UsageError(fmt::format("{}: no tensor '{}'; the names are {}", what, name, kTensorNames));
  const Layer& layer = find_layer(name.substr(0, slash), what);
  const std::string part = name.substr(slash + 1);
  const auto index = size_t(std::find(layers_.begin(), layers_.end(), &layer) - layers_.begin());
  const bool ran_forward = index < next_forward_, ran_backward = index + backward_done_ >= layers_.size();
  if (part == "output") {
    if (index == 0) return batch_.x;
    if (!ran_forward) throw UsageError(fmt::format("{}: {} has not run forward in this pass", what, layer.name()));
    return layer.output();
  }
  if (part == "grad") return output_grad(layer);
  if (part == "dx" || part.ends_with(".grad")) {
    if (index == 0 || !ran_backward)
      throw UsageError(fmt::format("{}: {} has not run backward in this pass", what, layer.name()));
    if (part == "dx") return layer.input_gradients()[0];
  }
  const std::string weight = part.ends_with(".grad") ? part.substr(0, part.size() - 5) : part;
  std::string names;
  for (const Parameter* p : layer.weights()) {
    if (p->name == weight && weight != part && !p->trainable())
      throw UsageError(fmt::format("{}: {} is not trained, so it has no gradient", what, weight));
    if (p->name == weight) return weight == part ? p->value.tensor() : p->grad;
    names += ", " + p->name;
  }
  throw UsageError(
      fmt::format("{}: {} has no tensor '{}' (it has output, grad, dx{})", what, layer.describe(), part, names));
}

std::string Stepper::print(const std::string& expression) const {
  if (expression.find_first_not_of(' ') == std::string::npos)
    throw UsageError(fmt::format("p: which tensor? e.g. p dense/kernel[0:3, 0:4]; the names are {}", kTensorNames));
  const TensorRef ref = parse_tensor_ref(expression);
  const Tensor& t = find_tensor(ref.name);
  std::string out = fmt::format("{} {}: {}\n", ref.name, t.shape().str(), stats_of(t));
  if (ref.axes.empty()) return out + format_values(t, 48);
  const std::vector<AxisRange> ranges = resolve_slice(ref.axes, t.shape(), fmt::format("p {}", expression));
  const Tensor s = slice_tensor(t, ranges);
  return out + fmt::format("{}{} {}: {}\n", ref.name, ref.slice_text, s.shape().str(), stats_of(s)) + format_values(s);
}

// ---- BatchNormalization's statistics --------------------------------------------------------

namespace {

// Per-channel mean and biased variance of x over every axis but `axis`, in double: (F1).
void channel_moments(const Tensor& x, long axis, std::vector<double>& mean, std::vector<double>& var) {
  const Shape& s = x.shape();
  const long a = s.normalize_axis(axis), C = s[a], inner = s.num_elements_from(a + 1), m = x.size() / C;
  mean.assign(size_t(C), 0.0), var.assign(size_t(C), 0.0);
  for (long i = 0; i < x.size(); ++i) mean[size_t((i / inner) % C)] += x[i];
  for (double& v : mean) v /= double(m);
  for (long i = 0; i < x.size(); ++i) var[size_t((i / inner) % C)] += std::pow(x[i] - mean[size_t((i / inner) % C)], 2);
  for (double& v : var) v /= double(m);
}

const Tensor& weight_of(const Layer& layer, const std::string& name) {
  for (const Parameter* p : layer.weights())
    if (p->name == name) return p->value;
  throw UsageError(fmt::format("{} has no weight '{}'", layer.describe(), name));
}

}  // namespace

std::string Stepper::batch_norm_stats() const {
  if (!last_bn_) {
    std::string names;
    for (const Layer* l : layers_)
      if (dynamic_cast<const BatchNormalizationLayer*>(l)) names += (names.empty() ? "" : ", ") + l->name();
    throw UsageError(names.empty() ? fmt::format("s: model '{}' has no BatchNormalization layer", model_.name())
                                   : fmt::format("s: no BatchNormalization has run forward in this pass yet ({}); "
                                                 "f runs the layers",
                                                 names));
  }
  const auto& bn = dynamic_cast<const BatchNormalizationLayer&>(*last_bn_);
  const SymbolicTensor& in = model_.node_of(bn).inputs[0];
  const Tensor& x = in.layer.get() == layers_[0] ? batch_.x : in.layer->output();
  std::vector<double> mean, var;
  channel_moments(x, bn.options().axis, mean, var);
  const std::vector<Tensor>& before = moving_before_.at(&bn);
  const Tensor &mm = weight_of(bn, "moving_mean"), &mv = weight_of(bn, "moving_variance");
  std::string out = fmt::format(
      "{}: batch statistics (F1) of its input {}, m = {} values per channel, next to its moving statistics\n"
      "  this forward ({} mode) normalized with the {} statistics{}; momentum {}, epsilon {}\n",
      bn.describe(), x.shape().str(), x.size() / long(mean.size()), to_string(bn.last_mode()),
      bn.used_batch_statistics() ? "batch" : "moving",
      bn.updated_moving_statistics() ? " and moved the moving statistics (F4)" : ", moving statistics unchanged",
      bn.options().momentum, bn.options().epsilon);
  out += fmt::format("  {:>7} {:>11} {:>23} {:>11} {:>23}\n", "channel", "batch mean", "moving_mean before->after",
                     "batch var", "moving_var before->after");
  const size_t shown = std::min<size_t>(mean.size(), 8);
  for (size_t c = 0; c < shown; ++c) {
    const long k = long(c);
    std::string line = fmt::format("  {:>7} {:>11.4f} {:>11.4f}->{:<11.4f} {:>11.4f} {:>11.4f}->{:<11.4f}", c, mean[c],
                                   before[0][k], mm[k], var[c], before[1][k], mv[k]);
    out += line.erase(line.find_last_not_of(' ') + 1) + "\n";
  }
  if (shown < mean.size())
    out += fmt::format("  ... {} channels in all; p {}/moving_mean shows every one\n", mean.size(), bn.name());
  return out;
}

// ---- equations, graph, help -----------------------------------------------------------------

std::string Stepper::equations() const {
  Equations e;
  std::string title;
  if (last_ == Last::Forward || last_ == Last::Backward) {
    e = layer_equations(*last_layer_);
    title = fmt::format("{} of {} ({})", last_ == Last::Forward ? "forward" : "backward", last_layer_->name(),
                        last_layer_->class_name());
    if (last_ == Last::Backward) e.forward = e.backward;
  } else if (last_ == Last::Loss) {
    e = loss_equations(model_.loss());
    title = "the loss " + model_.loss().name();
    e.forward.insert(e.forward.end(), e.backward.begin(), e.backward.end());
  } else if (last_ == Last::Update) {
    e = optimizer_equations(model_.optimizer());
    title = "the update of " + model_.optimizer().name();
  } else {
    throw UsageError("e: nothing has run in this pass yet; f runs the first layer");
  }
  std::string out = fmt::format("{}   [{}]\n", title, e.source.empty() ? "no tagged equations" : e.source);
  for (const std::string& l : e.forward) out += "  " + l + "\n";
  return out;
}

std::string Stepper::graph() const {
  std::string out = fmt::format("model '{}': {}\n", model_.name(), status());
  const size_t n = layers_.size();
  const size_t next = next_forward_ < n ? next_forward_ : loss_ && backward_done_ + 1 < n ? n - 1 - backward_done_ : n;
  for (size_t i = 0; i < n; ++i) {
    const Layer& l = *layers_[i];
    const bool fwd = i < next_forward_;
    const bool bwd = i > 0 && i + backward_done_ >= n;
    std::string from;
    for (const SymbolicTensor& in : model_.node_of(l).inputs) from += (from.empty() ? "<- " : ", ") + in.layer->name();
    const std::string shape = i == 0 ? batch_.x.shape().str() : fwd ? l.output().shape().str() : "";
    std::string line = fmt::format(" {} {:<3}{:<3} {:<24} {:<20} {:<16} {}", i == next ? "->" : "  ", fwd ? "f" : "",
                                   bwd ? "b" : "", l.name(), l.class_name(), shape, from);
    out += line.erase(line.find_last_not_of(' ') + 1) + "\n";
  }
  out += fmt::format("    loss {}: {}\n", model_.loss().name(), loss_ ? fmt::format("{:.6f}", *loss_) : "not yet");
  return out + "  (f: forward done, b: backward done, ->: the next layer to run)\n";
}

std::string Stepper::help() const {
  return "keys (one training step, piece by piece):\n"
         "  f  forward of the next layer          l  the loss and dL/dy_pred\n"
         "  b  backward of the next layer         o  the optimizer's update, one weight per o\n"
         "  n  the next batch                     m  training <-> inference mode (the pass starts over)\n"
         "  p  print a tensor: p dense/kernel[0:3, 0:4]   names: x, y, loss/grad, LAYER/output,\n"
         "     LAYER/grad (dL/dy), LAYER/dx, LAYER/WEIGHT, LAYER/WEIGHT.grad\n"
         "  s  BatchNormalization's batch statistics next to its moving statistics\n"
         "  e  the equations of what just ran     g  where we are in the graph\n"
         "  h  this help                          q  quit\n";
}

}  // namespace minnow
