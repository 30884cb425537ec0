#include "tools/fold.h"

#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/activations.h"
#include "core/error.h"
#include "layers/batch_normalization.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/input_layer.h"
#include "model/graph_queries.h"

namespace minnow {

namespace {

// The activation of a Dense or Conv2D as given ("" or "linear" for none; "" for any other layer).
std::string activation_of(const Layer& l) {
  if (const auto* d = dynamic_cast<const DenseLayer*>(&l)) return d->options().activation;
  if (const auto* c = dynamic_cast<const Conv2DLayer*>(&l)) return c->options().activation;
  return "";
}

// Why `bn` cannot be folded into the layer that produces its input ("" when it can).
std::string fold_refusal(const Model& model, const BatchNormalizationLayer& bn) {
  const Layer& producer = *model.node_of(bn).inputs.at(0).layer;
  const std::string head = fmt::format("cannot fold {} into {}: ", bn.describe(), producer.describe());
  if (producer.class_name() != "Dense" && producer.class_name() != "Conv2D")
    return head + "only a BatchNormalization that directly follows a Dense or Conv2D folds";
  if (parse_activation(activation_of(producer), producer.describe()) != ActivationKind::Linear)
    return head + fmt::format("its activation '{}' comes between the two affine maps; use activation=\"linear\" "
                              "and put the activation after the BatchNormalization",
                              activation_of(producer));
  if (bn.options().normalize_with == NormalizeWith::BatchStatistics)
    return head + "it normalizes with the batch statistics in inference too (normalize_with=BatchStatistics), "
                  "so it is not a fixed affine map";
  if (!normalizes_last_axis(bn))
    return head + fmt::format("the BatchNormalization normalizes axis {}, not the last axis (the units / filters)",
                              bn.options().axis);
  if (consumers(model, producer).size() != 1 || is_model_output(model, producer))
    return head + fmt::format("{} also feeds other layers, which need its unnormalized output", producer.describe());
  return "";
}

// A new layer of the same class and options as `l` (its weights are copied after it is built).
// A Dense or Conv2D that takes a BatchNormalization in always gets a bias (FB2).
std::shared_ptr<Layer> copy_layer(const Layer& l, bool with_bias) {
  if (with_bias) {
    if (const auto* d = dynamic_cast<const DenseLayer*>(&l)) {
      DenseOptions o = d->options();
      o.name = l.name(), o.use_bias = true;
      return Dense(o).ptr();
    }
    if (const auto* c = dynamic_cast<const Conv2DLayer*>(&l)) {
      Conv2DOptions o = c->options();
      o.name = l.name(), o.use_bias = true;
      return Conv2D(o).ptr();
    }
  }
  try {
    return l.clone();
  } catch (const UsageError&) {
    throw UsageError(fmt::format("fold_batch_norm cannot copy {}: layers of class {} are not supported", l.describe(),
                                 l.class_name()));
  }
}

// The value of `l`'s weight `name`, or nullptr when it has none (use_bias=false, center=false...).
const Tensor* find_weight(const Layer& l, const std::string& name) {
  for (const Parameter* p : l.weights())
    if (p->name == name) return &p->value.tensor();
  return nullptr;
}

// (FB1), (FB2): writes the folded kernel and bias of `to` from `from` (Dense / Conv2D) and `bn`.
void fold_weights(const Layer& from, const BatchNormalizationLayer& bn, Layer& to) {
  const Tensor& mean = *find_weight(bn, "moving_mean");
  const Tensor& var = *find_weight(bn, "moving_variance");
  const Tensor *gamma = find_weight(bn, "gamma"), *beta = find_weight(bn, "beta"), *bias = find_weight(from, "bias");
  const long C = mean.size();
  RowVector s(C), b(C);  // (C,)
  for (long c = 0; c < C; ++c) {
    s[c] = (gamma ? (*gamma)[c] : 1.0f) / std::sqrt(var[c] + bn.options().epsilon);
    b[c] = ((bias ? (*bias)[c] : 0.0f) - mean[c]) * s[c] + (beta ? (*beta)[c] : 0.0f);  // (FB2)
  }
  const Tensor& w = *find_weight(from, "kernel");
  const long rows = w.size() / C;
  to.weight("kernel").value.matrix(rows, C) = w.matrix(rows, C) * s.asDiagonal();  // (FB1), (in, C)
  to.weight("bias").value.row() = b;
}

void copy_weights(const Layer& from, Layer& to) {
  for (const Parameter* p : from.weights()) to.weight(p->name).value = p->value;
  if (!from.trainable()) to.set_trainable(false);
}

// Which BatchNormalization folds into which producer; throws for one that cannot fold.
struct FoldPlan {
  std::map<const Layer*, const BatchNormalizationLayer*> into;  // producer -> its BatchNormalization
  std::set<const Layer*> folded;                                // the BatchNormalizations that go
  std::vector<std::string> description;                         // "batch_normalization -> dense"
};

FoldPlan plan_folds(const Model& model) {
  FoldPlan plan;
  for (const auto& l : model.layers()) {
    const auto* bn = dynamic_cast<const BatchNormalizationLayer*>(l.get());
    if (!bn) continue;
    if (const std::string why = fold_refusal(model, *bn); !why.empty()) throw UsageError(why);
    const Layer* producer = model.node_of(*bn).inputs.at(0).layer.get();
    plan.into[producer] = bn;
    plan.folded.insert(bn);
    plan.description.push_back(fmt::format("{} -> {}", bn->name(), producer->name()));
  }
  return plan;
}

// The new model: layer by layer, a folded BatchNormalization mapping to its producer's output.
// A Sequential stays a Sequential (connected by add); any other graph is rebuilt functionally.
std::unique_ptr<Model> rebuild(const Model& model, const FoldPlan& plan) {
  const std::string name = model.name() + "_folded";
  auto seq = dynamic_cast<const Sequential*>(&model) ? std::make_unique<Sequential>(name) : nullptr;
  std::map<const Layer*, SymbolicTensor> made;  // original layer -> the new tensor standing for its output
  const SymbolicTensor& in = model.inputs()[0];
  const std::vector<long>& dims = in.shape().dims();
  const SymbolicTensor new_in = Input(Shape(std::vector<long>(dims.begin() + 1, dims.end())), in.layer->name());
  made[in.layer.get()] = new_in;
  if (seq) seq->add(new_in);
  for (const auto& l : model.layers()) {
    if (l->class_name() == "InputLayer") continue;
    std::vector<SymbolicTensor> inputs;
    if (!seq)
      for (const SymbolicTensor& t : model.node_of(*l).inputs) inputs.push_back(made.at(t.layer.get()));
    if (plan.folded.count(l.get())) {  // gone: its producer now does its work
      if (!seq) made[l.get()] = inputs.at(0);
      continue;
    }
    const auto fold = plan.into.find(l.get());
    std::shared_ptr<Layer> copy = copy_layer(*l, fold != plan.into.end());
    if (seq) seq->add(LayerRef<Layer>(copy));
    else made[l.get()] = inputs.size() == 1 ? (*copy)(inputs[0]) : (*copy)(inputs);
    if (fold != plan.into.end()) fold_weights(*l, *fold->second, *copy);
    else copy_weights(*l, *copy);
  }
  if (seq) return seq;
  return std::make_unique<Model>(new_in, made.at(model.outputs()[0].layer.get()), name);
}

}  // namespace

FoldResult fold_batch_norm(Model& model, const Tensor& check_batch) {
  refuse_shared_layers(model, "fold_batch_norm");  // it rebuilds the graph one call per layer
  if (model.inputs().size() != 1 || model.outputs().size() != 1)
    throw UsageError(fmt::format("fold_batch_norm folds models with one input and one output, but '{}' has {} and {}",
                                 model.name(), model.inputs().size(), model.outputs().size()));
  FoldPlan plan = plan_folds(model);
  FoldResult result{rebuild(model, plan), 0.0, 0.0, std::move(plan.description)};
  // The check: both models in inference mode on the same batch.
  const Tensor expected = model.forward(check_batch, Mode::Inference);
  const Tensor& got = result.model->forward(check_batch, Mode::Inference);
  for (long i = 0; i < expected.size(); ++i) {
    result.max_abs_diff = std::max(result.max_abs_diff, double(std::abs(expected[i] - got[i])));
    result.max_abs_output = std::max(result.max_abs_output, double(std::abs(expected[i])));
  }
  return result;
}

}  // namespace minnow
