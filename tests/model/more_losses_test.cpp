#include "model/more_losses.h"

#include <memory>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// The inputs of tests/reference/make_keras_losses_reference.js, rows of 3.
struct Case {
  const char* name;
  std::vector<float> y_true, y_pred;
};
const std::vector<Case> kCases = {
    {"mae", {0.5f, -1, 2, 0, 3, 1.5f}, {0.1f, 0.4f, 2.5f, -2, 1, 1.25f}},
    {"huber", {0.5f, -1, 2, 0, 3, 1.5f}, {0.1f, 0.4f, 2.5f, -2, 1, 1.25f}},
    {"huber_far", {0, 0, 0, 1, 1, 1}, {-3, 0.75f, 4, 1.5f, -0.2f, 2.1f}},
    {"kld", {0.2f, 0.3f, 0.5f, 0.7f, 0.1f, 0.2f}, {0.25f, 0.25f, 0.5f, 0.1f, 0.6f, 0.3f}},
    {"kld_clipped", {0, 0.4f, 0.6f, 1, 0, 0}, {0.3f, 0.3f, 0.4f, 0.5f, 0, 0.5f}},
    {"categorical_hinge", {0, 1, 0, 1, 0, 0}, {0.3f, 0.5f, 0.2f, 0.1f, 0.6f, 0.3f}},
    {"categorical_hinge_margin", {0, 0, 1, 1, 0, 0}, {-0.4f, 0.9f, 0.7f, 2.5f, 0.2f, 1.1f}},
};

std::unique_ptr<Loss> loss_of_case(const std::string& name) {
  if (name == "mae") return make_loss("mae");
  if (name.rfind("huber", 0) == 0) return make_loss("huber");
  if (name.rfind("kld", 0) == 0) return make_loss("kld");
  return make_loss("categorical_hinge");
}

}  // namespace

TEST_CASE("mae, huber, kld and categorical_hinge give Keras' values and gradients (TensorFlow.js 4.22)",
          "[losses][reference]") {
  const auto reference = read_reference("reference/keras_losses_reference.txt");
  double worst = 0;  // the largest relative difference, values and gradients
  for (const Case& c : kCases) {
    INFO("case " << c.name);
    const auto& expected = reference.at(c.name);  // value, then the 6 gradient elements
    REQUIRE(expected.size() == 7);
    Tensor grad;
    const auto loss = loss_of_case(c.name);
    const double value = loss_and_grad(*loss, Tensor({2, 3}, c.y_pred), Tensor({2, 3}, c.y_true), grad);
    CHECK(value == Approx(expected[0]).epsilon(1e-5));
    worst = std::max(worst, std::abs(value - expected[0]) / std::abs(expected[0]));
    for (long i = 0; i < 6; ++i) {
      CHECK(grad[i] == Approx(expected[size_t(i) + 1]).epsilon(1e-5).margin(1e-12));
      if (expected[size_t(i) + 1] != 0)
        worst = std::max(worst, std::abs(grad[i] - expected[size_t(i) + 1]) / std::abs(expected[size_t(i) + 1]));
    }
  }
  WARN("largest relative difference from TensorFlow.js: " << worst);
}

TEST_CASE("The gradients of mae, huber, kld and categorical_hinge match central finite differences", "[losses]") {
  // Away from the kinks: |p - y| is 0.13, 0.21, ..., 1.01, never within 0.02 of 0 or of huber's delta (1 or 0.5).
  Tensor y = random_tensor({4, 5}, 1), p = y;
  for (long i = 0; i < p.size(); ++i) p[i] += (i % 2 ? 1 : -1) * (0.13f + 0.08f * float(i % 12));
  require_gradient_matches_finite_differences(MeanAbsoluteError(), p, y);
  require_gradient_matches_finite_differences(Huber(), p, y);
  require_gradient_matches_finite_differences(Huber(0.5f), p, y);
  // KLD: soft targets and predictions inside (0, 1).
  const Tensor yk = random_tensor({4, 5}, 2, 0.05f, 0.9f), pk = random_tensor({4, 5}, 3, 0.05f, 0.9f);
  require_gradient_matches_finite_differences(KLDivergence(), pk, yk);
  // Categorical hinge: one-hot rows whose margin is violated, with distinct wrong-class scores.
  Tensor yh({3, 4}, {0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1});
  Tensor ph({3, 4}, {0.3f, 0.2f, 0.9f, -0.1f, 0.1f, 0.6f, 0.35f, 0.2f, 1.4f, 0.2f, -0.5f, 0.9f});
  require_gradient_matches_finite_differences(CategoricalHinge(), ph, yh);
}

TEST_CASE("Huber is half the squared error within delta and linear beyond it", "[losses]") {
  // e = [0.5, -3] with delta 1: 0.125 and 3 - 0.5 = 2.5; mean 1.3125; gradients [0.5, -1] / 2
  Tensor grad;
  CHECK(loss_and_grad(Huber(), Tensor({1, 2}, {0.5f, -3}), Tensor({1, 2}, {0, 0}), grad) == Approx(1.3125));
  require_values(grad, {0.25f, -0.5f});
  // delta 2: e = -3 gives 2 * 3 - 2 = 4; e = 0.5 still 0.125
  CHECK(Huber(2).compute(Tensor({1, 2}, {0.5f, -3}), Tensor({1, 2}, {0, 0}), nullptr) == Approx(2.0625));
  require_throws<ConfigError>([] { Huber(0); }, {"Huber", "delta", "0"});
  require_throws<ConfigError>([] { Huber(-1); }, {"delta=-1"});
}

TEST_CASE("make_loss knows the new losses by Keras' names, aliases and class names", "[losses]") {
  for (const char* n : {"mae", "MAE", "mean_absolute_error", "MeanAbsoluteError"})
    CHECK(make_loss(n)->name() == "mean_absolute_error");
  for (const char* n : {"huber", "Huber"}) CHECK(make_loss(n)->name() == "huber");
  for (const char* n : {"kld", "KLD", "kl_divergence", "KLDivergence"}) CHECK(make_loss(n)->name() == "kl_divergence");
  for (const char* n : {"categorical_hinge", "CategoricalHinge"}) CHECK(make_loss(n)->name() == "categorical_hinge");
  CHECK(dynamic_cast<Huber&>(*make_loss("huber")).delta() == 1.0f);
  require_throws<ConfigError>([] { make_loss("hinge"); }, {"'hinge'", "'huber'", "'categorical_hinge'"});
}

TEST_CASE("The new losses reject y_true of another shape, naming the loss and both shapes", "[losses][errors]") {
  for (const char* n : {"mae", "huber", "kld", "categorical_hinge"}) {
    const auto loss = make_loss(n);
    require_throws<ShapeError>(
        [&] {
          loss->compute(Tensor({2, 3}), Tensor({3, 2}), nullptr);
        },
        {loss->name(), "(2, 3)", "(3, 2)"});
  }
}

TEST_CASE("Training with mae and huber lowers the loss", "[losses][fit]") {
  for (const char* n : {"mae", "huber"}) {
    set_random_seed(5);
    Sequential model;
    model.add(Input({3}));
    model.add(Dense(1));
    model.compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.1f}), std::shared_ptr<Loss>(make_loss(n)));
    const Tensor x = random_tensor({64, 3}, 4);
    Tensor y({64, 1});
    for (long i = 0; i < 64; ++i) y[i] = 2 * x[3 * i] - x[3 * i + 1] + 0.5f;
    const History h = model.fit(x, y, {.epochs = 20, .batch_size = 16, .verbose = 0});
    INFO(n);
    CHECK(h.history.at("loss").back() < 0.3 * h.history.at("loss").front());
  }
}
