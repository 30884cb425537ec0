#include "onnx/internal/export_graph.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/version.h"
#include "onnx/internal/onnx_proto.h"

namespace minnow::onnx_io {

namespace {

// Axis i of the channels-first value is axis perm[i] of the channels-last one, and back.
std::vector<long> to_channels_first(long rank) {
  std::vector<long> p{0, rank - 1};
  for (long i = 1; i < rank - 1; ++i) p.push_back(i);
  return p;
}
std::vector<long> to_channels_last(long rank) {
  std::vector<long> p{0};
  for (long i = 2; i < rank; ++i) p.push_back(i);
  p.push_back(1);
  return p;
}

void set_type(onnx::ValueInfoProto& info, const std::string& name, const Shape& shape) {
  info.set_name(name);
  auto* tensor = info.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto* dims = tensor->mutable_shape();
  for (long i = 0; i < shape.rank(); ++i) {
    if (i == 0) dims->add_dim()->set_dim_param("N");
    else dims->add_dim()->set_dim_value(shape[i]);
  }
}

}  // namespace

const GraphWriter::Value& GraphWriter::find(const SymbolicTensor& t) const {
  const auto it = values_.find(t.layer.get());
  if (it == values_.end())
    throw UsageError(fmt::format("save_onnx: {} is used before it is written", t.layer->describe()));
  return it->second;
}

bool GraphWriter::is_channels_first(const SymbolicTensor& t) const {
  const Value& v = find(t);
  return v.rank >= 3 && v.last.empty();
}

std::string GraphWriter::value(const SymbolicTensor& t, bool channels_first) {
  find(t);  // throws for a value not written yet
  Value& v = values_.at(t.layer.get());
  if (v.rank < 3) return v.last;
  std::string& wanted = channels_first ? v.first : v.last;
  if (!wanted.empty()) return wanted;
  const std::string& from = channels_first ? v.last : v.first;
  wanted = t.layer->name() + (channels_first ? "/nchw" : "/nhwc");
  auto& n = node("Transpose", wanted, {from}, wanted);
  set_attribute(n, "perm", channels_first ? to_channels_first(v.rank) : to_channels_last(v.rank));
  return wanted;
}

void GraphWriter::define(const Layer& layer, const std::string& name, bool channels_first) {
  Value v;
  v.rank = layer.output_shape().rank();
  (channels_first && v.rank >= 3 ? v.first : v.last) = name;
  values_[&layer] = v;
}

onnx::NodeProto& GraphWriter::node(const std::string& op, const std::string& name,
                                   const std::vector<std::string>& inputs, const std::string& output) {
  auto* n = g_.add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  n->add_output(output);
  return *n;
}

std::string GraphWriter::initializer(const std::string& name, const Tensor& t, const std::vector<long>& dims) {
  set_tensor(*g_.add_initializer(), name, t, dims);
  return name;
}

std::string GraphWriter::scalar_initializer(const std::string& name, float value) {
  auto* t = g_.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_float_data(value);
  return name;
}

std::string GraphWriter::int64_initializer(const std::string& name, const std::vector<long>& values) {
  set_int64_tensor(*g_.add_initializer(), name, values);
  return name;
}

void set_attribute(onnx::NodeProto& node, const std::string& name, long value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void set_attribute(onnx::NodeProto& node, const std::string& name, float value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

void set_attribute(onnx::NodeProto& node, const std::string& name, const std::string& value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

void set_attribute(onnx::NodeProto& node, const std::string& name, const std::vector<long>& values) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (const long v : values) a->add_ints(v);
}

onnx::ModelProto export_model(const Model& model) {
  onnx::ModelProto proto;
  proto.set_ir_version(8);
  proto.set_producer_name("minnow");
  proto.set_producer_version(version());
  auto& g = *proto.mutable_graph();
  g.set_name(model.name());
  GraphWriter w(g);
  for (const auto& input : model.inputs()) {
    const Layer& layer = *input.layer;
    set_type(*g.add_input(), layer.name(), layer.output_shape());
    w.define(layer, layer.name(), false);
  }
  for (const auto& layer : model.layers())
    if (layer->class_name() != "InputLayer") export_layer(w, *layer, model.node_of(*layer));
  for (const auto& output : model.outputs())
    set_type(*g.add_output(), w.value(output, false), output.layer->output_shape());
  auto* opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(w.opset());
  return proto;
}

}  // namespace minnow::onnx_io
