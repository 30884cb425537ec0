#include "layers/global_average_pooling2d.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("GlobalAveragePooling2D forward averages each channel over all positions", "[global_average_pooling2d]") {
  // Sample 0, positions (h, w) = (0,0) (0,1) (1,0) (1,1) with channels [c0, c1]:
  //   [1, 2] [3, 4] [5, 6] [7, 8] -> c0 (1+3+5+7)/4 = 4, c1 (2+4+6+8)/4 = 5
  // Sample 1: [-1, 0] [2, 2] [0, 0] [3, -2] -> c0 (-1+2+0+3)/4 = 1, c1 (0+2+0-2)/4 = 0
  const Tensor x({2, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8, -1, 0, 2, 2, 0, 0, 3, -2});
  auto g = GlobalAveragePooling2D();
  require_values(g->forward(x, Mode::Inference), {4, 5, 1, 0});
  // Odd sizes: a 3x1 image [1, 2, 6] -> 3
  require_values(GlobalAveragePooling2D()->forward(Tensor({1, 3, 1, 1}, {1, 2, 6}), Mode::Inference), {3});
  // Backward: each of the H*W = 4 positions gets dy / 4.
  g->forward(x, Mode::Training);
  require_values(g->backward(Tensor({2, 2}, {4, 8, -2, 0})),
                 {1, 2, 1, 2, 1, 2, 1, 2, -0.5f, 0, -0.5f, 0, -0.5f, 0, -0.5f, 0});
}

TEST_CASE("GlobalAveragePooling2D gradients match finite differences", "[global_average_pooling2d][gradient]") {
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    auto g = GlobalAveragePooling2D();
    require_gradients(check_layer_gradients(*g, {random_tensor({3, 5, 4, 6}, 9)}, mode));
  }
}

TEST_CASE("GlobalAveragePooling2D has no weights, maps (None, H, W, C) to (None, C) and is named as Keras",
          "[global_average_pooling2d]") {
  clear_session();
  auto g = GlobalAveragePooling2D();
  g->build(Shape{Shape::kNone, 7, 7, 32});
  CHECK(g->name() == "global_average_pooling2d");
  CHECK(g->output_shape().str() == "(None, 32)");
  CHECK(g->count_params() == 0);
  CHECK(GlobalAveragePooling2D()->name() == "global_average_pooling2d_1");
}

TEST_CASE("GlobalAveragePooling2D gives the same output in training and inference",
          "[global_average_pooling2d][modes]") {
  auto g = GlobalAveragePooling2D();
  const Tensor x = random_tensor({2, 3, 3, 4}, 3);
  const Tensor train = g->forward(x, Mode::Training);
  const Tensor infer = g->forward(x, Mode::Inference);
  require_values(infer, std::vector<float>(train.values().begin(), train.values().end()), 0.0f);
}

TEST_CASE("GlobalAveragePooling2D rejects inputs that are not images, naming itself",
          "[global_average_pooling2d][errors]") {
  require_throws<ShapeError>(
      [] {
        GlobalAveragePooling2D("g0")->build(Shape{Shape::kNone, 10});
      },
      {"GlobalAveragePooling2D 'g0'", "(None, H, W, C)", "(None, 10)"});
  require_throws<ShapeError>(
      [] {
        GlobalAveragePooling2D("g1")->build(Shape{Shape::kNone, 2, 2, 2, 2});
      },
      {"GlobalAveragePooling2D 'g1'", "(None, 2, 2, 2, 2)"});
  auto g = GlobalAveragePooling2D("g2");
  g->build(Shape{Shape::kNone, 4, 4, 2});
  require_throws<ShapeError>(
      [&] {
        g->forward(Tensor({1, 4, 4, 3}), Mode::Inference);
      },
      {"GlobalAveragePooling2D 'g2'", "(None, 4, 4, 2)", "(1, 4, 4, 3)"});
}
