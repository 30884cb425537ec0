// ReduceLROnPlateau (callbacks/reduce_lr_on_plateau.h), walked epoch by epoch with Keras' rules
// (keras/callbacks.py, ReduceLROnPlateau.on_epoch_end).
#include "callbacks/scripted.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("ReduceLROnPlateau lowers the rate after `patience` flat epochs, with cooldown and min_lr", "[callbacks]") {
  auto model = small_model(1.0f);
  Scripted script;
  script.values["val_loss"] = {1.0, 1.0, 1.0, 1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  ReduceLROnPlateau plateau({.factor = 0.5, .patience = 1, .verbose = 1, .min_delta = 0, .cooldown = 2, .min_lr = 0.1});
  std::ostringstream out;
  const History h = fit_scripted(*model, script, {&plateau}, 10, &out);
  // epoch 0: best 1.0. 1: flat, wait 1 -> 0.5, cooldown 2. 2: cooldown 1. 3: cooldown 0, then flat,
  // wait 1 -> 0.25, cooldown 2. 4: 0.5 improves (cooldown 1). 5: cooldown 0, wait 1 -> 0.125.
  // 6: cooldown 1. 7: cooldown 0, wait 1 -> max(0.0625, 0.1) = 0.1. 8: cooldown 1. 9: wait 1, but
  // the rate is min_lr (as float32) already. "lr" is the rate each epoch ran with.
  const double tenth = double(0.1f);
  CHECK(h.history.at("lr") == std::vector<double>{1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, tenth, tenth});
  CHECK(model->optimizer().learning_rate() == 0.1f);
  CHECK(out.str() == "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.5.\n"
                     "\nEpoch 4: ReduceLROnPlateau reducing learning rate to 0.25.\n"
                     "\nEpoch 6: ReduceLROnPlateau reducing learning rate to 0.125.\n"
                     "\nEpoch 8: ReduceLROnPlateau reducing learning rate to 0.1.\n");
}

TEST_CASE("ReduceLROnPlateau counts an improvement only beyond min_delta, and maximizes accuracy", "[callbacks]") {
  auto model = small_model(1.0f);
  Scripted script;
  script.values["val_accuracy"] = {0.5, 0.50005, 0.6};
  ReduceLROnPlateau plateau({.monitor = "val_accuracy", .patience = 1});  // min_delta 1e-4, factor 0.1
  const History h = fit_scripted(*model, script, {&plateau}, 3);
  CHECK(h.history.at("lr") == std::vector<double>{1, 1, double(0.1f)});
}

TEST_CASE("ReduceLROnPlateau refuses a factor outside (0, 1)", "[callbacks]") {
  require_throws<ConfigError>([] { ReduceLROnPlateau({.factor = 1.0}); }, {"ReduceLROnPlateau", "factor", "(0, 1)"});
  require_throws<ConfigError>([] { ReduceLROnPlateau({.min_lr = -1}); }, {"ReduceLROnPlateau", "min_lr"});
}
