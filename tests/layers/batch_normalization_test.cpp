#include "layers/batch_normalization.h"

#include "layers/dense.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
LayerRef<BatchNormalizationLayer> built_bn(const Shape& in, BatchNormalizationOptions o = {}) {
  auto bn = BatchNormalization(o);
  bn->build(in);
  return bn;
}
}  // namespace

TEST_CASE("BatchNormalization reproduces the worked example x = [1, 2, 3, 4] step by step", "[batch_normalization]") {
  // One feature, a fresh layer (gamma 1, beta 0, moving_mean 0, moving_variance 1, momentum 0.99, epsilon 1e-3).
  auto bn = built_bn({Shape::kNone, 1});
  const Tensor x({4, 1}, {1, 2, 3, 4});
  // Training: mean 2.5, biased variance 1.25; y = (x - 2.5) / sqrt(1.25 + 0.001).
  require_values(bn->forward(x, Mode::Training), {-1.341104f, -0.447035f, 0.447035f, 1.341104f}, 1e-5f);
  // Moving averages: 0.99 * 0 + 0.01 * 2.5 = 0.025 and 0.99 * 1 + 0.01 * 1.25 = 1.0025.
  require_values(bn->weight("moving_mean").value, {0.025f}, 1e-7f);
  require_values(bn->weight("moving_variance").value, {1.0025f}, 1e-7f);
  // Inference: y = (x - 0.025) / sqrt(1.0025 + 0.001).
  require_values(bn->forward(x, Mode::Inference), {0.973298f, 1.971553f, 2.969807f, 3.968062f}, 1e-5f);
  require_values(bn->weight("moving_mean").value, {0.025f}, 1e-7f);
  require_values(bn->weight("moving_variance").value, {1.0025f}, 1e-7f);
}

TEST_CASE("BatchNormalization in training mode gives every feature mean 0 and variance 1", "[batch_normalization]") {
  auto bn = built_bn({Shape::kNone, 6});
  Tensor x = random_tensor({64, 6}, 3, -5, 20);
  const Tensor& y = bn->forward(x, Mode::Training);
  const Moments m = moments(y, {0});
  for (long c = 0; c < 6; ++c) {
    CHECK(m.mean[c] == Approx(0).margin(1e-5));
    // The variance is var / (var + epsilon), just under 1.
    CHECK(m.variance[c] == Approx(1).margin(1e-4));
  }
}

TEST_CASE("BatchNormalization on NHWC images takes per-channel statistics over N*H*W values", "[batch_normalization]") {
  // Channel c of every pixel is c*10 + a value that differs per pixel, so each channel has its own mean.
  auto bn = built_bn({Shape::kNone, 3, 2, 2}, {.momentum = 0.5f});
  Tensor x({2, 3, 2, 2});
  for (long n = 0; n < 2; ++n)
    for (long h = 0; h < 3; ++h)
      for (long w = 0; w < 2; ++w)
        for (long c = 0; c < 2; ++c) x.at({n, h, w, c}) = float(c * 10 + n * 6 + h * 2 + w);
  bn->forward(x, Mode::Training);
  // Channel c: values c*10 + 0..11, mean c*10 + 5.5, biased variance (12^2 - 1) / 12 = 11.9166667.
  // moving_mean = 0.5 * 0 + 0.5 * mean; on images the moving variance moves as tf.keras 2.x's fused
  // kernel moves it, towards the unbiased variance 11.9166667 * 12 / 11 = 13:
  // moving_variance = 0.5 * 1 + 0.5 * 13 = 7.
  require_values(bn->weight("moving_mean").value, {2.75f, 7.75f}, 1e-5f);
  require_values(bn->weight("moving_variance").value, {7.0f, 7.0f}, 1e-5f);
  // The first element of channel 1: (10 - 15.5) / sqrt(11.9166667 + 0.001).
  CHECK(bn->output().at({0, 0, 0, 1}) == Approx(-5.5 / std::sqrt(11.9176667)).margin(1e-5));
}

TEST_CASE("BatchNormalization with axis=1 normalizes the channels of NCHW data", "[batch_normalization]") {
  auto nchw = built_bn({Shape::kNone, 2, 3, 2}, {.axis = 1});
  auto nhwc = built_bn({Shape::kNone, 3, 2, 2});
  const Tensor x = random_tensor({2, 2, 3, 2}, 5, 0, 4);
  // The same data transposed NCHW -> NHWC must give the transposed output and the same statistics.
  Tensor t({2, 3, 2, 2});
  for (long n = 0; n < 2; ++n)
    for (long c = 0; c < 2; ++c)
      for (long h = 0; h < 3; ++h)
        for (long w = 0; w < 2; ++w) t.at({n, h, w, c}) = x.at({n, c, h, w});
  const Tensor& y1 = nchw->forward(x, Mode::Training);
  const Tensor& y2 = nhwc->forward(t, Mode::Training);
  for (long n = 0; n < 2; ++n)
    for (long c = 0; c < 2; ++c)
      for (long h = 0; h < 3; ++h)
        for (long w = 0; w < 2; ++w) CHECK(y1.at({n, c, h, w}) == Approx(y2.at({n, h, w, c})).margin(1e-5));
  for (long c = 0; c < 2; ++c) {
    CHECK(nchw->weight("moving_mean").value[c] == Approx(nhwc->weight("moving_mean").value[c]).margin(1e-6));
    CHECK(nchw->weight("moving_variance").value[c] == Approx(nhwc->weight("moving_variance").value[c]).margin(1e-6));
  }
  require_gradients(check_layer_gradients(*nchw, {x}, Mode::Training));
}

TEST_CASE("BatchNormalization gradients match finite differences in both modes and with center/scale off",
          "[batch_normalization][gradient]") {
  for (bool center : {true, false})
    for (bool scale : {true, false})
      for (Mode mode : {Mode::Training, Mode::Inference}) {
        INFO("center " << center << ", scale " << scale << ", mode " << to_string(mode));
        auto bn = BatchNormalization({.center = center, .scale = scale});
        bn->build(Shape{Shape::kNone, 3, 3, 2});
        if (scale) bn->weight("gamma").value = Tensor({2}, {1.5f, -0.7f});
        if (center) bn->weight("beta").value = Tensor({2}, {0.2f, 0.3f});
        bn->weight("moving_mean").value = Tensor({2}, {0.1f, -0.2f});
        bn->weight("moving_variance").value = Tensor({2}, {0.8f, 1.3f});
        require_gradients(check_layer_gradients(*bn, {random_tensor({2, 3, 3, 2}, 11)}, mode));
      }
}

TEST_CASE("BatchNormalization has 4C parameters, 2C of them non-trainable, 3C or 2C without center/scale",
          "[batch_normalization]") {
  clear_session();
  auto bn = built_bn({Shape::kNone, 50});
  CHECK(bn->name() == "batch_normalization");
  CHECK(bn->output_shape().str() == "(None, 50)");
  CHECK(bn->count_params() == 200);
  CHECK(bn->count_trainable_params() == 100);
  std::vector<std::string> names;
  for (const Parameter* p : bn->weights()) names.push_back(p->name + (p->trainable() ? "+" : "-"));
  CHECK(names == std::vector<std::string>{"gamma+", "beta+", "moving_mean-", "moving_variance-"});
  CHECK(built_bn({Shape::kNone, 30}, {.center = false})->count_params() == 90);
  CHECK(built_bn({Shape::kNone, 30}, {.scale = false})->count_trainable_params() == 30);
  CHECK(built_bn({Shape::kNone, 30}, {.center = false, .scale = false})->count_trainable_params() == 0);
  CHECK(built_bn({Shape::kNone, 100, 200, 30})->count_params() == 120);
  bn->set_trainable(false);
  CHECK(bn->count_trainable_params() == 0);
  CHECK(bn->non_trainable_weights().size() == 4);
}

TEST_CASE("BatchNormalization inference never changes the moving statistics", "[batch_normalization]") {
  auto bn = built_bn({Shape::kNone, 4});
  const Tensor x = random_tensor({8, 4}, 2, 3, 9);
  bn->forward(x, Mode::Training);
  const Tensor mean = bn->weight("moving_mean").value, var = bn->weight("moving_variance").value;
  for (int i = 0; i < 3; ++i) bn->forward(x, Mode::Inference);
  CHECK(bn->weight("moving_mean").value.row() == mean.row());
  CHECK(bn->weight("moving_variance").value.row() == var.row());
  CHECK_FALSE(bn->used_batch_statistics());
}

TEST_CASE("A frozen BatchNormalization runs its inference formula even in training mode", "[batch_normalization]") {
  auto frozen = built_bn({Shape::kNone, 1});
  auto reference = built_bn({Shape::kNone, 1});
  frozen->set_trainable(false);
  const Tensor x({4, 1}, {1, 2, 3, 4});
  const Tensor y = frozen->forward(x, Mode::Training);
  // Inference formula with the initial statistics: x / sqrt(1 + 0.001); moving statistics untouched.
  require_values(y, {0.9995004f, 1.9990008f, 2.9985012f, 3.9980016f}, 1e-5f);
  CHECK(y.row() == reference->forward(x, Mode::Inference).row());
  require_values(frozen->weight("moving_mean").value, {0});
  require_values(frozen->weight("moving_variance").value, {1});
  CHECK_FALSE(frozen->used_batch_statistics());
  // Its backward passes dL/dx = gamma / sqrt(var + eps) * dy and computes no weight gradient.
  frozen->weight("gamma").grad.fill(42);
  require_values(frozen->backward(Tensor({4, 1}, 1.0f)), {0.9995004f, 0.9995004f, 0.9995004f, 0.9995004f}, 1e-6f);
  require_values(frozen->weight("gamma").grad, {42});
}

TEST_CASE("BatchNormalization with a batch of one or a constant channel gives zeros, not NaN",
          "[batch_normalization]") {
  auto bn = built_bn({Shape::kNone, 2});
  // Variance 0: epsilon keeps the division finite, and x - mean = 0.
  require_values(bn->forward(Tensor({1, 2}, {3, -7}), Mode::Training), {0, 0});
  require_values(bn->forward(Tensor({3, 2}, {5, 1, 5, 2, 5, 3}), Mode::Training), {0, -1.2238272f, 0, 0, 0, 1.2238272f},
                 1e-5f);
}

TEST_CASE("BatchNormalization rejects bad hyperparameters and axes, naming itself", "[batch_normalization][errors]") {
  require_throws<ConfigError>([] { BatchNormalization({.epsilon = 0, .name = "bn0"}); }, {"'bn0'", "epsilon", "0"});
  require_throws<ConfigError>([] { BatchNormalization({.epsilon = -1e-3f, .name = "bn1"}); }, {"'bn1'", "epsilon"});
  require_throws<ConfigError>([] { BatchNormalization({.momentum = 1.5f, .name = "bn2"}); },
                              {"BatchNormalization 'bn2'", "momentum", "1.5"});
  require_throws<ConfigError>([] { BatchNormalization({.momentum = -0.1f, .name = "bn3"}); }, {"'bn3'", "momentum"});
  require_throws<ShapeError>(
      [] {
        BatchNormalization({.axis = 3, .name = "bn4"})->build(Shape{Shape::kNone, 5});
      },
      {"'bn4'", "axis=3", "(None, 5)"});
  require_throws<ShapeError>(
      [] {
        BatchNormalization({.axis = 0, .name = "bn5"})->build(Shape{Shape::kNone, 5});
      },
      {"'bn5'", "axis=0"});
  auto bn = built_bn({Shape::kNone, 5}, {.name = "bn6"});
  require_throws<ShapeError>([&] { bn->forward(Tensor({2, 4}), Mode::Training); }, {"'bn6'", "(None, 5)", "(2, 4)"});
  require_throws<ShapeError>([&] { bn->forward(Tensor({0, 5}), Mode::Training); }, {"'bn6'", "empty batch"});
}
