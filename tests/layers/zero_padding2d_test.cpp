// ZeroPadding2D against Keras (TF.js 4.22): tests/reference/make_keras_layers15_reference.js.
#include "layers/zero_padding2d.h"

#include <limits>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("ZeroPadding2D matches Keras for ((1, 2), (0, 3)) and the default 1", "[zero_padding2d][reference]") {
  const char* ref = "keras_layers15_reference.txt";
  const Tensor x({2, 3, 4, 2}, reference_record(ref, "image.x"));
  auto z = ZeroPadding2D({{1, 2}, {0, 3}});
  const Tensor& y = z->forward(x, Mode::Inference);
  CHECK(y.shape().str() == "(2, 6, 7, 2)");
  require_close(y, reference_record(ref, "zero_padding.y"), "ZeroPadding2D y");
  require_close(ZeroPadding2D()->forward(x, Mode::Inference), reference_record(ref, "zero_padding_1.y"),
                "ZeroPadding2D(1) y");
}

TEST_CASE("ZeroPadding2D's three forms of padding and its backward", "[zero_padding2d]") {
  clear_session();
  auto sym = ZeroPadding2D({1, 2});  // Keras' (1, 2): 1 row above and below, 2 columns left and right
  sym->build(Shape{Shape::kNone, 3, 4, 5});
  CHECK(sym->output_shape().str() == "(None, 5, 8, 5)");
  auto asym = ZeroPadding2D({{0, 1}, {2, 0}});
  asym->build(Shape{Shape::kNone, 3, 4, 5});
  CHECK(asym->output_shape().str() == "(None, 4, 6, 5)");
  // A 1x2 image, one channel [7, 8], padded by one above and one on the right: 2x3
  auto z = ZeroPadding2D({{1, 0}, {0, 1}});
  require_values(z->forward(Tensor({1, 1, 2, 1}, {7, 8}), Mode::Training), {0, 0, 0, 7, 8, 0});
  require_values(z->backward(Tensor({1, 2, 3, 1}, {1, 2, 3, 4, 5, 6})), {4, 5});
}

TEST_CASE("ZeroPadding2D gradients match finite differences", "[zero_padding2d][gradient]") {
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    require_gradients(check_layer_gradients(*ZeroPadding2D({{2, 1}, {0, 3}}), {random_tensor({2, 3, 4, 3}, 35)}, mode));
  }
}

TEST_CASE("ZeroPadding2D is named as Keras, has no weights and checks its arguments", "[zero_padding2d][errors]") {
  clear_session();
  auto z = ZeroPadding2D();
  z->build(Shape{Shape::kNone, 2, 2, 1});
  CHECK(z->name() == "zero_padding2d");
  CHECK(z->count_params() == 0);
  CHECK(z->clone()->name() == "zero_padding2d");
  require_throws<ConfigError>([] { ZeroPadding2D({{1, -1}, {0, 0}}, "z0"); }, {"ZeroPadding2D 'z0'", "padding", "-1"});
  require_throws<ShapeError>(
      [] {
        ZeroPadding2D(1, "z1")->build(Shape{Shape::kNone, 5, 5});
      },
      {"ZeroPadding2D 'z1'", "(None, H, W, C)", "(None, 5, 5)"});
  require_throws<ShapeError>(  // top + H + bottom would overflow a long
      [] {
        ZeroPadding2D({{1, std::numeric_limits<long>::max()}, {0, 0}}, "z2")->build(Shape{Shape::kNone, 5, 5, 1});
      },
      {"ZeroPadding2D 'z2'", "too large", "(None, 5, 5, 1)"});
}
