// A model's weights read from an open .npz file and checked before any is assigned: the part of
// load_weights (model/weights_io.cpp) that load_checkpoint (model/checkpoint.cpp) shares.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "io/npz.h"
#include "model/model.h"

namespace minnow {

// One weight of the model and its key in the file: "<layer name>/<weight name>".
struct WeightEntry {
  std::string key;
  const Layer* layer;
  Parameter* param;
};

std::vector<WeightEntry> weight_entries(const Model& model);

// The value of every entry, read from `file` and checked: present, with the weight's shape.
// Throws IoError naming `what` ("weights file", "checkpoint"), the file, the weight and the shapes.
// Each key read is removed from `unused`.
std::vector<Tensor> read_weights(const std::vector<WeightEntry>& entries, const NpzReader& file, const char* what,
                                 std::set<std::string>& unused);

// Copies the values read by read_weights into the weights (same shapes: no reallocation).
void assign_weights(const std::vector<WeightEntry>& entries, const std::vector<Tensor>& values);

}  // namespace minnow
