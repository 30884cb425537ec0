#include "layers/reshape.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Reshape relabels each sample's shape and keeps the row-major order", "[reshape]") {
  // (2, 6) -> (2, 3, 2): the values stay in place, only the shape changes
  const Tensor x({2, 6}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  auto r = Reshape({3, 2});
  const Tensor& y = r->forward(x, Mode::Inference);
  CHECK(y.shape() == Shape{2, 3, 2});
  require_values(y, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  CHECK(y.at({1, 2, 0}) == 11);  // sample 1, flat 2*2 + 0 = 4 -> 7 + 4 = 11
  // -1 is inferred: (1, 2, 2, 3) has 12 values per sample, (-1, 4) -> (3, 4)
  auto inferred = Reshape({-1, 4});
  const Tensor& z = inferred->forward(Tensor({1, 2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), Mode::Inference);
  CHECK(z.shape() == Shape{1, 3, 4});
  require_values(z, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  // Backward relabels dy back to x's shape.
  const Tensor& dx = r->backward(Tensor({2, 3, 2}, {6, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5}));
  CHECK(dx.shape() == Shape{2, 6});
  require_values(dx, {6, 5, 4, 3, 2, 1, 0, -1, -2, -3, -4, -5});
}

TEST_CASE("Reshape gradients match finite differences", "[reshape][gradient]") {
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    auto r = Reshape({5, -1, 2});
    require_gradients(check_layer_gradients(*r, {random_tensor({3, 4, 5, 2}, 6)}, mode));
  }
}

TEST_CASE("Reshape has no weights, infers -1 as Keras and is named as Keras", "[reshape]") {
  clear_session();
  auto r = Reshape({-1, 32});
  r->build(Shape{Shape::kNone, 7, 7, 32});
  CHECK(r->name() == "reshape");
  CHECK(r->output_shape().str() == "(None, 49, 32)");
  CHECK(r->count_params() == 0);
  auto flat = Reshape({12});
  flat->build(Shape{Shape::kNone, 3, 4});
  CHECK(flat->name() == "reshape_1");
  CHECK(flat->output_shape().str() == "(None, 12)");
  CHECK(flat->target_shape() == std::vector<long>{12});
}

TEST_CASE("Reshape gives the same output in training and inference", "[reshape][modes]") {
  auto r = Reshape({2, 3});
  const Tensor x = random_tensor({4, 6}, 1);
  const Tensor train = r->forward(x, Mode::Training);
  require_values(r->forward(x, Mode::Inference), {train.values().begin(), train.values().end()}, 0.0f);
}

TEST_CASE("Reshape rejects bad target shapes and element counts with messages that name it", "[reshape][errors]") {
  require_throws<ConfigError>([] { Reshape({0, 3}, "r0"); }, {"Reshape 'r0'", "target_shape", "(0, 3)"});
  require_throws<ConfigError>([] { Reshape({-2}, "r1"); }, {"Reshape 'r1'", "target_shape", "(-2,)"});
  require_throws<ConfigError>([] { Reshape({-1, 2, -1}, "r2"); }, {"Reshape 'r2'", "one -1", "(-1, 2, -1)"});
  require_throws<ShapeError>(
      [] {
        Reshape({5, 2}, "r3")->build(Shape{Shape::kNone, 12});
      },
      {"Reshape 'r3'", "(None, 12)", "12 values", "(5, 2)"});
  require_throws<ShapeError>(
      [] {
        Reshape({5, -1}, "r4")->build(Shape{Shape::kNone, 3, 4});
      },
      {"Reshape 'r4'", "(None, 3, 4)", "(5, -1)"});
  auto r = Reshape({2, 2}, "r5");
  r->build(Shape{Shape::kNone, 4});
  require_throws<ShapeError>(
      [&] {
        r->forward(Tensor({1, 8}), Mode::Inference);
      },
      {"Reshape 'r5'", "(None, 4)", "(1, 8)"});
}
