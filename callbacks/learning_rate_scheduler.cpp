// LearningRateScheduler (learning_rate_scheduler.h).
#include "callbacks/learning_rate_scheduler.h"

#include <cmath>
#include <ostream>
#include <utility>

#include <fmt/format.h>

#include "callbacks/monitor.h"
#include "core/error.h"
#include "model/model.h"
#include "optim/optimizer.h"

namespace minnow {

LearningRateScheduler::LearningRateScheduler(LearningRateSchedule schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {
  if (!schedule_) throw ConfigError("LearningRateScheduler: the schedule is empty");
}

void LearningRateScheduler::on_epoch_begin(long epoch, const Logs& /*logs*/) {
  Optimizer& optimizer = model("LearningRateScheduler").optimizer();
  const double lr = schedule_(epoch, optimizer.learning_rate());
  if (!(std::isfinite(lr) && lr > 0))
    throw ConfigError(fmt::format("LearningRateScheduler: the schedule returned {} for epoch {} (from 0); a learning "
                                  "rate must be finite and > 0",
                                  lr, epoch));
  optimizer.set_learning_rate(float(lr));
  if (verbose_ > 0)
    out() << fmt::format("\nEpoch {}: LearningRateScheduler setting learning rate to {}.\n", epoch + 1,
                         python_float(lr));
}

void LearningRateScheduler::on_epoch_end(long /*epoch*/, Logs& logs) {
  logs["lr"] = model("LearningRateScheduler").optimizer().learning_rate();
}

}  // namespace minnow
