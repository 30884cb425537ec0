#include "optim/sgd.h"

#include "optim_test_util.h"

using namespace minnow;
using namespace minnow::testing;

// Every optimizer test starts from w = [1, -2] with gradients g1 = [0.5, -1], g2 = [0.1, 0.3], g3 = [-0.2, 0.4].

TEST_CASE("SGD without momentum steps w - lr g", "[optim][sgd]") {
  SGD sgd({.learning_rate = 0.1f});
  Parameter w = make_parameter({1, -2});
  step(sgd, w, {0.5f, -1});
  require_values(w.value, {0.95f, -1.9f}, 1e-6f);  // [1 - 0.05, -2 + 0.1]
  step(sgd, w, {0.1f, 0.3f});
  require_values(w.value, {0.94f, -1.93f}, 1e-6f);  // [0.95 - 0.01, -1.9 - 0.03]
  CHECK(sgd.find_slot(w, "momentum") == nullptr);   // Keras keeps no momentum slot when momentum = 0
  CHECK(sgd.iterations() == 2);
}

TEST_CASE("SGD with momentum keeps a velocity v = mu v - lr g and adds it to w", "[optim][sgd]") {
  SGD sgd({.learning_rate = 0.1f, .momentum = 0.9f});
  Parameter w = make_parameter({1, -2});
  step(sgd, w, {0.5f, -1});  // v = -0.1 g1 = [-0.05, 0.1]
  require_values(w.value, {0.95f, -1.9f}, 1e-6f);
  step(sgd, w, {0.1f, 0.3f});  // v = 0.9 [-0.05, 0.1] - [0.01, 0.03] = [-0.055, 0.06]
  require_values(*sgd.find_slot(w, "momentum"), {-0.055f, 0.06f}, 1e-6f);
  require_values(w.value, {0.895f, -1.84f}, 1e-6f);
  step(sgd, w, {-0.2f, 0.4f});  // v = 0.9 [-0.055, 0.06] - [-0.02, 0.04] = [-0.0295, 0.014]
  require_values(w.value, {0.8655f, -1.826f}, 1e-6f);
}

TEST_CASE("SGD with Nesterov momentum steps w + mu v - lr g with the new velocity", "[optim][sgd]") {
  SGD sgd({.learning_rate = 0.1f, .momentum = 0.9f, .nesterov = true});
  Parameter w = make_parameter({1, -2});
  step(sgd, w, {0.5f, -1});  // v = [-0.05, 0.1]; w = [1 - 0.045 - 0.05, -2 + 0.09 + 0.1]
  require_values(w.value, {0.905f, -1.81f}, 1e-6f);
  step(sgd, w, {0.1f, 0.3f});  // v = [-0.055, 0.06]; w += [-0.0495 - 0.01, 0.054 - 0.03]
  require_values(w.value, {0.8455f, -1.786f}, 1e-6f);
}

TEST_CASE("SGD has Keras' defaults and name", "[optim][sgd]") {
  SGD sgd;
  CHECK(sgd.name() == "SGD");
  CHECK(sgd.learning_rate() == 0.01f);
  CHECK(sgd.options().momentum == 0.0f);
  CHECK_FALSE(sgd.options().nesterov);
  CHECK(sgd.iterations() == 0);
}

TEST_CASE("SGD rejects a bad learning rate or momentum, naming the argument and the value", "[optim][sgd][errors]") {
  require_throws<ConfigError>([] { SGD({.learning_rate = -0.5f}); }, {"SGD", "learning_rate", "-0.5"});
  require_throws<ConfigError>([] { SGD({.learning_rate = std::nanf("")}); }, {"SGD", "learning_rate", "nan"});
  require_throws<ConfigError>([] { SGD({.learning_rate = INFINITY}); }, {"SGD", "learning_rate", "inf"});
  require_throws<ConfigError>([] { SGD({.momentum = 1.5f}); }, {"SGD", "momentum", "1.5", "[0, 1]"});
  require_throws<ConfigError>([] { SGD({.momentum = -0.1f}); }, {"SGD", "momentum", "-0.1"});
  SGD sgd;
  require_throws<ConfigError>([&] { sgd.set_learning_rate(-1); }, {"SGD", "learning_rate", "-1"});
  CHECK(sgd.learning_rate() == 0.01f);
  sgd.set_learning_rate(0.5f);
  CHECK(sgd.learning_rate() == 0.5f);
}

TEST_CASE("SGD accepts a learning rate of 0, as Keras: a step that changes no weight", "[optim][sgd]") {
  // Useful to watch BatchNormalization's moving statistics move alone.
  SGD sgd({.learning_rate = 0.0f, .momentum = 0.9f});
  Parameter p = make_parameter({1.0f, -2.0f});
  step(sgd, p, {0.5f, 0.25f});
  step(sgd, p, {0.5f, 0.25f});
  CHECK(p.value[0] == 1.0f);
  CHECK(p.value[1] == -2.0f);
  CHECK(sgd.iterations() == 2);
  Adam adam({.learning_rate = 0.0f});
  step(adam, p, {0.5f, 0.25f});
  CHECK(p.value[0] == 1.0f);
  sgd.set_learning_rate(0.0f);
  CHECK(sgd.learning_rate() == 0.0f);
}
