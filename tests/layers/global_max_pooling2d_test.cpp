// GlobalMaxPooling2D against Keras (TF.js 4.22): tests/reference/make_keras_layers15_reference.js.
#include "layers/global_max_pooling2d.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("GlobalMaxPooling2D matches Keras", "[global_max_pooling2d][reference]") {
  const char* ref = "keras_layers15_reference.txt";
  const Tensor x({2, 3, 4, 2}, reference_record(ref, "image.x"));
  require_close(GlobalMaxPooling2D()->forward(x, Mode::Inference), reference_record(ref, "global_max_pooling.y"),
                "GlobalMaxPooling2D y");
}

TEST_CASE("GlobalMaxPooling2D sends dy to the maximum, split equally between tied maxima", "[global_max_pooling2d]") {
  // One 2x2 image, channel 0: 1, 5, 2, 5 (a tie at 5); channel 1: -1, -3, 0, -2 (max 0).
  const Tensor x({1, 2, 2, 2}, {1, -1, 5, -3, 2, 0, 5, -2});
  auto g = GlobalMaxPooling2D();
  require_values(g->forward(x, Mode::Training), {5, 0});
  require_values(g->backward(Tensor({1, 2}, {4, 6})), {0, 0, 2, 0, 0, 6, 2, 0});
}

TEST_CASE("GlobalMaxPooling2D gradients match finite differences", "[global_max_pooling2d][gradient]") {
  // Distinct values 0.05 apart in a seeded order: no step of the check changes which one wins.
  // (120 values in [-3, 3): the step h = 1e-2 max(1, |v|) stays below half the gap.)
  Tensor x({2, 3, 4, 5});
  for (long i = 0; i < x.size(); ++i) x[i] = 0.05f * float(i) - 3.0f;
  Rng shuffle(34);
  for (long i = x.size() - 1; i > 0; --i) std::swap(x[i], x[long(shuffle.below(std::uint64_t(i + 1)))]);
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    require_gradients(check_layer_gradients(*GlobalMaxPooling2D(), {x}, mode));
  }
}

TEST_CASE("GlobalMaxPooling2D maps (None, H, W, C) to (None, C), is named as Keras and rejects other ranks",
          "[global_max_pooling2d][errors]") {
  clear_session();
  auto g = GlobalMaxPooling2D();
  g->build(Shape{Shape::kNone, 7, 7, 32});
  CHECK(g->name() == "global_max_pooling2d");
  CHECK(g->output_shape().str() == "(None, 32)");
  CHECK(g->count_params() == 0);
  CHECK(g->clone()->name() == "global_max_pooling2d");
  require_throws<ShapeError>(
      [] {
        GlobalMaxPooling2D("g0")->build(Shape{Shape::kNone, 10});
      },
      {"GlobalMaxPooling2D 'g0'", "(None, H, W, C)", "(None, 10)"});
}
