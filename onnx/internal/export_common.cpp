// The activation layers with a parameter (LeakyReLU, ELU, PReLU), the layers that pad, repeat or
// take the maximum of the pixels (ZeroPadding2D -> Pad, UpSampling2D -> Resize, GlobalMaxPooling2D
// -> GlobalMaxPool + Flatten) and the merges other than Add and Concatenate (Multiply -> Mul,
// Subtract -> Sub, Average -> Mean, Maximum -> Max).
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "layers/elu.h"
#include "layers/leaky_relu.h"
#include "layers/up_sampling2d.h"
#include "layers/zero_padding2d.h"
#include "onnx/internal/export_graph.h"

namespace minnow::onnx_io {

namespace {

void leaky_relu(GraphWriter& w, const Layer& l, const Node& node) {
  const bool cf = w.is_channels_first(node.inputs[0]);
  auto& n = w.node("LeakyRelu", l.name(), {w.value(node.inputs[0], cf)}, l.name());
  set_attribute(n, "alpha", static_cast<const LeakyReLULayer&>(l).negative_slope());
  w.define(l, l.name(), cf);
}

void elu(GraphWriter& w, const Layer& l, const Node& node) {
  const bool cf = w.is_channels_first(node.inputs[0]);
  set_attribute(w.node("Elu", l.name(), {w.value(node.inputs[0], cf)}, l.name()), "alpha",
                static_cast<const ELULayer&>(l).alpha());
  w.define(l, l.name(), cf);
}

// PRelu's slope is alpha itself: it has x's shape without the batch (1 on the shared axes), which
// ONNX broadcasts against minnow's (N, ...) layout from the right.
void prelu(GraphWriter& w, const Layer& l, const Node& node) {
  const Parameter* alpha = l.weights().front();  // PReLU's one weight
  w.node("PRelu", l.name(), {w.value(node.inputs[0], false), w.initializer(l.name() + "/alpha", alpha->value.tensor())},
         l.name());
  w.define(l, l.name(), false);
}

// ONNX's pads list every axis' start, then every axis' end: (N, C, H, W) begins, then ends.
void zero_padding(GraphWriter& w, const Layer& l, const Node& node) {
  const Padding2D& p = static_cast<const ZeroPadding2DLayer&>(l).padding();
  const std::vector<long> pads{0, 0, p.rows[0], p.cols[0], 0, 0, p.rows[1], p.cols[1]};
  w.node("Pad", l.name(), {w.value(node.inputs[0], true), w.int64_initializer(l.name() + "/pads", pads)}, l.name());
  w.define(l, l.name(), true);
}

// Nearest-neighbour upsampling by whole factors: output pixel (h, w) reads input (h / sh, w / sw)
// rounded down, which is Resize's "asymmetric" coordinates with "floor".
void up_sampling(GraphWriter& w, const Layer& l, const Node& node) {
  const Size2D s = static_cast<const UpSampling2DLayer&>(l).size();
  const Tensor scales(Shape{4}, {1.0f, 1.0f, static_cast<float>(s[0]), static_cast<float>(s[1])});
  auto& n = w.node("Resize", l.name(), {w.value(node.inputs[0], true), "", w.initializer(l.name() + "/scales", scales)},
                   l.name());
  set_attribute(n, "mode", std::string("nearest"));
  set_attribute(n, "coordinate_transformation_mode", std::string("asymmetric"));
  set_attribute(n, "nearest_mode", std::string("floor"));
  w.define(l, l.name(), true);
}

void global_max_pooling(GraphWriter& w, const Layer& l, const Node& node) {
  w.node("GlobalMaxPool", l.name() + "/pool", {w.value(node.inputs[0], true)}, l.name() + "/pool");
  set_attribute(w.node("Flatten", l.name(), {l.name() + "/pool"}, l.name()), "axis", 1L);
  w.define(l, l.name(), false);
}

// Multiply's inputs are multiplied left to right, as minnow does, one Mul per input after the first.
void merge(GraphWriter& w, const Layer& l, const Node& node) {
  static const std::map<std::string, const char*> ops = {
      {"Multiply", "Mul"}, {"Subtract", "Sub"}, {"Average", "Mean"}, {"Maximum", "Max"}};
  const bool cf = std::ranges::all_of(node.inputs, [&](const SymbolicTensor& t) { return w.is_channels_first(t); });
  std::vector<std::string> in;
  for (const auto& t : node.inputs) in.push_back(w.value(t, cf));
  const std::string op = ops.at(l.class_name());
  if (op != "Mul" || in.size() == 2) {
    w.node(op, l.name(), in, l.name());
  } else {
    std::string product = in[0];
    for (size_t i = 1; i < in.size(); ++i) {
      const std::string out = i + 1 == in.size() ? l.name() : fmt::format("{}/product_{}", l.name(), i);
      w.node("Mul", out, {product, in[i]}, out);
      product = out;
    }
  }
  w.define(l, l.name(), cf);
}

}  // namespace

bool export_common_layer(GraphWriter& w, const Layer& l, const Node& node) {
  using Writer = void (*)(GraphWriter&, const Layer&, const Node&);
  static const std::map<std::string, Writer> writers = {{"LeakyReLU", leaky_relu},
                                                        {"ELU", elu},
                                                        {"PReLU", prelu},
                                                        {"ZeroPadding2D", zero_padding},
                                                        {"UpSampling2D", up_sampling},
                                                        {"GlobalMaxPooling2D", global_max_pooling},
                                                        {"Multiply", merge},
                                                        {"Subtract", merge},
                                                        {"Average", merge},
                                                        {"Maximum", merge}};
  const auto it = writers.find(l.class_name());
  if (it == writers.end()) return false;
  it->second(w, l, node);
  return true;
}

}  // namespace minnow::onnx_io
