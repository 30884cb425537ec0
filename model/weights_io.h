// Weight files: every weight of a model in one .npz file, numpy's zip of .npy arrays.
//
// Each weight is the entry "<layer name>/<weight name>.npy" (numpy.load shows the key
// "dense/kernel"), float32 little-endian ('<f4'), C order, with the weight's shape (io/npy.h).
// All weights are saved, trainable or not: BatchNormalization's moving statistics included.
// In Python:   w = numpy.load("model.npz");  w["dense/kernel"].shape  ->  (30, 50)
// The format, with its error handling, is described in docs/weights-format.md.
#pragma once

#include <string>

#include "model/model.h"

namespace minnow {

// Writes the model's weights to `path`. The file is written under a temporary name in the same
// folder and renamed into place, so a crash never leaves half a file, and an existing file is
// replaced only when the new one is complete. Throws IoError when the file cannot be written.
void save_weights(const Model& model, const std::string& path);

// Reads the weights saved by save_weights into `model`. Everything is read and checked first:
// one array per weight of the model (no missing, no extra), each with the weight's shape, dtype
// '<f4' and a well-formed .npy header. Only then are the values assigned, so on any error the
// model is untouched. Throws IoError naming the file and what is wrong (a missing array, the
// first layer whose shape differs with both shapes, ...).
void load_weights(Model& model, const std::string& path);

}  // namespace minnow
