#include "layers/average_pooling2d.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
// 1 2 3
// 4 5 6
// 7 8 9
const Tensor k3x3({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
}  // namespace

TEST_CASE("AveragePooling2D forward averages each window, with valid and same padding", "[average_pooling2d]") {
  // valid, 2x2, strides 1: (1+2+4+5)/4 = 3, (2+3+5+6)/4 = 4, (4+5+7+8)/4 = 6, (5+6+8+9)/4 = 7
  require_values(AveragePooling2D({.strides = {1}})->forward(k3x3, Mode::Inference), {3, 4, 6, 7});
  // valid, 2x2, strides 2 (default): one window
  require_values(AveragePooling2D()->forward(k3x3, Mode::Inference), {3});
  // same, 2x2, strides 2: pad one row at the bottom and one column at the right. TF averages over
  // the real cells only: {1,2,4,5}/4 = 3, {3,6}/2 = 4.5, {7,8}/2 = 7.5, {9}/1 = 9
  // (zero padding counted in the mean would give 3, 2.25, 3.75, 2.25)
  require_values(AveragePooling2D({.padding = "same"})->forward(k3x3, Mode::Inference), {3, 4.5f, 7.5f, 9});
  // same, 3x3, strides 1 (pad 1 on every side): corners average 4 cells, edges 6, the centre 9:
  // {1,2,4,5}/4 = 3, {1..6}/6 = 3.5, {2,3,5,6}/4 = 4, {1,2,4,5,7,8}/6 = 4.5, 45/9 = 5, {2,3,5,6,8,9}/6 = 5.5,
  // {4,5,7,8}/4 = 6, {4..9}/6 = 6.5, {5,6,8,9}/4 = 7
  require_values(
      AveragePooling2D({.pool_size = {3, 3}, .strides = {1, 1}, .padding = "same"})->forward(k3x3, Mode::Inference),
      {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7});
}

TEST_CASE("AveragePooling2D pools each channel and sample on its own, with non-square windows and odd sizes",
          "[average_pooling2d]") {
  // Channels interleaved (NHWC): channel 0 is 1, 2, 3, 4 -> 2.5; channel 1 is 10, 20, 30, 40 -> 25.
  const Tensor x({2, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40, /* sample 1 */ -1, 0, 1, 0, -2, 4, 6, 0});
  require_values(AveragePooling2D()->forward(x, Mode::Inference), {2.5f, 25, 1, 1});
  //  1  2  3  4    pool (2, 3), strides 2, same on a 3x4 image: windows rows {0,1}, {2}; cols {0,1,2}, {2,3}
  //  5  6  7  8    -> {1,2,3,5,6,7}/6 = 4, {3,4,7,8}/4 = 5.5, {9,10,11}/3 = 10, {11,12}/2 = 11.5
  //  9 10 11 12
  const Tensor img({1, 3, 4, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  require_values(
      AveragePooling2D({.pool_size = {2, 3}, .strides = {2}, .padding = "same"})->forward(img, Mode::Inference),
      {4, 5.5f, 10, 11.5f});
}

TEST_CASE("AveragePooling2D backward shares each window's gradient among its real cells", "[average_pooling2d]") {
  // same, 2x2, strides 2 on 3x3: window (0,0) has 4 cells (1/4 each), (0,1) and (1,0) have 2 (2/2, 3/2),
  // (1,1) has 1 (4/1).
  auto p = AveragePooling2D({.padding = "same"});
  p->forward(k3x3, Mode::Training);
  require_values(p->backward(Tensor({1, 2, 2, 1}, {1, 2, 3, 4})), {0.25f, 0.25f, 1, 0.25f, 0.25f, 1, 1.5f, 1.5f, 4});
  // valid, 2x2, strides 1: overlapping windows add up; the centre is in all four: (1+2+3+4)/4.
  auto q = AveragePooling2D({.strides = {1}});
  q->forward(k3x3, Mode::Training);
  require_values(q->backward(Tensor({1, 2, 2, 1}, {1, 2, 3, 4})), {0.25f, 0.75f, 0.5f, 1, 2.5f, 1.5f, 0.75f, 1.75f, 1});
}

TEST_CASE("AveragePooling2D gradients match finite differences", "[average_pooling2d][gradient]") {
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
      auto p = AveragePooling2D(opt);
      require_gradients(check_layer_gradients(*p, {random_tensor({2, 5, 6, 3}, 5)}, mode));
    }
}

TEST_CASE("AveragePooling2D has no weights, Keras' output shapes and default names", "[average_pooling2d]") {
  clear_session();
  auto p = AveragePooling2D();
  p->build(Shape{Shape::kNone, 15, 15, 32});
  CHECK(p->name() == "average_pooling2d");
  CHECK(p->output_shape().str() == "(None, 7, 7, 32)");
  CHECK(p->count_params() == 0);
  CHECK(p->weights().empty());
  auto q = AveragePooling2D({.pool_size = {3, 3}, .strides = {1}, .padding = "same"});
  q->build(Shape{Shape::kNone, 15, 9, 4});
  CHECK(q->name() == "average_pooling2d_1");
  CHECK(q->output_shape().str() == "(None, 15, 9, 4)");
  // strides default to pool_size, per axis: (2, 3) over 3x4 with same -> ceil(3/2) x ceil(4/3)
  auto r = AveragePooling2D({.pool_size = {2, 3}, .padding = "same"});
  r->build(Shape{Shape::kNone, 3, 4, 1});
  CHECK(r->strides() == std::array<long, 2>{2, 3});
  CHECK(r->output_shape().str() == "(None, 2, 2, 1)");
}

TEST_CASE("AveragePooling2D gives the same output in training and inference", "[average_pooling2d][modes]") {
  auto p = AveragePooling2D({.padding = "same"});
  const Tensor x = random_tensor({2, 5, 5, 3}, 3);
  const Tensor train = p->forward(x, Mode::Training);
  const Tensor infer = p->forward(x, Mode::Inference);
  require_values(infer, std::vector<float>(train.values().begin(), train.values().end()), 0.0f);
}

TEST_CASE("AveragePooling2D rejects bad hyperparameters and shapes with messages that name it",
          "[average_pooling2d][errors]") {
  require_throws<ConfigError>(
      [] {
        AveragePooling2D({.pool_size = {2, -3}, .name = "a0"});
      },
      {"AveragePooling2D 'a0'", "pool_size", "(2, -3)"});
  require_throws<ConfigError>(
      [] {
        AveragePooling2D({.strides = {0, 1}, .name = "a1"});
      },
      {"AveragePooling2D 'a1'", "strides", "(0, 1)"});
  require_throws<ConfigError>([] { AveragePooling2D({.padding = "VALID", .name = "a2"}); },
                              {"AveragePooling2D 'a2'", "padding", "VALID"});
  require_throws<ShapeError>(
      [] {
        AveragePooling2D({.name = "a3"})->build(Shape{Shape::kNone, 4, 4, 4, 4});
      },
      {"AveragePooling2D 'a3'", "(None, H, W, C)", "(None, 4, 4, 4, 4)"});
  require_throws<ShapeError>(
      [] {
        AveragePooling2D({.pool_size = {1, 4}, .name = "a4"})->build(Shape{Shape::kNone, 4, 3, 1});
      },
      {"AveragePooling2D 'a4'", "pool_size=(1, 4)", "(None, 4, 3, 1)"});
  auto p = AveragePooling2D({.name = "a5"});
  p->build(Shape{Shape::kNone, 4, 4, 2});
  require_throws<ShapeError>(
      [&] {
        p->forward(Tensor({1, 5, 4, 2}), Mode::Inference);
      },
      {"AveragePooling2D 'a5'", "(None, 4, 4, 2)", "(1, 5, 4, 2)"});
}
