// LearningRateScheduler: sets the optimizer's learning rate before every epoch from a function
// of the epoch (Keras' keras.callbacks.LearningRateScheduler).
//   LearningRateScheduler halve([](long epoch, double lr) { return epoch == 0 ? lr : lr / 2; });
// on_epoch_begin(e):  lr = schedule(e, lr)      e from 0; lr the optimizer's current rate
// on_epoch_end:       logs["lr"] = lr           History records it, as Keras'
#pragma once

#include <functional>

#include "model/callback.h"

namespace minnow {

// (epoch counted from 0, the current learning rate) -> the learning rate for that epoch.
using LearningRateSchedule = std::function<double(long epoch, double lr)>;

class LearningRateScheduler : public Callback {
 public:
  // verbose 1: "Epoch 2: LearningRateScheduler setting learning rate to 0.0005." each epoch.
  explicit LearningRateScheduler(LearningRateSchedule schedule, int verbose = 0);
  // A ConfigError when the schedule returns a rate that is not finite and > 0.
  void on_epoch_begin(long epoch, const Logs& logs) override;
  void on_epoch_end(long epoch, Logs& logs) override;

 private:
  LearningRateSchedule schedule_;
  int verbose_;
};

}  // namespace minnow
