// The ONNX operators for the activation layers with a parameter (LeakyRelu -> LeakyReLU, Elu ->
// ELU, PRelu -> PReLU; Selu, Softplus, HardSigmoid -> Activation), zero padding (Pad ->
// ZeroPadding2D), nearest upsampling by whole factors (Resize -> UpSampling2D), GlobalMaxPool, and
// the merges of tensors other than Add and Concat (Mul, Sub, Mean, Max).
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/activations.h"
#include "layers/activation.h"
#include "layers/average.h"
#include "layers/elu.h"
#include "layers/global_max_pooling2d.h"
#include "layers/leaky_relu.h"
#include "layers/maximum.h"
#include "layers/multiply.h"
#include "layers/prelu.h"
#include "layers/subtract.h"
#include "layers/up_sampling2d.h"
#include "layers/zero_padding2d.h"
#include "onnx/internal/import_graph.h"
#include "onnx/internal/onnx_proto.h"

namespace minnow::onnx_io {

namespace {

// `layer` on input 0, its output seen through input 0's permutation.
void elementwise(GraphReader& r, const onnx::NodeProto& node, const LayerRef<Layer>& layer) {
  ImportValue v = r.input(node, 0);
  if (!v.tensor) r.refuse(node, "", "its input is a constant; minnow's layers take tensors");
  v.tensor = layer(*v.tensor);
  r.define(node, std::move(v));
}

void leaky_relu(GraphReader& r, const onnx::NodeProto& node) {
  elementwise(r, node, LeakyReLU(float_attribute(node, "alpha", 0.01f), r.layer_name(node)));
}

void elu(GraphReader& r, const onnx::NodeProto& node) {
  elementwise(r, node, ELU(float_attribute(node, "alpha", 1.0f), r.layer_name(node)));
}

// Selu, Softplus and HardSigmoid with Keras' constants are Keras' activations of those names.
void keras_activation(GraphReader& r, const onnx::NodeProto& node) {
  const std::string& op = node.op_type();
  const std::string name = op == "Selu" ? "selu" : op == "Softplus" ? "softplus" : "hard_sigmoid";
  if (op == "Selu" && (float_attribute(node, "alpha", kSeluAlpha) != kSeluAlpha ||
                       float_attribute(node, "gamma", kSeluScale) != kSeluScale))
    r.refuse(node, "alpha", fmt::format("alpha and gamma must be Keras' {} and {}", kSeluAlpha, kSeluScale));
  if (op == "HardSigmoid" &&
      (float_attribute(node, "alpha", 0.2f) != 1.0f / 6.0f || float_attribute(node, "beta", 0.5f) != 0.5f))
    r.refuse(node, "alpha", "alpha and beta must be 1/6 and 0.5 (Keras 3's relu6(x + 3) / 6)");
  elementwise(r, node, Activation(name, r.layer_name(node)));
}

// PRelu(x, slope): slope broadcasts against ONNX's view of x from the right; minnow's alpha has
// x's shape without the batch, 1 on the axes it shares.
void prelu(GraphReader& r, const onnx::NodeProto& node) {
  const ImportValue& v = r.input(node, 0);
  const Tensor& slope = r.float_constant(node, 1);
  if (!v.tensor || v.squeezed || v.flat_order.has_value())
    r.refuse(node, "", "its input must be a tensor minnow has not flattened or squeezed");
  const Shape s = v.tensor->shape();
  const long rank = s.rank(), k = slope.shape().rank();
  if (k >= rank) r.refuse(node, "", fmt::format("slope {} must broadcast over the batch of {}", slope.shape(), s));
  std::vector<long> dims(static_cast<size_t>(rank - 1), 1);  // alpha's shape, minnow's axes 1..rank-1
  for (long i = rank - k; i < rank; ++i) {                   // ONNX axis i is minnow axis v.perm[i]
    const long d = slope.shape()[i - (rank - k)], a = v.perm[static_cast<size_t>(i)];
    if (d != 1 && d != s[a])
      r.refuse(node, "", fmt::format("slope {} does not broadcast against {}", slope.shape(), s));
    dims[static_cast<size_t>(a - 1)] = d;
  }
  PReLUOptions o{.name = r.layer_name(node)};
  for (long a = 1; a < rank; ++a)
    if (dims[static_cast<size_t>(a - 1)] == 1 && s[a] != 1) o.shared_axes.push_back(static_cast<int>(a));
  ImportValue out = v;
  out.tensor = PReLU(o)(*v.tensor);
  Tensor alpha{Shape(dims)};  // entry of minnow index (i_1..i_{rank-1}) = slope at the ONNX index
  for (long e = 0; e < alpha.size(); ++e) {
    long rest = e, at = 0, stride = 1;
    std::vector<long> idx(static_cast<size_t>(rank - 1));
    for (long a = rank - 1; a >= 1; --a) idx[a - 1] = rest % dims[a - 1], rest /= dims[a - 1];
    for (long i = rank - 1; i >= rank - k; --i) {
      const long d = slope.shape()[i - (rank - k)];
      at += (d == 1 ? 0 : idx[v.perm[static_cast<size_t>(i)] - 1]) * stride;
      stride *= d;
    }
    alpha[e] = slope[at];
  }
  out.tensor->layer->set_weights({alpha});
  r.define(node, std::move(out));
}

// GlobalMaxPool gives (N, C, 1, 1); with the Flatten that usually follows it, minnow's (N, C).
void global_max_pool(GraphReader& r, const onnx::NodeProto& node) {
  const SymbolicTensor x = r.channels_first(node, 0);
  if (x.shape().rank() != 4) r.refuse(node, "", fmt::format("input {} is not an image batch", x.shape()));
  const onnx::NodeProto* flat = r.single_consumer(node);
  const bool fuse = flat != nullptr && flat->op_type() == "Flatten" && int_attribute(*flat, "axis", 1) == 1;
  ImportValue v;
  v.tensor = GlobalMaxPooling2D(r.layer_name(node))(x);
  v.perm = identity_perm(2);
  if (fuse) r.consume(*flat);
  v.squeezed = !fuse;
  r.define(fuse ? *flat : node, std::move(v));
}

// Resize (or Upsample) by whole factors on H and W, nearest neighbour with the source pixel
// floor(h / factor): "asymmetric" coordinates with nearest_mode "floor" (what torch's
// nn.Upsample(mode='nearest') writes).
void resize(GraphReader& r, const onnx::NodeProto& node) {
  const SymbolicTensor x = r.channels_first(node, 0);
  if (string_attribute(node, "mode", "nearest") != "nearest") r.refuse(node, "mode", "must be 'nearest'");
  const std::string ct = string_attribute(node, "coordinate_transformation_mode", "half_pixel");
  const std::string nm = string_attribute(node, "nearest_mode", "round_prefer_floor");
  if (node.op_type() == "Resize" && (ct != "asymmetric" || nm != "floor"))
    r.refuse(node, "coordinate_transformation_mode",
             fmt::format("'{}' with nearest_mode '{}' is not UpSampling2D's floor(h / factor) (use 'asymmetric' "
                         "with 'floor')",
                         ct, nm));
  const int at = node.op_type() == "Upsample" ? 1 : 2;  // Resize(X, roi, scales, sizes)
  std::vector<float> scale;
  if (r.has_input(node, at)) {
    const auto v = r.float_constant(node, at).values();
    scale.assign(v.begin(), v.end());
  }
  if (scale.empty() && r.has_input(node, 3)) {
    const auto sizes = r.int_constant(node, 3);
    const Shape& s = x.shape();  // (N, H, W, C); sizes in NCHW
    if (sizes.size() == 4 && s[1] > 0 && s[2] > 0 && sizes[2] % s[1] == 0 && sizes[3] % s[2] == 0)
      scale = {1, 1, float(sizes[2] / s[1]), float(sizes[3] / s[2])};
  }
  const auto whole = [](float f) { return f >= 1 && f <= 65536 && f == std::floor(f); };
  if (scale.size() != 4 || scale[0] != 1 || scale[1] != 1 || !whole(scale[2]) || !whole(scale[3]))
    r.refuse(node, "", fmt::format("scales [{}] must be (1, 1, sh, sw) with whole factors", fmt::join(scale, ", ")));
  const SymbolicTensor y = UpSampling2D({long(scale[2]), long(scale[3])}, "nearest", r.layer_name(node))(x);
  define_tensor(r, node, y, channels_first_perm(4));
}

// Mul / Sub / Mean / Max of tensors in one layout: Multiply / Subtract / Average / Maximum.
void merge(GraphReader& r, const onnx::NodeProto& node) {
  std::vector<SymbolicTensor> xs;
  const ImportValue& first = r.input(node, 0);
  for (int i = 0; i < node.input_size(); ++i) {
    const ImportValue& v = r.input(node, i);
    if (!v.tensor || v.squeezed || v.flat_order.has_value() || v.perm != first.perm)
      r.refuse(node, "", "its inputs must be tensors in one layout (minnow has no layer that scales by a constant)");
    xs.push_back(*v.tensor);
  }
  const std::string& op = node.op_type();
  if (xs.size() < 2) r.refuse(node, "", "needs at least two inputs");
  ImportValue out = first;
  const std::string name = r.layer_name(node);
  out.tensor = op == "Mul"   ? Multiply(name)(xs)
               : op == "Sub" ? Subtract(name)(xs)
               : op == "Max" ? Maximum(name)(xs)
                             : Average(name)(xs);
  r.define(node, std::move(out));
}

}  // namespace

// Pad with zeros on H and W only (its pads in ONNX's axis order, begins then ends) -> ZeroPadding2D;
// no padding at all (PyTorch writes one before an AveragePool) -> nothing.
void import_pad(GraphReader& r, const onnx::NodeProto& node) {
  if (string_attribute(node, "mode", "constant") != "constant") r.refuse(node, "mode", "only 'constant' is read");
  if (r.has_input(node, 2) && r.float_constant(node, 2).values()[0] != 0.0f)
    r.refuse(node, "constant_value", "must be 0");
  if (r.has_input(node, 3)) r.refuse(node, "axes", "is not read (pad every axis)");
  const auto pads = r.opset >= 11 ? r.int_constant(node, 1) : ints_attribute(node, "pads", {});
  if (std::ranges::all_of(pads, [](long p) { return p == 0; })) return r.define(node, r.input(node, 0));
  const ImportValue& v = r.input(node, 0);
  const size_t rank = v.perm.size();
  std::array<long, 8> by_axis{};  // minnow axis a: begin at [a], end at [4 + a]
  bool fits = v.tensor && !v.squeezed && !v.flat_order && rank == 4 && pads.size() == 8;
  for (size_t i = 0; fits && i < 4; ++i) {
    by_axis[v.perm[i]] = pads[i], by_axis[4 + v.perm[i]] = pads[4 + i];
    fits = pads[i] >= 0 && pads[4 + i] >= 0 && pads[i] <= (1L << 16) && pads[4 + i] <= (1L << 16);
  }
  if (!fits || by_axis[0] != 0 || by_axis[3] != 0 || by_axis[4] != 0 || by_axis[7] != 0)
    r.refuse(node, "pads",
             fmt::format("[{}] is not zero padding of the rows and columns of an image batch (ZeroPadding2D)",
                         fmt::join(pads, ", ")));
  ImportValue out = v;
  out.tensor = ZeroPadding2D({{by_axis[1], by_axis[5]}, {by_axis[2], by_axis[6]}}, r.layer_name(node))(*v.tensor);
  r.define(node, std::move(out));
}

void import_common_node(GraphReader& r, const onnx::NodeProto& node, bool& handled) {
  using Reader = void (*)(GraphReader&, const onnx::NodeProto&);
  static const std::map<std::string, Reader> readers = {{"LeakyRelu", leaky_relu},
                                                        {"Elu", elu},
                                                        {"Selu", keras_activation},
                                                        {"Softplus", keras_activation},
                                                        {"HardSigmoid", keras_activation},
                                                        {"PRelu", prelu},
                                                        {"GlobalMaxPool", global_max_pool},
                                                        {"Resize", resize},
                                                        {"Upsample", resize},
                                                        {"Mul", merge},
                                                        {"Sub", merge},
                                                        {"Mean", merge},
                                                        {"Max", merge},
                                                        {"Pad", import_pad}};
  const auto it = readers.find(node.op_type());
  handled = it != readers.end();
  if (handled) it->second(r, node);
}

}  // namespace minnow::onnx_io
