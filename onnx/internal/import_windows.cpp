// The ONNX operators over windows and channels: Conv -> Conv2D, MaxPool / AveragePool /
// GlobalAveragePool -> the pooling layers, BatchNormalization, LayerNormalization. ONNX's pads
// become Keras' "valid" (none) or "same" (TensorFlow's split: the odd pixel at the bottom / right);
// any other padding of a Conv (PyTorch's padding=p with a stride, say), or of an AveragePool that
// averages the padded zeros, becomes a ZeroPadding2D before a "valid" window. MaxPool's other
// paddings (by -infinity) are refused, not approximated.
#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kernels/im2col.h"
#include "layers/average_pooling2d.h"
#include "layers/batch_normalization.h"
#include "layers/conv2d.h"
#include "layers/global_average_pooling2d.h"
#include "layers/layer_normalization.h"
#include "layers/max_pooling2d.h"
#include "layers/zero_padding2d.h"
#include "onnx/internal/import_graph.h"
#include "onnx/internal/onnx_proto.h"

namespace minnow::onnx_io {

namespace {

constexpr long kMaxWindow = 1L << 16;

// A 2-D window attribute (kernel_shape, strides, dilations), each value in [1, 65536].
std::array<long, 2> pair_attribute(GraphReader& r, const onnx::NodeProto& node, const std::string& name,
                                   const std::vector<long>& fallback) {
  const auto v = ints_attribute(node, name, fallback);
  if (v.size() != 2 || v[0] < 1 || v[1] < 1 || v[0] > kMaxWindow || v[1] > kMaxWindow)
    r.refuse(node, name, fmt::format("[{}] must be two sizes in 1..65536 (a 2-D window)", fmt::join(v, ", ")));
  return {v[0], v[1]};
}

// Keras' padding for ONNX's auto_pad / pads on minnow input (None, H, W, C): "valid", "same", or
// "" when it is neither.
std::string keras_padding(const onnx::NodeProto& node, const Shape& in, std::array<long, 2> k, std::array<long, 2> s) {
  const std::string auto_pad = string_attribute(node, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") return "valid";
  if (auto_pad == "SAME_UPPER") return "same";
  if (auto_pad != "NOTSET") return "";
  const auto pads = ints_attribute(node, "pads", {0, 0, 0, 0});
  if (pads == std::vector<long>{0, 0, 0, 0}) return "valid";
  const auto g = window_geometry(in[1], in[2], in[3], k[0], k[1], s[0], s[1], true);
  const long bottom = std::max(0L, (g.OH - 1) * s[0] + k[0] - in[1] - g.pad_top);
  const long right = std::max(0L, (g.OW - 1) * s[1] + k[1] - in[2] - g.pad_left);
  return pads == std::vector<long>{g.pad_top, g.pad_left, bottom, right} ? "same" : "";
}

[[noreturn]] void refuse_pads(GraphReader& r, const onnx::NodeProto& node, const Shape& in) {
  r.refuse(node, "pads",
           fmt::format("auto_pad={}, pads=[{}] on a {}x{} input is neither no padding nor TensorFlow's 'same' "
                       "(minnow has no other padding for this operator)",
                       string_attribute(node, "auto_pad", "NOTSET"), fmt::join(ints_attribute(node, "pads", {}), ", "),
                       in[1], in[2]));
}

// ONNX's explicit pads (top, left, bottom, right) as a ZeroPadding2D before a "valid" window,
// named "<layer>_pad"; refused for auto_pad or a negative pad.
SymbolicTensor zero_padded(GraphReader& r, const onnx::NodeProto& node, const SymbolicTensor& x,
                           const std::string& name) {
  const auto p = ints_attribute(node, "pads", {0, 0, 0, 0});
  if (string_attribute(node, "auto_pad", "NOTSET") != "NOTSET" || p.size() != 4 ||
      std::ranges::any_of(p, [](long v) { return v < 0 || v > kMaxWindow; }))
    refuse_pads(r, node, x.shape());
  return ZeroPadding2D({{p[0], p[2]}, {p[1], p[3]}}, name.empty() ? "" : name + "_pad")(x);
}

void require_plain_window(GraphReader& r, const onnx::NodeProto& node) {
  if (ints_attribute(node, "dilations", {1, 1}) != std::vector<long>{1, 1})
    r.refuse(node, "dilations", "minnow's windows have no dilation");
  if (int_attribute(node, "ceil_mode", 0) != 0) r.refuse(node, "ceil_mode", "must be 0");
  if (int_attribute(node, "storage_order", 0) != 0) r.refuse(node, "storage_order", "must be 0");
  if (node.output_size() > 1 && !node.output(1).empty()) r.refuse(node, "", "its Indices output has no minnow form");
}

void conv(GraphReader& r, const onnx::NodeProto& node) {
  if (int_attribute(node, "group", 1) != 1) r.refuse(node, "group", "minnow's Conv2D has no groups (group must be 1)");
  require_plain_window(r, node);
  SymbolicTensor x = r.channels_first(node, 0);
  const Tensor& w = r.float_constant(node, 1);  // (F, C, KH, KW)
  if (x.shape().rank() != 4 || w.shape().rank() != 4 || w.shape()[1] != x.shape()[3])
    r.refuse(node, "", fmt::format("weight {} does not fit input {} (NHWC in minnow)", w.shape(), x.shape()));
  const long F = w.shape()[0], C = w.shape()[1], KH = w.shape()[2], KW = w.shape()[3];
  const auto k = pair_attribute(r, node, "kernel_shape", {KH, KW});
  if (k[0] != KH || k[1] != KW) r.refuse(node, "kernel_shape", "differs from the weight's shape");
  const auto s = pair_attribute(r, node, "strides", {1, 1});
  std::string padding = keras_padding(node, x.shape(), k, s);
  const std::string name = r.layer_name(node);
  if (padding.empty()) x = zero_padded(r, node, x, name), padding = "valid";  // PyTorch's padding=p
  const Tensor* bias = r.has_input(node, 2) ? &r.float_constant(node, 2) : nullptr;
  if (bias != nullptr && bias->size() != F)
    r.refuse(node, "", fmt::format("B has {} values for {} filters", bias->size(), F));
  const auto [activation, last] = fused_activation(r, node, 4);
  const Conv2DOptions o{.filters = F,
                        .kernel_size = {KH, KW},
                        .strides = {s[0], s[1]},
                        .padding = padding,
                        .activation = activation,
                        .use_bias = bias != nullptr,
                        .name = name};
  const SymbolicTensor y = Conv2D(o)(x);
  Tensor kernel(Shape{KH, KW, C, F});
  for (long f = 0; f < F; ++f)
    for (long c = 0; c < C; ++c)
      for (long i = 0; i < KH * KW; ++i) kernel[(i * C + c) * F + f] = w[(f * C + c) * KH * KW + i];
  std::vector<Tensor> weights{kernel};
  if (bias != nullptr) weights.emplace_back(Shape{F}, std::vector<float>(bias->data(), bias->data() + F));
  y.layer->set_weights(weights);
  define_tensor(r, *last, y, channels_first_perm(4));
}

void pool(GraphReader& r, const onnx::NodeProto& node) {
  const bool max = node.op_type() == "MaxPool";
  require_plain_window(r, node);
  SymbolicTensor x = r.channels_first(node, 0);
  if (x.shape().rank() != 4) r.refuse(node, "", fmt::format("input {} is not an image batch", x.shape()));
  if (!find_attribute(node, "kernel_shape")) r.refuse(node, "kernel_shape", "is required");
  const auto k = pair_attribute(r, node, "kernel_shape", {});
  const auto s = pair_attribute(r, node, "strides", {1, 1});
  std::string padding = keras_padding(node, x.shape(), k, s);
  const std::string name = r.layer_name(node);
  // Averaging the padded zeros too (PyTorch's default count_include_pad) is zero padding first.
  if (!max && padding != "valid" && int_attribute(node, "count_include_pad", 0) != 0)
    x = zero_padded(r, node, x, name), padding = "valid";
  if (padding.empty()) refuse_pads(r, node, x.shape());
  Pooling2DOptions o{.pool_size = {k[0], k[1]}, .strides = {s[0], s[1]}, .padding = padding, .name = name};
  const SymbolicTensor y = max ? MaxPooling2D(o)(x) : AveragePooling2D(o)(x);
  define_tensor(r, node, y, channels_first_perm(4));
}

// GlobalAveragePool gives (N, C, 1, 1); with the Flatten that usually follows it, minnow's (N, C).
void global_average_pool(GraphReader& r, const onnx::NodeProto& node) {
  const SymbolicTensor x = r.channels_first(node, 0);
  if (x.shape().rank() != 4) r.refuse(node, "", fmt::format("input {} is not an image batch", x.shape()));
  const onnx::NodeProto* flat = r.single_consumer(node);
  const bool fuse = flat != nullptr && flat->op_type() == "Flatten" && int_attribute(*flat, "axis", 1) == 1;
  const SymbolicTensor y = GlobalAveragePooling2D(r.layer_name(node))(x);
  if (fuse) {
    r.consume(*flat);
    return define_tensor(r, *flat, y, identity_perm(2));
  }
  ImportValue v;
  v.tensor = y;
  v.perm = identity_perm(2);
  v.squeezed = true;
  r.define(node, std::move(v));
}

// A (C,) copy of a per-channel constant given as (C,) or any shape of C values.
Tensor per_channel(GraphReader& r, const onnx::NodeProto& node, int i, long C) {
  const Tensor& t = r.float_constant(node, i);
  if (t.size() != C) r.refuse(node, "", fmt::format("input {} has {} values for {} channels", i, t.size(), C));
  return Tensor(Shape{C}, std::vector<float>(t.data(), t.data() + C));
}

// Whether input i is what save_onnx writes for a weight the layer does not have (scale=False,
// center=False): an initializer named "<layer>/ones" of ones, or "<layer>/zeros" of zeros.
bool is_filler(GraphReader& r, const onnx::NodeProto& node, int i, float value) {
  if (!r.has_input(node, i)) return value == 0.0f;
  const std::string suffix = value == 0.0f ? "/zeros" : "/ones";
  const std::string& name = node.input(i);
  const ImportValue& v = r.input(node, i);
  if (!v.constant || name.size() < suffix.size() ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  return std::ranges::all_of(v.constant->values(), [value](float x) { return x == value; });
}

void batch_normalization(GraphReader& r, const onnx::NodeProto& node) {
  if (int_attribute(node, "training_mode", 0) != 0) r.refuse(node, "training_mode", "must be 0 (inference)");
  for (int i = 1; i < node.output_size(); ++i)
    if (!node.output(i).empty()) r.refuse(node, "", "its training outputs (running mean, var) have no minnow form");
  const ImportValue& v = r.input(node, 0);
  const SymbolicTensor x = v.perm.size() <= 2 ? r.as_is(node, 0) : r.channels_first(node, 0);
  const long C = x.shape()[-1];
  BatchNormalizationOptions o;
  o.epsilon = float_attribute(node, "epsilon", 1e-5f);
  o.momentum = float_attribute(node, "momentum", 0.9f);  // ONNX's weighs the old value, as Keras'
  o.scale = !is_filler(r, node, 1, 1.0f);
  o.center = !is_filler(r, node, 2, 0.0f);
  o.name = r.layer_name(node);
  const SymbolicTensor y = BatchNormalization(o)(x);
  std::vector<Tensor> weights;
  for (int i = 1; i <= 4; ++i)
    if ((i != 1 || o.scale) && (i != 2 || o.center)) weights.push_back(per_channel(r, node, i, C));
  y.layer->set_weights(weights);
  define_tensor(r, node, y, v.perm);
}

void layer_normalization(GraphReader& r, const onnx::NodeProto& node) {
  for (int i = 1; i < node.output_size(); ++i)
    if (!node.output(i).empty()) r.refuse(node, "", "its Mean and InvStdDev outputs have no minnow form");
  const SymbolicTensor x = r.as_is(node, 0);
  const long rank = x.shape().rank();
  const long axis =
      int_attribute(node, "axis", -1) < 0 ? int_attribute(node, "axis", -1) + rank : int_attribute(node, "axis", -1);
  if (axis < 1 || axis >= rank)
    r.refuse(node, "axis", fmt::format("{} must be a non-batch axis of rank {}", axis, rank));
  LayerNormalizationOptions o{.axis = {},
                              .epsilon = float_attribute(node, "epsilon", 1e-5f),
                              .center = !is_filler(r, node, 2, 0.0f),
                              .scale = !is_filler(r, node, 1, 1.0f)};
  for (long a = axis; a < rank; ++a) o.axis.push_back(a);
  o.name = r.layer_name(node);
  const SymbolicTensor y = LayerNormalization(o)(x);
  std::vector<Tensor> weights;
  for (int i = 1; i <= 2; ++i) {
    if ((i == 1 && !o.scale) || (i == 2 && !o.center)) continue;
    const Shape shape = y.layer->weights()[weights.size()]->value.shape();
    const Tensor& t = r.float_constant(node, i);
    if (t.size() != shape.num_elements())
      r.refuse(node, "", fmt::format("input {} has shape {}, expected {}", i, t.shape(), shape));
    weights.emplace_back(shape, std::vector<float>(t.data(), t.data() + t.size()));
  }
  y.layer->set_weights(weights);
  define_tensor(r, node, y, identity_perm(rank));
}

}  // namespace

void import_window_node(GraphReader& r, const onnx::NodeProto& node, bool& handled) {
  handled = true;
  const std::string& op = node.op_type();
  if (op == "Conv") return conv(r, node);
  if (op == "MaxPool" || op == "AveragePool") return pool(r, node);
  if (op == "GlobalAveragePool") return global_average_pool(r, node);
  if (op == "BatchNormalization") return batch_normalization(r, node);
  if (op == "LayerNormalization") return layer_normalization(r, node);
  handled = false;
}

}  // namespace minnow::onnx_io
