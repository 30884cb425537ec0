#include "layers/layer_normalization.h"

#include <sstream>

#include "core/reduce.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
LayerRef<LayerNormalizationLayer> built_ln(const Shape& in, LayerNormalizationOptions o = {}) {
  auto ln = LayerNormalization(o);
  ln->build(in);
  return ln;
}

// The line of `text` that starts with `prefix` (empty when none does).
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}
}  // namespace

TEST_CASE("LayerNormalization normalizes each sample over its features with hand-computed values",
          "[layer_normalization]") {
  auto ln = built_ln({Shape::kNone, 4});
  const Tensor x({2, 4}, {1, 2, 3, 4, 2, 4, 6, 8});
  // Sample 0: mean 2.5, biased variance 1.25; sample 1: mean 5, variance 5; y = (x - mean) / sqrt(var + 0.001).
  require_values(ln->forward(x, Mode::Training),
                 {-1.341104f, -0.447035f, 0.447035f, 1.341104f, -1.341507f, -0.447169f, 0.447169f, 1.341507f}, 1e-5f);
  // gamma and beta act per feature: y = gamma_j * x_hat + beta_j.
  ln->weight("gamma").value = Tensor({4}, {1, 2, 3, 4});
  ln->weight("beta").value = Tensor({4}, {0, 1, 0, -1});
  require_values(ln->forward(x, Mode::Inference),
                 {-1.341104f, 0.105930f, 1.341104f, 4.364418f, -1.341507f, 0.105662f, 1.341507f, 4.366027f}, 1e-5f);
  // Every sample of a random batch has mean 0 and variance just under 1 over axes {1, 2}.
  auto ln2 = built_ln({Shape::kNone, 3, 5}, {.axis = {1, 2}});
  const Moments m = moments(ln2->forward(random_tensor({4, 3, 5}, 7, -3, 9), Mode::Training), {1, 2});
  for (long n = 0; n < 4; ++n) {
    CHECK(m.mean[n] == Approx(0).margin(1e-5));
    CHECK(m.variance[n] == Approx(1).margin(1e-3));
  }
}

TEST_CASE("LayerNormalization gradients match finite differences for every axis choice and with center/scale off",
          "[layer_normalization][gradient]") {
  for (const std::vector<long>& axis :
       {std::vector<long>{-1}, std::vector<long>{1, 2}, std::vector<long>{1}, std::vector<long>{1, 3}})
    for (bool center : {true, false})
      for (bool scale : {true, false})
        for (Mode mode : {Mode::Training, Mode::Inference}) {
          INFO("axis size " << axis.size() << " first " << axis[0] << ", center " << center << ", scale " << scale
                            << ", mode " << to_string(mode));
          auto ln = built_ln({Shape::kNone, 3, 2, 4}, {.axis = axis, .center = center, .scale = scale});
          if (scale) ln->weight("gamma").value = random_tensor(ln->weight("gamma").value.shape(), 3, 0.5f, 1.5f);
          if (center) ln->weight("beta").value = random_tensor(ln->weight("beta").value.shape(), 4);
          require_gradients(check_layer_gradients(*ln, {random_tensor({2, 3, 2, 4}, 11)}, mode));
        }
}

TEST_CASE("LayerNormalization on (None, 10, 7) has 14 parameters with axis -1 and 140 with axis 1, 2, as Keras",
          "[layer_normalization]") {
  clear_session();
  auto ln = built_ln({Shape::kNone, 10, 7});
  CHECK(ln->name() == "layer_normalization");
  CHECK(ln->class_name() == "LayerNormalization");
  CHECK(ln->output_shape().str() == "(None, 10, 7)");
  CHECK(ln->count_params() == 14);
  CHECK(ln->count_trainable_params() == 14);
  CHECK(ln->weight("gamma").value.shape().str() == "(7,)");
  auto wide = built_ln({Shape::kNone, 10, 7}, {.axis = {1, 2}});
  CHECK(wide->name() == "layer_normalization_1");
  CHECK(wide->count_params() == 140);
  CHECK(wide->count_trainable_params() == 140);
  CHECK(wide->weight("beta").value.shape() == Shape{10, 7});
  CHECK(built_ln({Shape::kNone, 10, 7}, {.center = false})->count_params() == 7);
  CHECK(built_ln({Shape::kNone, 10, 7}, {.center = false, .scale = false})->count_params() == 0);

  clear_session();
  Sequential model;
  model.add(Input({10, 7}));
  model.add(LayerNormalization());
  const std::string text = model.summary();
  const std::string row = line_starting(text, "layer_normalization (LayerNo (None, 10, 7) ");
  CHECK(row.substr(55, 2) == "14");
  CHECK(row.size() == 65);
  CHECK(text.find("Total params: 14\nTrainable params: 14\nNon-trainable params: 0\n") != std::string::npos);
}

TEST_CASE("LayerNormalization computes the same in training and inference mode and keeps no state",
          "[layer_normalization]") {
  auto ln = built_ln({Shape::kNone, 6});
  ln->weight("gamma").value = random_tensor({6}, 1);
  const Tensor x = random_tensor({5, 6}, 2, -4, 4);
  const Tensor y_train = ln->forward(x, Mode::Training);
  const Tensor y_infer = ln->forward(x, Mode::Inference);
  CHECK(y_train.row() == y_infer.row());
  CHECK(ln->non_trainable_weights().empty());
  // Each sample is normalized on its own: the output of a sample does not depend on the others.
  const Tensor one({1, 6}, std::vector<float>(x.data(), x.data() + 6));
  const Tensor& y_one = ln->forward(one, Mode::Training);
  for (long j = 0; j < 6; ++j) CHECK(y_one[j] == Approx(y_train[j]).margin(1e-6));
}

TEST_CASE("LayerNormalization rejects a bad epsilon, an empty or repeated axis and the batch axis, naming the layer",
          "[layer_normalization]") {
  require_throws<ConfigError>([] { LayerNormalization({.epsilon = 0.0f, .name = "ln"}); }, {"'ln'", "epsilon"});
  require_throws<ConfigError>([] { LayerNormalization({.axis = {}, .name = "ln"}); }, {"'ln'", "axis"});
  require_throws<ConfigError>(
      [] {
        built_ln({Shape::kNone, 3, 4}, {.axis = {1, -2}, .name = "ln2"});
      },
      {"'ln2'", "twice"});
  require_throws<ShapeError>(
      [] {
        built_ln({Shape::kNone, 3, 4}, {.axis = {0}, .name = "ln3"});
      },
      {"'ln3'", "axis=0", "(None, 3, 4)"});
  require_throws<ShapeError>([] { built_ln({Shape::kNone, 3, 4}, {.axis = {3}, .name = "ln4"}); }, {"'ln4'", "axis=3"});
}
