// save_onnx: a minnow Model as an ONNX graph (onnx/onnx.h has the layout rule).
#include <map>
#include <onnx/checker.h>

#include "core/error.h"
#include "core/kernels/im2col.h"
#include "core/version.h"
#include "model/graph_queries.h"
#include "onnx/internal/export_graph.h"
#include "onnx/internal/onnx_proto.h"
#include "onnx/onnx.h"

namespace minnow {

void save_onnx(const Model& model, const std::string& path) {
  refuse_shared_layers(model, "save_onnx");  // each layer is written as one ONNX node
  onnx::ModelProto proto = onnx_io::export_model(model);
  try {
    onnx::checker::check_model(proto);
  } catch (const std::exception& e) {
    throw UsageError(
        fmt::format("save_onnx: ONNX's checker refused the graph written for model '{}': {}", model.name(), e.what()));
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    throw IoError(fmt::format("cannot write ONNX file '{}': the model does not fit a protobuf (2 GiB)", path));
  onnx_io::write_file_atomically(path, bytes);
}

}  // namespace minnow
