// MaxPooling1D against Keras (TF.js 4.22): tests/reference/make_keras_layers16_reference.js; by hand;
// by finite differences.
#include "layers/max_pooling1d.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("MaxPooling1D matches Keras: pool 2 by default, same padding over an odd length, overlapping windows",
          "[max_pooling1d][reference]") {
  const char* ref = "keras_layers16_reference.txt";
  const Tensor x({2, 7, 3}, reference_record(ref, "sequence.x"));
  const std::vector<std::tuple<std::string, Pooling1DOptions, std::string>> cases = {
      {"max_pooling1d_default", {}, "(2, 3, 3)"},
      {"max_pooling1d_same", {.pool_size = 2, .padding = "same"}, "(2, 4, 3)"},
      {"max_pooling1d_3_s2_same", {.pool_size = 3, .strides = 2, .padding = "same"}, "(2, 4, 3)"},
      {"max_pooling1d_3_s1", {.pool_size = 3, .strides = 1}, "(2, 5, 3)"},
  };
  for (const auto& [key, o, shape] : cases) {
    INFO(key);
    auto p = MaxPooling1D(o);
    const Tensor& y = p->forward(x, Mode::Inference);
    CHECK(y.shape().str() == shape);
    require_close(y, reference_record(ref, key + ".y"), key + " y");
  }
}

TEST_CASE("MaxPooling1D takes each window's maximum and sends its gradient there", "[max_pooling1d]") {
  auto p = MaxPooling1D({.pool_size = 2, .padding = "same"});  // L = 5: the last window is one step
  const Tensor x({1, 5, 2}, {1, 9, 4, 2, 3, 3, 0, 8, -5, -1});
  require_values(p->forward(x, Mode::Training), {4, 9, 3, 8, -5, -1});
  CHECK(p->argmax() == std::vector<long>{2, 1, 4, 7, 8, 9});
  require_values(p->backward(Tensor({1, 3, 2}, {1, 2, 3, 4, 5, 6})), {0, 2, 1, 0, 3, 0, 0, 4, 5, 6});
  auto overlapping = MaxPooling1D({.pool_size = 3, .strides = 1});  // the 3 windows all pick step 2
  overlapping->forward(Tensor({1, 5, 1}, {1, 2, 7, 3, 4}), Mode::Training);
  require_values(overlapping->backward(Tensor({1, 3, 1}, {1, 10, 100})), {0, 0, 111, 0, 0});
}

TEST_CASE("MaxPooling1D gradients match finite differences", "[max_pooling1d][gradient]") {
  for (const char* padding : {"valid", "same"})
    for (auto [pool, stride] : {std::pair{2L, 2L}, std::pair{3L, 2L}, std::pair{3L, 1L}})
      for (Mode mode : {Mode::Training, Mode::Inference}) {
        INFO("padding " << padding << ", pool " << pool << ", stride " << stride << ", mode " << to_string(mode));
        auto p = MaxPooling1D({.pool_size = pool, .strides = stride, .padding = padding});
        // step 1e-3: well below the gaps between the random values, so no window's maximum changes
        require_gradients(
            check_layer_gradients(*p, {random_tensor({2, 7, 3}, 9)}, mode, GradientCheckOptions{.step = 1e-3}));
      }
}

TEST_CASE("MaxPooling1D is named as Keras, has no weights and checks its arguments", "[max_pooling1d][errors]") {
  clear_session();
  auto p = MaxPooling1D();
  p->build(Shape{Shape::kNone, 9, 4});
  CHECK(p->name() == "max_pooling1d");
  CHECK(p->output_shape().str() == "(None, 4, 4)");
  CHECK(p->strides() == 2);
  CHECK(p->count_params() == 0);
  CHECK(p->clone()->name() == "max_pooling1d");
  require_throws<ConfigError>([] { MaxPooling1D({.pool_size = 0, .name = "p0"}); },
                              {"MaxPooling1D 'p0'", "pool_size", "0"});
  require_throws<ConfigError>([] { MaxPooling1D({.strides = -2, .name = "p1"}); },
                              {"MaxPooling1D 'p1'", "strides", "-2"});
  require_throws<ConfigError>([] { MaxPooling1D({.padding = "causal", .name = "p2"}); },
                              {"MaxPooling1D 'p2'", "padding", "causal"});
  require_throws<ShapeError>(
      [] {
        MaxPooling1D({.name = "p3"})->build(Shape{Shape::kNone, 5});
      },
      {"MaxPooling1D 'p3'", "(None, L, C)", "(None, 5)"});
  require_throws<ShapeError>(
      [] {
        MaxPooling1D({.pool_size = 4, .name = "p4"})->build(Shape{Shape::kNone, 3, 2});
      },
      {"MaxPooling1D 'p4'", "pool_size=4", "length 3", "padding='valid'"});
}
