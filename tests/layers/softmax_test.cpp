#include "layers/softmax.h"

#include <cmath>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Softmax forward normalizes exp over the last axis", "[softmax]") {
  // x = (log 1, log 2, log 5): exp(x) = (1, 2, 5), sum 8 -> (1/8, 2/8, 5/8). Adding 100 to a row
  // changes nothing (the row maximum is subtracted first, so exp does not overflow either).
  const float l2 = std::log(2.0f), l5 = std::log(5.0f);
  const Tensor x({2, 3}, {0, l2, l5, 100, 100 + l2, 100 + l5});
  auto s = Softmax();
  require_values(s->forward(x, Mode::Inference), {0.125f, 0.25f, 0.625f, 0.125f, 0.25f, 0.625f});
  // Images (N, H, W, C): one distribution per pixel. (0, 0) -> (1/2, 1/2); (0, log 3) -> (1/4, 3/4).
  const Tensor img({1, 1, 2, 2}, {0, 0, 0, std::log(3.0f)});
  require_values(Softmax({.axis = 3})->forward(img, Mode::Inference), {0.5f, 0.5f, 0.25f, 0.75f});
  // Backward (B1) for y = (1/8, 2/8, 5/8), dy = (1, 0, 0): sum dy*y = 1/8;
  // dx = y * (dy - 1/8) = (1/8 * 7/8, 2/8 * -1/8, 5/8 * -1/8) = (7/64, -2/64, -5/64)
  s->forward(x, Mode::Training);
  require_values(s->backward(Tensor({2, 3}, {1, 0, 0, 0, 0, 0})), {7 / 64.0f, -2 / 64.0f, -5 / 64.0f, 0, 0, 0});
}

TEST_CASE("Softmax gradients match finite differences", "[softmax][gradient]") {
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    auto s = Softmax();
    require_gradients(check_layer_gradients(*s, {random_tensor({3, 2, 5}, 4, -2.0f, 2.0f)}, mode));
  }
}

TEST_CASE("Softmax has no weights, keeps the input shape and is named as Keras", "[softmax]") {
  clear_session();
  auto s = Softmax();
  s->build(Shape{Shape::kNone, 10});
  CHECK(s->name() == "softmax");
  CHECK(s->class_name() == "Softmax");
  CHECK(s->output_shape().str() == "(None, 10)");
  CHECK(s->count_params() == 0);
  CHECK(Softmax()->name() == "softmax_1");
}

TEST_CASE("Softmax gives the same output in training and inference", "[softmax][modes]") {
  auto s = Softmax();
  const Tensor x = random_tensor({4, 6}, 1);
  const Tensor train = s->forward(x, Mode::Training);
  require_values(s->forward(x, Mode::Inference), {train.values().begin(), train.values().end()}, 0.0f);
}

TEST_CASE("Softmax rejects axes other than the last with messages that name it", "[softmax][errors]") {
  require_throws<ConfigError>([] { Softmax({.axis = 0, .name = "s0"}); }, {"Softmax 's0'", "axis=0", "last axis"});
  require_throws<ConfigError>([] { Softmax({.axis = -2, .name = "s1"}); }, {"Softmax 's1'", "axis=-2"});
  require_throws<ConfigError>(
      [] {
        Softmax({.axis = 1, .name = "s2"})->build(Shape{Shape::kNone, 4, 5});
      },
      {"Softmax 's2'", "axis=1", "(None, 4, 5)"});
  auto s = Softmax({.name = "s3"});
  s->build(Shape{Shape::kNone, 4});
  require_throws<ShapeError>(
      [&] {
        s->forward(Tensor({1, 5}), Mode::Inference);
      },
      {"Softmax 's3'", "(None, 4)", "(1, 5)"});
}
