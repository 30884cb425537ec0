// Training a compiled Model: fit, evaluate, predict, train_on_batch and test_on_batch, as free
// functions (Model's methods of the same names forward here, so model.fit(...) reads as in Keras).
//
// One training step, written out (examples/fashion_mnist.cpp writes the same loop by hand):
//   y_pred = forward(x, Mode::Training)        BatchNorm uses batch statistics, updates moving ones
//   loss   = L(y_pred, y)                       the batch mean; dL/dy_pred carries the 1/N
//   backward(dL/dy_pred)                        every layer assigns its weight gradients
//   optimizer.apply_gradients(trainable weights)
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace minnow {

class Callback;
class Model;

// fit()'s options, with Keras' names and defaults.
struct FitOptions {
  long epochs = 1;         // the index of the last epoch, counted from 1
  long initial_epoch = 0;  // Keras' initial_epoch: the epochs done before (resuming
                           // a checkpoint, model/checkpoint.h); this call trains
                           // epochs initial_epoch + 1 .. epochs
  long batch_size = 32;
  double validation_split = 0.0;         // the last fraction of x, y held out (before shuffling)
  const Tensor* validation_x = nullptr;  // or explicit validation data (takes precedence)
  const Tensor* validation_y = nullptr;
  bool shuffle = true;          // reshuffle the training samples every epoch...
  std::uint64_t seed = 0;       // ...with a generator seeded by this (a resumed fit continues
                                // the model's: see shuffling in model/fit.cpp)
  int verbose = 1;              // 0 no progress, 1 progress bar, 2 one line per epoch
  bool check_inputs = true;     // before training, reject NaN / infinity in x and y and
                                // targets the loss refuses (labels out of range), in the
                                // training and the validation data
  std::ostream* out = nullptr;  // where the progress and fit's warnings go (default std::cout)
  // Called at each step of training, in this order (model/callback.h; the ready-made ones are in
  // callbacks/: EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, CSVLogger,
  // LearningRateScheduler, TerminateOnNaN). Not owned: each must outlive the call.
  std::vector<Callback*> callbacks{};
};

// What fit() returns: per-epoch values, keyed as Keras' History.history ("loss", "accuracy",
// "val_loss", "val_accuracy").
struct History {
  std::map<std::string, std::vector<double>> history;
  std::vector<double> seconds_per_epoch;
};

using Logs = std::map<std::string, double>;  // "loss" -> 0.4521, "accuracy" -> 0.8412

// Trains for options.epochs epochs on mini-batches of (x, y); x's first axis is the sample.
History fit(Model& model, const Tensor& x, const Tensor& y, const FitOptions& options = {});
// Loss and metrics over (x, y) in inference mode, in batches.
Logs evaluate(Model& model, const Tensor& x, const Tensor& y, long batch_size = 32, int verbose = 0,
              std::ostream* out = nullptr);
// The model's output for x in inference mode, in batches.
Tensor predict(Model& model, const Tensor& x, long batch_size = 32);
// One optimizer step on one batch (training mode); returns the batch's loss and metrics.
Logs train_on_batch(Model& model, const Tensor& x, const Tensor& y);
// The batch's loss and metrics in inference mode, without any update.
Logs test_on_batch(Model& model, const Tensor& x, const Tensor& y);

}  // namespace minnow
