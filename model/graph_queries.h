// Questions about a model's graph that the summary and the tools ask: who reads a layer's output,
// and which BatchNormalization directly follows a layer.
#pragma once

#include <string>
#include <vector>

#include "model/model.h"

namespace minnow {

class BatchNormalizationLayer;

// The layers of `model` that take `layer`'s output as an input.
std::vector<const Layer*> consumers(const Model& model, const Layer& layer);

// The first layer of `model` (in layers() order) called more than once in it; nullptr when none.
const Layer* shared_layer(const Model& model);

// Throws UsageError when `model` calls a layer more than once, naming the layer and `what`
// ("export_onnx") cannot handle it: for the tools that run or rebuild a graph one layer at a time.
void refuse_shared_layers(const Model& model, const std::string& what);

// Whether `layer`'s output is one of `model`'s outputs.
bool is_model_output(const Model& model, const Layer& layer);

// Whether `bn` normalizes the last axis of its input (the units of a Dense, the filters of a Conv2D).
bool normalizes_last_axis(const BatchNormalizationLayer& bn);

// The BatchNormalization that directly follows `layer` in `model` and normalizes its last axis,
// when it is the only consumer of layer's output and that output is not a model output;
// nullptr otherwise. (Both folding and the summary's redundant-bias note ask this question.)
const BatchNormalizationLayer* following_batch_norm(const Model& model, const Layer& layer);

}  // namespace minnow
