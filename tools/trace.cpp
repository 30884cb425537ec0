#include "tools/trace.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/activations.h"
#include "core/error.h"
#include "layers/activation.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "model/graph_queries.h"
#include "model/losses.h"
#include "model/model.h"

namespace minnow {

// ---- statistics ---------------------------------------------------------------------------

TensorStats tensor_stats(const Tensor& t) {
  TensorStats s;
  s.size = t.size();
  if (t.empty()) return s;
  double sum = 0;
  long zeros = 0;
  s.min = s.max = t[0];
  for (float v : t.values()) {
    sum += v;
    zeros += v == 0.0f;
    s.min = std::min(s.min, double(v));
    s.max = std::max(s.max, double(v));
  }
  const double n = double(t.size());
  s.mean = sum / n;
  double squares = 0;  // two passes: the deviations from the mean, not E[x^2] - E[x]^2
  for (float v : t.values()) squares += (v - s.mean) * (v - s.mean);
  s.stddev = std::sqrt(squares / n);
  s.zero_fraction = double(zeros) / n;
  return s;
}

double l2_norm(const Tensor& t) {
  double squares = 0;
  for (float v : t.values()) squares += double(v) * double(v);
  return std::sqrt(squares);
}

double saturated_fraction(const Tensor& t, bool tanh) {
  if (t.empty()) return 0;
  const double low = tanh ? -1 + kSaturationMargin : kSaturationMargin, high = 1 - kSaturationMargin;
  long n = 0;
  for (float v : t.values()) n += v < low || v > high;
  return double(n) / double(t.size());
}

// ---- the non-trainable weights ------------------------------------------------------------

KeepNonTrainableWeights::KeepNonTrainableWeights(const Model& model) {
  for (Parameter* p : model.weights())
    if (!p->trainable_by_design) saved_.emplace_back(p, p->value);
}

KeepNonTrainableWeights::~KeepNonTrainableWeights() {
  for (const auto& [p, value] : saved_) p->value = value;
}

// ---- collecting ---------------------------------------------------------------------------

namespace {

// The activation applied last by `layer`, when it is one whose output can saturate.
std::optional<ActivationKind> saturating_activation(const Layer& layer) {
  ActivationKind a = ActivationKind::Linear;
  if (const auto* act = dynamic_cast<const ActivationLayer*>(&layer)) a = act->kind();
  else if (const auto* dense = dynamic_cast<const DenseLayer*>(&layer))
    a = parse_activation(dense->options().activation, layer.describe());
  else if (const auto* conv = dynamic_cast<const Conv2DLayer*>(&layer))
    a = parse_activation(conv->options().activation, layer.describe());
  if (a == ActivationKind::Sigmoid || a == ActivationKind::Tanh) return a;
  return std::nullopt;
}

// The model's layers in execution order, with the input layer first even for a Sequential
// (whose layers() leaves it out).
std::vector<const Layer*> traced_layers(const Model& model) {
  std::vector<const Layer*> out;
  if (model.inputs().size() != 1 || model.outputs().size() != 1)
    throw UsageError(fmt::format("Model '{}': trace supports models with one input and one output, but it has {} "
                                 "input(s) and {} output(s)",
                                 model.name(), model.inputs().size(), model.outputs().size()));
  const Layer* input = model.inputs()[0].layer.get();
  out.push_back(input);
  for (const auto& l : model.layers())
    if (l.get() != input) out.push_back(l.get());
  return out;
}

Trace collect(const Model& model, const std::vector<const Layer*>& layers, const Tensor& x, Mode mode) {
  Trace t;
  t.model_name = model.name();
  t.mode = mode;
  t.batch_size = x.shape().rank() > 0 ? x.shape()[0] : 0;
  for (const Layer* l : layers) {
    const bool is_input = l == layers.front();
    const Tensor& y = is_input ? x : l->output();  // the model feeds x straight to the consumers
    LayerTrace lt{l->name(), l->class_name(), y.shape(), tensor_stats(y), std::nullopt, std::nullopt, {}};
    if (auto a = saturating_activation(*l)) lt.saturated_fraction = saturated_fraction(y, *a == ActivationKind::Tanh);
    for (const Parameter* p : l->weights())
      lt.weights.push_back({p->name, p->value.shape(), p->trainable(), tensor_stats(p->value), std::nullopt});
    t.layers.push_back(std::move(lt));
  }
  return t;
}

// dL/dy of every layer after a backward: what its consumers in this model sent back as their
// input gradients, summed (a tensor may feed several layers), plus dL/dy_pred for the output.
void add_gradient_norms(const Model& model, const std::vector<const Layer*>& layers, const Tensor& loss_grad,
                        Trace& t) {
  std::map<const Layer*, std::vector<const Tensor*>> arriving;
  arriving[model.outputs()[0].layer.get()].push_back(&loss_grad);
  for (const Layer* consumer : layers) {
    const std::vector<SymbolicTensor>& ins = model.node_of(*consumer).inputs;
    for (size_t k = 0; k < ins.size(); ++k) arriving[ins[k].layer.get()].push_back(&consumer->input_gradients()[k]);
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::vector<const Tensor*>& gs = arriving[layers[i]];
    if (gs.size() == 1) {
      t.layers[i].output_grad_norm = l2_norm(*gs[0]);
    } else if (!gs.empty()) {
      Tensor sum = *gs[0];
      for (size_t k = 1; k < gs.size(); ++k) sum.row() += gs[k]->row();
      t.layers[i].output_grad_norm = l2_norm(sum);
    }
    const std::vector<const Parameter*> ws = layers[i]->weights();
    for (size_t k = 0; k < ws.size(); ++k)
      if (ws[k]->trainable()) t.layers[i].weights[k].grad_norm = l2_norm(ws[k]->grad);
  }
}

}  // namespace

// Both read each layer's output and gradients after the model's pass: one call per layer.
Trace trace_forward(Model& model, const Tensor& x, Mode mode) {
  refuse_shared_layers(model, "trace_forward");
  const std::vector<const Layer*> layers = traced_layers(model);
  KeepNonTrainableWeights keep(model);
  model.forward(x, mode);
  return collect(model, layers, x, mode);
}

Trace trace_step(Model& model, const Tensor& x, const Tensor& y, const Loss& loss, Mode mode) {
  refuse_shared_layers(model, "trace_step");
  const std::vector<const Layer*> layers = traced_layers(model);
  KeepNonTrainableWeights keep(model);
  const Tensor& y_pred = model.forward(x, mode);
  Tensor dy;
  const double value = loss.compute(y_pred, y, &dy);
  model.backward(dy);
  Trace t = collect(model, layers, x, mode);
  t.loss_name = loss.name();
  t.loss = value;
  add_gradient_norms(model, layers, dy, t);
  return t;
}

// ---- the table ----------------------------------------------------------------------------

namespace {

constexpr const char* kRow = "{:<23}{:<17}{:>9}{:>9}{:>9}{:>9}{:>7}{:>7}{:>10}";
constexpr size_t kWidth = 23 + 17 + 4 * 9 + 2 * 7 + 10;

std::string number(double v) { return fmt::format("{:.4f}", v); }
std::string percent(double v) { return fmt::format("{:.1f}%", 100 * v); }
std::string grad(const std::optional<double>& g) { return g ? fmt::format("{:.3e}", *g) : "-"; }
// One table line, without trailing blanks (a forward-only trace has no |grad| column).
template <class... Args>
std::string line(const Args&... fields) {
  std::string s = fmt::format(kRow, fields...);
  s.erase(s.find_last_not_of(' ') + 1);
  return s + "\n";
}
// A name that fits its column with a space to spare (cut, as Keras' summary cuts).
std::string fit(const std::string& name) { return name.size() < 23 ? name : name.substr(0, 22); }

}  // namespace

std::string Trace::header() const {
  std::string out = fmt::format("Trace of model '{}', {} mode, batch of {}", model_name, to_string(mode), batch_size);
  if (loss) out += fmt::format(": {} = {:.4f}", loss_name, *loss);
  out += "\n" + std::string(kWidth, '=') + "\n";
  out += line("Layer / weight", "Shape", "mean", "std", "min", "max", "zeros", "satur.", loss ? "|grad|" : "");
  out += std::string(kWidth, '=') + "\n";
  return out;
}

std::string Trace::rows(size_t i) const {
  const LayerTrace& l = layers.at(i);
  const TensorStats& s = l.output;
  std::string out =
      line(fit(l.name), l.output_shape.str(), number(s.mean), number(s.stddev), number(s.min), number(s.max),
           percent(s.zero_fraction), l.saturated_fraction ? percent(*l.saturated_fraction) : "-",
           loss ? grad(l.output_grad_norm) : "");
  for (const WeightTrace& w : l.weights) {
    const TensorStats& v = w.value;
    out += line(fit("  " + w.name), w.shape.str(), number(v.mean), number(v.stddev), number(v.min), number(v.max),
                percent(v.zero_fraction), "", loss ? grad(w.grad_norm) : "");
  }
  return out;
}

std::string Trace::legend() const {
  std::string out = std::string(kWidth, '=') + "\n";
  out += "A layer's row: its output for this batch (an input layer's: the batch). An indented row: a weight.\n"
         "mean, std (population), min, max: over every value of that tensor. zeros: values exactly 0 (dead\n"
         "ReLU units). satur.: sigmoid outputs below 0.01 or above 0.99, tanh outputs beyond +-0.99, where\n"
         "the derivative is under 4% (sigmoid) or 2% (tanh) of its peak; - for other layers.\n";
  if (loss)
    out += "|grad|: the L2 norm of dL/dy, the gradient arriving at the layer's output, or of dL/dw for a\n"
           "weight; - for a weight that is not trained (moving statistics, frozen layers).\n";
  return out;
}

std::string Trace::table() const {
  std::string out = header();
  for (size_t i = 0; i < layers.size(); ++i) out += rows(i);
  return out + legend();
}

}  // namespace minnow
