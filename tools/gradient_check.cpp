#include "tools/gradient_check.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include <fmt/format.h>

#include "core/random.h"

namespace minnow {

double GradientCheckResult::worst_error() const {
  double w = 0;
  for (const auto& e : entries) w = std::max(w, e.worst_error);
  return w;
}

std::string GradientCheckResult::report() const {
  std::string s;
  for (const auto& e : entries)
    s += fmt::format("  {:<32} worst relative error {:.3e} at [{}] (analytic {:+.6e}, numeric {:+.6e})\n", e.tensor,
                     e.worst_error, e.index, e.analytic, e.numeric);
  return s;
}

namespace {

// Compares analytic gradient `analytic` of `values` with central differences of `f`.
GradientCheckEntry compare(const std::string& label, std::span<float> values, const Tensor& analytic,
                           const std::function<double()>& f, const GradientCheckOptions& opt) {
  GradientCheckEntry e{label};
  const long n = long(values.size());
  const long stride = std::max<long>(1, n / std::max<long>(1, opt.max_elements));
  for (long i = 0; i < n; i += stride) {
    const float v = values[size_t(i)];
    const float h = float(opt.step * std::max(1.0, std::fabs(double(v))));
    values[size_t(i)] = v + h;
    const double up = f();
    values[size_t(i)] = v - h;
    const double down = f();
    values[size_t(i)] = v;
    const double numeric = (up - down) / (double(v + h) - double(v - h));
    const double a = analytic[i];
    double err = std::fabs(a - numeric) / std::max({std::fabs(a), std::fabs(numeric), opt.floor});
    if (std::isnan(err)) err = std::numeric_limits<double>::infinity();
    if (err > e.worst_error || e.index < 0) e.worst_error = err, e.index = i, e.analytic = a, e.numeric = numeric;
  }
  return e;
}

// Saves the non-trainable weights (moving statistics), which a training-mode forward changes,
// so that every evaluation of L starts from the same state.
struct WeightSnapshot {
  std::vector<Parameter*> params;
  std::vector<Tensor> values;
  explicit WeightSnapshot(std::vector<Parameter*> ps) : params(std::move(ps)) {
    for (Parameter* p : params) values.push_back(p->value);
  }
  void restore() {
    for (size_t i = 0; i < params.size(); ++i) params[i]->value = values[i];
  }
};

void fill_nan(const std::vector<Parameter*>& params) {
  for (Parameter* p : params)
    if (p->trainable()) p->grad.fill(std::numeric_limits<float>::quiet_NaN());
}

}  // namespace

GradientCheckResult check_layer_gradients(Layer& layer, const std::vector<Tensor>& inputs, Mode mode,
                                          const GradientCheckOptions& opt) {
  std::vector<Tensor> xs = inputs;
  std::vector<const Tensor*> pointers;
  for (const Tensor& x : xs) pointers.push_back(&x);
  auto ptrs = [&] { return pointers; };
  layer.forward(ptrs(), mode);  // builds the layer if needed
  WeightSnapshot snapshot(layer.non_trainable_weights());
  snapshot.restore();
  Tensor G(layer.output().shape());
  Rng rng(opt.seed);
  for (float& g : G.values()) g = rng.uniform(-1.0f, 1.0f);
  auto projected = [&] {
    const Tensor& y = layer.forward(ptrs(), mode);
    double L = 0;
    for (long i = 0; i < y.size(); ++i) L += double(G[i]) * double(y[i]);
    snapshot.restore();
    return L;
  };
  // Analytic gradients of the unperturbed point.
  fill_nan(layer.weights());
  layer.forward(ptrs(), mode);
  snapshot.restore();
  layer.backward(G);
  const std::vector<Tensor> dxs = layer.input_gradients();
  const std::vector<Parameter*> trainable = layer.trainable_weights();
  std::vector<Tensor> dws;
  for (Parameter* p : trainable) dws.push_back(p->grad);
  GradientCheckResult result;
  for (size_t k = 0; k < xs.size(); ++k)
    result.entries.push_back(
        compare(xs.size() == 1 ? "input" : fmt::format("input {}", k), xs[k].values(), dxs[k], projected, opt));
  for (size_t k = 0; k < trainable.size(); ++k)
    result.entries.push_back(
        compare(layer.name() + "/" + trainable[k]->name, trainable[k]->value.values(), dws[k], projected, opt));
  snapshot.restore();
  return result;
}

GradientCheckResult check_model_gradients(Model& model, const Tensor& x, const LossFunction& loss, Mode mode,
                                          const GradientCheckOptions& opt) {
  return check_model_gradients(model, std::vector<Tensor>{x}, loss, mode, opt);
}

GradientCheckResult check_model_gradients(Model& model, const std::vector<Tensor>& xs, const LossFunction& loss,
                                          Mode mode, const GradientCheckOptions& opt) {
  std::vector<Tensor> inputs = xs;
  std::vector<const Tensor*> in;
  for (const Tensor& t : inputs) in.push_back(&t);
  WeightSnapshot snapshot(model.non_trainable_weights());
  Tensor grad;
  std::vector<Parameter*> trainable = model.trainable_weights();
  fill_nan(trainable);
  loss(*model.forward(in, mode).at(0), grad);
  snapshot.restore();
  std::vector<Tensor> dxs;
  for (const Tensor* dx : model.backward(std::vector<const Tensor*>{&grad})) dxs.push_back(*dx);
  std::vector<Tensor> dws;
  for (Parameter* p : trainable) dws.push_back(p->grad);

  Tensor scratch;
  GradientCheckResult result;
  auto value = [&] {
    const double L = loss(*model.forward(in, mode).at(0), scratch);
    snapshot.restore();
    return L;
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    result.entries.push_back(
        compare(inputs.size() == 1 ? "input" : fmt::format("input {}", i), inputs[i].values(), dxs[i], value, opt));
  for (const auto& layer : model.layers())  // each layer once: a shared weight's gradient is the sum over calls
    for (Parameter* p : layer->trainable_weights()) {
      const size_t k = size_t(std::find(trainable.begin(), trainable.end(), p) - trainable.begin());
      result.entries.push_back(compare(layer->name() + "/" + p->name, p->value.values(), dws[k], value, opt));
    }
  snapshot.restore();
  return result;
}

}  // namespace minnow
