// The ONNX operators that move, mix or map values: Relu / Clip -> ReLU, Sigmoid / Tanh
// -> Activation, Softmax, Flatten, Reshape, Add / Sum, Concat; and those that make no layer at all:
// Transpose (a new view of the same tensor), Identity and Dropout (inference), Constant.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "layers/activation.h"
#include "layers/add.h"
#include "layers/concatenate.h"
#include "layers/flatten.h"
#include "layers/reshape.h"
#include "layers/softmax.h"
#include "onnx/internal/import_graph.h"
#include "onnx/internal/onnx_proto.h"

namespace minnow::onnx_io {

namespace {

// An elementwise layer on input 0, seen through the same permutation.
void elementwise(GraphReader& r, const onnx::NodeProto& node, const LayerRef<Layer>& layer) {
  ImportValue v = r.input(node, 0);
  if (!v.tensor) r.refuse(node, "", "its input is a constant; minnow's layers take tensors");
  v.tensor = layer(*v.tensor);
  r.define(node, std::move(v));
}

// Clip's bound from input i (opset >= 11) or attribute `name` (before), `fallback` when absent.
float clip_bound(GraphReader& r, const onnx::NodeProto& node, int i, const char* name, float fallback) {
  if (r.has_input(node, i)) {
    const Tensor& t = r.float_constant(node, i);
    if (t.size() != 1) r.refuse(node, name, "must be a scalar");
    return t[0];
  }
  return float_attribute(node, name, fallback);
}

void relu_family(GraphReader& r, const onnx::NodeProto& node) {
  ReLUOptions o;
  o.name = r.layer_name(node);
  if (node.op_type() == "Clip") {
    constexpr float inf = std::numeric_limits<float>::infinity();
    const float low = clip_bound(r, node, 1, "min", -inf), high = clip_bound(r, node, 2, "max", inf);
    if (low != 0.0f) r.refuse(node, "min", fmt::format("{} is not 0 (minnow's ReLU clips at 0 and max_value)", low));
    if (!(high > 0.0f)) r.refuse(node, "max", fmt::format("{} must be above 0", high));
    o.max_value = high;
  }
  elementwise(r, node, ReLU(o));
}

void sigmoid_tanh(GraphReader& r, const onnx::NodeProto& node) {
  elementwise(r, node, Activation(node.op_type() == "Sigmoid" ? "sigmoid" : "tanh", r.layer_name(node)));
}

void softmax(GraphReader& r, const onnx::NodeProto& node) {
  ImportValue v = r.input(node, 0);
  const long rank = static_cast<long>(v.perm.size());
  long axis = int_attribute(node, "axis", r.opset >= 13 ? -1 : 1);
  axis = axis < 0 ? axis + rank : axis;
  if (axis < 1 || axis >= rank) r.refuse(node, "axis", fmt::format("must be a non-batch axis of rank {}", rank));
  if (r.opset < 13 && axis != rank - 1)
    r.refuse(node, "axis", "before opset 13 Softmax flattens the axes from `axis` on");
  if (!v.tensor || v.squeezed || v.flat_order.has_value())
    r.refuse(node, "", "its input must be a tensor in minnow's order");
  v.tensor = Softmax({.axis = v.perm[static_cast<size_t>(axis)], .name = r.layer_name(node)})(*v.tensor);
  r.define(node, std::move(v));
}

// Flatten to (N, features). minnow flattens its NHWC tensor; flat_order says where each of
// ONNX's features (in the file's axis order) is in minnow's (computed for the Dense that needs it,
// never stored per feature).
void flatten_to_features(GraphReader& r, const onnx::NodeProto& node) {
  ImportValue v = r.input(node, 0);
  if (!v.tensor) r.refuse(node, "", "its input is a constant");
  if (v.squeezed || v.perm.size() == 2) {  // already (N, features)
    v.squeezed = false;
    return r.define(node, std::move(v));
  }
  // The order is minnow's when the axes longer than 1 keep their order in the view.
  const Shape s = v.tensor->shape();
  long last = 0;
  bool identity = true;
  for (size_t i = 1; i < v.perm.size(); ++i) {
    if (s[v.perm[i]] == 1) continue;
    identity = identity && v.perm[i] > last;
    last = v.perm[i];
  }
  ImportValue out;
  out.tensor = Flatten(r.layer_name(node))(*v.tensor);
  out.perm = identity_perm(2);
  if (!identity) out.flat_order = FlatOrder{std::vector<long>(s.dims().begin() + 1, s.dims().end()), v.perm};
  r.define(node, std::move(out));
}

void flatten(GraphReader& r, const onnx::NodeProto& node) {
  if (int_attribute(node, "axis", 1) != 1) r.refuse(node, "axis", "must be 1 (keep the batch axis)");
  flatten_to_features(r, node);
}

// Reshape with a constant shape: (batch, features) is a Flatten; any other shape needs an input
// in minnow's order, and becomes Keras' Reshape (target shape without the batch).
void reshape(GraphReader& r, const onnx::NodeProto& node) {
  if (int_attribute(node, "allowzero", 0) != 0) r.refuse(node, "allowzero", "must be 0");
  const auto shape = r.int_constant(node, 1);
  if (shape.empty()) r.refuse(node, "", "the target shape is empty (a scalar per batch)");
  std::vector<long> target(shape.begin() + 1, shape.end());
  const ImportValue& v = r.input(node, 0);
  if (!v.tensor) r.refuse(node, "", "its input is a constant");
  for (size_t i = 0; i < target.size(); ++i)
    if (target[i] == 0) target[i] = i + 1 < v.perm.size() ? v.tensor->shape()[v.perm[i + 1]] : 0;
  const long features = v.tensor->shape().num_elements_from(1);
  if (target.size() == 1 && (target[0] == -1 || target[0] == features)) return flatten_to_features(r, node);
  ImportValue out = v;
  out.tensor = Reshape(target, r.layer_name(node))(r.as_is(node, 0));
  out.perm = identity_perm(static_cast<long>(target.size()) + 1);
  r.define(node, std::move(out));
}

void transpose(GraphReader& r, const onnx::NodeProto& node) {
  const ImportValue& v = r.input(node, 0);
  const long rank = static_cast<long>(v.perm.size());
  std::vector<long> q(static_cast<size_t>(rank));
  for (long i = 0; i < rank; ++i) q[static_cast<size_t>(i)] = rank - 1 - i;
  q = ints_attribute(node, "perm", q);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (const long a : q)
    if (a < 0 || a >= rank || seen[static_cast<size_t>(a)]) r.refuse(node, "perm", "is not a permutation of the axes");
    else seen[static_cast<size_t>(a)] = true;
  if (!v.tensor || v.squeezed || v.flat_order.has_value() || static_cast<long>(q.size()) != rank || q[0] != 0)
    r.refuse(node, "perm", "minnow transposes only the non-batch axes of a tensor it has not flattened");
  ImportValue out = v;
  for (long i = 0; i < rank; ++i)
    out.perm[static_cast<size_t>(i)] = v.perm[static_cast<size_t>(q[static_cast<size_t>(i)])];
  r.define(node, std::move(out));
}

void pass_through(GraphReader& r, const onnx::NodeProto& node) {  // Identity; Dropout in inference
  for (int i = 1; i < node.output_size(); ++i)
    if (!node.output(i).empty()) r.refuse(node, "", "its mask output has no minnow form");
  r.define(node, r.input(node, 0));
}

void constant(GraphReader& r, const onnx::NodeProto& node) {
  ImportValue v;
  const auto* value = find_attribute(node, "value");
  if (value != nullptr && value->has_t() && value->t().data_type() == onnx::TensorProto::FLOAT)
    v.constant = read_float_tensor(value->t(), describe(node));
  else if (value != nullptr && value->has_t()) v.ints = read_int_tensor(value->t(), describe(node));
  else if (find_attribute(node, "value_float"))
    v.constant = Tensor(Shape{1}, float_attribute(node, "value_float", 0.0f));
  else if (find_attribute(node, "value_int")) v.ints = std::vector<long>{int_attribute(node, "value_int", 0)};
  else if (find_attribute(node, "value_ints")) v.ints = ints_attribute(node, "value_ints", {});
  else r.refuse(node, "value", "minnow reads float and integer tensor constants only");
  r.define(node, std::move(v));
}

// Add / Sum / Concat: tensors seen through one permutation, merged by one layer.
void merge(GraphReader& r, const onnx::NodeProto& node) {
  std::vector<SymbolicTensor> xs;
  const ImportValue& first = r.input(node, 0);
  for (int i = 0; i < node.input_size(); ++i) {
    const ImportValue& v = r.input(node, i);
    if (!v.tensor || v.squeezed || v.flat_order.has_value() || v.perm != first.perm)
      r.refuse(node, "", "its inputs must be tensors in one layout (a constant addend is a bias only after MatMul)");
    xs.push_back(*v.tensor);
  }
  if (xs.size() < 2) r.refuse(node, "", "needs at least two inputs");
  ImportValue out = first;
  if (node.op_type() == "Concat") {
    const long rank = static_cast<long>(first.perm.size());
    long axis = int_attribute(node, "axis", 1);
    axis = axis < 0 ? axis + rank : axis;
    if (axis < 1 || axis >= rank) r.refuse(node, "axis", fmt::format("must be a non-batch axis of rank {}", rank));
    out.tensor = Concatenate({.axis = first.perm[static_cast<size_t>(axis)], .name = r.layer_name(node)})(xs);
  } else {
    out.tensor = Add(r.layer_name(node))(xs);
  }
  r.define(node, std::move(out));
}

}  // namespace

void import_other_node(GraphReader& r, const onnx::NodeProto& node, bool& handled) {
  using Reader = void (*)(GraphReader&, const onnx::NodeProto&);
  static const std::map<std::string, Reader> readers = {{"Relu", relu_family},
                                                        {"Clip", relu_family},
                                                        {"Sigmoid", sigmoid_tanh},
                                                        {"Tanh", sigmoid_tanh},
                                                        {"Softmax", softmax},
                                                        {"Flatten", flatten},
                                                        {"Reshape", reshape},
                                                        {"Transpose", transpose},
                                                        {"Identity", pass_through},
                                                        {"Dropout", pass_through},
                                                        {"Constant", constant},
                                                        {"Add", merge},
                                                        {"Sum", merge},
                                                        {"Concat", merge}};
  const auto it = readers.find(node.op_type());
  handled = it != readers.end();
  if (handled) it->second(r, node);
}

void import_node(GraphReader& r, const onnx::NodeProto& node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    r.refuse(node, "", fmt::format("operators of domain '{}' are not supported", node.domain()));
  bool handled = false;
  import_layer_node(r, node, handled);
  if (!handled) import_other_node(r, node, handled);
  if (!handled) import_common_node(r, node, handled);
  if (!handled) r.refuse(node, "", "this operator is not supported (docs/onnx.md lists those that are)");
}

}  // namespace minnow::onnx_io
