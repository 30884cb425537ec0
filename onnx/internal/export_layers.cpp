// One layer's ONNX node(s). Each writer reads its layer's options and weights and says which
// layout it works in: Conv, pooling, BatchNormalization and GroupNormalization channels-first
// (NCHW), Gemm, Flatten, Reshape, Softmax and LayerNormalization minnow's channels-last (NHWC),
// elementwise operators whichever layout their input already has.
#include <cmath>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kernels/im2col.h"
#include "layers/activation.h"
#include "layers/batch_normalization.h"
#include "layers/concatenate.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/group_normalization.h"
#include "layers/layer_normalization.h"
#include "layers/pooling2d.h"
#include "layers/reshape.h"
#include "layers/softmax.h"
#include "onnx/internal/export_graph.h"

namespace minnow::onnx_io {

namespace {

std::string weight_name(const Layer& l, const std::string& w) { return l.name() + "/" + w; }

const Tensor* find_weight(const Layer& l, const std::string& name) {
  for (const Parameter* p : l.weights())
    if (p->name == name) return &p->value.tensor();
  return nullptr;
}

// The weight `name` as an initializer, or, when the layer has none, `fill` in its `size` values
// named "<layer>/ones" or "<layer>/zeros" (load_onnx reads those back as scale=False, center=False).
std::string weight_or(GraphWriter& w, const Layer& l, const std::string& name, long size, float fill,
                      const std::vector<long>& dims = {}) {
  const Tensor* t = find_weight(l, name);
  return t != nullptr ? w.initializer(weight_name(l, name), *t, dims)
                      : w.initializer(weight_name(l, fill == 0.0f ? "zeros" : "ones"), Tensor(Shape{size}, fill), dims);
}

}  // namespace

void refuse_export(const Layer& l, const std::string& why) {
  throw UsageError(fmt::format("save_onnx: {} has no exact ONNX form: {}", l.describe(), why));
}

namespace {
void refuse(const Layer& l, const std::string& why) { refuse_export(l, why); }

}  // namespace

// y = f(x) from `in` to the layer's output, in a node named `node_name` (softmax over the
// channels: axis 1 channels-first, else the last).
void export_activation(GraphWriter& w, const Layer& l, ActivationKind a, const std::string& in,
                       const std::string& node_name, bool channels_first) {
  static const std::map<ActivationKind, const char*> ops = {
      {ActivationKind::Linear, "Identity"},   {ActivationKind::Relu, "Relu"},
      {ActivationKind::Sigmoid, "Sigmoid"},   {ActivationKind::Tanh, "Tanh"},
      {ActivationKind::Softmax, "Softmax"},   {ActivationKind::Elu, "Elu"},
      {ActivationKind::Selu, "Selu"},         {ActivationKind::LeakyRelu, "LeakyRelu"},
      {ActivationKind::Softplus, "Softplus"}, {ActivationKind::HardSigmoid, "HardSigmoid"}};
  const auto op = ops.find(a);
  if (op == ops.end())
    refuse(l,
           fmt::format("activation '{}' is not exported yet (it has no single ONNX 13 operator)", activation_name(a)));
  auto& n = w.node(op->second, node_name, {in}, l.name());
  if (a == ActivationKind::Softmax) set_attribute(n, "axis", channels_first ? 1L : -1L);
  if (a == ActivationKind::LeakyRelu) set_attribute(n, "alpha", 0.2f);  // Keras 3's leaky_relu
  if (a == ActivationKind::Selu) {                                      // Keras' constants, not ONNX's default digits
    set_attribute(n, "alpha", kSeluAlpha);
    set_attribute(n, "gamma", kSeluScale);
  }
  if (a == ActivationKind::HardSigmoid) {  // relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1)
    set_attribute(n, "alpha", 1.0f / 6.0f);
    set_attribute(n, "beta", 0.5f);
  }
  w.define(l, l.name(), channels_first);
}

namespace {

// A Gemm or Conv node named after the layer, then its activation (when not linear) writing the
// layer's output: Keras' fused activation becomes a node of its own, named "<layer>/<activation>".
void with_activation(GraphWriter& w, const Layer& l, const std::string& op, const std::vector<std::string>& in,
                     const std::string& activation_option, bool channels_first,
                     const std::function<void(onnx::NodeProto&)>& attributes) {
  const ActivationKind a = parse_activation(activation_option, l.describe());
  const std::string z = a == ActivationKind::Linear ? l.name() : l.name() + "/linear";
  attributes(w.node(op, l.name(), in, z));
  if (a != ActivationKind::Linear) export_activation(w, l, a, z, l.name() + "/" + activation_name(a), channels_first);
  else w.define(l, l.name(), channels_first);
}

void dense(GraphWriter& w, const Layer& l, const Node& node) {
  const auto& d = static_cast<const DenseLayer&>(l);
  if (l.input_shape().rank() != 2) refuse(l, "Dense on inputs of rank other than 2");
  std::vector<std::string> in{w.value(node.inputs[0], false),
                              w.initializer(weight_name(l, "kernel"), *find_weight(l, "kernel"))};
  if (d.options().use_bias) in.push_back(w.initializer(weight_name(l, "bias"), *find_weight(l, "bias")));
  with_activation(w, l, "Gemm", in, d.options().activation, false, [](onnx::NodeProto&) {});
}

// ONNX's pads (top, left, bottom, right) for Keras' "valid" / "same" on input (None, H, W, C).
std::vector<long> pads(const Shape& in, long KH, long KW, long SH, long SW, bool same) {
  const auto g = window_geometry(in[1], in[2], in[3], KH, KW, SH, SW, same);
  const long bottom = std::max(0L, (g.OH - 1) * SH + KH - in[1] - g.pad_top);
  const long right = std::max(0L, (g.OW - 1) * SW + KW - in[2] - g.pad_left);
  return {g.pad_top, g.pad_left, bottom, right};
}

void conv2d(GraphWriter& w, const Layer& l, const Node& node) {
  const auto& o = static_cast<const Conv2DLayer&>(l).options();
  const Tensor& k = *find_weight(l, "kernel");  // (KH, KW, C, F) -> ONNX's (F, C, KH, KW)
  const long KH = k.shape()[0], KW = k.shape()[1], C = k.shape()[2], F = k.shape()[3];
  Tensor kt(Shape{F, C, KH, KW});
  for (long f = 0; f < F; ++f)
    for (long c = 0; c < C; ++c)
      for (long i = 0; i < KH * KW; ++i) kt[((f * C + c) * KH * KW) + i] = k[(i * C + c) * F + f];
  std::vector<std::string> in{w.value(node.inputs[0], true), w.initializer(weight_name(l, "kernel"), kt)};
  if (o.use_bias) in.push_back(w.initializer(weight_name(l, "bias"), *find_weight(l, "bias")));
  const auto p = pads(l.input_shape(), KH, KW, o.strides[0], o.strides[1], o.padding == "same");
  with_activation(w, l, "Conv", in, o.activation, true, [&](onnx::NodeProto& n) {
    set_attribute(n, "kernel_shape", std::vector<long>{KH, KW});
    set_attribute(n, "strides", std::vector<long>{o.strides[0], o.strides[1]});
    set_attribute(n, "pads", p);
  });
}

void pooling(GraphWriter& w, const Layer& l, const Node& node) {
  const auto& pool = static_cast<const Pooling2DLayer&>(l);
  const auto& o = pool.options();
  const bool max = l.class_name() == "MaxPooling2D";
  auto& n = w.node(max ? "MaxPool" : "AveragePool", l.name(), {w.value(node.inputs[0], true)}, l.name());
  const auto s = pool.strides();
  set_attribute(n, "kernel_shape", std::vector<long>{o.pool_size[0], o.pool_size[1]});
  set_attribute(n, "strides", std::vector<long>{s[0], s[1]});
  set_attribute(n, "pads", pads(l.input_shape(), o.pool_size[0], o.pool_size[1], s[0], s[1], o.padding == "same"));
  if (!max) set_attribute(n, "count_include_pad", 0L);  // Keras averages the real values only
  w.define(l, l.name(), true);
}

void batch_normalization(GraphWriter& w, const Layer& l, const Node& node) {
  const auto& o = static_cast<const BatchNormalizationLayer&>(l).options();
  const long rank = l.input_shape().rank(), C = l.input_shape()[-1];
  if (l.input_shape().normalize_axis(o.axis) != rank - 1) refuse(l, "axis is not the last (channel) axis");
  if (o.normalize_with == NormalizeWith::BatchStatistics) refuse(l, "normalize_with=BatchStatistics in inference");
  auto& n = w.node("BatchNormalization", l.name(),
                   {w.value(node.inputs[0], true), weight_or(w, l, "gamma", C, 1.0f), weight_or(w, l, "beta", C, 0.0f),
                    w.initializer(weight_name(l, "moving_mean"), *find_weight(l, "moving_mean")),
                    w.initializer(weight_name(l, "moving_variance"), *find_weight(l, "moving_variance"))},
                   l.name());
  set_attribute(n, "epsilon", o.epsilon);
  set_attribute(n, "momentum", o.momentum_meaning == MomentumMeaning::WeightOnOld ? o.momentum : 1.0f - o.momentum);
  w.define(l, l.name(), true);
}

void layer_normalization(GraphWriter& w, const Layer& l, const Node& node) {
  const auto& ln = static_cast<const LayerNormalizationLayer&>(l);
  const auto& axes = ln.normalized_axes();
  const long rank = l.input_shape().rank();
  std::vector<long> dims;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] != rank - static_cast<long>(axes.size() - i)) refuse(l, "the normalized axes are not the last ones");
    dims.push_back(l.input_shape()[axes[i]]);
  }
  const long size = Shape(dims).num_elements();
  w.require_opset(17);
  auto& n = w.node("LayerNormalization", l.name(),
                   {w.value(node.inputs[0], false), weight_or(w, l, "gamma", size, 1.0f, dims),
                    weight_or(w, l, "beta", size, 0.0f, dims)},
                   l.name());
  set_attribute(n, "axis", axes.front());
  set_attribute(n, "epsilon", ln.options().epsilon);
  w.define(l, l.name(), false);
}

}  // namespace

void export_layer(GraphWriter& w, const Layer& layer, const Node& node) {
  using Writer = void (*)(GraphWriter&, const Layer&, const Node&);
  static const std::map<std::string, Writer> writers = {{"Dense", dense},
                                                        {"Conv2D", conv2d},
                                                        {"MaxPooling2D", pooling},
                                                        {"AveragePooling2D", pooling},
                                                        {"BatchNormalization", batch_normalization},
                                                        {"LayerNormalization", layer_normalization},
                                                        {"GroupNormalization", export_group_normalization}};
  const auto it = writers.find(layer.class_name());
  if (it != writers.end()) return it->second(w, layer, node);
  if (export_common_layer(w, layer, node)) return;
  export_elementwise(w, layer, node);
}

}  // namespace minnow::onnx_io
