// The ONNX graph being read by load_onnx. Every ONNX value is either a constant (an initializer, a
// Constant node) or a minnow tensor seen through an axis permutation: ONNX axis i is axis perm[i]
// of the minnow tensor (NHWC). Transposes only change the permutation; a Conv wants the
// channels-first view (0, 3, 1, 2) of an NHWC tensor; Flatten of such a view keeps NHWC order and
// remembers, in flat_order, which minnow feature each ONNX feature is, for the Dense after it.
#pragma once

#include <map>
#include <onnx/onnx_pb.h>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/layer.h"

namespace minnow::onnx_io {

// After a Flatten of a permuted view: minnow's sample shape (without the batch) and the view's
// permutation, from which minnow_feature finds where ONNX's feature f is in minnow's order.
struct FlatOrder {
  std::vector<long> dims, perm;
};
long minnow_feature(const FlatOrder& order, long f);

struct ImportValue {
  std::optional<SymbolicTensor> tensor;   // empty for a constant
  std::vector<long> perm;                 // ONNX axis i = minnow axis perm[i]
  std::optional<FlatOrder> flat_order;    // set when ONNX's feature order differs from minnow's
  bool squeezed = false;                  // ONNX (N, C, 1, 1) held as minnow (N, C): GlobalAveragePool
  std::optional<Tensor> constant;         // a float constant
  std::optional<std::vector<long>> ints;  // an integer constant
};

std::vector<long> identity_perm(long rank);
std::vector<long> channels_first_perm(long rank);  // (0, r-1, 1, .., r-2)

class GraphReader {
 public:
  // nhwc_inputs: the graph's image inputs are NHWC (a file minnow wrote), else NCHW unless every
  // reader transposes them to NCHW.
  GraphReader(const onnx::GraphProto& graph, bool nhwc_inputs);
  const onnx::GraphProto& graph() const { return g_; }
  // Input i of `node`, defined by an earlier node, an initializer or a graph input.
  const ImportValue& input(const onnx::NodeProto& node, int i) const;
  bool has_input(const onnx::NodeProto& node, int i) const;
  const ImportValue* find(const std::string& name) const;  // nullptr when nothing wrote it
  // Input i as a minnow tensor seen as it is (identity permutation, nothing flattened or squeezed).
  SymbolicTensor as_is(const onnx::NodeProto& node, int i) const;
  // Input i as the channels-first view of an NHWC minnow tensor (rank 2: as it is).
  SymbolicTensor channels_first(const onnx::NodeProto& node, int i) const;
  const Tensor& float_constant(const onnx::NodeProto& node, int i) const;
  std::vector<long> int_constant(const onnx::NodeProto& node, int i) const;
  void define(const onnx::NodeProto& node, ImportValue value, int output = 0);
  // The only node reading `node`'s output when no graph output is that value, else nullptr.
  const onnx::NodeProto* single_consumer(const onnx::NodeProto& node) const;
  void consume(const onnx::NodeProto& node) { consumed_.insert(&node); }  // fused: not run on its own
  bool consumed(const onnx::NodeProto& node) const { return consumed_.count(&node) > 0; }
  // A layer name from a node name: torch's "/layer1/conv/Conv" -> "layer1_conv", minnow's own
  // names as they are; "" (the Keras default) when nothing usable is left or it is taken.
  std::string layer_name(const onnx::NodeProto& node);
  std::vector<SymbolicTensor> inputs;  // the model's inputs, in the graph's order
  long opset = 13;                     // of the default domain

  [[noreturn]] void refuse(const onnx::NodeProto& node, const std::string& attribute, const std::string& why) const;

 private:
  void define_graph_input(const onnx::ValueInfoProto& info, bool nhwc);
  const onnx::GraphProto& g_;
  std::map<std::string, ImportValue> values_;
  std::map<std::string, std::vector<const onnx::NodeProto*>> consumers_;
  std::set<std::string> graph_outputs_, names_;
  std::set<const onnx::NodeProto*> consumed_;
};

// Reads one node into layers (import_ops.cpp, import_more.cpp); UsageError for what minnow
// cannot represent exactly.
void import_node(GraphReader& r, const onnx::NodeProto& node);
void import_layer_node(GraphReader& r, const onnx::NodeProto& node, bool& handled);
void import_window_node(GraphReader& r, const onnx::NodeProto& node, bool& handled);
// The Keras activation of `node`'s only reader when it can be fused into node's layer (that reader
// is then marked consumed), and the node whose output is the layer's output. `rank`: of node's output.
std::pair<std::string, const onnx::NodeProto*> fused_activation(GraphReader& r, const onnx::NodeProto& node, long rank);
void define_tensor(GraphReader& r, const onnx::NodeProto& last, const SymbolicTensor& y, std::vector<long> perm);
void import_other_node(GraphReader& r, const onnx::NodeProto& node, bool& handled);
void import_common_node(GraphReader& r, const onnx::NodeProto& node, bool& handled);  // import_common.cpp
// Pad: nothing when it pads nothing, else a ZeroPadding2D of the rows and columns.
void import_pad(GraphReader& r, const onnx::NodeProto& node);

}  // namespace minnow::onnx_io
