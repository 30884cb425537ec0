// Checkpoints: the whole training state in one .npz file, so that training resumes exactly (what
// PyTorch spreads over model.state_dict() and optimizer.state_dict(), as Keras' model.save keeps
// the optimizer). Training 2 epochs, saving, then in a new process building and compiling the same
// model, loading and training 2 more gives, bit for bit, the weights of 4 epochs in one go:
//   model.fit(x, y, {.epochs = 2});
//   model.save_checkpoint("run/ckpt.npz");
//   ... a new process, the same model code and compile(...):
//   const long done = model.load_checkpoint("run/ckpt.npz");       // 2
//   model.fit(x, y, {.epochs = 4, .initial_epoch = done});          // epochs 3 and 4
// The file's arrays (numpy.load reads them; all float32, a text as the values 0-255 of its bytes):
//   "<layer>/<weight>"                   every weight, as in a weights file (model/weights_io.h),
//                                        BatchNormalization's moving statistics included
//   "optimizer/<layer>/<weight>/<slot>"  each optimizer slot: "momentum", "velocity", ...
//   "optimizer/learning_rate"            (1,): the rate now (a callback may have changed it)
//   "rng/fit"                            fit's shuffling generator (absent before the first fit)
//   "rng/<layer>"                        each Dropout's mask generator (core/random.h's state())
//   "checkpoint/info"                    text, a "key value" per line: format, model, optimizer
//                                        (its class name), options (all but the learning rate:
//                                        loading requires the same), iterations, epoch (the epochs done)
// Not saved: the architecture (the C++ code), the loss, the metrics, the callbacks' state.
#pragma once

#include <string>

#include "model/model.h"

namespace minnow {

// Writes the training state of a compiled model to `path`, atomically as every weights file
// (io/npz.h: a temporary file renamed into place, so a failure never leaves half a file, and an
// existing file is replaced only by a complete one). Throws UsageError before compile, IoError
// when the file cannot be written.
void save_checkpoint(const Model& model, const std::string& path);

// Reads a checkpoint into a compiled model of the same architecture and optimizer class, and
// returns the epochs done (fit's initial_epoch to resume). Everything is read and checked first:
// each weight and slot present with its weight's shape, the optimizer's class and options, the
// generators, no array the model has no use for. Only then is anything assigned: on any error (an IoError naming
// the file, the array and the shapes) the model and its optimizer are untouched.
long load_checkpoint(Model& model, const std::string& path);

}  // namespace minnow
