// PReLU against Keras (TF.js 4.22): tests/reference/make_keras_layers15_reference.js.
#include "layers/prelu.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
const char* const kRef = "keras_layers15_reference.txt";
}

TEST_CASE("PReLU matches Keras with one alpha per element and with alpha shared over H and W", "[prelu][reference]") {
  const Tensor x({2, 3, 4, 2}, reference_record(kRef, "image.x"));
  auto full = PReLU();
  full->build(Shape{Shape::kNone, 3, 4, 2});
  full->set_weights({Tensor({3, 4, 2}, reference_record(kRef, "prelu.alpha"))});
  require_close(full->forward(x, Mode::Inference), reference_record(kRef, "prelu.y"), "PReLU y");
  auto shared = PReLU({.shared_axes = {1, 2}});
  shared->build(Shape{Shape::kNone, 3, 4, 2});
  CHECK(shared->weight("alpha").value.shape().str() == "(1, 1, 2)");
  shared->set_weights({Tensor({1, 1, 2}, reference_record(kRef, "prelu_shared.alpha"))});
  require_close(shared->forward(x, Mode::Inference), reference_record(kRef, "prelu_shared.y"), "PReLU shared y");
}

TEST_CASE("PReLU's alpha gradient sums dy * min(x, 0) over the batch and the shared axes", "[prelu]") {
  auto p = PReLU({.alpha_initializer = "ones", .shared_axes = {1}});
  p->build(Shape{Shape::kNone, 2, 2});  // alpha (1, 2): one slope per column
  p->set_weights({Tensor({1, 2}, {0.5f, -1})});
  // x rows (sample 0) [-2, 3], [-4, -1]; (sample 1) [1, -2], [0, 5]
  const Tensor x({2, 2, 2}, {-2, 3, -4, -1, 1, -2, 0, 5});
  require_values(p->forward(x, Mode::Training), {-1, 3, -2, 1, 1, 2, 0, 5});
  const Tensor dy({2, 2, 2}, {1, 1, 1, 2, 1, 3, 1, 1});
  require_values(p->backward(dy), {0.5f, 1, 0.5f, -2, 1, -3, 0.5f, 1});
  // column 0: 1*(-2) + 1*(-4) + 1*0 + 1*0 = -6; column 1: 2*(-1) + 3*(-2) = -8
  require_values(p->weight("alpha").grad, {-6, -8});
}

TEST_CASE("PReLU gradients match finite differences, shared or not", "[prelu][gradient]") {
  Tensor x = random_tensor({2, 3, 4, 2}, 33, 0.1f, 2.0f);
  for (long i = 0; i < x.size(); i += 2) x[i] = -x[i];
  for (const std::vector<int>& axes : {std::vector<int>{}, std::vector<int>{1, 2}, std::vector<int>{3}})
    for (Mode mode : {Mode::Training, Mode::Inference}) {
      INFO(axes.size() << " shared axes, " << to_string(mode));
      auto p = PReLU({.alpha_initializer = Initializer("random_uniform", 5), .shared_axes = axes});
      require_gradients(check_layer_gradients(*p, {x}, mode));
    }
}

TEST_CASE("PReLU counts its parameters as Keras and checks shared_axes", "[prelu][errors]") {
  clear_session();
  auto p = PReLU();
  p->build(Shape{Shape::kNone, 12, 18, 3});
  CHECK(p->name() == "p_re_lu");
  CHECK(p->count_params() == 648);  // 12 * 18 * 3, as Keras
  auto s = PReLU({.shared_axes = {1, 2}});
  s->build(Shape{Shape::kNone, 12, 18, 3});
  CHECK(s->count_params() == 3);
  CHECK(s->output_shape().str() == "(None, 12, 18, 3)");
  CHECK(s->clone()->name() == "p_re_lu_1");
  require_values(PReLU()->forward(Tensor({1, 2}, {-3, 2}), Mode::Inference), {0, 2});  // alpha starts at 0
  require_throws<ConfigError>([] { PReLU({.shared_axes = {0}, .name = "p0"}); }, {"PReLU 'p0'", "shared_axes", "[0]"});
  require_throws<ShapeError>(
      [] {
        PReLU({.shared_axes = {1, 3}, .name = "p1"})->build(Shape{Shape::kNone, 4, 5});
      },
      {"PReLU 'p1'", "shared_axes=[1, 3]", "axis 3", "(None, 4, 5)"});
  require_throws<ConfigError>([] { PReLU({.alpha_initializer = "bogus", .name = "p2"}); },
                              {"PReLU 'p2'", "alpha_initializer"});
}
