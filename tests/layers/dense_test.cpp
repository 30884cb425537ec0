#include "layers/dense.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Dense forward computes x W + b against hand-computed values", "[dense]") {
  auto d = Dense(DenseOptions{.units = 2});
  d->build(Shape{Shape::kNone, 3});
  d->weight("kernel").value = Tensor({3, 2}, {1, 2, 3, 4, 5, 6});
  d->weight("bias").value = Tensor({2}, {0.5f, -1});
  const Tensor x({2, 3}, {1, 0, -1, 2, 1, 0});
  // row 0: [1*1 + 0*3 - 1*5, 1*2 + 0*4 - 1*6] + b = [-4 + 0.5, -4 - 1]
  // row 1: [2*1 + 1*3, 2*2 + 1*4] + b = [5.5, 7]
  require_values(d->forward(x, Mode::Inference), {-3.5f, -5, 5.5f, 7});
}

TEST_CASE("Dense applies its activation and can drop the bias", "[dense]") {
  auto d = Dense(DenseOptions{.units = 2, .activation = "relu", .use_bias = false});
  d->build(Shape{Shape::kNone, 2});
  REQUIRE(d->weights().size() == 1);
  d->weight("kernel").value = Tensor({2, 2}, {1, -1, 1, 1});
  require_values(d->forward(Tensor({1, 2}, {2, -3}), Mode::Training), {0, 0});  // [-1, -5] -> relu
  require_values(d->forward(Tensor({1, 2}, {2, 3}), Mode::Training), {5, 1});
}

TEST_CASE("Dense gradients match finite differences for every activation", "[dense][gradient]") {
  for (const char* act : {"linear", "relu", "sigmoid", "tanh", "softmax"})
    for (bool bias : {true, false})
      for (Mode mode : {Mode::Training, Mode::Inference}) {
        INFO("activation " << act << ", use_bias " << bias << ", mode " << to_string(mode));
        auto d = Dense(DenseOptions{.units = 4, .activation = act, .use_bias = bias});
        const Tensor x = random_tensor({5, 3}, 7);
        // relu: a small step, so that no difference crosses the kink at 0 of a pre-activation.
        const GradientCheckOptions o{.step = std::string(act) == "relu" ? 1e-3 : 1e-2};
        require_gradients(check_layer_gradients(*d, {x}, mode, o));
      }
}

TEST_CASE("Dense counts in*units + units parameters, all trainable, and names its weights as Keras", "[dense]") {
  clear_session();
  auto d = Dense(50);
  d->build(Shape{Shape::kNone, 30});
  CHECK(d->name() == "dense");
  CHECK(d->output_shape().str() == "(None, 50)");
  CHECK(d->count_params() == 1550);
  CHECK(d->trainable_weights().size() == 2);
  CHECK(d->weight("kernel").value.shape() == Shape{30, 50});
  CHECK(d->weight("bias").value.shape() == Shape{50});
  auto nb = Dense(5, "linear", false);
  nb->build(Shape{Shape::kNone, 50});
  CHECK(nb->count_params() == 250);
  d->set_trainable(false);
  CHECK(d->trainable_weights().empty());
  CHECK(d->non_trainable_weights().size() == 2);
}

TEST_CASE("Dense rejects bad hyperparameters and shapes with messages that name it", "[dense][errors]") {
  require_throws<ConfigError>([] { Dense(DenseOptions{.units = 0, .name = "d0"}); }, {"Dense 'd0'", "units", "0"});
  require_throws<ConfigError>([] { Dense(DenseOptions{.units = 3, .activation = "relux", .name = "d1"}); },
                              {"Dense 'd1'", "activation", "relux"});
  require_throws<ConfigError>([] { Dense(DenseOptions{.units = 3, .kernel_initializer = "glorot", .name = "d2"}); },
                              {"Dense 'd2'", "kernel_initializer", "glorot"});
  auto d = Dense(DenseOptions{.units = 3, .require_flat_input = true, .name = "d3"});
  require_throws<ShapeError>(
      [&] {
        d->build(Shape{Shape::kNone, 13, 13, 8});
      },
      {"Dense 'd3'", "(None, F)", "(None, 13, 13, 8)", "Flatten"});
  require_throws<ShapeError>([] { Dense(DenseOptions{.units = 3, .name = "d4"})->build(Shape{Shape::kNone}); },
                             {"Dense 'd4'", "(None,)"});
  d->build(Shape{Shape::kNone, 4});
  require_throws<ShapeError>(
      [&] {
        d->forward(Tensor({2, 5}), Mode::Inference);
      },
      {"Dense 'd3'", "(None, 4)", "(2, 5)"});
  require_throws<UsageError>(
      [] {
        Dense(DenseOptions{.units = 1, .name = "d4"})->backward(Tensor({1, 1}));
      },
      {"Dense 'd4'", "backward", "before"});
}

TEST_CASE("A layer called directly keeps its input, so backward works after the caller's tensor is gone", "[dense]") {
  auto d = Dense(DenseOptions{.units = 1, .use_bias = false});
  d->build(Shape{Shape::kNone, 2});
  d->weight("kernel").value = Tensor({2, 1}, {1, 1});
  {
    const Tensor x({2, 2}, {1, 2, 3, 4});
    d->forward(x, Mode::Training);
  }  // x is gone; its memory may be reused
  const Tensor other({2, 2}, {-7, -7, -7, -7});
  // dW = x^T dy with dy = [1, 1]: [1 + 3, 2 + 4]
  d->backward(Tensor({2, 1}, {1, 1}));
  require_values(d->weight("kernel").grad, {4, 6});
  CHECK(other[0] == -7);
}

TEST_CASE("Dense on (N, T, in) acts on the last axis as Keras: every (n, t) is a row", "[dense]") {
  clear_session();
  auto d = Dense(2);
  d->build(Shape{Shape::kNone, 3, 2});
  CHECK(d->output_shape().str() == "(None, 3, 2)");
  CHECK(d->count_params() == 6);  // Keras: kernel (2, 2) + bias (2,), whatever T is
  d->set_weights({Tensor({2, 2}, {1, 2, 3, 4}), Tensor({2}, {10, 20})});
  // x[0] = [[1, 0], [0, 1], [1, 1]]: rows [1, 0] W + b = [11, 22], [0, 1] W + b = [13, 24], [1, 1] -> [14, 26]
  const Tensor y = d->forward(Tensor({1, 3, 2}, {1, 0, 0, 1, 1, 1}), Mode::Inference);
  CHECK(y.shape().str() == "(1, 3, 2)");
  require_values(y, {11, 22, 13, 24, 14, 26}, 0);
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    auto e =
        Dense(DenseOptions{.units = 3, .activation = "tanh", .kernel_initializer = Initializer("glorot_uniform", 5)});
    require_gradients(check_layer_gradients(*e, {random_tensor({2, 4, 3, 5}, 9)}, mode));
  }
}
