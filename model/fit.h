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
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace minnow {

class Callback;
class Loss;
class Model;

// The tensors of a call, one per input (or output) in the order of model.inputs() (outputs()),
// held by reference: a Tensor for a model with one, Keras' list [x1, x2] for several:
//   model.fit(x, y);   model.fit({x1, x2}, {y1, y2});
class TensorList {
 public:
  TensorList() = default;
  TensorList(const Tensor& t) : refs_(1, std::cref(t)) {}  // NOLINT(google-explicit-constructor): Keras' x
  TensorList(std::initializer_list<std::reference_wrapper<const Tensor>> ts) : refs_(ts) {}
  explicit TensorList(std::vector<std::reference_wrapper<const Tensor>> ts) : refs_(std::move(ts)) {}
  size_t size() const { return refs_.size(); }
  bool empty() const { return refs_.empty(); }
  const Tensor& operator[](size_t i) const { return refs_[i].get(); }

 private:
  std::vector<std::reference_wrapper<const Tensor>> refs_;
};

// compile()'s options for a model with several outputs (Keras' loss=[...], loss_weights=[...],
// metrics=[[...], [...]]), one entry per output in the order of model.outputs():
//   loss = sum_k loss_weights[k] * L_k(y_pred_k, y_true_k) + the regularizers' penalties
// The logs hold "loss" (that total) and, per output k named o (its layer's name), "o_loss" (L_k,
// unweighted) and "o_<metric>", as tf.keras names them. With one output: "loss", "<metric>".
struct CompileOptions {
  std::vector<std::string> loss{};                    // by Keras' names (make_loss)...
  std::vector<std::shared_ptr<Loss>> loss_objects{};  // ...or as objects: one of the two
  std::vector<double> loss_weights{};                 // default: 1 for every output
  std::vector<std::vector<std::string>> metrics{};    // one list per output; one list: every output
};

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
  // Keras' sample_weight, one weight w_n >= 0 per sample, shape (N,): the loss of a batch becomes
  //   L = 1/R sum_r w_n(r) l_r        (R rows, l_r the loss of row r of sample n(r))
  // dividing by R, not by sum w (Keras' sum_over_batch_size). Metrics stay unweighted, as Keras'.
  const Tensor* sample_weight = nullptr;
  // Keras' class_weight {class: weight}, keys exactly 0..K-1: each sample's weight is that of its
  // class (y's label, or argmax of a one-hot row), times its sample_weight if both are given.
  std::map<long, double> class_weight{};
  const Tensor* validation_sample_weight = nullptr;  // weights the validation loss (Keras' third element)
  TensorList validation_xs{}, validation_ys{};       // or lists, for several inputs / outputs
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

// Trains for options.epochs epochs on mini-batches of (x, y); every tensor's first axis is the
// sample, the same N for all.
History fit(Model& model, const TensorList& x, const TensorList& y, const FitOptions& options = {});
// Loss and metrics over (x, y) in inference mode, in batches; sample_weight as fit's.
Logs evaluate(Model& model, const TensorList& x, const TensorList& y, long batch_size = 32, int verbose = 0,
              std::ostream* out = nullptr, const Tensor* sample_weight = nullptr);
// The model's output for x in inference mode, in batches (a model with one output).
Tensor predict(Model& model, const Tensor& x, long batch_size = 32);
// One tensor per output, whatever their number: predict(model, {x1, x2}).
std::vector<Tensor> predict(Model& model, const TensorList& x, long batch_size = 32);
// One optimizer step on one batch (training mode); returns the batch's loss and metrics.
Logs train_on_batch(Model& model, const TensorList& x, const TensorList& y);
// The batch's loss and metrics in inference mode, without any update.
Logs test_on_batch(Model& model, const TensorList& x, const TensorList& y);

}  // namespace minnow
