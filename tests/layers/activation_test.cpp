#include "layers/activation.h"

#include <cmath>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Activation layers compute relu, sigmoid, tanh, softmax and linear", "[activation]") {
  const Tensor x({1, 3}, {-1, 0.5f, 2});
  require_values(Activation("relu")->forward(x, Mode::Inference), {0, 0.5f, 2});
  require_values(Activation("linear")->forward(x, Mode::Inference), {-1, 0.5f, 2});
  require_values(Activation("sigmoid")->forward(x, Mode::Inference),
                 {1 / (1 + std::exp(1.0f)), 1 / (1 + std::exp(-0.5f)), 1 / (1 + std::exp(-2.0f))});
  require_values(Activation("tanh")->forward(x, Mode::Inference), {std::tanh(-1.0f), std::tanh(0.5f), std::tanh(2.0f)});
  // softmax: exp(x) / sum exp(x) = [0.3678794, 1.6487213, 7.3890561] / 9.4056568
  require_values(Activation("softmax")->forward(x, Mode::Inference), {0.0391126f, 0.1752904f, 0.7855970f});
  // Large logits stay finite (the row maximum is subtracted first).
  require_values(Activation("softmax")->forward(Tensor({1, 2}, {1000, 1000}), Mode::Inference), {0.5f, 0.5f});
}

TEST_CASE("ReLU follows Keras' max_value, negative_slope and threshold", "[activation]") {
  const Tensor x({1, 5}, {-2, 0.5f, 1, 3, 8});
  require_values(ReLU()->forward(x, Mode::Inference), {0, 0.5f, 1, 3, 8});
  require_values(ReLU({.max_value = 6})->forward(x, Mode::Inference), {0, 0.5f, 1, 3, 6});
  require_values(ReLU({.negative_slope = 0.1f})->forward(x, Mode::Inference), {-0.2f, 0.5f, 1, 3, 8});
  // threshold 1: x >= 1 passes, below it negative_slope * (x - 1) = 0 here.
  require_values(ReLU({.threshold = 1})->forward(x, Mode::Inference), {0, 0, 1, 3, 8});
}

TEST_CASE("Activation and ReLU gradients match finite differences", "[activation][gradient]") {
  // Inputs kept away from the kink at 0 (and from max_value 6).
  Tensor x = random_tensor({4, 5}, 9, 0.1f, 2.0f);
  for (long i = 0; i < x.size(); i += 2) x[i] = -x[i];
  for (const char* a : {"linear", "relu", "sigmoid", "tanh", "softmax"}) {
    INFO(a);
    require_gradients(check_layer_gradients(*Activation(a), {x}, Mode::Training));
  }
  require_gradients(check_layer_gradients(*ReLU({.max_value = 1.5f, .negative_slope = 0.2f}), {x}, Mode::Training));
}

TEST_CASE("Activation and ReLU have Keras' default names, no parameters, and check their arguments",
          "[activation][errors]") {
  clear_session();
  auto a = Activation("relu");
  auto r = ReLU();
  CHECK(a->name() == "activation");
  CHECK(r->name() == "re_lu");
  r->build(Shape{Shape::kNone, 7});
  CHECK(r->output_shape().str() == "(None, 7)");
  CHECK(r->count_params() == 0);
  require_throws<ConfigError>([] { Activation("mish", "act"); }, {"Activation 'act'", "activation", "mish"});
  require_throws<ConfigError>([] { ReLU({.max_value = -1, .name = "r1"}); }, {"ReLU 'r1'", "max_value", "-1"});
  require_throws<ConfigError>([] { ReLU({.negative_slope = -0.5f, .name = "r2"}); }, {"'r2'", "negative_slope"});
}

TEST_CASE("ReLU's gradient at its corners is the left piece's slope, as TensorFlow and PyTorch", "[activation]") {
  // TF ReluGrad / Relu6Grad / LeakyReluGrad and torch threshold_backward / hardtanh_backward /
  // leaky_relu_backward: 0 at x = 0 for relu, 0 at x = 6 for relu6, the slope at x = 0 for leaky.
  const Tensor dy({1, 3}, 1.0f);
  auto plain = ReLU();
  plain->forward(Tensor({1, 3}, {0.0f, 1.0f, -1.0f}), Mode::Training);
  require_values(plain->backward(dy), {0.0f, 1.0f, 0.0f});
  auto relu6 = ReLU({.max_value = 6});
  relu6->forward(Tensor({1, 3}, {6.0f, 0.0f, 5.0f}), Mode::Training);
  require_values(relu6->backward(dy), {0.0f, 0.0f, 1.0f});
  auto leaky = ReLU({.negative_slope = 0.25f});
  leaky->forward(Tensor({1, 3}, {0.0f, -2.0f, 2.0f}), Mode::Training);
  require_values(leaky->backward(dy), {0.25f, 0.25f, 1.0f});
  auto shifted = ReLU({.threshold = 1.0f});
  shifted->forward(Tensor({1, 3}, {1.0f, 1.5f, 0.5f}), Mode::Training);
  require_values(shifted->backward(dy), {0.0f, 1.0f, 0.0f});
  // And the plain ReLU layer agrees with Activation("relu") everywhere, the corner included.
  auto act = Activation("relu");
  const Tensor x({1, 3}, {0.0f, 1.0f, -1.0f});
  act->forward(x, Mode::Training);
  plain->forward(x, Mode::Training);
  require_values(act->backward(dy), {plain->backward(dy)[0], 1.0f, 0.0f});
}
