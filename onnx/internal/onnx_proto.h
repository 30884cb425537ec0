// What export and import share: tensors to and from TensorProto, a node's attributes, and how
// messages name a node. Every check of a file's tensors lives here.
#pragma once

#include <cstdint>
#include <onnx/onnx_pb.h>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace minnow::onnx_io {

// "node 'conv1' (Conv)": how every import message names a node.
std::string describe(const onnx::NodeProto& node);

// A float tensor as an initializer named `name`, with `dims` (the tensor's own shape when empty).
void set_tensor(onnx::TensorProto& out, const std::string& name, const Tensor& t, const std::vector<long>& dims = {});
// An int64 tensor (a Reshape's shape, say).
void set_int64_tensor(onnx::TensorProto& out, const std::string& name, const std::vector<long>& values);

// The values of a float tensor, checked: data type FLOAT, dims >= 0 and at most 2^31 elements, the
// data (raw_data or float_data, never external) exactly as large as the dims say. `where` names
// the tensor in the IoError thrown otherwise.
Tensor read_float_tensor(const onnx::TensorProto& t, const std::string& where);
// The values of an INT64 (or INT32) tensor, checked the same way.
std::vector<long> read_int_tensor(const onnx::TensorProto& t, const std::string& where);

// Attributes. `fallback` when absent; a present attribute of another type is an IoError.
const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name);
long int_attribute(const onnx::NodeProto& node, const std::string& name, long fallback);
float float_attribute(const onnx::NodeProto& node, const std::string& name, float fallback);
std::vector<long> ints_attribute(const onnx::NodeProto& node, const std::string& name,
                                 const std::vector<long>& fallback);
std::string string_attribute(const onnx::NodeProto& node, const std::string& name, const std::string& fallback);

// Writes `bytes` to `path` under a temporary name beside it, then renames it into place.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace minnow::onnx_io
