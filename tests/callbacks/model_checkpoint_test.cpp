// ModelCheckpoint (callbacks/model_checkpoint.h): Keras' file names, save_best_only and messages.
#include "callbacks/scripted.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("ModelCheckpoint fills the epoch and the logs into the file name, as Python's format", "[callbacks]") {
  const Logs logs{{"loss", 0.123456}, {"val_loss", 1.5}};
  CHECK(checkpoint_path("w-{epoch:02d}-{val_loss:.2f}.npz", 3, logs) == "w-03-1.50.npz");
  CHECK(checkpoint_path("{epoch}_{loss:.4f}", 12, logs) == "12_0.1235");
  CHECK(checkpoint_path("a{{b}}.npz", 1, logs) == "a{b}.npz");
  require_throws<ConfigError>([&] { checkpoint_path("w-{val_acc}.npz", 1, logs); },
                              {"ModelCheckpoint", "{val_acc}", "epoch, loss, val_loss"});
  require_throws<ConfigError>([&] { checkpoint_path("w-{epoch:.2f}.npz", 1, logs); },
                              {"ModelCheckpoint", "{epoch:.2f}", "does not fit"});
  require_throws<ConfigError>([&] { checkpoint_path("w-{epoch.npz", 1, logs); }, {"ModelCheckpoint", "never closes"});
  // A hostile width would ask fmt for gigabytes of padding: refused before formatting.
  require_throws<ConfigError>([&] { checkpoint_path("w-{epoch:2000000000d}.npz", 1, logs); },
                              {"ModelCheckpoint", "{epoch:2000000000d}", "too large"});
  CHECK(checkpoint_path("w-{epoch:03d}-{loss:.12f}", 7, logs) == "w-007-0.123456000000");
}

TEST_CASE("ModelCheckpoint saves every epoch's weights, readable by load_weights", "[callbacks]") {
  const auto dir = scratch_folder("checkpoint_every");
  auto model = small_model();
  Scripted script;
  ModelCheckpoint save({.filepath = (dir / "w-{epoch:02d}.npz").string()});
  fit_scripted(*model, script, {&save}, 3);
  for (int e = 1; e <= 3; ++e) {
    auto other = small_model();
    other->load_weights((dir / fmt::format("w-{:02d}.npz", e)).string());
    require_same_weights(other->get_weights(), script.weights[size_t(e - 1)]);
  }
  CHECK(save.last_path() == (dir / "w-03.npz").string());
  std::filesystem::remove_all(dir);
}

TEST_CASE("ModelCheckpoint with save_best_only writes only improvements, and prints Keras' lines", "[callbacks]") {
  const auto dir = scratch_folder("checkpoint_best");
  auto model = small_model();
  Scripted script;
  script.values["val_loss"] = {0.5, 0.6, 0.25, 0.25};
  const std::string pattern = (dir / "best-{epoch}.npz").string();
  ModelCheckpoint best({.filepath = pattern, .verbose = 1, .save_best_only = true});
  std::ostringstream out;
  fit_scripted(*model, script, {&best}, 4, &out);
  CHECK(std::filesystem::exists(dir / "best-1.npz"));
  CHECK(!std::filesystem::exists(dir / "best-2.npz"));
  CHECK(std::filesystem::exists(dir / "best-3.npz"));
  CHECK(!std::filesystem::exists(dir / "best-4.npz"));  // equal is no improvement
  CHECK(best.best() == 0.25);
  const std::string p1 = (dir / "best-1.npz").string(), p3 = (dir / "best-3.npz").string();
  CHECK(out.str() == fmt::format("\nEpoch 1: val_loss improved from inf to 0.50000, saving model to {}\n"
                                 "\nEpoch 2: val_loss did not improve from 0.50000\n"
                                 "\nEpoch 3: val_loss improved from 0.50000 to 0.25000, saving model to {}\n"
                                 "\nEpoch 4: val_loss did not improve from 0.25000\n",
                                 p1, p3));
  auto other = small_model();
  other->load_weights(p3);
  require_same_weights(other->get_weights(), script.weights[2]);
  std::filesystem::remove_all(dir);
}

TEST_CASE("ModelCheckpoint checks its file name before training", "[callbacks]") {
  require_throws<ConfigError>([] { ModelCheckpoint({}); }, {"ModelCheckpoint", "filepath is empty"});
  auto model = small_model();
  ModelCheckpoint bad({.filepath = "w-{val_accuracy:.2f}.npz"});
  FitOptions opt{.epochs = 1, .verbose = 0};
  opt.callbacks = {&bad};
  require_throws_unchanged<ConfigError>(*model, [&] { model->fit(kX, kY, opt); },
                                        {"ModelCheckpoint", "{val_accuracy}", "epoch, accuracy, loss"});
}
