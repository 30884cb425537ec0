// LeakyReLU against Keras (TF.js 4.22): tests/reference/make_keras_layers15_reference.js.
#include "layers/leaky_relu.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
const char* const kRef = "keras_layers15_reference.txt";
}

TEST_CASE("LeakyReLU matches Keras with the default slope 0.3 and with 0.1", "[leaky_relu][reference]") {
  const Tensor x({2, 3, 4, 2}, reference_record(kRef, "image.x"));
  require_close(LeakyReLU()->forward(x, Mode::Inference), reference_record(kRef, "leaky_relu.y"), "LeakyReLU y");
  require_close(LeakyReLU(0.1f)->forward(x, Mode::Inference), reference_record(kRef, "leaky_relu_0.1.y"),
                "LeakyReLU(0.1) y");
}

TEST_CASE("LeakyReLU passes dy where x > 0 and negative_slope * dy elsewhere, the corner included", "[leaky_relu]") {
  auto l = LeakyReLU(0.25f);
  require_values(l->forward(Tensor({1, 4}, {-2, 0, 1, 3}), Mode::Training), {-0.5f, 0, 1, 3});
  require_values(l->backward(Tensor({1, 4}, {4, 4, 4, 4})), {1, 1, 4, 4});
}

TEST_CASE("LeakyReLU gradients match finite differences", "[leaky_relu][gradient]") {
  Tensor x = random_tensor({3, 4, 5}, 31, 0.1f, 2.0f);
  for (long i = 0; i < x.size(); i += 3) x[i] = -x[i];
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    require_gradients(check_layer_gradients(*LeakyReLU(), {x}, mode));
  }
}

TEST_CASE("LeakyReLU is named as Keras, keeps its shape, has no weights and checks its slope", "[leaky_relu][errors]") {
  clear_session();
  auto l = LeakyReLU();
  l->build(Shape{Shape::kNone, 5, 5, 3});
  CHECK(l->name() == "leaky_re_lu");
  CHECK(l->output_shape().str() == "(None, 5, 5, 3)");
  CHECK(l->count_params() == 0);
  CHECK(l->negative_slope() == 0.3f);
  CHECK(l->clone()->name() == "leaky_re_lu");
  require_throws<ConfigError>([] { LeakyReLU(-0.1f, "lr"); }, {"LeakyReLU 'lr'", "negative_slope", "-0.1"});
}
