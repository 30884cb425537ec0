// fit's callbacks (model/callback.h): the hooks, their order and arguments, and stopping.
#include <sstream>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// Input(2) -> Dense(1), SGD(0.5) and MSE: two samples, so one epoch of batch_size 1 has two steps.
std::unique_ptr<Model> line_model() {
  auto in = Input({2});
  auto model = std::make_unique<Model>(in, Dense(1)(in));
  model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.5f}), std::make_shared<MeanSquaredError>());
  return model;
}

// Writes down every hook, with its epoch or batch and the keys of its logs.
struct Recorder : Callback {
  std::vector<std::string> calls;
  static std::string keys(const Logs& logs) {
    std::string k;
    for (const auto& [key, v] : logs) k += (k.empty() ? "" : ",") + key;
    return k;
  }
  void on_train_begin(const Logs& logs) override { calls.push_back("train_begin " + keys(logs)); }
  void on_train_end(const Logs& logs) override { calls.push_back("train_end " + keys(logs)); }
  void on_epoch_begin(long e, const Logs&) override { calls.push_back(fmt::format("epoch_begin {}", e)); }
  void on_epoch_end(long e, Logs& logs) override { calls.push_back(fmt::format("epoch_end {} {}", e, keys(logs))); }
  void on_train_batch_begin(long b, const Logs&) override { calls.push_back(fmt::format("batch_begin {}", b)); }
  void on_train_batch_end(long b, const Logs& logs) override {
    calls.push_back(fmt::format("batch_end {} {}", b, keys(logs)));
  }
};

}  // namespace

TEST_CASE("fit calls the callbacks' hooks in Keras' order, with fit's parameters and the logs", "[callbacks]") {
  auto model = line_model();
  const Tensor x({2, 2}, {1, 0, 0, 1}), y({2, 1}, {2, 0});
  Recorder rec;
  FitOptions opt{.epochs = 2, .batch_size = 1, .validation_x = &x, .validation_y = &y, .verbose = 0};
  opt.callbacks = {&rec};
  model->fit(x, y, opt);
  CHECK(rec.calls == std::vector<std::string>{"train_begin ", "epoch_begin 0", "batch_begin 0", "batch_end 0 loss",
                                              "batch_begin 1", "batch_end 1 loss", "epoch_end 0 loss,val_loss",
                                              "epoch_begin 1", "batch_begin 0", "batch_end 0 loss", "batch_begin 1",
                                              "batch_end 1 loss", "epoch_end 1 loss,val_loss",
                                              "train_end loss,val_loss"});
}

TEST_CASE("A callback's stop_training ends fit after the epoch, and a null callback is refused", "[callbacks]") {
  struct StopAfterFirstBatch : Callback {
    CallbackParams seen;
    void on_train_begin(const Logs&) override { seen = params(); }
    void on_train_batch_end(long, const Logs&) override { stop_training(); }
  } stop;
  auto model = line_model();
  const Tensor x({4, 2}, {1, 0, 0, 1, 1, 1, 0, 0}), y({4, 1}, {2, 0, 2, 0});
  FitOptions opt{.epochs = 5, .batch_size = 1, .validation_split = 0.5, .verbose = 0};
  opt.callbacks = {&stop};
  const History h = model->fit(x, y, opt);
  CHECK(h.history.at("loss").size() == 1);
  CHECK(h.history.at("val_loss").size() == 1);  // the epoch is finished: validation ran
  CHECK(model->optimizer().iterations() == 1);  // only one batch
  CHECK(stop.seen.epochs == 5);
  CHECK(stop.seen.steps == 2);
  CHECK(stop.seen.log_keys == std::vector<std::string>{"loss", "val_loss"});
  // fit clears the stop at the next call: it trains again.
  model->fit(x, y, opt);
  CHECK(model->optimizer().iterations() == 2);

  opt.callbacks = {nullptr};
  require_throws_unchanged<UsageError>(*model, [&] { model->fit(x, y, opt); }, {"Model 'model", "null pointer"});
}

TEST_CASE("A callback outside fit names itself when it has no model", "[callbacks]") {
  EarlyStopping stop({.monitor = "loss"});
  Logs logs{{"loss", 1.0}};
  require_throws<UsageError>([&] { stop.on_epoch_end(0, logs); }, {"EarlyStopping", "no model", "set_context"});
}

TEST_CASE("python_float prints numbers as Python's repr, as Keras' messages and CSV files show them", "[callbacks]") {
  CHECK(python_float(1.0) == "1.0");
  CHECK(python_float(0.1) == "0.1");
  CHECK(python_float(1e-05) == "1e-05");
  CHECK(python_float(double(0.001f) * 0.1) == "0.00010000000474974513");  // Keras' famous line
  CHECK(python_float(1e16) == "1e+16");
  CHECK(python_float(1e15) == "1000000000000000.0");
  CHECK(python_float(std::numeric_limits<double>::quiet_NaN()) == "nan");
  CHECK(python_float(-std::numeric_limits<double>::infinity()) == "-inf");
}
