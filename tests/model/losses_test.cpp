#include "model/losses.h"

#include <cmath>
#include <limits>

#include "core/activations.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// Soft targets: positive rows that sum to 1.
Tensor soft_targets(const Shape& shape, std::uint64_t seed) {
  Tensor t = random_tensor(shape, seed, 0.1f, 1.0f);
  auto T = t.matrix();
  for (long r = 0; r < T.rows(); ++r) T.row(r) /= T.row(r).sum();
  return t;
}

}  // namespace

TEST_CASE("Mean squared error is the mean of the squared differences and its gradient is 2 (p - y) / S", "[losses]") {
  MeanSquaredError mse;
  const Tensor y_pred({2, 2}, {1, 2, 3, 4});
  const Tensor y_true({2, 2}, {0, 2, 1, 5});
  // differences [1, 0, 2, -1], squares [1, 0, 4, 1]: L = 6 / 4 = 1.5; dL/dp = 2 d / 4 = d / 2
  Tensor grad;
  CHECK(loss_and_grad(mse, y_pred, y_true, grad) == Approx(1.5));
  require_values(grad, {0.5f, 0, 1, -0.5f});
  // (N,) labels fit an (N, 1) prediction, as Keras' loss wrapper squeezes them.
  CHECK(mse.compute(Tensor({3, 1}, {1, 2, 3}), Tensor({3}, {1, 2, 6}), nullptr) == Approx(3.0));  // 9 / 3
}

TEST_CASE("Binary crossentropy matches Keras' documented example and the gradient by hand", "[losses]") {
  BinaryCrossentropy bce;
  // tf.keras.losses.BinaryCrossentropy docstring: y_true [[0, 1], [0, 0]], y_pred [[0.6, 0.4], [0.4, 0.6]] -> 0.815
  // by hand: -(log 0.4 + log 0.4 + log 0.6 + log 0.4) / 4 = (3 * 0.916291 + 0.510826) / 4 = 0.814924
  const Tensor y_pred({2, 2}, {0.6f, 0.4f, 0.4f, 0.6f});
  const Tensor y_true({2, 2}, {0, 1, 0, 0});
  Tensor grad;
  CHECK(loss_and_grad(bce, y_pred, y_true, grad) == Approx(0.814924).margin(1e-6));
  // dL/dp = [-y / p + (1 - y) / (1 - p)] / 4: [1/0.4, -1/0.4, 1/0.6, 1/0.4] / 4
  require_values(grad, {0.625f, -0.625f, 0.416667f, 0.625f});
}

TEST_CASE("Binary crossentropy clips probabilities to [1e-7, 1 - 1e-7] as Keras does, with zero gradient where clipped",
          "[losses]") {
  BinaryCrossentropy bce;
  // y_true [0, 0, 1, 1], y_pred [1, 1, 1, 0]. Keras clips in float32 (1 - 1e-7 = 0.99999988) and adds eps in the log:
  //   y=0, p=1: -log(1 - 0.99999988 + 1e-7) = -log(2.192e-7) = 15.33330   (twice)
  //   y=1, p=1: -log(0.99999988 + 1e-7) = 1.9e-8
  //   y=1, p=0: -log(1e-7 + 1e-7) = 15.42495
  // mean (2 * 15.33330 + 15.42495) / 4 = 11.522857, the number tf.keras prints
  const Tensor y_pred({4, 1}, {1, 1, 1, 0});
  const Tensor y_true({4, 1}, {0, 0, 1, 1});
  Tensor grad;
  CHECK(loss_and_grad(bce, y_pred, y_true, grad) == Approx(11.522857).margin(1e-5));
  require_values(grad, {0, 0, 0, 0});
}

TEST_CASE("Binary crossentropy from logits matches Keras' documented example", "[losses]") {
  BinaryCrossentropy bce(true);
  // tf.keras.losses.BinaryCrossentropy(from_logits=True) docstring: y_true [0, 1, 0, 0],
  // logits [-18.6, 0.51, 2.94, -12.8] -> 0.865. Per element max(z, 0) - z y + log(1 + exp(-|z|)):
  //   8.4e-9, log(1 + e^-0.51) = 0.463573, 2.94 + log(1 + e^-2.94) = 2.991264, 2.8e-6;  mean 0.865458
  const Tensor z({4}, {-18.6f, 0.51f, 2.94f, -12.8f});
  const Tensor y({4}, {0, 1, 0, 0});
  Tensor grad;
  CHECK(loss_and_grad(bce, z, y, grad) == Approx(0.865458).margin(1e-6));
  // (sigmoid(z) - y) / 4: sigmoid(0.51) = 0.624806, sigmoid(2.94) = 0.949790
  require_values(grad, {0, (0.624806f - 1) / 4, 0.949790f / 4, 0}, 1e-6f);
}

TEST_CASE("Categorical crossentropy matches Keras' documented examples and the gradient by hand", "[losses]") {
  CategoricalCrossentropy cce;
  // tf.keras.losses.CategoricalCrossentropy docstring -> 1.177:
  //   row 0: y [0, 1, 0], p [0.05, 0.95, 0] -> -log 0.95 = 0.051293;  row 1: y [0, 0, 1], p [0.1, 0.8, 0.1] -> -log 0.1
  //   = 2.302585
  const Tensor y_pred({2, 3}, {0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f});
  const Tensor y_true({2, 3}, {0, 1, 0, 0, 0, 1});
  Tensor grad;
  CHECK(loss_and_grad(cce, y_pred, y_true, grad) == Approx(1.176939).margin(1e-6));
  // (B4) with s = 1, R = 2: g = -y / q, sum_j g_j q_j = -1, so dL/dp = (g + 1) / 2
  //   row 0: g = [0, -1/0.95, 0] -> [0.5, (1 - 1.052632) / 2, 0.5];  row 1: g = [0, 0, -10] -> [0.5, 0.5, -4.5]
  require_values(grad, {0.5f, -0.026316f, 0.5f, 0.5f, 0.5f, -4.5f});
  // tf.keras.backend.categorical_crossentropy docstring: per-sample [0.10536, 0.11653, 0.06188]
  const Tensor b({3, 3}, {.9f, .05f, .05f, .05f, .89f, .06f, .05f, .01f, .94f});
  const Tensor eye({3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  CHECK(cce.compute(b, eye, nullptr) == Approx((0.10536 + 0.11653 + 0.06188) / 3).margin(1e-5));
}

TEST_CASE("Categorical crossentropy divides each row by its sum before the log, and differentiates through it",
          "[losses]") {
  CategoricalCrossentropy cce;
  // p [1, 3] -> q [0.25, 0.75]; y [0, 1]: L = -log 0.75 = 0.287682
  // L = log(p0 + p1) - log p1: dL/dp0 = 1/4 = 0.25, dL/dp1 = 1/4 - 1/3 = -0.083333
  Tensor grad;
  CHECK(loss_and_grad(cce, Tensor({1, 2}, {1, 3}), Tensor({1, 2}, {0, 1}), grad) == Approx(0.287682).margin(1e-6));
  require_values(grad, {0.25f, -0.083333f});
}

TEST_CASE("Sparse categorical crossentropy matches Keras' documented example with labels of shape (N,) or (N, 1)",
          "[losses]") {
  SparseCategoricalCrossentropy scce;
  // tf.keras.losses.SparseCategoricalCrossentropy docstring: labels [1, 2], the y_pred above -> 1.177
  const Tensor y_pred({2, 3}, {0.05f, 0.95f, 0, 0.1f, 0.8f, 0.1f});
  Tensor grad;
  CHECK(loss_and_grad(scce, y_pred, Tensor({2}, {1, 2}), grad) == Approx(1.176939).margin(1e-6));
  // (B6): c = clip(p), s = sum c (= 1 + 1e-7 in row 0), dL/dp_k = (1/s - [k = t] / c_t) / 2, 0 where clipped
  //   row 0: [1/2, (1 - 1/0.95) / 2, 0 (p = 0 is clipped)];  row 1: [1/2, 1/2, (1 - 10) / 2]
  require_values(grad, {0.5f, -0.026316f, 0, 0.5f, 0.5f, -4.5f});
  Tensor grad_n1;
  CHECK(loss_and_grad(scce, y_pred, Tensor({2, 1}, {1, 2}), grad_n1) == Approx(1.176939).margin(1e-6));
  require_values(grad_n1, {0.5f, -0.026316f, 0, 0.5f, 0.5f, -4.5f});
}

TEST_CASE("Every loss gradient matches central finite differences, from probabilities and from logits",
          "[losses][gradient]") {
  for (const Shape& shape : {Shape{3, 4}, Shape{2, 2, 3}}) {
    INFO("y_pred shape " << shape.str());
    // Probabilities in (0.1, 0.9), rows not summing to 1, so clipping never bites and normalization is exercised.
    const Tensor p = random_tensor(shape, 11, 0.1f, 0.9f);
    const Tensor z = random_tensor(shape, 12, -3.0f, 3.0f);
    const Tensor y_any = random_tensor(shape, 13);
    const Tensor y_01 = random_tensor(shape, 14, 0.0f, 1.0f);
    const Tensor y_soft = soft_targets(shape, 15);
    Tensor labels(Shape(std::vector<long>(shape.dims().begin(), shape.dims().end() - 1)));
    for (long r = 0; r < labels.size(); ++r) labels[r] = float((r * 3 + 1) % shape[-1]);

    require_gradient_matches_finite_differences(MeanSquaredError(), p, y_any);
    for (bool logits : {false, true}) {
      const Tensor& x = logits ? z : p;
      require_gradient_matches_finite_differences(BinaryCrossentropy(logits), x, y_01);
      require_gradient_matches_finite_differences(CategoricalCrossentropy(logits), x, y_soft);
      require_gradient_matches_finite_differences(SparseCategoricalCrossentropy(logits), x, labels);
    }
  }
}

TEST_CASE("Losses from logits stay finite for logits of +-1000", "[losses][logits]") {
  Tensor grad;
  // per element: z=1000,y=0 -> 1000; z=-1000,y=1 -> 1000; z=1000,y=1 -> 0; z=-1000,y=0 -> 0: mean 500
  const Tensor z({4, 1}, {1000, -1000, 1000, -1000});
  CHECK(loss_and_grad(BinaryCrossentropy(true), z, Tensor({4, 1}, {0, 1, 1, 0}), grad) == Approx(500));
  require_values(grad, {0.25f, -0.25f, 0, 0});  // (sigmoid(z) - y) / 4
  // row 0: lse = 1000, y picks -1000 -> 2000; row 1: picks the 1000 -> 0. mean 1000
  const Tensor zc({2, 3}, {1000, -1000, 0, -1000, 1000, 0});
  CHECK(loss_and_grad(CategoricalCrossentropy(true), zc, Tensor({2, 3}, {0, 1, 0, 0, 1, 0}), grad) == Approx(1000));
  require_values(grad, {0.5f, -0.5f, 0, 0, 0, 0});  // (softmax(z) - y) / 2 = ([1, 0, 0] - [0, 1, 0]) / 2, and 0
  CHECK(loss_and_grad(SparseCategoricalCrossentropy(true), zc, Tensor({2}, {1, 1}), grad) == Approx(1000));
  require_values(grad, {0.5f, -0.5f, 0, 0, 0, 0});
}

TEST_CASE("Losses from logits equal the probability losses on the sigmoid or softmax of moderate logits",
          "[losses][logits]") {
  const Tensor z = random_tensor({4, 3}, 21, -4.0f, 4.0f);
  Tensor sig(z.shape()), soft(z.shape());
  activation_forward(ActivationKind::Sigmoid, z.matrix(), sig.matrix());
  activation_forward(ActivationKind::Softmax, z.matrix(), soft.matrix());
  const Tensor y_01 = random_tensor(z.shape(), 22, 0.0f, 1.0f);
  const Tensor y_soft = soft_targets(z.shape(), 23);
  const Tensor labels({4}, {0, 2, 1, 2});
  struct Case {
    std::unique_ptr<Loss> logits, probs;
    const Tensor& p;
    const Tensor& y;
    ActivationKind activation;
  };
  Case cases[] = {{std::make_unique<BinaryCrossentropy>(true), std::make_unique<BinaryCrossentropy>(), sig, y_01,
                   ActivationKind::Sigmoid},
                  {std::make_unique<CategoricalCrossentropy>(true), std::make_unique<CategoricalCrossentropy>(), soft,
                   y_soft, ActivationKind::Softmax},
                  {std::make_unique<SparseCategoricalCrossentropy>(true),
                   std::make_unique<SparseCategoricalCrossentropy>(), soft, labels, ActivationKind::Softmax}};
  for (const Case& c : cases) {
    INFO(c.logits->name());
    Tensor dz, dp, dz_via_p(z.shape());
    CHECK(loss_and_grad(*c.logits, z, c.y, dz) == Approx(loss_and_grad(*c.probs, c.p, c.y, dp)).epsilon(1e-5));
    // dL/dz through the activation's backward equals the fused gradient.
    activation_backward(c.activation, z.matrix(), c.p.matrix(), dp.matrix(), dz_via_p.matrix());
    for (long i = 0; i < dz.size(); ++i) CHECK(dz[i] == Approx(dz_via_p[i]).margin(1e-5));
  }
}

TEST_CASE("Sparse categorical crossentropy names a label that is not a class index, and its position",
          "[losses][errors]") {
  SparseCategoricalCrossentropy scce;
  const Tensor p({2, 3}, {0.2f, 0.3f, 0.5f, 0.1f, 0.1f, 0.8f});
  require_throws<ShapeError>(
      [&] {
        scce.compute(p, Tensor({2}, {0, 3}), nullptr);
      },
      {"sparse_categorical_crossentropy", "index 1", "is 3", "[0, 3)", "(2, 3)"});
  require_throws<ShapeError>([&] { scce.compute(p, Tensor({2}, {1.5f, 0}), nullptr); }, {"index 0", "is 1.5"});
  require_throws<ShapeError>([&] { scce.compute(p, Tensor({2}, {-1, 0}), nullptr); }, {"index 0", "is -1"});
  require_throws<ShapeError>([&] { scce.compute(p, Tensor({2}, {0, std::nanf("")}), nullptr); }, {"index 1", "nan"});
  require_throws<ShapeError>(
      [&] {
        scce.compute(p, Tensor({2, 3}), nullptr);
      },
      {"sparse_categorical_crossentropy", "(2, 3)", "(2,)", "one-hot", "categorical_crossentropy"});
}

TEST_CASE("Losses reject y_true of another shape with a message naming the loss and both shapes", "[losses][errors]") {
  const Tensor p({2, 2});
  const Tensor y({2, 3});
  require_throws<ShapeError>([&] { MeanSquaredError().compute(p, y, nullptr); },
                             {"mean_squared_error", "(2, 3)", "(2, 2)"});
  require_throws<ShapeError>([&] { BinaryCrossentropy().compute(p, y, nullptr); },
                             {"binary_crossentropy", "(2, 3)", "(2, 2)"});
  require_throws<ShapeError>([&] { CategoricalCrossentropy(true).compute(p, y, nullptr); },
                             {"categorical_crossentropy", "(2, 3)", "(2, 2)"});
  require_throws<ShapeError>(
      [&] {
        MeanSquaredError().compute(Tensor({4}), Tensor({2, 2}), nullptr);
      },
      {"(2, 2)", "(4,)"});
}

TEST_CASE("make_loss knows Keras' loss names and rejects others by name", "[losses]") {
  CHECK(make_loss("mse")->name() == "mean_squared_error");
  CHECK(make_loss("mean_squared_error")->accuracy_kind() == AccuracyKind::None);
  CHECK(make_loss("binary_crossentropy")->accuracy_kind() == AccuracyKind::Binary);
  CHECK(make_loss("categorical_crossentropy")->accuracy_kind() == AccuracyKind::Categorical);
  const auto scce = make_loss("sparse_categorical_crossentropy");
  CHECK(scce->name() == "sparse_categorical_crossentropy");
  CHECK(scce->accuracy_kind() == AccuracyKind::SparseCategorical);
  CHECK_FALSE(scce->from_logits());
  CHECK(CategoricalCrossentropy(true).from_logits());
  require_throws<ConfigError>([] { make_loss("hinge"); }, {"hinge", "mse"});
}

TEST_CASE("binary_crossentropy refuses a label outside [0, 1], naming its index and value") {
  const Tensor p({2, 2}, {0.3f, 0.6f, 0.9f, 0.2f});
  for (bool logits : {false, true}) {
    BinaryCrossentropy bce(logits);
    require_throws<ShapeError>(
        [&] {
          bce.compute(p, Tensor({2, 2}, {0.f, 1.f, 2.f, 0.f}), nullptr);
        },
        {"binary_crossentropy", "index 2", "is 2", "[0, 1]"});
    require_throws<ShapeError>(
        [&] {
          bce.compute(p, Tensor({2, 2}, {0.f, -0.5f, 1.f, 0.f}), nullptr);
        },
        {"index 1", "-0.5"});
    require_throws<ShapeError>(
        [&] {
          bce.compute(p, Tensor({2, 2}, {0.f, 1.f, 1.f, std::nanf("")}), nullptr);
        },
        {"index 3", "nan"});
    CHECK_NOTHROW(bce.compute(p, Tensor({2, 2}, {0.f, 1.f, 0.25f, 1.f}), nullptr));  // soft labels are fine
  }
}

TEST_CASE("per_sample is Keras' reduction='none': one loss per row, whose mean is compute's") {
  // Hand-computed: MSE rows [1, 2] vs [0, 0] -> (1 + 4) / 2 = 2.5, [3, 3] vs [1, 1] -> 4.
  const Tensor mse = MeanSquaredError().per_sample(Tensor({2, 2}, {1, 2, 3, 3}), Tensor({2, 2}, {0, 0, 1, 1}));
  CHECK(mse.shape() == Shape({2}));
  require_values(mse, {2.5f, 4.0f});
  // Sparse, logits [1, 2, 3] label 2: log(e^1 + e^2 + e^3) - 3 = 0.40760596;
  // [0, 0, 0] label 0: log 3 = 1.0986123.
  const Tensor z({2, 3}, {1, 2, 3, 0, 0, 0});
  const Tensor sparse = SparseCategoricalCrossentropy(true).per_sample(z, Tensor({2}, {2, 0}));
  require_values(sparse, {0.40760596f, 1.0986123f}, 1e-6f);
  // Every loss: the mean of per_sample is compute, on an image-shaped output too (one row per pixel).
  const Tensor p = random_tensor({2, 3, 3, 4}, 5, 0.05f, 0.95f);
  const Tensor y = random_tensor({2, 3, 3, 4}, 6, 0.0f, 1.0f);
  Tensor labels({2, 3, 3});
  for (long i = 0; i < labels.size(); ++i) labels[i] = float(i % 4);
  const std::vector<std::pair<std::unique_ptr<Loss>, const Tensor*>> cases = [&] {
    std::vector<std::pair<std::unique_ptr<Loss>, const Tensor*>> c;
    c.emplace_back(std::make_unique<MeanSquaredError>(), &y);
    c.emplace_back(std::make_unique<BinaryCrossentropy>(), &y);
    c.emplace_back(std::make_unique<BinaryCrossentropy>(true), &y);
    c.emplace_back(std::make_unique<CategoricalCrossentropy>(), &y);
    c.emplace_back(std::make_unique<CategoricalCrossentropy>(true), &y);
    c.emplace_back(std::make_unique<SparseCategoricalCrossentropy>(), &labels);
    c.emplace_back(std::make_unique<SparseCategoricalCrossentropy>(true), &labels);
    return c;
  }();
  for (const auto& [loss, target] : cases) {
    INFO(loss->name() << (loss->from_logits() ? " (logits)" : ""));
    const Tensor rows = loss->per_sample(p, *target);
    CHECK(rows.shape() == Shape({2, 3, 3}));
    double mean = 0;
    for (long i = 0; i < rows.size(); ++i) mean += rows[i];
    CHECK(mean / double(rows.size()) == Approx(loss->compute(p, *target, nullptr)).epsilon(1e-6));
  }
  // The checks are compute's, with the whole batch's indices.
  require_throws<ShapeError>(
      [] {
        SparseCategoricalCrossentropy().per_sample(Tensor({2, 3}, 0.3f), Tensor({2}, {0, 3}));
      },
      {"index 1", "is 3"});
}
