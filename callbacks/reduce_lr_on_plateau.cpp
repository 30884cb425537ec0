// ReduceLROnPlateau (reduce_lr_on_plateau.h).
#include "callbacks/reduce_lr_on_plateau.h"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "model/model.h"
#include "optim/optimizer.h"

namespace minnow {

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauOptions options)
    : options_(std::move(options)), monitor_("ReduceLROnPlateau", options_.monitor, options_.mode) {
  const ReduceLROnPlateauOptions& o = options_;
  if (!(o.factor > 0 && o.factor < 1))
    throw ConfigError(fmt::format("ReduceLROnPlateau: factor must be in (0, 1), but received {}", o.factor));
  if (o.patience < 0 || o.cooldown < 0)
    throw ConfigError(fmt::format("ReduceLROnPlateau: patience and cooldown must be >= 0, but received {} and {}",
                                  o.patience, o.cooldown));
  if (!(std::isfinite(o.min_delta) && o.min_lr >= 0 && std::isfinite(o.min_lr)))
    throw ConfigError(fmt::format("ReduceLROnPlateau: min_delta must be finite and min_lr finite and >= 0, but "
                                  "received {} and {}",
                                  o.min_delta, o.min_lr));
}

void ReduceLROnPlateau::on_train_begin(const Logs& /*logs*/) {
  monitor_.check(params());
  best_ = monitor_.worst();
  wait_ = cooldown_counter_ = 0;
}

void ReduceLROnPlateau::on_epoch_end(long epoch, Logs& logs) {
  Optimizer& optimizer = model("ReduceLROnPlateau").optimizer();
  const double lr = optimizer.learning_rate();  // float32, read as a double (as Keras reads it)
  logs["lr"] = lr;
  const double current = monitor_.value(logs);
  if (cooldown_counter_ > 0) --cooldown_counter_, wait_ = 0;
  if (monitor_.improved(current, best_, options_.min_delta)) {
    best_ = current, wait_ = 0;
    return;
  }
  if (cooldown_counter_ > 0 || ++wait_ < options_.patience) return;
  if (lr > double(float(options_.min_lr))) {
    const double new_lr = std::max(lr * options_.factor, options_.min_lr);
    optimizer.set_learning_rate(float(new_lr));
    if (options_.verbose > 0)
      out() << fmt::format("\nEpoch {}: ReduceLROnPlateau reducing learning rate to {}.\n", epoch + 1,
                           python_float(new_lr));
    cooldown_counter_ = options_.cooldown, wait_ = 0;
  }
}

}  // namespace minnow
