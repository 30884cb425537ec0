#include "optim/optimizer.h"

#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/nadam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"
#include "optim_test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
// One of each optimizer, with options that make every slot exist.
std::vector<std::unique_ptr<Optimizer>> every_optimizer() {
  std::vector<std::unique_ptr<Optimizer>> all;
  all.push_back(std::make_unique<SGD>(SGDOptions{.momentum = 0.9f, .nesterov = true}));
  all.push_back(std::make_unique<RMSprop>(RMSpropOptions{.momentum = 0.5f, .centered = true}));
  all.push_back(std::make_unique<Adam>(AdamOptions{.amsgrad = true}));
  all.push_back(std::make_unique<AdamW>());
  all.push_back(std::make_unique<Nadam>());
  all.push_back(std::make_unique<Adagrad>());
  all.push_back(std::make_unique<Adadelta>());
  all.push_back(std::make_unique<Adamax>());
  all.push_back(std::make_unique<SGD>(SGDOptions{.weight_decay = 0.1f, .clipnorm = 0.5f}));
  all.push_back(std::make_unique<Adam>(AdamOptions{.clipvalue = 0.5f}));  // global_clipnorm couples parameters
  return all;
}
}  // namespace

TEST_CASE("Optimizers never change non-trainable or frozen parameters, bit for bit", "[optim]") {
  for (const auto& opt : every_optimizer()) {
    INFO(opt->name());
    Parameter kernel = make_parameter({1, -2});
    Parameter moving_mean = make_parameter({0.5f, 0.25f}, "moving_mean");
    moving_mean.trainable_by_design = false;
    moving_mean.grad = Tensor();  // moving statistics have no gradient
    Parameter frozen = make_parameter({3, 4});
    frozen.frozen = true;
    frozen.grad = Tensor({2}, {1, 1});  // a stale gradient from before freezing must not be applied
    const Tensor mean_before = moving_mean.value, frozen_before = frozen.value, kernel_before = kernel.value;
    for (int i = 0; i < 3; ++i) {
      kernel.grad = Tensor({2}, {0.5f, -1});
      opt->apply_gradients({&kernel, &moving_mean, &frozen});
    }
    CHECK(opt->iterations() == 3);
    CHECK_FALSE(bit_identical(kernel.value, kernel_before));
    CHECK(bit_identical(moving_mean.value, mean_before));
    CHECK(bit_identical(frozen.value, frozen_before));
    CHECK(opt->find_slot(frozen, "momentum") == nullptr);
    CHECK(opt->find_slot(moving_mean, "momentum") == nullptr);
  }
}

TEST_CASE("Optimizers keep their state per parameter, so parameters evolve as if optimized alone", "[optim]") {
  auto together = every_optimizer(), alone_a = every_optimizer(), alone_b = every_optimizer();
  for (size_t k = 0; k < together.size(); ++k) {
    INFO(together[k]->name());
    Parameter a = make_parameter({1, -2}), b = make_parameter({1, -2}, "bias");
    Parameter a1 = make_parameter({1, -2}), b1 = make_parameter({1, -2}, "bias");
    const std::vector<std::vector<float>> ga = {{0.5f, -1}, {0.1f, 0.3f}, {-0.2f, 0.4f}};
    const std::vector<std::vector<float>> gb = {{-3, 2}, {0.7f, 0.1f}, {1, -1}};
    for (size_t s = 0; s < ga.size(); ++s) {
      a.grad = Tensor({2}, ga[s]);
      b.grad = Tensor({2}, gb[s]);
      together[k]->apply_gradients({&a, &b});
      step(*alone_a[k], a1, ga[s]);
      step(*alone_b[k], b1, gb[s]);
    }
    CHECK(bit_identical(a.value, a1.value));
    CHECK(bit_identical(b.value, b1.value));
    CHECK_FALSE(bit_identical(a.value, b.value));
  }
}

TEST_CASE("Optimizer state follows the Parameter object, not its data pointer", "[optim]") {
  SGD moved({.learning_rate = 0.1f, .momentum = 0.9f}), kept({.learning_rate = 0.1f, .momentum = 0.9f});
  Parameter w = make_parameter({1, -2}), w_kept = make_parameter({1, -2});
  step(moved, w, {0.5f, -1});
  step(kept, w_kept, {0.5f, -1});
  // The same values assigned again (as loading weights does): a weight's value is copied into
  // its own storage, whose shape is fixed; the optimizer keys on the Parameter either way.
  w.value = Tensor(w.value.shape(), std::vector<float>(w.value.values().begin(), w.value.values().end()));
  step(moved, w, {0.1f, 0.3f});
  step(kept, w_kept, {0.1f, 0.3f});
  CHECK(bit_identical(w.value, w_kept.value));  // the velocity was found again: [0.895, -1.84]
}

TEST_CASE("apply_gradients refuses a trainable parameter without a gradient and leaves every weight untouched",
          "[optim][errors]") {
  Adam adam;
  Parameter ok = make_parameter({1, 2});
  Parameter no_grad = make_parameter({1, 2}, "bias");
  no_grad.grad = Tensor();
  const Tensor before = ok.value;
  require_throws<UsageError>([&] { adam.apply_gradients({&ok, &no_grad}); }, {"Adam", "'bias'", "(2,)", "backward"});
  CHECK(bit_identical(ok.value, before));
  CHECK(adam.iterations() == 0);
}

TEST_CASE("make_optimizer builds each optimizer with Keras' defaults from its name in any case", "[optim]") {
  CHECK(make_optimizer("sgd")->name() == "SGD");
  CHECK(make_optimizer("SGD")->learning_rate() == 0.01f);
  CHECK(make_optimizer("RMSprop")->name() == "RMSprop");
  CHECK(make_optimizer("adam")->name() == "Adam");
  CHECK(make_optimizer("Adam")->learning_rate() == 0.001f);
  const auto adamw = make_optimizer("AdamW");
  CHECK(adamw->name() == "AdamW");
  CHECK(dynamic_cast<const AdamW&>(*adamw).weight_decay() == 0.004f);
  CHECK(make_optimizer("nadam")->name() == "Nadam");
  CHECK(make_optimizer("Adagrad")->name() == "Adagrad");
  CHECK(make_optimizer("ADADELTA")->name() == "Adadelta");
  CHECK(make_optimizer("adamax")->name() == "Adamax");
  require_throws<ConfigError>([] { make_optimizer("lamb"); }, {"lamb", "sgd", "adamw", "adamax"});
}

namespace {
std::vector<float> as_vector(const Tensor& t) { return {t.values().begin(), t.values().end()}; }
}  // namespace

TEST_CASE("save_state and restore_state take the optimizer back: slots, new slots and the step count", "[optim]") {
  Parameter w = make_parameter({1, 2});
  w.grad = Tensor({2}, {0.5f, -1.0f});
  Adam adam;
  adam.apply_gradients({&w});
  const Tensor m = *adam.find_slot(w, "momentum"), v = *adam.find_slot(w, "velocity");
  adam.save_state();
  Parameter u = make_parameter({1});
  u.grad = Tensor({1}, {3.0f});
  adam.apply_gradients({&w, &u});  // moves w's slots, creates u's
  CHECK(adam.iterations() == 2);
  adam.restore_state();
  CHECK(adam.iterations() == 1);
  require_values(*adam.find_slot(w, "momentum"), as_vector(m), 0);
  require_values(*adam.find_slot(w, "velocity"), as_vector(v), 0);
  CHECK(adam.find_slot(u, "momentum") == nullptr);
}

TEST_CASE("A diverging training step leaves the optimizer as it was before that step", "[optim][fit]") {
  auto in = Input({2});
  Model model(in, Dense(1)(in));
  model.compile(std::make_shared<Adam>(), std::make_shared<MeanSquaredError>());
  const Tensor x({2, 2}, {1, 0, 0, 1}), y({2, 1}, {2, 0});
  model.train_on_batch(x, y);
  const Parameter& kernel = *model.trainable_weights()[0];
  const Tensor m = *model.optimizer().find_slot(kernel, "momentum");
  const Tensor y_bad({2, 1}, {std::numeric_limits<float>::quiet_NaN(), 0});  // train_on_batch does not check y
  require_throws<Error>([&] { model.train_on_batch(x, y_bad); }, {"the loss became nan"});
  CHECK(model.optimizer().iterations() == 1);
  require_values(*model.optimizer().find_slot(kernel, "momentum"), as_vector(m), 0);
}
