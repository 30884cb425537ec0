// The layers that only move, mix or scale values: activations, Dropout (Identity in inference),
// Softmax, Flatten, Reshape, global pooling, Add, Concatenate; and GroupNormalization, written as
// ONNX 13's InstanceNormalization on a grouped view (GroupNormalization-18 scales per group, not
// per channel, and ONNX 1.12's checker does not know it).
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "layers/activation.h"
#include "layers/concatenate.h"
#include "layers/group_normalization.h"
#include "layers/reshape.h"
#include "layers/softmax.h"
#include "onnx/internal/export_graph.h"

namespace minnow::onnx_io {

namespace {

const Tensor* find_weight(const Layer& l, const std::string& name) {
  for (const Parameter* p : l.weights())
    if (p->name == name) return &p->value.tensor();
  return nullptr;
}

void relu(GraphWriter& w, const Layer& l, const Node& node) {
  const auto& o = static_cast<const ReLULayer&>(l).options();
  const bool cf = w.is_channels_first(node.inputs[0]);
  const std::string in = w.value(node.inputs[0], cf);
  if (o.threshold != 0.0f)
    refuse_export(l, fmt::format("threshold={} (ONNX's Relu, Clip and LeakyRelu have none)", o.threshold));
  if (o.negative_slope != 0.0f && std::isfinite(o.max_value))
    refuse_export(l, "negative_slope together with max_value");
  if (o.negative_slope != 0.0f) {
    set_attribute(w.node("LeakyRelu", l.name(), {in}, l.name()), "alpha", o.negative_slope);
  } else if (std::isfinite(o.max_value)) {
    w.node("Clip", l.name(),
           {in, w.scalar_initializer(l.name() + "/min", 0.0f), w.scalar_initializer(l.name() + "/max", o.max_value)},
           l.name());
  } else {
    w.node("Relu", l.name(), {in}, l.name());
  }
  w.define(l, l.name(), cf);
}

void activation_layer(GraphWriter& w, const Layer& l, const Node& node) {
  const bool cf = w.is_channels_first(node.inputs[0]);
  export_activation(w, l, static_cast<const ActivationLayer&>(l).kind(), w.value(node.inputs[0], cf), l.name(), cf);
}

void identity(GraphWriter& w, const Layer& l, const Node& node) {  // Dropout in inference
  const bool cf = w.is_channels_first(node.inputs[0]);
  w.node("Identity", l.name(), {w.value(node.inputs[0], cf)}, l.name());
  w.define(l, l.name(), cf);
}

void softmax(GraphWriter& w, const Layer& l, const Node& node) {
  const long axis = l.input_shape().normalize_axis(static_cast<const SoftmaxLayer&>(l).options().axis);
  set_attribute(w.node("Softmax", l.name(), {w.value(node.inputs[0], false)}, l.name()), "axis", axis);
  w.define(l, l.name(), false);
}

void flatten(GraphWriter& w, const Layer& l, const Node& node) {  // in minnow's order: NHWC
  set_attribute(w.node("Flatten", l.name(), {w.value(node.inputs[0], false)}, l.name()), "axis", 1L);
  w.define(l, l.name(), false);
}

void reshape(GraphWriter& w, const Layer& l, const Node& node) {
  std::vector<long> shape{0};  // 0: the batch size, copied from the input
  for (const long d : static_cast<const ReshapeLayer&>(l).target_shape()) shape.push_back(d);
  w.node("Reshape", l.name(), {w.value(node.inputs[0], false), w.int64_initializer(l.name() + "/shape", shape)},
         l.name());
  w.define(l, l.name(), false);
}

void global_average_pooling(GraphWriter& w, const Layer& l, const Node& node) {
  w.node("GlobalAveragePool", l.name() + "/pool", {w.value(node.inputs[0], true)}, l.name() + "/pool");
  set_attribute(w.node("Flatten", l.name(), {l.name() + "/pool"}, l.name()), "axis", 1L);
  w.define(l, l.name(), false);
}

// Merge layers work in the layout of their first input when all of them have it.
bool merge_layout(const GraphWriter& w, const Node& node) {
  return std::ranges::all_of(node.inputs, [&](const SymbolicTensor& in) { return w.is_channels_first(in); });
}

void add(GraphWriter& w, const Layer& l, const Node& node) {
  const bool cf = merge_layout(w, node);
  std::vector<std::string> in;
  for (const auto& t : node.inputs) in.push_back(w.value(t, cf));
  w.node(in.size() == 2 ? "Add" : "Sum", l.name(), in, l.name());
  w.define(l, l.name(), cf);
}

void concatenate(GraphWriter& w, const Layer& l, const Node& node) {
  const bool cf = merge_layout(w, node);
  const long rank = l.output_shape().rank();
  long axis = l.output_shape().normalize_axis(static_cast<const ConcatenateLayer&>(l).options().axis);
  if (cf && rank >= 3) axis = axis == 0 ? 0 : (axis == rank - 1 ? 1 : axis + 1);  // its place in NCHW
  std::vector<std::string> in;
  for (const auto& t : node.inputs) in.push_back(w.value(t, cf));
  set_attribute(w.node("Concat", l.name(), in, l.name()), "axis", axis);
  w.define(l, l.name(), cf);
}

}  // namespace

// (N, C, ...) -> (N, G, rest) -> InstanceNormalization (mean and variance per sample and group)
// -> (N, C, ...) -> * gamma_c + beta_c, gamma and beta as (C, 1, ..) to broadcast channels-first.
void export_group_normalization(GraphWriter& w, const Layer& l, const Node& node) {
  const auto& o = static_cast<const GroupNormalizationLayer&>(l).options();
  const long rank = l.input_shape().rank(), C = l.input_shape()[-1];
  if (l.input_shape().normalize_axis(o.axis) != rank - 1) refuse_export(l, "axis is not the last (channel) axis");
  const std::string x = w.value(node.inputs[0], true), p = l.name() + "/";
  w.node("Reshape", p + "grouped", {x, w.int64_initializer(p + "grouped_shape", {0, o.groups, -1})}, p + "grouped");
  auto& n = w.node("InstanceNormalization", p + "normalized",
                   {p + "grouped", w.initializer(p + "ones", Tensor(Shape{o.groups}, 1.0f)),
                    w.initializer(p + "zeros", Tensor(Shape{o.groups}, 0.0f))},
                   p + "normalized");
  set_attribute(n, "epsilon", o.epsilon);
  w.node("Shape", p + "shape", {x}, p + "shape");
  w.node("Reshape", p + "ungrouped", {p + "normalized", p + "shape"}, p + "ungrouped");
  std::vector<long> dims(static_cast<size_t>(rank - 1), 1L);
  dims[0] = C;
  const Tensor *gamma = find_weight(l, "gamma"), *beta = find_weight(l, "beta");
  std::string y = p + "ungrouped";
  if (gamma != nullptr) {
    const std::string out = beta != nullptr ? p + "scaled" : l.name();
    w.node("Mul", p + "scaled", {y, w.initializer(p + "gamma", *gamma, dims)}, out);
    y = out;
  }
  if (beta != nullptr) w.node("Add", p + "centered", {y, w.initializer(p + "beta", *beta, dims)}, l.name());
  if (gamma == nullptr && beta == nullptr) w.node("Identity", l.name(), {y}, l.name());
  w.define(l, l.name(), true);
}

void export_elementwise(GraphWriter& w, const Layer& l, const Node& node) {
  using Writer = void (*)(GraphWriter&, const Layer&, const Node&);
  static const std::map<std::string, Writer> writers = {{"Activation", activation_layer},
                                                        {"ReLU", relu},
                                                        {"Dropout", identity},
                                                        {"Softmax", softmax},
                                                        {"Flatten", flatten},
                                                        {"Reshape", reshape},
                                                        {"GlobalAveragePooling2D", global_average_pooling},
                                                        {"Add", add},
                                                        {"Concatenate", concatenate}};
  const auto it = writers.find(l.class_name());
  if (it == writers.end()) refuse_export(l, "this layer is not exported yet (docs/onnx.md lists the layers that are)");
  it->second(w, l, node);
}

}  // namespace minnow::onnx_io
