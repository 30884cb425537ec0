#include "model/metrics.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("BinaryAccuracy counts predictions above the threshold that equal their labels", "[metrics]") {
  BinaryAccuracy acc;
  CHECK(acc.name() == "accuracy");
  // p > 0.5: [0, 1, 0, 1] (0.5 itself is not above); labels [1, 1, 0, 0]: rows 1 and 2 match -> 2/4
  acc.update_state(Tensor({4, 1}, {0.2f, 0.7f, 0.5f, 0.9f}), Tensor({4, 1}, {1, 1, 0, 0}));
  CHECK(acc.result() == Approx(0.5));
  // A row of several labels scores the fraction it gets right: [1, 0] vs [1, 1] -> 1/2, [0, 1] vs [0, 1] -> 1
  BinaryAccuracy multi;
  multi.update_state(Tensor({2, 2}, {0.9f, 0.1f, 0.3f, 0.6f}), Tensor({2, 2}, {1, 1, 0, 1}));
  CHECK(multi.result() == Approx(0.75));
  // From logits the threshold is 0: z > 0 -> [0, 1, 1]; labels [0, 1, 0] -> 2/3
  BinaryAccuracy logits(0.0f);
  logits.update_state(Tensor({3}, {-2, 0.5f, 3}), Tensor({3}, {0, 1, 0}));
  CHECK(logits.result() == Approx(2.0 / 3));
}

TEST_CASE("CategoricalAccuracy compares the argmax of prediction and one-hot label, the first maximum on ties",
          "[metrics]") {
  CategoricalAccuracy acc;
  // argmax p: [1, 0 (tie 0.4/0.4 -> first), 2]; argmax y: [1, 1, 2] -> 2/3
  acc.update_state(Tensor({3, 3}, {0.1f, 0.7f, 0.2f, 0.4f, 0.4f, 0.2f, 0.2f, 0.3f, 0.5f}),
                   Tensor({3, 3}, {0, 1, 0, 0, 1, 0, 0, 0, 1}));
  CHECK(acc.result() == Approx(2.0 / 3));
}

TEST_CASE("SparseCategoricalAccuracy compares the argmax of the prediction with the class index", "[metrics]") {
  SparseCategoricalAccuracy acc;
  // argmax p: [1, 0, 2]; labels [1, 2, 2] -> 2/3; labels of shape (N, 1) work the same
  const Tensor p({3, 3}, {0.1f, 0.7f, 0.2f, 0.5f, 0.4f, 0.1f, 0.2f, 0.3f, 0.5f});
  acc.update_state(p, Tensor({3}, {1, 2, 2}));
  CHECK(acc.result() == Approx(2.0 / 3));
  acc.reset_state();
  acc.update_state(p, Tensor({3, 1}, {1, 0, 2}));
  CHECK(acc.result() == Approx(1.0));
}

TEST_CASE("Accuracies weight each batch by its number of samples, and reset_state starts over", "[metrics]") {
  SparseCategoricalAccuracy acc;
  CHECK(acc.result() == 0.0);
  // batch 1: 4 samples, 1 right; batch 2: 2 samples, both right -> (1 + 2) / 6 = 0.5, not (0.25 + 1) / 2
  acc.update_state(Tensor({4, 2}, {1, 0, 1, 0, 1, 0, 1, 0}), Tensor({4}, {0, 1, 1, 1}));
  CHECK(acc.result() == Approx(0.25));
  acc.update_state(Tensor({2, 2}, {0, 1, 1, 0}), Tensor({2}, {1, 0}));
  CHECK(acc.result() == Approx(0.5));
  acc.reset_state();
  CHECK(acc.result() == 0.0);
}

TEST_CASE("Mean is a weighted running mean, the loss averaged over samples", "[metrics]") {
  Mean loss;
  CHECK(loss.name() == "loss");
  CHECK(loss.result() == 0.0);
  loss.update_state(2.0, 3);  // a batch of 3 with mean loss 2
  loss.update_state(5.0, 1);  // a batch of 1 with loss 5: (6 + 5) / 4
  CHECK(loss.result() == Approx(2.75));
  loss.update_state(1.0);  // weight 1: (11 + 1) / 5
  CHECK(loss.result() == Approx(2.4));
  loss.reset_state();
  CHECK(loss.result() == 0.0);
}

TEST_CASE("make_accuracy picks Keras' accuracy for each loss", "[metrics]") {
  const auto bce = make_accuracy(BinaryCrossentropy());
  REQUIRE(dynamic_cast<const BinaryAccuracy*>(bce.get()));
  CHECK(dynamic_cast<const BinaryAccuracy&>(*bce).threshold() == 0.5f);
  const auto bce_logits = make_accuracy(BinaryCrossentropy(true));
  CHECK(dynamic_cast<const BinaryAccuracy&>(*bce_logits).threshold() == 0.0f);
  CHECK(dynamic_cast<const CategoricalAccuracy*>(make_accuracy(CategoricalCrossentropy(true)).get()));
  CHECK(dynamic_cast<const SparseCategoricalAccuracy*>(make_accuracy(SparseCategoricalCrossentropy()).get()));
  CHECK(make_accuracy(MeanSquaredError())->name() == "accuracy");
}

TEST_CASE("For mean squared error the accuracy follows tf.keras' shape rule at the first update", "[metrics]") {
  // The kind of accuracy chosen for these shapes.
  auto chosen = [](const Tensor& p, const Tensor& y) -> std::string {
    auto acc = make_accuracy(MeanSquaredError());
    acc->update_state(p, y);
    const Metric* m = dynamic_cast<const Accuracy&>(*acc).chosen();
    if (dynamic_cast<const BinaryAccuracy*>(m)) return "binary";
    if (dynamic_cast<const SparseCategoricalAccuracy*>(m)) return "sparse";
    if (dynamic_cast<const CategoricalAccuracy*>(m)) return "categorical";
    return "none";
  };
  // y_pred (N, 1): binary; (N, C) with y_true (N, C): categorical; with y_true (N,) or (N, 1): sparse
  CHECK(chosen(Tensor({2, 1}), Tensor({2, 1})) == "binary");
  CHECK(chosen(Tensor({2, 1}), Tensor({2})) == "binary");
  CHECK(chosen(Tensor({2, 3}), Tensor({2, 3})) == "categorical");
  CHECK(chosen(Tensor({2, 3}), Tensor({2})) == "sparse");
  CHECK(chosen(Tensor({2, 3}), Tensor({2, 1})) == "sparse");
  auto acc = make_accuracy(MeanSquaredError());
  acc->update_state(Tensor({2, 1}, {0.9f, 0.2f}), Tensor({2, 1}, {1, 1}));
  CHECK(acc->result() == Approx(0.5));
}

TEST_CASE("Metrics reject labels that do not fit the predictions, naming the metric and both shapes",
          "[metrics][errors]") {
  require_throws<ShapeError>(
      [] {
        CategoricalAccuracy().update_state(Tensor({2, 2}), Tensor({2, 3}));
      },
      {"CategoricalAccuracy", "(2, 2)", "(2, 3)"});
  require_throws<ShapeError>(
      [] {
        BinaryAccuracy().update_state(Tensor({2, 1}), Tensor({3, 1}));
      },
      {"BinaryAccuracy", "(2, 1)", "(3, 1)"});
  require_throws<ShapeError>(
      [] {
        SparseCategoricalAccuracy().update_state(Tensor({2, 3}), Tensor({3}));
      },
      {"SparseCategoricalAccuracy", "(2, 3)", "(3,)"});
}
