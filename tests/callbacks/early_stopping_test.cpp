// EarlyStopping (callbacks/early_stopping.h) against Keras' rules: the stops in the first test
// are TensorFlow.js 4.22's EarlyStopping given the same logs (tests/reference/
// make_keras_early_stopping_reference.js, output in keras_early_stopping_reference.txt).
#include "callbacks/scripted.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// The epoch (from 0) at whose end EarlyStopping stopped, or -1 when all epochs ran.
long stop_epoch(const EarlyStoppingOptions& options, const std::vector<double>& values) {
  auto model = small_model();
  Scripted script;
  script.values[options.monitor] = values;
  EarlyStopping stop(options);
  const History h = fit_scripted(*model, script, {&stop}, long(values.size()));
  const long epochs = long(h.history.at("loss").size());
  CHECK((epochs == long(values.size()) || stop.stopped_epoch() == epochs - 1));
  return epochs == long(values.size()) && stop.stopped_epoch() == 0 ? -1 : epochs - 1;
}

}  // namespace

TEST_CASE("EarlyStopping stops where Keras' EarlyStopping stops on the same logs", "[callbacks]") {
  CHECK(stop_epoch({.monitor = "val_loss", .min_delta = 0.01, .patience = 2}, {1.0, 0.9, 0.895, 0.89, 0.8, 0.7}) == 3);
  CHECK(stop_epoch({.monitor = "val_loss", .patience = 0}, {1.0, 0.9, 0.95, 0.5}) == 2);
  CHECK(stop_epoch({.monitor = "val_accuracy", .patience = 1}, {0.5, 0.6, 0.6, 0.7, 0.65, 0.66}) == 2);  // auto: max
  CHECK(stop_epoch({.monitor = "val_loss", .patience = 1, .mode = "max"}, {1.0, 2.0, 1.5, 1.4}) == 2);
  CHECK(stop_epoch({.monitor = "val_loss", .patience = 2, .baseline = 0.5}, {0.9, 0.95, 0.97, 0.3}) == 1);
  CHECK(stop_epoch({.monitor = "val_loss", .patience = 1}, {5, 4, 3, 2, 1}) == -1);
  // tf.keras 2.13 (keras/callbacks.py): improving resets the wait only past the baseline, but an
  // improvement never stops training: a steady descent above the baseline runs to the end.
  CHECK(stop_epoch({.monitor = "val_loss", .patience = 2, .baseline = 0.5}, {0.9, 0.8, 0.7, 0.6, 0.55, 0.52}) == -1);
  // Epochs before start_from_epoch are not looked at: the wait starts at epoch 2.
  CHECK(stop_epoch({.monitor = "val_loss", .patience = 1, .start_from_epoch = 2}, {1, 2, 3, 4, 5}) == 3);
}

TEST_CASE("EarlyStopping restores the best epoch's weights, and says so as Keras does", "[callbacks]") {
  auto model = small_model();
  Scripted script;
  script.values["val_loss"] = {0.5, 0.3, 0.4, 0.45, 0.2};
  EarlyStopping stop({.monitor = "val_loss", .patience = 2, .verbose = 1, .restore_best_weights = true});
  std::ostringstream out;
  const History h = fit_scripted(*model, script, {&stop}, 5, &out);
  CHECK(h.history.at("loss").size() == 4);
  CHECK(stop.stopped_epoch() == 3);
  CHECK(stop.best_epoch() == 1);
  CHECK(stop.best() == 0.3);
  require_same_weights(model->get_weights(), script.weights[1]);
  CHECK(out.str() == "Restoring model weights from the end of the best epoch: 2.\nEpoch 4: early stopping\n");
}

TEST_CASE("EarlyStopping refuses bad arguments and a quantity the logs will not hold, before training", "[callbacks]") {
  require_throws<ConfigError>([] { EarlyStopping({.mode = "smallest"}); }, {"EarlyStopping", "mode", "smallest"});
  require_throws<ConfigError>([] { EarlyStopping({.patience = -1}); }, {"EarlyStopping", "patience", "-1"});
  auto model = small_model();
  EarlyStopping stop({.monitor = "val_acc"});
  FitOptions opt{.epochs = 2, .verbose = 0};
  opt.callbacks = {&stop};
  require_throws_unchanged<ConfigError>(
      *model, [&] { model->fit(kX, kY, opt); },
      {"EarlyStopping", "monitor 'val_acc'", "hold: accuracy, loss", "validation data"});
}
