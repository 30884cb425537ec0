// The callback tests' helpers: a small model, and a callback that writes chosen values into each
// epoch's logs, so that what EarlyStopping or ReduceLROnPlateau see can be scripted exactly.
#pragma once

#include <unistd.h>

#include <filesystem>

#include "test_util.h"

namespace minnow::testing {

// Input(2) -> Dense(1), SGD(learning_rate), MSE and "accuracy" (so that the logs hold loss,
// accuracy, val_loss and val_accuracy); x two samples, one step per epoch.
inline std::unique_ptr<Model> small_model(float learning_rate = 0.1f) {
  auto in = Input({2});
  auto model = std::make_unique<Model>(in, Dense(DenseOptions{.units = 1, .name = "line"})(in));  // named: one
  model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = learning_rate}),  // model's file loads into another
                 std::make_shared<MeanSquaredError>(), {"accuracy"});
  return model;
}
inline const Tensor kX({2, 2}, {1, 0, 0, 1});
inline const Tensor kY({2, 1}, {2, 0});

// Put first in fit's callbacks: epoch e's logs[key] becomes values[e]; it also keeps every epoch's
// weights (get_weights), to compare with what the callbacks restore or save.
struct Scripted : Callback {
  std::map<std::string, std::vector<double>> values;
  std::vector<std::vector<Tensor>> weights;
  void on_epoch_end(long epoch, Logs& logs) override {
    for (const auto& [key, v] : values) logs[key] = v.at(size_t(epoch));
    weights.push_back(model("Scripted").get_weights());
  }
};

// fit with the scripted callback first, then `others`; verbose 0, output into `out`.
inline History fit_scripted(Model& model, Scripted& script, std::vector<Callback*> others, long epochs,
                            std::ostream* out = nullptr) {
  FitOptions opt{.epochs = epochs, .batch_size = 2, .validation_x = &kX, .validation_y = &kY, .verbose = 0, .out = out};
  opt.callbacks = {&script};
  opt.callbacks.insert(opt.callbacks.end(), others.begin(), others.end());
  return model.fit(kX, kY, opt);
}

// A folder of its own for one test (the process id in its name: test runs in parallel never share it).
inline std::filesystem::path scratch_folder(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("minnow_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void require_same_weights(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].shape() == b[i].shape());
    for (long j = 0; j < a[i].size(); ++j) REQUIRE(a[i][j] == b[i][j]);
  }
}

}  // namespace minnow::testing
