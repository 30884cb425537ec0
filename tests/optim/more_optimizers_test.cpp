#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/nadam.h"
#include "optim/sgd.h"
#include "optim_test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// The inputs of tests/reference/make_keras_optimizers_reference.py.
const std::vector<float> kW0 = {0.5f, -1.0f, 2.0f, 0.25f}, kW1 = {1.5f, -0.5f};
const std::vector<std::vector<float>> kG = {{0.5f, -1.5f, 2.0f, 0.001f},
                                            {0.3f, -0.2f, 1.5f, -0.002f},
                                            {-0.4f, 0.8f, 2.5f, 0.0f},
                                            {0.1f, -1.0f, -0.5f, 0.003f},
                                            {0.6f, 0.0f, 1.0f, -0.001f}};
const std::vector<std::vector<float>> kG1 = {{3, -4}, {0.2f, 0.1f}, {-1, 2}, {0.5f, 0.5f}, {2, 0}};

double worst = 0;  // the largest relative difference from the reference in the current test case

// Runs the five steps (with a second parameter when `two`) and compares the weights after each
// with the reference's lines "<name>_step<N>".
void require_matches_reference(Optimizer& opt, const std::string& name, bool two = false) {
  static const auto reference = read_reference("reference/keras_optimizers_reference.txt");
  Parameter w = make_parameter(kW0), w1 = make_parameter(kW1, "bias");
  for (size_t s = 0; s < kG.size(); ++s) {
    w.grad = Tensor({4}, kG[s]);
    w1.grad = Tensor({2}, kG1[s]);
    if (two) opt.apply_gradients({&w, &w1});
    else opt.apply_gradients({&w});
    const auto& expected = reference.at(fmt::format("{}_step{}", name, s + 1));
    REQUIRE(expected.size() == (two ? 6u : 4u));
    for (size_t i = 0; i < expected.size(); ++i) {
      const float got = i < 4 ? w.value[long(i)] : w1.value[long(i - 4)];
      INFO(name << " step " << s + 1 << " element " << i);
      CHECK(got == Approx(expected[i]).epsilon(1e-5).margin(1e-7));
      worst = std::max(worst, std::abs(got - expected[i]) / std::max(std::abs(expected[i]), 1e-3));
    }
  }
}

}  // namespace

TEST_CASE("Nadam, Adagrad, Adadelta and Adamax follow Keras 3's update rules step by step", "[optim][reference]") {
  worst = 0;
  Nadam nadam({.learning_rate = 0.01f});
  require_matches_reference(nadam, "nadam");
  Adagrad adagrad({.learning_rate = 0.1f});
  require_matches_reference(adagrad, "adagrad");
  Adadelta adadelta({.learning_rate = 1.0f});
  require_matches_reference(adadelta, "adadelta");
  Adamax adamax({.learning_rate = 0.01f});
  require_matches_reference(adamax, "adamax");
  WARN("largest relative difference from the reference (relative to max(|w|, 1e-3)): " << worst);
}

TEST_CASE("weight_decay decays SGD's and Adam's weights by lr * weight_decay before the update, as Keras 3",
          "[optim][reference]") {
  worst = 0;
  SGD sgd({.learning_rate = 0.1f, .momentum = 0.9f, .weight_decay = 0.01f});
  require_matches_reference(sgd, "sgd_momentum_wd");
  Adam adam({.learning_rate = 0.01f, .weight_decay = 0.1f});
  require_matches_reference(adam, "adam_wd");
  // AdamW is Adam with weight_decay: the same steps, bit for bit.
  Adam a({.weight_decay = 0.004f});
  AdamW w;
  Parameter pa = make_parameter(kW0), pw = make_parameter(kW0);
  for (const auto& g : kG) step(a, pa, g), step(w, pw, g);
  CHECK(bit_identical(pa.value, pw.value));
  WARN("largest relative difference from the reference (relative to max(|w|, 1e-3)): " << worst);
}

TEST_CASE("clipnorm, clipvalue and global_clipnorm clip the gradients as Keras 3, leaving p.grad unchanged",
          "[optim][reference]") {
  worst = 0;
  SGD by_norm({.learning_rate = 0.1f, .clipnorm = 1.0f});
  require_matches_reference(by_norm, "sgd_clipnorm", true);
  SGD by_value({.learning_rate = 0.1f, .clipvalue = 0.5f});
  require_matches_reference(by_value, "sgd_clipvalue", true);
  SGD global({.learning_rate = 0.1f, .global_clipnorm = 2.0f});
  require_matches_reference(global, "sgd_global_clipnorm", true);
  // The step used a clipped copy: the gradient the backward pass wrote is still there.
  Parameter p = make_parameter({0, 0});
  step(by_norm, p, {3, -4});  // norm 5 -> clipped to [0.6, -0.8]
  require_values(p.value, {-0.06f, 0.08f});
  require_values(p.grad, {3, -4}, 0);
  WARN("largest relative difference from the reference (relative to max(|w|, 1e-3)): " << worst);
}

TEST_CASE("At most one clipping is accepted, each finite and > 0, and errors name the argument and value",
          "[optim][errors]") {
  require_throws<ConfigError>(
      [] { SGD({.clipnorm = 1.0f, .clipvalue = 0.5f}); },
      {"SGD", "only one of clipnorm, clipvalue and global_clipnorm", "clipnorm=1", "clipvalue=0.5"});
  require_throws<ConfigError>([] { Adam({.clipvalue = 1.0f, .global_clipnorm = 2.0f}); },
                              {"Adam", "global_clipnorm=2"});
  require_throws<ConfigError>([] { Nadam({.clipnorm = 0.0f}); },
                              {"Nadam", "clipnorm must be a finite number > 0", "clipnorm=0"});
  require_throws<ConfigError>([] { Adagrad({.clipvalue = -1.0f}); }, {"Adagrad", "clipvalue=-1"});
  require_throws<ConfigError>([] { Adamax({.weight_decay = -0.1f}); }, {"Adamax", "weight_decay=-0.1"});
  require_throws<ConfigError>([] { AdamW({.weight_decay = -1.0f}); }, {"AdamW", "weight_decay=-1"});
  require_throws<ConfigError>([] { Adadelta({.rho = 1.0f}); }, {"Adadelta", "rho=1"});
  require_throws<ConfigError>([] { Nadam({.beta_1 = 1.0f}); }, {"Nadam", "beta_1=1"});
  require_throws<ConfigError>([] { Adagrad({.initial_accumulator_value = -1.0f}); },
                              {"Adagrad", "initial_accumulator_value=-1"});
  require_throws<ConfigError>([] { Adamax({.epsilon = 0.0f}); }, {"Adamax", "epsilon=0"});
}

TEST_CASE("The new optimizers have Keras 3's defaults", "[optim]") {
  const Nadam nadam;
  CHECK(nadam.learning_rate() == 0.001f);
  CHECK(nadam.options().beta_1 == 0.9f);
  CHECK(nadam.options().beta_2 == 0.999f);
  CHECK(nadam.options().epsilon == 1e-7f);
  const Adagrad adagrad;
  CHECK(adagrad.learning_rate() == 0.001f);
  CHECK(adagrad.options().initial_accumulator_value == 0.1f);
  const Adadelta adadelta;
  CHECK(adadelta.learning_rate() == 0.001f);
  CHECK(adadelta.options().rho == 0.95f);
  const Adamax adamax;
  CHECK(adamax.learning_rate() == 0.001f);
  CHECK(adamax.options().beta_2 == 0.999f);
  CHECK_FALSE(SGDOptions{}.weight_decay.has_value());
  CHECK_FALSE(AdamOptions{}.clipnorm.has_value());
}

TEST_CASE("Adagrad's accumulator starts at its initial value, and restore_state forgets a first step", "[optim]") {
  Adagrad adagrad({.learning_rate = 0.1f, .initial_accumulator_value = 0.5f});
  Parameter p = make_parameter({1});
  adagrad.save_state();
  step(adagrad, p, {2});  // a = 0.5 + 4 = 4.5; w = 1 - 0.1 * 2 / sqrt(4.5)
  require_values(*adagrad.find_slot(p, "accumulator"), {4.5f});
  require_values(p.value, {1 - 0.2f / std::sqrt(4.5f)});
  adagrad.restore_state();
  CHECK(adagrad.find_slot(p, "accumulator") == nullptr);
}

TEST_CASE("Nadam after restore_state takes the same steps as if the undone step had never happened", "[optim]") {
  Nadam undone({.learning_rate = 0.01f}), straight({.learning_rate = 0.01f});
  Parameter a = make_parameter(kW0), b = make_parameter(kW0);
  step(undone, a, kG[0]);
  step(straight, b, kG[0]);
  undone.save_state();
  const Tensor before = a.value;
  step(undone, a, kG[4]);  // a step that training undoes (as after a non-finite loss)
  undone.restore_state();
  a.value = before;
  for (size_t s = 1; s < kG.size(); ++s) step(undone, a, kG[s]), step(straight, b, kG[s]);
  CHECK(bit_identical(a.value, b.value));
}
