// ELU against Keras (TF.js 4.22, alpha 1) and PyTorch (alpha 0.5, which TF.js refuses):
// tests/reference/make_keras_layers15_reference.js and make_torch_layers15_reference.py.
#include "layers/elu.h"

#include <cmath>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
const char* const kRef = "keras_layers15_reference.txt";
}

TEST_CASE("ELU matches Keras for alpha 1 and PyTorch for alpha 0.5", "[elu][reference]") {
  const Tensor x({2, 3, 4, 2}, reference_record(kRef, "image.x"));
  require_close(ELU()->forward(x, Mode::Inference), reference_record(kRef, "elu.y"), "ELU y");
  require_close(ELU(0.5f)->forward(x, Mode::Inference), reference_record(kRef, "elu_0.5.y"), "ELU(0.5) y");
}

TEST_CASE("ELU's slope below zero is y + alpha", "[elu]") {
  auto e = ELU(2.0f);
  // y(-1) = 2 (e^-1 - 1) = -1.2642411, slope 2 e^-1 = 0.7357589 = y + 2
  require_values(e->forward(Tensor({1, 3}, {-1, 0, 2}), Mode::Training), {2 * std::expm1(-1.0f), 0, 2});
  require_values(e->backward(Tensor({1, 3}, {1, 1, 1})), {2 * std::exp(-1.0f), 2, 1});
}

TEST_CASE("ELU gradients match finite differences", "[elu][gradient]") {
  Tensor x = random_tensor({3, 4, 5}, 32, 0.1f, 2.0f);
  for (long i = 0; i < x.size(); i += 2) x[i] = -x[i];
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    require_gradients(check_layer_gradients(*ELU(0.7f), {x}, mode));
  }
}

TEST_CASE("ELU is named as Keras, keeps its shape, has no weights and checks alpha", "[elu][errors]") {
  clear_session();
  auto e = ELU();
  e->build(Shape{Shape::kNone, 6});
  CHECK(e->name() == "elu");
  CHECK(e->output_shape().str() == "(None, 6)");
  CHECK(e->count_params() == 0);
  CHECK(e->clone()->name() == "elu");
  require_throws<ConfigError>([] { ELU(std::nanf(""), "e1"); }, {"ELU 'e1'", "alpha", "nan"});
}
