// Callback: what fit calls at each step of training, with Keras' hooks and order:
//   on_train_begin
//     on_epoch_begin(epoch)                                   epoch counted from 0, as Keras
//       on_train_batch_begin(batch) ... on_train_batch_end(batch, logs)   batch from 0 in the epoch
//     on_epoch_end(epoch, logs)      logs: the epoch's loss and metrics, val_ ones with validation;
//                                    a callback may add to them (ReduceLROnPlateau adds "lr"), and
//                                    History records what they hold after every callback ran
//   on_train_end(logs)               the last epoch's logs
// The batch logs are the running means over the epoch so far, as the progress bar shows them.
// A callback ends training with stop_training() (Keras' model.stop_training = True): fit finishes
// the current batch, then the epoch (validation and on_epoch_end), then calls on_train_end.
// The ready-made ones live in callbacks/ (EarlyStopping, ModelCheckpoint, ...); write your own by
// overriding the hooks you need:
//   struct PrintLoss : Callback {
//     void on_epoch_end(long epoch, Logs& logs) override { fmt::print("{} {}\n", epoch, logs["loss"]); }
//   };
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "model/fit.h"

namespace minnow {

class Model;

// What fit tells its callbacks before on_train_begin (Keras' callback.params).
struct CallbackParams {
  long epochs = 1;
  long steps = 0;                       // batches per epoch
  int verbose = 1;                      // fit's verbose
  std::vector<std::string> log_keys{};  // the keys every epoch's logs will hold ("loss", "val_loss", ...)
};

class Callback {
 public:
  virtual ~Callback() = default;
  // The hooks; each does nothing unless overridden.
  virtual void on_train_begin(const Logs& logs);
  virtual void on_train_end(const Logs& logs);
  virtual void on_epoch_begin(long epoch, const Logs& logs);
  virtual void on_epoch_end(long epoch, Logs& logs);
  virtual void on_train_batch_begin(long batch, const Logs& logs);
  virtual void on_train_batch_end(long batch, const Logs& logs);

  // fit calls this before on_train_begin; a hand-written training loop calls it itself. It also
  // clears a stop asked for in an earlier run. `out` is where messages go (nullptr: std::cout).
  void set_context(Model& model, CallbackParams params, std::ostream* out = nullptr);
  // Whether this callback asked to end training since set_context.
  bool stop_requested() const { return stop_; }

 protected:
  // The model being trained; a UsageError naming `who` before set_context.
  Model& model(const char* who) const;
  const CallbackParams& params() const { return params_; }
  std::ostream& out() const;
  void stop_training() { stop_ = true; }

 private:
  Model* model_ = nullptr;
  CallbackParams params_;
  std::ostream* out_ = nullptr;
  bool stop_ = false;
};

}  // namespace minnow
