// load_onnx: an ONNX file as a minnow Model (onnx/onnx.h has the layout rule).
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "onnx/internal/import_graph.h"
#include "onnx/internal/onnx_proto.h"
#include "onnx/onnx.h"

namespace minnow {

namespace {

constexpr long kMinOpset = 11, kMaxOpset = 21;
constexpr std::streamoff kMaxFile = std::streamoff(1) << 31;

onnx::ModelProto read_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw IoError("cannot open the file");
  const std::streamoff size = in.tellg();
  if (size <= 0 || size >= kMaxFile)
    throw IoError(fmt::format("{} bytes: empty, or too large for a protobuf (2 GiB)", size));
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) throw IoError("cannot read the file");
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes) || !model.has_graph())
    throw IoError("not an ONNX model (the protobuf is truncated, corrupt, or has no graph)");
  return model;
}

// The opset of the default domain, checked to be one minnow reads.
long default_opset(const onnx::ModelProto& model) {
  long opset = -1;
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = static_cast<long>(o.version());
  if (opset < kMinOpset || opset > kMaxOpset)
    throw IoError(fmt::format("opset {} of the default domain is {} (minnow reads opsets {} to {})", opset,
                              opset < 0 ? "missing" : "not one minnow knows", kMinOpset, kMaxOpset));
  return opset;
}

SymbolicTensor output_tensor(const onnx_io::GraphReader& r, const onnx::ValueInfoProto& out) {
  const onnx_io::ImportValue* found = r.find(out.name());
  if (found == nullptr) throw IoError(fmt::format("graph output '{}' is written by no node", out.name()));
  const auto& v = *found;
  if (!v.tensor || v.squeezed || v.flat_order.has_value() ||
      v.perm != onnx_io::identity_perm(static_cast<long>(v.perm.size())))
    throw UsageError(fmt::format("graph output '{}' is {} in the file: minnow's outputs are in its own "
                                 "layout (NHWC), and would differ from the file's",
                                 out.name(), !v.tensor ? "a constant" : "an NCHW view or an NCHW-ordered flattening"));
  return *v.tensor;
}

std::unique_ptr<Model> read_onnx(const std::string& path) {
  const onnx::ModelProto proto = read_model(path);
  onnx_io::GraphReader r(proto.graph(), proto.producer_name() == "minnow");
  r.opset = default_opset(proto);
  for (const auto& node : proto.graph().node())
    if (!r.consumed(node)) onnx_io::import_node(r, node);
  std::vector<SymbolicTensor> outputs;
  for (const auto& out : proto.graph().output()) outputs.push_back(output_tensor(r, out));
  if (outputs.empty()) throw IoError("the graph has no outputs");
  std::string name;
  for (const char c : proto.graph().name()) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return std::make_unique<Model>(r.inputs, outputs, name);
}

}  // namespace

// Every message names the file: "load_onnx: ONNX file 'm.onnx': node 'conv' (Conv), attribute ...".
std::unique_ptr<Model> load_onnx(const std::string& path) {
  const std::string prefix = fmt::format("load_onnx: ONNX file '{}': ", path);
  try {
    return read_onnx(path);
  } catch (const IoError& e) {
    throw IoError(prefix + e.what());
  } catch (const UsageError& e) {
    throw UsageError(prefix + e.what());
  } catch (const ShapeError& e) {
    throw ShapeError(prefix + e.what());
  } catch (const ConfigError& e) {
    throw ConfigError(prefix + e.what());
  }
}

}  // namespace minnow
