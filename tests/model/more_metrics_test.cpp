#include "model/more_metrics.h"

#include <sstream>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Top-k accuracies match Keras' docstring examples", "[metrics]") {
  // keras.metrics.TopKCategoricalAccuracy(k=1) on [[0, 0, 1], [0, 1, 0]] and
  // [[0.1, 0.9, 0.8], [0.05, 0.95, 0]] gives 0.5; SparseTopKCategoricalAccuracy(k=1) on [2, 1] the same.
  const Tensor p({2, 3}, {0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0});
  TopKCategoricalAccuracy top1(1);
  top1.update_state(p, Tensor({2, 3}, {0, 0, 1, 0, 1, 0}));
  CHECK(top1.result() == Approx(0.5));
  SparseTopKCategoricalAccuracy sparse1(1);
  sparse1.update_state(p, Tensor({2}, {2, 1}));
  CHECK(sparse1.result() == Approx(0.5));
  // k = 2: class 2 (0.8) is second in row 0 -> both rows hit
  SparseTopKCategoricalAccuracy sparse2(2);
  sparse2.update_state(p, Tensor({2, 1}, {2, 1}));
  CHECK(sparse2.result() == Approx(1.0));
}

TEST_CASE("Top-k accuracy has k = 5 by default, counts ties with the true class as in, and k >= C always hits",
          "[metrics]") {
  TopKCategoricalAccuracy top5;
  CHECK(top5.k() == 5);
  CHECK(top5.name() == "top_k_categorical_accuracy");
  // 7 classes; row 0: true class 0 has the 6th largest score (5 above it) -> miss;
  // row 1: true class 6 ties with 4 others at 0.5, two classes above -> in (tf.math.in_top_k's rule)
  Tensor p({2, 7}, {0.1f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.0f, 0.9f, 0.8f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f});
  Tensor y({2, 7}, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  top5.update_state(p, y);
  CHECK(top5.result() == Approx(0.5));
  TopKCategoricalAccuracy top7(7);  // every class is in the top 7 of 7
  top7.update_state(p, y);
  CHECK(top7.result() == Approx(1.0));
  require_throws<ConfigError>([] { TopKCategoricalAccuracy(0); }, {"TopKCategoricalAccuracy", "k=0"});
  require_throws<ConfigError>([] { SparseTopKCategoricalAccuracy(-1); }, {"SparseTopKCategoricalAccuracy", "k=-1"});
}

TEST_CASE("The mae and mse metrics average each row's mean error over the samples", "[metrics]") {
  MeanAbsoluteErrorMetric mae;
  MeanSquaredErrorMetric mse;
  CHECK(mae.name() == "mean_absolute_error");
  CHECK(mse.name() == "mean_squared_error");
  // rows of 2: errors [1, -3] and [0.5, 0.5] -> |.| means 2 and 0.5, squared means 5 and 0.25
  const Tensor p({2, 2}, {1, 0, 1, 2}), y({2, 2}, {0, 3, 0.5f, 1.5f});
  mae.update_state(p, y);
  mse.update_state(p, y);
  CHECK(mae.result() == Approx(1.25));
  CHECK(mse.result() == Approx(2.625));
  // a batch of one sample counts once: (2 + 0.5 + 4) / 3 for mae
  mae.update_state(Tensor({1, 2}, {4, 4}), Tensor({1, 2}, {0, 0}));
  CHECK(mae.result() == Approx(6.5 / 3));
  require_throws<ShapeError>([&] { mse.update_state(Tensor({2, 2}), Tensor({4})); }, {"(2, 2)", "(4,)"});
}

TEST_CASE("make_metric builds Keras' metric for each name and names it by the string asked for", "[metrics]") {
  const BinaryCrossentropy bce;
  for (const char* n : {"accuracy", "acc", "Accuracy", "ACC"}) {
    const auto m = make_metric(n, bce);
    CHECK(m->name() == n);
    CHECK(dynamic_cast<const BinaryAccuracy*>(m.get()) != nullptr);
  }
  CHECK(dynamic_cast<const CategoricalAccuracy*>(make_metric("categorical_accuracy", bce).get()) != nullptr);
  CHECK(dynamic_cast<const SparseCategoricalAccuracy*>(make_metric("SparseCategoricalAccuracy", bce).get()));
  CHECK(dynamic_cast<const BinaryAccuracy&>(*make_metric("binary_accuracy", BinaryCrossentropy(true))).threshold() ==
        0.5f);
  CHECK(dynamic_cast<const TopKCategoricalAccuracy&>(*make_metric("top_k_categorical_accuracy", bce)).k() == 5);
  CHECK(make_metric("sparse_top_k_categorical_accuracy", bce)->name() == "sparse_top_k_categorical_accuracy");
  for (const char* n : {"mae", "MAE", "mean_absolute_error", "MeanAbsoluteError"}) {
    const auto m = make_metric(n, bce);
    CHECK(m->name() == n);
    CHECK(dynamic_cast<const MeanAbsoluteErrorMetric*>(m.get()) != nullptr);
  }
  for (const char* n : {"mse", "MSE", "mean_squared_error", "MeanSquaredError"})
    CHECK(dynamic_cast<const MeanSquaredErrorMetric*>(make_metric(n, bce).get()) != nullptr);
  require_throws<ConfigError>([&] { make_metric("f1", bce); }, {"'f1'", "'accuracy'", "'mean_absolute_error'"});
}

TEST_CASE("compile's metrics appear in History and the progress bar under the names given, val_ for validation",
          "[metrics][fit]") {
  set_random_seed(3);
  auto in = Input({3});
  Model model(in, Dense(1, "sigmoid")(in));
  model.compile("adam", "binary_crossentropy", {"acc", "mae", "mean_squared_error", "binary_accuracy"});
  const Tensor x = random_tensor({40, 3}, 6);
  Tensor y({40, 1});
  for (long i = 0; i < 40; ++i) y[i] = x[3 * i] > 0 ? 1.0f : 0.0f;
  std::ostringstream out;
  const History h =
      model.fit(x, y, {.epochs = 2, .batch_size = 10, .validation_split = 0.25, .verbose = 2, .out = &out});
  for (const char* key : {"loss", "acc", "mae", "mean_squared_error", "binary_accuracy"}) {
    INFO(key);
    CHECK(h.history.count(key) == 1);
    CHECK(h.history.count(std::string("val_") + key) == 1);
    CHECK(out.str().find(std::string(" - ") + key + ": ") != std::string::npos);
  }
  CHECK(h.history.count("accuracy") == 0);
  // The same data evaluated: "acc" and "binary_accuracy" are the same accuracy here, mae its own number.
  const Logs logs = model.evaluate(x, y, 40);
  CHECK(logs.at("acc") == Approx(logs.at("binary_accuracy")));
  const Tensor pred = model.predict(x);
  double mae = 0;
  for (long i = 0; i < 40; ++i) mae += std::abs(pred[i] - y[i]) / 40;
  CHECK(logs.at("mae") == Approx(mae).epsilon(1e-5));
  require_throws<ConfigError>([&] { model.compile("adam", "mse", {"f1"}); }, {"Model", "'f1'"});
}
