#include "core/regularizers.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Regularizers give Keras' penalty l1 sum |w| + l2 sum w^2 and its gradient", "[regularizers]") {
  const Tensor w({4}, {1, -2, 0, 0.5f});
  // sum |w| = 3.5, sum w^2 = 5.25
  CHECK(L1().penalty(w) == Approx(0.035));
  CHECK(L2().penalty(w) == Approx(0.0525));
  CHECK(L1L2(0.1f, 0.2f).penalty(w) == Approx(0.35 + 1.05));
  CHECK(L1L2().penalty(w) == 0);
  CHECK_FALSE(Regularizer().active());
  Tensor grad({4}, {1, 1, 1, 1});
  L1L2(0.1f, 0.2f).add_gradient(w, grad);  // + 0.1 sign(w) + 0.4 w; sign(0) = 0
  require_values(grad, {1.5f, 0.1f, 1, 1.3f});
  CHECK(Regularizer("l2").l2 == 0.01f);
  CHECK(Regularizer("l1").l1 == 0.01f);
  require_throws<ConfigError>([] { Regularizer("l3"); }, {"'l3'", "'l1'", "'l2'"});
  require_throws<ConfigError>([] { Dense({.units = 2, .kernel_regularizer = L2(-1), .name = "d"}); },
                              {"Dense 'd'", "kernel_regularizer", "l2=-1"});
  require_throws<ConfigError>([] { Conv2D({.filters = 2, .bias_regularizer = L1(NAN), .name = "c"}); },
                              {"Conv2D 'c'", "bias_regularizer", "l1=nan"});
}

TEST_CASE("Training adds the regularizers' penalty to the loss it reports and their gradient to the weights",
          "[regularizers][fit]") {
  auto make = [](Regularizer k, Regularizer b) {
    set_random_seed(8);
    auto in = Input({3});
    auto model = std::make_shared<Model>(in, Dense({.units = 2, .kernel_regularizer = k, .bias_regularizer = b})(in));
    model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.1f}), std::make_shared<MeanSquaredError>());
    return model;
  };
  const Tensor x = random_tensor({8, 3}, 9), y = random_tensor({8, 2}, 10);
  auto plain = make({}, {}), reg = make(L2(0.5f), L1(0.25f));
  // The same weights (same seed); the reported loss differs by exactly the penalty before the step.
  Parameter& kernel = reg->get_layer(reg->layers().back()->name()).weight("kernel");
  Parameter& bias = reg->get_layer(reg->layers().back()->name()).weight("bias");
  bias.value = Tensor({2}, {0.5f, -1});
  plain->get_layer(plain->layers().back()->name()).weight("bias").value = Tensor({2}, {0.5f, -1});
  const Tensor w = kernel.value;
  double sq = 0;
  for (float v : w.values()) sq += double(v) * v;
  const double expected_penalty = 0.5 * sq + 0.25 * 1.5;
  CHECK(reg->evaluate(x, y, 8).at("loss") == Approx(plain->evaluate(x, y, 8).at("loss") + expected_penalty));
  const Logs lp = plain->train_on_batch(x, y), lr = reg->train_on_batch(x, y);
  CHECK(lr.at("loss") == Approx(lp.at("loss") + expected_penalty));
  // SGD's step: the regularized kernel moved by an extra -lr * 2 * 0.5 w = -0.1 w; the bias by -0.1 * 0.25 sign(b).
  const Tensor& kp = plain->get_layer(plain->layers().back()->name()).weight("kernel").value;
  for (long i = 0; i < w.size(); ++i) CHECK(kernel.value[i] == Approx(kp[i] - 0.1f * w[i]).margin(1e-6));
  const Tensor& bp = plain->get_layer(plain->layers().back()->name()).weight("bias").value;
  CHECK(bias.value[0] == Approx(bp[0] - 0.025f).margin(1e-6));
  CHECK(bias.value[1] == Approx(bp[1] + 0.025f).margin(1e-6));
}
