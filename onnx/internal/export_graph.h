// The ONNX graph being written by save_onnx: each layer's output as a value, in minnow's layout
// (channels last, NHWC), in channels-first (NCHW), or both, a Transpose written the first time
// the other layout is asked for.
#pragma once

#include <map>
#include <onnx/onnx_pb.h>
#include <string>
#include <vector>

#include "core/activations.h"
#include "model/model.h"

namespace minnow::onnx_io {

onnx::ModelProto export_model(const Model& model);

class GraphWriter {
 public:
  explicit GraphWriter(onnx::GraphProto& graph) : g_(graph) {}
  // The name of t's value in the layout asked for; `channels_first` means NCHW for rank >= 3.
  std::string value(const SymbolicTensor& t, bool channels_first);
  // Whether t's value already exists in channels-first layout (elementwise ops keep it there).
  bool is_channels_first(const SymbolicTensor& t) const;
  // Records `name` as the output value of `layer`, in the given layout.
  void define(const Layer& layer, const std::string& name, bool channels_first);
  onnx::NodeProto& node(const std::string& op, const std::string& name, const std::vector<std::string>& inputs,
                        const std::string& output);
  std::string initializer(const std::string& name, const Tensor& t, const std::vector<long>& dims = {});
  std::string scalar_initializer(const std::string& name, float value);  // rank 0
  std::string int64_initializer(const std::string& name, const std::vector<long>& values);
  void require_opset(int version) { opset_ = std::max(opset_, version); }
  int opset() const { return opset_; }

 private:
  struct Value {
    std::string last, first;  // the value's name in each layout ("" until asked for)
    long rank = 0;
  };
  const Value& find(const SymbolicTensor& t) const;
  onnx::GraphProto& g_;
  std::map<const Layer*, Value> values_;
  int opset_ = 13;
};

void set_attribute(onnx::NodeProto& node, const std::string& name, long value);
void set_attribute(onnx::NodeProto& node, const std::string& name, float value);
void set_attribute(onnx::NodeProto& node, const std::string& name, const std::string& value);
void set_attribute(onnx::NodeProto& node, const std::string& name, const std::vector<long>& values);

// The layer writers (export_layers.cpp, export_more.cpp) and what they share: an activation node
// writing the layer's output, and the refusal naming the layer.
void export_group_normalization(GraphWriter& w, const Layer& l, const Node& node);
void export_elementwise(GraphWriter& w, const Layer& l, const Node& node);
// LeakyReLU, ELU, PReLU, ZeroPadding2D, UpSampling2D, GlobalMaxPooling2D, Multiply, Subtract,
// Average, Maximum (export_common.cpp); false for any other layer.
bool export_common_layer(GraphWriter& w, const Layer& l, const Node& node);
void export_activation(GraphWriter& w, const Layer& l, ActivationKind a, const std::string& in,
                       const std::string& node_name, bool channels_first);
[[noreturn]] void refuse_export(const Layer& l, const std::string& why);

// Writes the node(s) of one layer (export_layers.cpp). Throws UsageError naming the layer for one
// without an exact ONNX form.
void export_layer(GraphWriter& w, const Layer& layer, const Node& node);

}  // namespace minnow::onnx_io
