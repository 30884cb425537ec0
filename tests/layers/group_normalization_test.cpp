#include "layers/group_normalization.h"

#include "layers/layer_normalization.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
LayerRef<GroupNormalizationLayer> built_gn(const Shape& in, GroupNormalizationOptions o = {}) {
  auto gn = GroupNormalization(o);
  gn->build(in);
  return gn;
}
}  // namespace

TEST_CASE("GroupNormalization normalizes each group of channels over the positions with hand-computed values",
          "[group_normalization]") {
  // (N, W, C) = (1, 2, 4), two groups: group 0 = channels 0, 1 = {1, 2, 5, 6}, group 1 = {3, 4, 7, 8};
  // each has mean 3.5 (5.5) and biased variance 4.25; y = (x - mean) / sqrt(4.25 + 0.001).
  auto gn = built_gn({Shape::kNone, 2, 4}, {.groups = 2});
  const Tensor x({1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  const float a = 1.212535f, b = 0.727521f;
  require_values(gn->forward(x, Mode::Training), {-a, -b, -a, -b, b, a, b, a}, 1e-5f);
  CHECK(gn->grouped_shape(1) == Shape{1, 2, 2, 2});
  // gamma and beta act per channel.
  gn->weight("gamma").value = Tensor({4}, {1, 2, 3, 4});
  gn->weight("beta").value = Tensor({4}, {0, 1, 0, -1});
  require_values(gn->forward(x, Mode::Inference), {-a, 1 - 2 * b, -3 * a, -1 - 4 * b, b, 1 + 2 * a, 3 * b, -1 + 4 * a},
                 1e-5f);
}

TEST_CASE("GroupNormalization with one group is a layer norm over H, W, C and with C groups an instance norm",
          "[group_normalization]") {
  const Tensor x = random_tensor({3, 4, 4, 6}, 21, -2, 5);
  // groups = 1: the same as LayerNormalization over axes {1, 2, 3} (gamma ones, beta zeros).
  auto gn1 = built_gn({Shape::kNone, 4, 4, 6}, {.groups = 1});
  auto ln = LayerNormalization({.axis = {1, 2, 3}});
  const Tensor y1 = gn1->forward(x, Mode::Training);
  const Tensor& y_ln = ln->forward(x, Mode::Training);
  for (long i = 0; i < x.size(); ++i) CHECK(y1[i] == Approx(y_ln[i]).margin(1e-5));
  // groups = C: each (sample, channel) has mean 0 and variance ~1 over its H*W values.
  auto gn6 = built_gn({Shape::kNone, 4, 4, 6}, {.groups = 6});
  const Moments m = moments(gn6->forward(x, Mode::Training), {1, 2});  // (N, C)
  for (long i = 0; i < m.mean.size(); ++i) {
    CHECK(m.mean[i] == Approx(0).margin(1e-5));
    CHECK(m.variance[i] == Approx(1).margin(1e-3));
  }
}

TEST_CASE("GroupNormalization gradients match finite differences for several group counts and with center/scale off",
          "[group_normalization][gradient]") {
  for (long groups : {1, 2, 3, 6})
    for (bool center : {true, false})
      for (bool scale : {true, false})
        for (Mode mode : {Mode::Training, Mode::Inference}) {
          INFO("groups " << groups << ", center " << center << ", scale " << scale << ", mode " << to_string(mode));
          auto gn = built_gn({Shape::kNone, 3, 2, 6}, {.groups = groups, .center = center, .scale = scale});
          if (scale) gn->weight("gamma").value = random_tensor({6}, 3, 0.5f, 1.5f);
          if (center) gn->weight("beta").value = random_tensor({6}, 4);
          require_gradients(check_layer_gradients(*gn, {random_tensor({2, 3, 2, 6}, 11)}, mode));
        }
  // The channel axis need not be the last (NCHW data: axis 1).
  auto nchw = built_gn({Shape::kNone, 4, 3, 2}, {.groups = 2, .axis = 1});
  nchw->weight("gamma").value = random_tensor({4}, 5, 0.5f, 1.5f);
  require_gradients(check_layer_gradients(*nchw, {random_tensor({2, 4, 3, 2}, 12)}, Mode::Training));
}

TEST_CASE("GroupNormalization has 2C trainable parameters, its default name and its summary row",
          "[group_normalization]") {
  clear_session();
  auto gn = built_gn({Shape::kNone, 8, 8, 64});
  CHECK(gn->name() == "group_normalization");
  CHECK(gn->class_name() == "GroupNormalization");
  CHECK(gn->output_shape().str() == "(None, 8, 8, 64)");
  CHECK(gn->count_params() == 128);
  CHECK(gn->count_trainable_params() == 128);
  CHECK(gn->non_trainable_weights().empty());
  CHECK(built_gn({Shape::kNone, 6}, {.groups = 3, .scale = false})->count_params() == 6);
  // Same output in both modes: no moving statistics.
  auto g2 = built_gn({Shape::kNone, 2, 2, 4}, {.groups = 2});
  const Tensor x = random_tensor({3, 2, 2, 4}, 8);
  const Tensor y = g2->forward(x, Mode::Training);
  CHECK(y.row() == g2->forward(x, Mode::Inference).row());

  clear_session();
  Sequential model;
  model.add(Input({4, 4, 6}));
  model.add(GroupNormalization({.groups = 3}));
  const std::string text = model.summary();
  CHECK(text.find("group_normalization (GroupNo (None, 4, 4, 6)           12        \n") != std::string::npos);
}

TEST_CASE("GroupNormalization rejects groups that do not divide the channels, naming the layer, groups and C",
          "[group_normalization]") {
  require_throws<ConfigError>([] { GroupNormalization({.groups = 0, .name = "gn"}); }, {"'gn'", "groups=0"});
  require_throws<ConfigError>([] { GroupNormalization({.epsilon = -1.0f, .name = "gn"}); }, {"'gn'", "epsilon"});
  require_throws<ShapeError>(
      [] {
        built_gn({Shape::kNone, 4, 4, 6}, {.groups = 4, .name = "gn1"});
      },
      {"'gn1'", "groups=4", "C=6"});
  // The default 32 groups do not fit 16 channels.
  require_throws<ShapeError>([] { built_gn({Shape::kNone, 16}, {.name = "gn2"}); }, {"'gn2'", "groups=32", "C=16"});
  require_throws<ShapeError>(
      [] {
        built_gn({Shape::kNone, 4, 6}, {.groups = 2, .axis = 0, .name = "gn3"});
      },
      {"'gn3'", "axis=0"});
}
