// ONNX in and out: a minnow Model written as an ONNX model, and an ONNX model (from minnow or from
// an exporter such as torch.onnx.export) read back as a minnow Model. Details: docs/onnx.md.
//
// Layout. minnow's images are NHWC; ONNX's Conv, pooling and BatchNormalization are NCHW. Every
// tensor keeps minnow's layout at the borders of the graph (inputs and outputs are NHWC, as
// minnow's), and a Transpose is written where a value first meets an operator that wants the
// other layout (one per value and layout, not one per layer): a chain of Conv / BatchNormalization
// / pooling runs in NCHW between two Transposes, and Flatten, Reshape and Dense see NHWC, so the
// exported model gives minnow's outputs for minnow's inputs, Flatten's order included.
// Reading, every ONNX value is a minnow tensor seen through an axis permutation: Transposes compose
// into it and cost nothing; a rank-4 graph input is NCHW (PyTorch's layout, fed to the imported
// model as NHWC) unless the file itself transposes it to NCHW (minnow's own exports); a Flatten of
// an NCHW value before a Gemm becomes a Flatten and that Dense's kernel rows permuted.
//
// Opset 13, or 17 when the model has a LayerNormalization. Initializers are named after Keras'
// weights ("dense/kernel"), nodes after the layers. Anything minnow cannot honour exactly is an
// error naming the node, its operator and the attribute: never a silent approximation.
#pragma once

#include <memory>
#include <string>

#include "model/model.h"

namespace minnow {

// Writes `model` (inference form: BatchNormalization with its moving statistics, Dropout as
// Identity) to `path`, atomically, after ONNX's own checker accepted it. Throws UsageError naming
// the layer for a layer or option with no exact ONNX form, IoError when the file cannot be written.
void save_onnx(const Model& model, const std::string& path);

// The ONNX model of `path` as a minnow Model, with its weights. Throws IoError for a file that is
// missing, not ONNX, or inconsistent (a size that disagrees with its dims, an unknown opset, a value
// read before it is written), and UsageError naming the node, its operator and the attribute for
// what minnow cannot represent exactly.
std::unique_ptr<Model> load_onnx(const std::string& path);

}  // namespace minnow
