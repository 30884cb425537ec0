// UpSampling2D against Keras (TF.js 4.22): tests/reference/make_keras_layers15_reference.js.
#include "layers/up_sampling2d.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("UpSampling2D matches Keras for size (2, 3)", "[up_sampling2d][reference]") {
  const char* ref = "keras_layers15_reference.txt";
  const Tensor x({2, 3, 4, 2}, reference_record(ref, "image.x"));
  auto u = UpSampling2D({2, 3});
  const Tensor& y = u->forward(x, Mode::Inference);
  CHECK(y.shape().str() == "(2, 6, 12, 2)");
  require_close(y, reference_record(ref, "up_sampling.y"), "UpSampling2D y");
}

TEST_CASE("UpSampling2D repeats each pixel and sums each block's gradient", "[up_sampling2d]") {
  auto u = UpSampling2D({1, 2});
  require_values(u->forward(Tensor({1, 2, 2, 1}, {1, 2, 3, 4}), Mode::Training), {1, 1, 2, 2, 3, 3, 4, 4});
  require_values(u->backward(Tensor({1, 2, 4, 1}, {1, 2, 3, 4, 5, 6, 7, 8})), {3, 7, 11, 15});
}

TEST_CASE("UpSampling2D gradients match finite differences", "[up_sampling2d][gradient]") {
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    require_gradients(check_layer_gradients(*UpSampling2D({3, 2}), {random_tensor({2, 3, 2, 3}, 36)}, mode));
  }
}

TEST_CASE("UpSampling2D is named as Keras, has no weights and checks its arguments", "[up_sampling2d][errors]") {
  clear_session();
  auto u = UpSampling2D();
  u->build(Shape{Shape::kNone, 4, 5, 3});
  CHECK(u->name() == "up_sampling2d");
  CHECK(u->output_shape().str() == "(None, 8, 10, 3)");
  CHECK(u->count_params() == 0);
  CHECK(u->clone()->name() == "up_sampling2d");
  require_throws<ConfigError>([] { UpSampling2D({2, 0}, "nearest", "u0"); }, {"UpSampling2D 'u0'", "size", "(2, 0)"});
  require_throws<ConfigError>([] { UpSampling2D(2, "bilinear", "u1"); },
                              {"UpSampling2D 'u1'", "interpolation", "bilinear"});
  require_throws<ShapeError>(
      [] {
        UpSampling2D(2, "nearest", "u2")->build(Shape{Shape::kNone, 5});
      },
      {"UpSampling2D 'u2'", "(None, H, W, C)", "(None, 5)"});
  require_throws<ShapeError>(  // H * size would overflow a long
      [] {
        UpSampling2D({1L << 40, 1}, "nearest", "u3")->build(Shape{Shape::kNone, 1L << 30, 2, 1});
      },
      {"UpSampling2D 'u3'", "too large", "(None, 1073741824, 2, 1)"});
}
