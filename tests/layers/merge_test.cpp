// The merge layers Multiply, Subtract, Average and Maximum against Keras (TF.js 4.22; Subtract,
// which TF.js lacks, against tf.sub): tests/reference/make_keras_layers15_reference.js.
#include "layers/merge.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

const char* const kRef = "keras_layers15_reference.txt";

Tensor merge_input(const char* key) { return Tensor({2, 3, 4}, reference_record(kRef, key)); }

std::shared_ptr<Layer> make(const std::string& kind) {
  if (kind == "Multiply") return Multiply().ptr();
  if (kind == "Subtract") return Subtract().ptr();
  if (kind == "Average") return Average().ptr();
  return Maximum().ptr();
}

}  // namespace

TEST_CASE("Multiply, Subtract, Average and Maximum match Keras", "[merge][reference]") {
  const Tensor a = merge_input("merge.a"), b = merge_input("merge.b"), c = merge_input("merge.c");
  require_close(Multiply()->forward({&a, &b, &c}, Mode::Inference), reference_record(kRef, "multiply.y"), "Multiply");
  require_close(Subtract()->forward({&a, &b}, Mode::Inference), reference_record(kRef, "subtract.y"), "Subtract");
  require_close(Average()->forward({&a, &b, &c}, Mode::Inference), reference_record(kRef, "average.y"), "Average");
  require_close(Maximum()->forward({&a, &b, &c}, Mode::Inference), reference_record(kRef, "maximum.y"), "Maximum");
}

TEST_CASE("The merge layers' backward by hand, zeros and ties included", "[merge]") {
  const Tensor a({1, 3}, {2, 0, 5}), b({1, 3}, {3, 4, 5}), c({1, 3}, {-1, 2, 1}), dy({1, 3}, {1, 2, 3});
  auto mul = Multiply();
  require_values(mul->forward({&a, &b, &c}, Mode::Training), {-6, 0, 25});
  mul->backward(dy);
  require_values(mul->input_gradients()[0], {-3, 16, 15});  // dy * b * c: defined where a = 0 too
  require_values(mul->input_gradients()[1], {-2, 0, 15});
  require_values(mul->input_gradients()[2], {6, 0, 75});
  auto sub = Subtract();
  require_values(sub->forward({&a, &b}, Mode::Training), {-1, -4, 0});
  sub->backward(dy);
  require_values(sub->input_gradients()[1], {-1, -2, -3});
  auto avg = Average();
  require_values(avg->forward({&a, &b}, Mode::Training), {2.5f, 2, 5});
  avg->backward(dy);
  require_values(avg->input_gradients()[0], {0.5f, 1, 1.5f});
  auto mx = Maximum();
  require_values(mx->forward({&a, &b, &c}, Mode::Training), {3, 4, 5});
  mx->backward(dy);
  require_values(mx->input_gradients()[0], {0, 0, 3});  // the tie at 5 goes to the first input
  require_values(mx->input_gradients()[1], {1, 2, 0});
  require_values(mx->input_gradients()[2], {0, 0, 0});
}

TEST_CASE("The merge layers' gradients match finite differences", "[merge][gradient]") {
  for (const std::string kind : {"Multiply", "Subtract", "Average", "Maximum"})
    for (Mode mode : {Mode::Training, Mode::Inference}) {
      INFO(kind << ", " << to_string(mode));
      const int k = kind == "Subtract" ? 2 : 3;
      std::vector<Tensor> xs;
      for (int i = 0; i < k; ++i) xs.push_back(random_tensor({2, 3, 3, 2}, std::uint64_t(40 + i)));
      require_gradients(check_layer_gradients(*make(kind), xs, mode));
    }
}

TEST_CASE("The merge layers are named as Keras and reject bad shapes and input counts", "[merge][errors]") {
  clear_session();
  CHECK(Multiply()->name() == "multiply");
  CHECK(Subtract()->name() == "subtract");
  CHECK(Average()->name() == "average");
  CHECK(Maximum()->name() == "maximum");
  for (const std::string kind : {"Multiply", "Subtract", "Average", "Maximum"}) {
    auto layer = make(kind);
    CHECK(layer->clone()->name() == layer->name());
    require_throws<ShapeError>(
        [&] {
          layer->build({Shape{Shape::kNone, 3}, Shape{Shape::kNone, 4}});
        },
        {kind + " '" + layer->name() + "'", "(None, 3), (None, 4)", "does not broadcast"});
    require_throws<UsageError>([&] { layer->build({Shape{Shape::kNone, 3}}); }, {kind, "2", "received 1"});
  }
  require_throws<UsageError>(
      [] {
        Subtract("s")->build({Shape{Shape::kNone, 3}, Shape{Shape::kNone, 3}, Shape{Shape::kNone, 3}});
      },
      {"Subtract 's'", "expects 2 inputs", "received 3"});
  auto m = Maximum();
  m->build({Shape{Shape::kNone, 7, 7, 32}, Shape{Shape::kNone, 7, 7, 32}});
  CHECK(m->output_shape().str() == "(None, 7, 7, 32)");
  CHECK(m->count_params() == 0);
}
