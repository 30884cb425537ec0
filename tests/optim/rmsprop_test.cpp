#include "optim/rmsprop.h"

#include "optim_test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("RMSprop matches Keras' documented example", "[optim][rmsprop]") {
  // keras.optimizers.RMSprop docstring: var = 10, loss = var^2 / 2 (gradient = var), learning_rate = 0.1 -> 9.683772
  // v = 0.1 * 100 = 10; w = 10 - 0.1 * 10 / sqrt(10 + 1e-7) = 10 - 0.316228
  RMSprop opt({.learning_rate = 0.1f});
  Parameter w = make_parameter({10});
  step(opt, w, {10});
  require_values(w.value, {9.683772f}, 1e-5f);
}

TEST_CASE("RMSprop divides the step by the root of a running mean of g^2", "[optim][rmsprop]") {
  RMSprop opt({.learning_rate = 0.01f});
  Parameter w = make_parameter({1, -2});
  // step 1: v = 0.1 g1^2 = [0.025, 0.1]; d = 0.01 g1 / sqrt(v + 1e-7) = [0.005 / 0.158114, -0.01 / 0.316228]
  step(opt, w, {0.5f, -1});
  require_values(*opt.find_slot(w, "velocity"), {0.025f, 0.1f}, 1e-7f);
  require_values(w.value, {0.9683773f, -1.9683772f}, 2e-6f);
  // step 2: v = 0.9 v + 0.1 g2^2 = [0.0235, 0.099]; d = 0.01 [0.1 / 0.153297, 0.3 / 0.314643] = [0.0065233, 0.0095346]
  step(opt, w, {0.1f, 0.3f});
  require_values(w.value, {0.9618540f, -1.9779119f}, 2e-6f);
  CHECK(opt.find_slot(w, "momentum") == nullptr);
  CHECK(opt.find_slot(w, "average_gradient") == nullptr);
}

TEST_CASE("Centered RMSprop with momentum divides by the running variance and accumulates the steps",
          "[optim][rmsprop]") {
  RMSprop opt({.learning_rate = 0.01f, .momentum = 0.5f, .centered = true});
  Parameter w = make_parameter({1, -2});
  // step 1: v = [0.025, 0.1], a = 0.1 g1 = [0.05, -0.1], v - a^2 = [0.0225, 0.09]
  //   d = 0.01 g1 / sqrt(v - a^2 + eps) = [0.005 / 0.15, -0.01 / 0.3] = [0.0333333, -0.0333333]; m = d
  step(opt, w, {0.5f, -1});
  require_values(w.value, {0.9666667f, -1.9666667f}, 2e-6f);
  // step 2: v = [0.0235, 0.099], a = 0.9 a + 0.1 g2 = [0.055, -0.06], v - a^2 = [0.020475, 0.0954]
  //   d = 0.01 [0.1 / 0.143091, 0.3 / 0.308869] = [0.0069886, 0.0097128]
  //   m = 0.5 m + d = [0.0236552, -0.0069538]; w = w - m
  step(opt, w, {0.1f, 0.3f});
  require_values(*opt.find_slot(w, "average_gradient"), {0.055f, -0.06f}, 1e-7f);
  require_values(*opt.find_slot(w, "momentum"), {0.0236552f, -0.0069538f}, 1e-6f);
  require_values(w.value, {0.9430116f, -1.9597129f}, 2e-6f);
  // step 3: v = [0.02515, 0.1051], a = [0.0295, -0.014]: m = [-0.0010077, 0.0088730]
  step(opt, w, {-0.2f, 0.4f});
  require_values(w.value, {0.9440193f, -1.9685859f}, 2e-6f);
}

TEST_CASE("RMSprop has Keras' defaults and name", "[optim][rmsprop]") {
  RMSprop opt;
  CHECK(opt.name() == "RMSprop");
  CHECK(opt.learning_rate() == 0.001f);
  CHECK(opt.options().rho == 0.9f);
  CHECK(opt.options().momentum == 0.0f);
  CHECK(opt.options().epsilon == 1e-7f);
  CHECK_FALSE(opt.options().centered);
}

TEST_CASE("RMSprop rejects bad hyperparameters, naming the argument and the value", "[optim][rmsprop][errors]") {
  require_throws<ConfigError>([] { RMSprop({.learning_rate = -1}); }, {"RMSprop", "learning_rate", "-1"});
  require_throws<ConfigError>([] { RMSprop({.rho = 1}); }, {"RMSprop", "rho", "1", "[0, 1)"});
  require_throws<ConfigError>([] { RMSprop({.rho = -0.5f}); }, {"RMSprop", "rho", "-0.5"});
  require_throws<ConfigError>([] { RMSprop({.momentum = 2}); }, {"RMSprop", "momentum", "2"});
  require_throws<ConfigError>([] { RMSprop({.epsilon = 0}); }, {"RMSprop", "epsilon", "0"});
}
