#include "layers/max_pooling2d.h"

#include <algorithm>
#include <numeric>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
// A tie-free tensor: the values -0.05*n/2 ... in steps of 0.05, in a seeded random order, so no
// two cells of a window are within the finite-difference step of each other.
Tensor distinct_tensor(const Shape& shape, std::uint64_t seed) {
  Tensor t(shape);
  std::vector<long> order(size_t(t.size()));
  std::iota(order.begin(), order.end(), 0L);
  Rng rng(seed);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  for (long i = 0; i < t.size(); ++i) t[i] = 0.05f * float(order[size_t(i)] - t.size() / 2);
  return t;
}
const Tensor k3x3({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
}  // namespace

TEST_CASE("MaxPooling2D forward takes each window's maximum, with valid and same padding", "[max_pooling2d]") {
  // 1 2 3
  // 4 5 6      valid, 2x2, strides 1: windows at rows 0-1 / 1-2 and cols 0-1 / 1-2
  // 7 8 9
  require_values(MaxPooling2D({.strides = {1}})->forward(k3x3, Mode::Inference), {5, 6, 8, 9});
  // valid, 2x2, strides 2 (the default, = pool_size): OH = floor((3 - 2) / 2) + 1 = 1
  require_values(MaxPooling2D()->forward(k3x3, Mode::Inference), {5});
  // same, 2x2, strides 2: OH = ceil(3 / 2) = 2, pad_total = 1*2 + 2 - 3 = 1, pad_top = 0 (the pad row is
  // at the bottom): windows {1,2,4,5}, {3,6}, {7,8}, {9}
  require_values(MaxPooling2D({.padding = "same"})->forward(k3x3, Mode::Inference), {5, 6, 8, 9});
  // same, 3x3, strides 1 on -x: pad 1 on every side; padding is -inf, not 0, so a border window's
  // maximum is its largest real value: (0,0) covers -1,-2,-4,-5 -> -1 (a zero pad would give 0)
  Tensor neg = k3x3;
  for (float& v : neg.values()) v = -v;
  require_values(
      MaxPooling2D({.pool_size = {3, 3}, .strides = {1, 1}, .padding = "same"})->forward(neg, Mode::Inference),
      {-1, -1, -2, -1, -1, -2, -4, -4, -5});
}

TEST_CASE("MaxPooling2D pools each channel and sample on its own, with non-square windows and odd sizes",
          "[max_pooling2d]") {
  // Channels interleaved (NHWC): channel 0 is 1, 2, 3, 0 -> 3; channel 1 is -1, -2, -3, 5 -> 5.
  const Tensor x({2, 2, 2, 2}, {1, -1, 2, -2, 3, -3, 0, 5, /* sample 1 */ 0, 0, 0, 0, 0, 0, -1, 1});
  require_values(MaxPooling2D()->forward(x, Mode::Inference), {3, 5, 0, 1});
  // 12  3  6  1     pool (2, 3), strides 2, same on a 3x4 image: OH = ceil(3/2) = 2, pad rows 1*2+2-3 = 1
  //  9  2 11  5     (bottom); OW = ceil(4/2) = 2, pad cols 1*2+3-4 = 1 (right). Windows: rows {0,1}, {2};
  //  4  8  7 10     cols {0,1,2}, {2,3} -> max{12,3,6,9,2,11} = 12, max{6,1,11,5} = 11, max{4,8,7} = 8, max{7,10} = 10
  auto p = MaxPooling2D({.pool_size = {2, 3}, .strides = {2}, .padding = "same"});
  const Tensor img({1, 3, 4, 1}, {12, 3, 6, 1, 9, 2, 11, 5, 4, 8, 7, 10});
  require_values(p->forward(img, Mode::Inference), {12, 11, 8, 10});
  CHECK(p->argmax() == std::vector<long>{0, 6, 9, 11});
  // Backward routes each gradient to its window's maximum.
  require_values(p->backward(Tensor({1, 2, 2, 1}, {1, 2, 3, 4})), {1, 0, 0, 0, 0, 0, 2, 0, 0, 3, 0, 4});
  // valid, 2x2, strides 2 on a 5x5 image: OH = floor(3/2) + 1 = 2; row 4 and column 4 are never read.
  Tensor five({1, 5, 5, 1});
  for (long i = 0; i < 25; ++i) five[i] = float(i);  // row r holds 5r .. 5r+4
  require_values(MaxPooling2D()->forward(five, Mode::Inference), {6, 8, 16, 18});
}

TEST_CASE("MaxPooling2D backward adds up overlapping windows and breaks ties by window order", "[max_pooling2d]") {
  // 9 is the maximum of all four overlapping 2x2 windows (strides 1): it collects 1+2+3+4.
  auto p = MaxPooling2D({.strides = {1, 1}});
  p->forward(Tensor({1, 3, 3, 1}, {1, 2, 3, 4, 9, 5, 6, 7, 8}), Mode::Training);
  require_values(p->backward(Tensor({1, 2, 2, 1}, {1, 2, 3, 4})), {0, 0, 0, 0, 10, 0, 0, 0, 0});
  // A tie goes to the first cell in window order (row by row, left to right).
  auto t = MaxPooling2D();
  t->forward(Tensor({1, 2, 2, 1}, {5, 5, 5, 5}), Mode::Training);
  require_values(t->backward(Tensor({1, 1, 1, 1}, {7})), {7, 0, 0, 0});
  t->forward(Tensor({1, 2, 2, 1}, {1, 3, 2, 3}), Mode::Training);
  require_values(t->backward(Tensor({1, 1, 1, 1}, {7})), {0, 7, 0, 0});
}

TEST_CASE("MaxPooling2D gradients match finite differences on tie-free inputs", "[max_pooling2d][gradient]") {
  const std::vector<Pooling2DOptions> configs = {
      {.pool_size = {2, 2}},
      {.pool_size = {2, 2}, .strides = {1, 1}},
      {.pool_size = {3, 3}, .strides = {2, 2}, .padding = "same"},
      {.pool_size = {3, 2}, .strides = {1, 2}, .padding = "same"},
      {.pool_size = {2, 3}, .strides = {2, 1}, .padding = "valid"},
  };
  for (const Pooling2DOptions& opt : configs)
    for (Mode mode : {Mode::Training, Mode::Inference}) {
      INFO("pool (" << opt.pool_size[0] << ", " << opt.pool_size[1] << "), padding " << opt.padding << ", "
                    << to_string(mode));
      auto p = MaxPooling2D(opt);
      require_gradients(check_layer_gradients(*p, {distinct_tensor({2, 5, 6, 3}, 11)}, mode));
    }
}

TEST_CASE("MaxPooling2D has no weights, Keras' output shapes and default names", "[max_pooling2d]") {
  clear_session();
  auto p = MaxPooling2D();
  p->build(Shape{Shape::kNone, 15, 15, 32});
  CHECK(p->name() == "max_pooling2d");
  CHECK(p->output_shape().str() == "(None, 7, 7, 32)");  // valid: floor((15 - 2) / 2) + 1
  CHECK(p->count_params() == 0);
  CHECK(p->weights().empty());
  CHECK(p->strides() == std::array<long, 2>{2, 2});
  auto q = MaxPooling2D({.pool_size = {3, 3}, .strides = {2}, .padding = "same"});
  q->build(Shape{Shape::kNone, 15, 15, 32});
  CHECK(q->name() == "max_pooling2d_1");
  CHECK(q->output_shape().str() == "(None, 8, 8, 32)");  // same: ceil(15 / 2)
  CHECK(q->strides() == std::array<long, 2>{2, 2});
}

TEST_CASE("MaxPooling2D gives the same output in training and inference", "[max_pooling2d][modes]") {
  auto p = MaxPooling2D({.padding = "same"});
  const Tensor x = random_tensor({2, 5, 5, 3}, 3);
  const Tensor train = p->forward(x, Mode::Training);
  const Tensor infer = p->forward(x, Mode::Inference);
  require_values(infer, std::vector<float>(train.values().begin(), train.values().end()), 0.0f);
}

TEST_CASE("MaxPooling2D rejects bad hyperparameters and shapes with messages that name it", "[max_pooling2d][errors]") {
  require_throws<ConfigError>(
      [] {
        MaxPooling2D({.pool_size = {0, 2}, .name = "p0"});
      },
      {"MaxPooling2D 'p0'", "pool_size", "(0, 2)"});
  require_throws<ConfigError>(
      [] {
        MaxPooling2D({.strides = {2, -1}, .name = "p1"});
      },
      {"MaxPooling2D 'p1'", "strides", "(2, -1)"});
  require_throws<ConfigError>([] { MaxPooling2D({.strides = {0}, .name = "p2"}); },
                              {"MaxPooling2D 'p2'", "strides", "(0)"});
  require_throws<ConfigError>(
      [] {
        MaxPooling2D({.strides = {1, 1, 1}, .name = "p3"});
      },
      {"MaxPooling2D 'p3'", "strides", "(1, 1, 1)"});
  require_throws<ConfigError>([] { MaxPooling2D({.padding = "full", .name = "p4"}); },
                              {"MaxPooling2D 'p4'", "padding", "full"});
  require_throws<ShapeError>(
      [] {
        MaxPooling2D({.name = "p5"})->build(Shape{Shape::kNone, 8, 3});
      },
      {"MaxPooling2D 'p5'", "(None, H, W, C)", "(None, 8, 3)"});
  require_throws<ShapeError>(
      [] {
        MaxPooling2D({.pool_size = {3, 3}, .name = "p6"})->build(Shape{Shape::kNone, 2, 5, 1});
      },
      {"MaxPooling2D 'p6'", "pool_size=(3, 3)", "(None, 2, 5, 1)", "same"});
  auto p = MaxPooling2D({.name = "p7"});
  p->build(Shape{Shape::kNone, 4, 4, 2});
  require_throws<ShapeError>(
      [&] {
        p->forward(Tensor({1, 4, 4, 3}), Mode::Inference);
      },
      {"MaxPooling2D 'p7'", "(None, 4, 4, 2)", "(1, 4, 4, 3)"});
}

TEST_CASE("MaxPooling2D takes one number for a square window, as Keras' int", "[pooling]") {
  auto p = MaxPooling2D({.pool_size = 3});
  CHECK(p->options().pool_size == Size2D(3, 3));
  p->build(Shape({Shape::kNone, 9, 9, 2}));
  CHECK(p->output_shape() == Shape({Shape::kNone, 3, 3, 2}));
  auto avg = AveragePooling2D({.pool_size = 2, .strides = {1}});
  avg->build(Shape({Shape::kNone, 4, 4, 1}));
  CHECK(avg->output_shape() == Shape({Shape::kNone, 3, 3, 1}));
}
