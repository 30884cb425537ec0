#include "core/ops.h"

#include <cmath>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("moments gives tf.nn.moments' mean and biased variance over the given axes", "[ops]") {
  // x (2, 3): rows [1, 2, 3] and [3, 6, 9].
  const Tensor x({2, 3}, {1, 2, 3, 3, 6, 9});
  const Moments over_batch = moments(x, {0});
  CHECK(over_batch.mean.shape() == Shape{3});
  require_values(over_batch.mean, {2, 4, 6});
  require_values(over_batch.variance, {1, 4, 9});  // ((1-2)^2 + (3-2)^2) / 2 = 1, ...
  const Moments over_features = moments(x, {1}, /*keepdims=*/true);
  CHECK(over_features.mean.shape() == Shape{2, 1});
  require_values(over_features.mean, {2, 6});
  require_values(over_features.variance, {2.0f / 3.0f, 6});  // (1 + 0 + 1) / 3, (9 + 0 + 9) / 3
  const Moments all = moments(x, {0, -1});
  CHECK(all.mean.shape() == Shape{});
  require_values(all.mean, {4});
}

TEST_CASE("moments over (N, H, W) of NHWC data equals the general path and a direct computation", "[ops]") {
  const Tensor x = random_tensor({3, 4, 5, 2}, 8, -2, 5);
  const Moments fast = moments(x, {0, 1, 2}, true);     // the per-column fast path
  const Moments general = moments(x, {2, 0, 1}, true);  // same axes, listed otherwise
  CHECK(fast.mean.shape() == Shape{1, 1, 1, 2});
  for (long c = 0; c < 2; ++c) {
    double s = 0, ss = 0;
    for (long i = c; i < x.size(); i += 2) s += x[i];
    const double mean = s / 60;
    for (long i = c; i < x.size(); i += 2) ss += (x[i] - mean) * (x[i] - mean);
    CHECK(fast.mean[c] == Approx(mean).margin(1e-6));
    CHECK(fast.variance[c] == Approx(ss / 60).margin(1e-5));
    CHECK(general.mean[c] == fast.mean[c]);
  }
  // A reduction over H and W only (per image and channel) goes through the general path.
  const Moments per_image = moments(x, {1, 2});
  CHECK(per_image.mean.shape() == Shape{3, 2});
  double s = 0;
  for (long h = 0; h < 4; ++h)
    for (long w = 0; w < 5; ++w) s += x.at({1, h, w, 0});
  CHECK(per_image.mean.at({1, 0}) == Approx(s / 20).margin(1e-6));
}

TEST_CASE("batch_normalization computes scale * (x - mean) / sqrt(variance + epsilon) + offset", "[ops]") {
  const Tensor x({2, 2}, {1, 2, 3, 4});
  const Tensor mean({2}, {2, 3}), var({2}, {1, 4}), offset({2}, {10, 20}), scale({2}, {2, 0.5f});
  const float eps = 0.0f;
  // column 0: 2 * (1 - 2) / 1 + 10 = 8, 2 * (3 - 2) + 10 = 12; column 1: 0.5 * (2 - 3) / 2 + 20 = 19.75, 20.25
  require_values(batch_normalization(x, mean, var, &offset, &scale, eps), {8, 19.75f, 12, 20.25f});
  // offset and scale absent: 0 and 1.
  require_values(batch_normalization(x, mean, var, nullptr, nullptr, eps), {-1, -0.5f, 1, 0.5f});
  // epsilon inside the square root: 1 / sqrt(1 + 0.001)
  require_values(batch_normalization(Tensor({1, 1}, {1}), Tensor({1}, {0}), Tensor({1}, {1}), nullptr, nullptr, 1e-3f),
                 {0.9995004f});
}

TEST_CASE("batch_normalization broadcasts keepdims statistics along any axis as NumPy does", "[ops]") {
  // NCHW data with per-channel statistics of shape (1, C, 1, 1).
  const Tensor x = random_tensor({2, 3, 2, 2}, 4);
  const Moments m = moments(x, {0, 2, 3}, true);
  CHECK(m.mean.shape() == Shape{1, 3, 1, 1});
  const Tensor y = batch_normalization(x, m.mean, m.variance, nullptr, nullptr, 1e-3f);
  const Moments after = moments(y, {0, 2, 3});
  for (long c = 0; c < 3; ++c) {
    CHECK(after.mean[c] == Approx(0).margin(1e-5));
    CHECK(after.variance[c] == Approx(m.variance[c] / (m.variance[c] + 1e-3)).margin(1e-4));
  }
  require_throws<ShapeError>([&] { batch_normalization(x, Tensor({5}), Tensor({5}), nullptr, nullptr, 1e-3f); },
                             {"mean", "(5,)", "(2, 3, 2, 2)"});
}

TEST_CASE("batch_normalization_gradient's channel-last path equals its general path", "[ops]") {
  // (N, C) takes the fused per-column kernels; the same data as (N, C, 1) with the statistics over
  // axes {0, 2} takes the general path. Both with gamma, through the statistics and held constant.
  const long N = 37, C = 5;
  const Tensor x = random_tensor({N, C}, 3, -2, 4), dy = random_tensor({N, C}, 4);
  const Moments mo = moments(x, {0}, true);
  Tensor k = mo.variance;
  for (float& v : k.values()) v = 1.0f / std::sqrt(v + 1e-3f);
  const Tensor gamma = random_tensor({1, C}, 5, 0.5f, 2.0f);
  auto as3 = [](Tensor t) {
    std::vector<long> d = t.shape().dims();
    d.push_back(1);
    t.reshape(Shape(d));
    return t;
  };
  for (const bool through : {true, false}) {
    Tensor dx(x.shape()), dg({C}), db({C}), dx3(as3(x).shape()), dg3({C}), db3({C});
    batch_normalization_gradient(dy, x, mo.mean, k, &gamma,
                                 {.axes = {0}, .param_axes = {1}, .through_statistics = through},
                                 {.dx = &dx, .dgamma = &dg, .dbeta = &db});
    const Tensor gamma3 = as3(gamma);
    batch_normalization_gradient(as3(dy), as3(x), as3(mo.mean), as3(k), &gamma3,
                                 {.axes = {0, 2}, .param_axes = {1}, .through_statistics = through},
                                 {.dx = &dx3, .dgamma = &dg3, .dbeta = &db3});
    require_values(dx3, std::vector<float>(dx.values().begin(), dx.values().end()), 1e-4f);
    require_values(dg3, std::vector<float>(dg.values().begin(), dg.values().end()), 1e-4f);
    require_values(db3, std::vector<float>(db.values().begin(), db.values().end()), 1e-4f);
  }
}

TEST_CASE("window_geometry follows TensorFlow's 'valid' and 'same' rules", "[ops]") {
  const WindowGeometry same = window_geometry(6, 7, 1, 4, 3, 1, 2, true);
  CHECK(same.OH == 6);
  CHECK(same.OW == 4);        // ceil(7 / 2)
  CHECK(same.pad_top == 1);   // pad_total 3: 1 on top, 2 at the bottom
  CHECK(same.pad_left == 1);  // pad_total (4-1)*2 + 3 - 7 = 2: 1 and 1
  const WindowGeometry valid = window_geometry(6, 7, 1, 4, 3, 1, 2, false);
  CHECK(valid.OH == 3);
  CHECK(valid.OW == 3);  // (7 - 3) / 2 + 1
  CHECK(valid.pad_top == 0);
}

TEST_CASE("col2im is the adjoint of im2col: <col2im(a), x> = <a, im2col(x)>", "[ops]") {
  for (bool same : {false, true}) {
    WindowGeometry g = window_geometry(5, 6, 2, 3, 2, 2, 1, same);
    g.N = 2;
    const Tensor x = random_tensor({2, 5, 6, 2}, 1);
    const long rows = g.N * g.OH * g.OW, patch = g.KH * g.KW * g.C;
    const Tensor a = random_tensor({rows, patch}, 2);
    Tensor col({rows, patch}), back({2, 5, 6, 2});
    im2col(x.data(), g, col.data());
    col2im(a.data(), g, back.data());
    double lhs = 0, rhs = 0;
    for (long i = 0; i < x.size(); ++i) lhs += double(back[i]) * x[i];
    for (long i = 0; i < col.size(); ++i) rhs += double(a[i]) * col[i];
    CHECK(lhs == Approx(rhs).epsilon(1e-5));
  }
}

TEST_CASE("logsumexp and log_softmax over the last axis, without overflow") {
  // [1, 2, 3]: log(e + e^2 + e^3) = 3.40760596; [1000, 1000]: 1000 + log 2 (exp(1000) overflows).
  const Tensor x({2, 3}, {1, 2, 3, 1000, 1000, -INFINITY});
  const Tensor l = logsumexp(x);
  CHECK(l.shape() == Shape({2}));
  require_values(l, {3.40760596f, 1000.6931472f}, 1e-4f);
  const Tensor y = log_softmax(x);
  CHECK(y.shape() == x.shape());
  require_values(Tensor({3}, {y[0], y[1], y[2]}), {-2.40760596f, -1.40760596f, -0.40760596f}, 1e-6f);
  CHECK(y[3] == Approx(-0.6931472f));
  CHECK(y[5] == -INFINITY);
  // A probability that rounds to 0 in float32 still has a finite log.
  const Tensor far = log_softmax(Tensor({1, 2}, {0, 200}));
  CHECK(far[0] == Approx(-200.0f));
  require_throws<ShapeError>([] { logsumexp(Tensor(Shape({}))); }, {"logsumexp", "scalar"});
}
