// The ONNX operators that become layers with weights, or windows: Gemm and MatMul(+Add) -> Dense,
// Conv -> Conv2D, BatchNormalization, LayerNormalization, MaxPool / AveragePool / GlobalAveragePool.
// An activation node that is the only reader of a Gemm's or Conv's output becomes that layer's
// activation, as Keras fuses it; ONNX's weight layouts are turned into Keras' here.
#include <map>

#include <fmt/format.h>

#include "core/activations.h"
#include "core/error.h"
#include "core/kernels/im2col.h"
#include "layers/average_pooling2d.h"
#include "layers/batch_normalization.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/global_average_pooling2d.h"
#include "layers/layer_normalization.h"
#include "layers/max_pooling2d.h"
#include "onnx/internal/import_graph.h"
#include "onnx/internal/onnx_proto.h"

namespace minnow::onnx_io {

namespace {

// The Keras activation name of an ONNX activation node, "" when it is none (or has other constants).
std::string activation_of(const onnx::NodeProto& n) {
  static const std::map<std::string, std::string> names = {{"Relu", "relu"},
                                                           {"Sigmoid", "sigmoid"},
                                                           {"Tanh", "tanh"},
                                                           {"Softplus", "softplus"},
                                                           {"Elu", "elu"},
                                                           {"Selu", "selu"},
                                                           {"LeakyRelu", "leaky_relu"},
                                                           {"HardSigmoid", "hard_sigmoid"}};
  const auto it = names.find(n.op_type());
  if (it == names.end()) return "";
  const auto is = [&](const char* attribute, float fallback, float keras) {
    return float_attribute(n, attribute, fallback) == keras;
  };
  if (it->second == "elu" && !is("alpha", 1.0f, 1.0f)) return "";
  if (it->second == "leaky_relu" && !is("alpha", 0.01f, 0.2f)) return "";
  if (it->second == "selu" && !(is("alpha", kSeluAlpha, kSeluAlpha) && is("gamma", kSeluScale, kSeluScale))) return "";
  if (it->second == "hard_sigmoid" && !(is("alpha", 0.2f, 1.0f / 6.0f) && is("beta", 0.5f, 0.5f))) return "";
  return it->second;
}

}  // namespace

std::pair<std::string, const onnx::NodeProto*> fused_activation(GraphReader& r, const onnx::NodeProto& node,
                                                                long rank) {
  const onnx::NodeProto* next = r.single_consumer(node);
  if (next == nullptr || next->input_size() != 1) return {"linear", &node};
  std::string name = activation_of(*next);
  if (next->op_type() == "Softmax") {
    // Over the channels: the features of a Gemm's (N, units), axis 1 of a Conv's NCHW (before
    // opset 13, Softmax flattened the axes from `axis` on, which is the channels only at rank 2).
    const long axis = int_attribute(*next, "axis", r.opset >= 13 ? -1 : 1);
    if (rank == 2 ? (axis == 1 || axis == -1) : (r.opset >= 13 && axis == 1)) name = "softmax";
  }
  if (name.empty()) return {"linear", &node};
  r.consume(*next);
  return {name, next};
}

// The layer's output value: `y`, seen through `perm`, written under `last`'s output name.
void define_tensor(GraphReader& r, const onnx::NodeProto& last, const SymbolicTensor& y, std::vector<long> perm) {
  ImportValue v;
  v.tensor = y;
  v.perm = std::move(perm);
  r.define(last, std::move(v));
}

namespace {

// A Dense on x from an (in, units) kernel in ONNX's feature order, reordered by x's flat_order.
void dense(GraphReader& r, const onnx::NodeProto& node, const onnx::NodeProto& bias_node, const ImportValue& x,
           const Tensor& kernel, const Tensor* bias) {
  const long K = kernel.shape()[0], N = kernel.shape()[1];
  if (x.perm.size() != 2 || x.tensor->shape()[1] != K)
    r.refuse(node, "", fmt::format("its input has shape {}, the weight expects (N, {})", x.tensor->shape(), K));
  Tensor k(Shape{K, N});
  for (long f = 0; f < K; ++f) {
    const long row = x.flat_order ? minnow_feature(*x.flat_order, f) : f;
    for (long j = 0; j < N; ++j) k[row * N + j] = kernel[f * N + j];
  }
  const auto [activation, last] = fused_activation(r, bias_node, 2);
  DenseOptions o{.units = N, .activation = activation, .use_bias = bias != nullptr, .name = r.layer_name(node)};
  const SymbolicTensor y = Dense(o)(*x.tensor);
  std::vector<Tensor> w{k};
  if (bias != nullptr) w.emplace_back(Shape{N}, std::vector<float>(bias->data(), bias->data() + N));
  y.layer->set_weights(w);
  define_tensor(r, *last, y, identity_perm(2));
}

const ImportValue& features(GraphReader& r, const onnx::NodeProto& node) {
  const ImportValue& x = r.input(node, 0);
  if (!x.tensor || x.squeezed || x.perm != identity_perm(2))
    r.refuse(node, "", "its input must be a (N, features) tensor in minnow's order");
  return x;
}

void gemm(GraphReader& r, const onnx::NodeProto& node) {
  if (float_attribute(node, "alpha", 1.0f) != 1.0f) r.refuse(node, "alpha", "must be 1");
  if (float_attribute(node, "beta", 1.0f) != 1.0f) r.refuse(node, "beta", "must be 1");
  if (int_attribute(node, "transA", 0) != 0) r.refuse(node, "transA", "must be 0 (the batch is the first axis)");
  const ImportValue& x = features(r, node);
  const Tensor& b = r.float_constant(node, 1);
  if (b.shape().rank() != 2) r.refuse(node, "", fmt::format("B must be a matrix, not {}", b.shape()));
  const bool trans = int_attribute(node, "transB", 0) != 0;
  const long K = b.shape()[trans ? 1 : 0], N = b.shape()[trans ? 0 : 1];
  Tensor kernel(Shape{K, N});
  for (long i = 0; i < K; ++i)
    for (long j = 0; j < N; ++j) kernel[i * N + j] = trans ? b[j * K + i] : b[i * N + j];
  const Tensor* bias = r.has_input(node, 2) ? &r.float_constant(node, 2) : nullptr;
  if (bias != nullptr && bias->size() != N)
    r.refuse(node, "", fmt::format("C has {} values; minnow's bias has one per output ({})", bias->size(), N));
  dense(r, node, node, x, kernel, bias);
}

// MatMul(x, W) then, when its only reader adds a constant of one value per output, that bias.
void matmul(GraphReader& r, const onnx::NodeProto& node) {
  const ImportValue& x = features(r, node);
  const Tensor& w = r.float_constant(node, 1);
  if (w.shape().rank() != 2) r.refuse(node, "", fmt::format("B must be a matrix, not {}", w.shape()));
  const onnx::NodeProto* add = r.single_consumer(node);
  const Tensor* bias = nullptr;
  if (add != nullptr && add->op_type() == "Add" && add->input_size() == 2) {
    const int other = add->input(0) == node.output(0) ? 1 : 0;
    const ImportValue& b = r.input(*add, other);
    if (b.constant && b.constant->size() == w.shape()[1]) bias = &*b.constant;
  }
  if (bias != nullptr) r.consume(*add);
  dense(r, node, bias != nullptr ? *add : node, x, w, bias);
}

}  // namespace

void import_layer_node(GraphReader& r, const onnx::NodeProto& node, bool& handled) {
  handled = true;
  if (node.op_type() == "Gemm") return gemm(r, node);
  if (node.op_type() == "MatMul") return matmul(r, node);
  import_window_node(r, node, handled);
}

}  // namespace minnow::onnx_io
