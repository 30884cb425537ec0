// ReduceLROnPlateau: lowers the learning rate when the monitored quantity stops improving
// (Keras' keras.callbacks.ReduceLROnPlateau, with its arguments and defaults).
//   ReduceLROnPlateau plateau({.monitor = "val_loss", .factor = 0.5, .patience = 2});
// At the end of every epoch e, with q the monitored value and lr the optimizer's rate:
//   logs["lr"] = lr                                       (History records it, as Keras')
//   in cooldown:             cooldown_counter -= 1, wait = 0
//   improved(q, best, min_delta): best = q, wait = 0
//   else, out of cooldown:   wait += 1; when wait >= patience and lr > min_lr:
//                            lr = max(lr * factor, min_lr), cooldown_counter = cooldown, wait = 0
// (improved: monitor.h; min_delta here defaults to 1e-4 as Keras'.)
#pragma once

#include <string>

#include "callbacks/monitor.h"

namespace minnow {

struct ReduceLROnPlateauOptions {
  std::string monitor = "val_loss";
  double factor = 0.1;  // new_lr = lr * factor, in (0, 1)
  long patience = 10;
  int verbose = 0;  // 1: "Epoch 12: ReduceLROnPlateau reducing learning rate to 0.00010000000474974513."
  std::string mode = "auto";
  double min_delta = 1e-4;
  long cooldown = 0;  // epochs to wait after a reduction before counting again
  double min_lr = 0;
};

class ReduceLROnPlateau : public Callback {
 public:
  explicit ReduceLROnPlateau(ReduceLROnPlateauOptions options = {});
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(long epoch, Logs& logs) override;

 private:
  ReduceLROnPlateauOptions options_;
  Monitor monitor_;
  double best_ = 0;
  long wait_ = 0, cooldown_counter_ = 0;
};

}  // namespace minnow
