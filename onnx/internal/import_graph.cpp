#include "onnx/internal/import_graph.h"

#include <fmt/format.h>

#include "core/error.h"
#include "layers/input_layer.h"
#include "onnx/internal/onnx_proto.h"

namespace minnow::onnx_io {

namespace {

constexpr long kMaxSample = 1L << 31;

// A value name used in messages: "'x'" or "input 2 (empty)".
std::string value_text(const onnx::NodeProto& node, int i) {
  return node.input_size() > i && !node.input(i).empty() ? fmt::format("'{}'", node.input(i))
                                                         : fmt::format("input {} (absent)", i);
}

bool valid_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

}  // namespace

std::vector<long> identity_perm(long rank) {
  std::vector<long> p(static_cast<size_t>(rank));
  for (long i = 0; i < rank; ++i) p[static_cast<size_t>(i)] = i;
  return p;
}

std::vector<long> channels_first_perm(long rank) {
  if (rank < 3) return identity_perm(rank);
  std::vector<long> p{0, rank - 1};
  for (long i = 1; i < rank - 1; ++i) p.push_back(i);
  return p;
}

long minnow_feature(const FlatOrder& order, long f) {
  const long rank = static_cast<long>(order.perm.size());
  std::vector<long> index(static_cast<size_t>(rank), 0);  // minnow's index of ONNX's feature f
  for (long i = rank - 1; i >= 1; --i) {
    const long axis = order.perm[static_cast<size_t>(i)], size = order.dims[static_cast<size_t>(axis - 1)];
    index[static_cast<size_t>(axis)] = f % size;
    f /= size;
  }
  long m = 0;
  for (long a = 1; a < rank; ++a) m = m * order.dims[static_cast<size_t>(a - 1)] + index[static_cast<size_t>(a)];
  return m;
}

GraphReader::GraphReader(const onnx::GraphProto& graph, bool nhwc_inputs) : g_(graph) {
  for (const auto& t : g_.initializer()) {
    if (values_.count(t.name())) throw IoError(fmt::format("two initializers are named '{}'", t.name()));
    ImportValue v;
    if (t.data_type() == onnx::TensorProto::FLOAT)
      v.constant = read_float_tensor(t, fmt::format("initializer '{}'", t.name()));
    else v.ints = read_int_tensor(t, fmt::format("initializer '{}'", t.name()));
    values_[t.name()] = std::move(v);
  }
  for (const auto& n : g_.node())
    for (const auto& i : n.input()) consumers_[i].push_back(&n);
  for (const auto& o : g_.output()) graph_outputs_.insert(o.name());
  for (const auto& i : g_.input())
    if (!values_.count(i.name())) define_graph_input(i, nhwc_inputs);
  if (inputs.empty()) throw IoError("the graph has no input that is not an initializer");
}

void GraphReader::define_graph_input(const onnx::ValueInfoProto& info, bool nhwc_input) {
  const std::string where = fmt::format("graph input '{}'", info.name());
  if (!info.type().has_tensor_type() || info.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    throw UsageError(fmt::format("{} is not a float32 tensor", where));
  const auto& dims = info.type().tensor_type().shape().dim();
  std::vector<long> d;
  long count = 1;
  for (int i = 1; i < dims.size(); ++i) {
    if (!dims[i].has_dim_value() || dims[i].dim_value() <= 0 || dims[i].dim_value() > kMaxSample / count)
      throw UsageError(fmt::format("{}: axis {} has no fixed size (or one too large), which minnow needs "
                                   "for every axis but the batch",
                                   where, i));
    count *= dims[i].dim_value();
    d.push_back(dims[i].dim_value());
  }
  if (d.empty()) throw UsageError(fmt::format("{} has no axis besides the batch", where));
  const long rank = static_cast<long>(d.size()) + 1;
  bool nhwc = rank >= 3 && !consumers_[info.name()].empty();  // every reader transposes it to NCHW
  for (const auto* c : consumers_[info.name()])
    nhwc = nhwc && c->op_type() == "Transpose" && ints_attribute(*c, "perm", {}) == channels_first_perm(rank);
  nhwc = nhwc || nhwc_input;
  ImportValue v;
  v.perm = identity_perm(rank);
  if (rank >= 3 && !nhwc) {  // NCHW: minnow's input is (H, W, C)
    std::rotate(d.begin(), d.begin() + 1, d.end());
    v.perm = channels_first_perm(rank);
  }
  std::string name;
  for (const char c : info.name()) name += valid_name_char(c) ? c : '_';
  v.tensor = Input(Shape(d), names_.insert(name).second ? name : "");
  inputs.push_back(*v.tensor);
  values_[info.name()] = std::move(v);
}

bool GraphReader::has_input(const onnx::NodeProto& node, int i) const {
  return node.input_size() > i && !node.input(i).empty();
}

const ImportValue* GraphReader::find(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

const ImportValue& GraphReader::input(const onnx::NodeProto& node, int i) const {
  if (!has_input(node, i)) refuse(node, "", fmt::format("input {} is missing", i));
  const auto it = values_.find(node.input(i));
  if (it == values_.end())
    throw IoError(fmt::format("{} reads {}, which no graph input, initializer or earlier node writes (a cycle, or "
                              "nodes out of topological order)",
                              describe(node), value_text(node, i)));
  return it->second;
}

SymbolicTensor GraphReader::as_is(const onnx::NodeProto& node, int i) const {
  const ImportValue& v = input(node, i);
  if (!v.tensor)
    refuse(node, "", fmt::format("input {} is a constant; minnow's layers take tensors", value_text(node, i)));
  if (v.squeezed || v.flat_order.has_value() || v.perm != identity_perm(static_cast<long>(v.perm.size())))
    refuse(node, "",
           fmt::format("input {} is a transposed (NCHW) view of an NHWC tensor here, and this operator "
                       "would see its axes in another order than in the file",
                       value_text(node, i)));
  return *v.tensor;
}

SymbolicTensor GraphReader::channels_first(const onnx::NodeProto& node, int i) const {
  const ImportValue& v = input(node, i);
  const long rank = static_cast<long>(v.perm.size());
  if (!v.tensor)
    refuse(node, "", fmt::format("input {} is a constant; minnow's layers take tensors", value_text(node, i)));
  if (v.squeezed || v.flat_order.has_value() || v.perm != channels_first_perm(rank))
    refuse(node, "",
           fmt::format("input {} is not an NCHW view of an NHWC tensor, the only layout minnow's "
                       "channels-last layers can run this operator on",
                       value_text(node, i)));
  return *v.tensor;
}

const Tensor& GraphReader::float_constant(const onnx::NodeProto& node, int i) const {
  const ImportValue& v = input(node, i);
  if (!v.constant)
    refuse(node, "", fmt::format("input {} must be a float constant (an initializer)", value_text(node, i)));
  return *v.constant;
}

std::vector<long> GraphReader::int_constant(const onnx::NodeProto& node, int i) const {
  const ImportValue& v = input(node, i);
  if (!v.ints)
    refuse(node, "",
           fmt::format("input {} must be an integer constant (a dynamic shape minnow cannot resolve)",
                       value_text(node, i)));
  return *v.ints;
}

void GraphReader::define(const onnx::NodeProto& node, ImportValue value, int output) {
  if (node.output_size() <= output || node.output(output).empty())
    throw IoError(fmt::format("{} has no output {}", describe(node), output));
  if (!values_.emplace(node.output(output), std::move(value)).second)
    throw IoError(fmt::format("{} writes '{}', which is already written (ONNX values are written once)", describe(node),
                              node.output(output)));
}

const onnx::NodeProto* GraphReader::single_consumer(const onnx::NodeProto& node) const {
  if (node.output_size() != 1 || graph_outputs_.count(node.output(0))) return nullptr;
  const auto it = consumers_.find(node.output(0));
  return it != consumers_.end() && it->second.size() == 1 ? it->second.front() : nullptr;
}

std::string GraphReader::layer_name(const onnx::NodeProto& node) {
  std::string path = node.name();
  const auto slash = path.rfind('/');
  if (slash != std::string::npos) path.resize(slash);  // torch's ".../Conv", minnow's "gap/pool"
  std::string name;
  for (const char c : path) {
    if (valid_name_char(c)) name += c;
    else if (!name.empty() && name.back() != '_') name += '_';
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) || !names_.insert(name).second) return "";
  return name;
}

void GraphReader::refuse(const onnx::NodeProto& node, const std::string& attribute, const std::string& why) const {
  throw UsageError(fmt::format("{}{}: {}", describe(node),
                               attribute.empty() ? "" : fmt::format(", attribute '{}'", attribute), why));
}

}  // namespace minnow::onnx_io
