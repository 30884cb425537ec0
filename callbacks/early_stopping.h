// EarlyStopping: ends training when the monitored quantity has stopped improving (Keras'
// keras.callbacks.EarlyStopping, with its arguments and defaults).
//   EarlyStopping stop({.monitor = "val_loss", .patience = 3, .restore_best_weights = true});
//   fit_options.callbacks = {&stop};
// At the end of every epoch e (from 0), with q the monitored value:
//   wait += 1
//   if improved(q, best, min_delta):  best = q, best_epoch = e, keep the weights if restoring,
//                                     and wait = 0 unless a baseline is set and q does not beat it
//   else if wait >= patience and e > 0: stop; restore the best epoch's weights if asked
// (improved: monitor.h.) Epochs before start_from_epoch are not looked at.
// As tf.keras 2.x, the best weights come back only when training stops early; they are every
// weight of the model (get_weights: the moving statistics too).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "callbacks/monitor.h"
#include "core/tensor.h"

namespace minnow {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0;  // a change smaller than this is no improvement (its sign is ignored)
  long patience = 0;     // epochs without improvement before stopping
  int verbose = 0;       // 1: "Epoch 7: early stopping" at the end
  std::string mode = "auto";
  std::optional<double> baseline{};  // the value to reach: until then, improving resets nothing
  bool restore_best_weights = false;
  long start_from_epoch = 0;  // epochs to wait before looking at the quantity at all
};

class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(long epoch, Logs& logs) override;
  void on_train_end(const Logs& logs) override;

  long stopped_epoch() const { return stopped_epoch_; }  // the epoch (from 0) it stopped after; 0: none
  long best_epoch() const { return best_epoch_; }
  double best() const { return best_; }

 private:
  EarlyStoppingOptions options_;
  Monitor monitor_;
  long wait_ = 0, stopped_epoch_ = 0, best_epoch_ = 0;
  double best_ = 0;
  std::vector<Tensor> best_weights_;
};

}  // namespace minnow
