// EarlyStopping (early_stopping.h).
#include "callbacks/early_stopping.h"

#include <cmath>
#include <ostream>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "model/model.h"

namespace minnow {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : options_(std::move(options)), monitor_("EarlyStopping", options_.monitor, options_.mode) {
  if (options_.patience < 0)
    throw ConfigError(fmt::format("EarlyStopping: patience must be >= 0, but received {}", options_.patience));
  if (!std::isfinite(options_.min_delta))
    throw ConfigError(fmt::format("EarlyStopping: min_delta must be finite, but received {}", options_.min_delta));
  options_.min_delta = std::abs(options_.min_delta);
}

void EarlyStopping::on_train_begin(const Logs& /*logs*/) {
  monitor_.check(params());
  wait_ = stopped_epoch_ = best_epoch_ = 0;
  best_ = monitor_.worst();
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(long epoch, Logs& logs) {
  if (epoch < options_.start_from_epoch) return;
  const double current = monitor_.value(logs);
  Model& model = this->model("EarlyStopping");
  if (options_.restore_best_weights && best_weights_.empty()) best_weights_ = model.get_weights();
  ++wait_;
  if (monitor_.improved(current, best_, options_.min_delta)) {
    best_ = current, best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = model.get_weights();
    if (!options_.baseline || monitor_.improved(current, *options_.baseline, options_.min_delta)) wait_ = 0;
    return;
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    stop_training();
    if (options_.restore_best_weights && !best_weights_.empty()) {
      if (options_.verbose > 0)
        out() << fmt::format("Restoring model weights from the end of the best epoch: {}.\n", best_epoch_ + 1);
      model.set_weights(best_weights_);
    }
  }
}

void EarlyStopping::on_train_end(const Logs& /*logs*/) {
  if (stopped_epoch_ > 0 && options_.verbose > 0)
    out() << fmt::format("Epoch {}: early stopping\n", stopped_epoch_ + 1);
}

}  // namespace minnow
