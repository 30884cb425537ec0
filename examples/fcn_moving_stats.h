// The pieces of examples/fcn_moving_stats.cpp (seed 001, "Batch Normalization - 1: Using
// tf.nn.batch_normalization"), kept in a header so that the tests run exactly them.
//
// The network, twice:
//   layers     Input(S, S, 3) -> Conv2D(16, 3x3, same) -> BatchNormalization -> ReLU
//                             -> Conv2D(3, 3x3, same) -> BatchNormalization          output (S, S, 3)
//              The convolutions have no bias: BatchNormalization subtracts the mean right after.
//   low level  the same Conv2D layers, but each BatchNormalization written with the ops, as the
//              blog does with TensorFlow's low-level API:
//                mean, variance = moments(x, {0, 1, 2})              per channel, over batch * H * W
//                moving_mean     <- momentum * moving_mean     + (1 - momentum) * mean       (by hand)
//                moving_variance <- momentum * moving_variance + (1 - momentum) * variance   (by hand)
//                y = batch_normalization(x, mean, variance, beta, gamma, epsilon)
//              and at test time batch_normalization(x, moving_mean, moving_variance, beta, gamma,
//              epsilon). gamma and beta are trainable Parameters; the moving statistics are plain
//              tensors the optimizer never sees. Gradients: (B1)-(B3) of layers/batch_normalization.h.
// The blog's code (the GitHub repository it links) uses decay 0.9 and epsilon 1e-5; so do we.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "minnow.h"

namespace minnow::seed001 {

// Per-channel sums of a and of a * b (one shape, channel axis last) over every other axis, in
// double: the two reductions of BatchNormalization's backward, (B1) and (B2).
inline void channel_sums(const Tensor& a, const Tensor& b, RowVector& sum_a, RowVector& sum_ab) {
  const ConstMatrixMap A = a.matrix(), B = b.matrix();
  Eigen::RowVectorXd sa = Eigen::RowVectorXd::Zero(A.cols()), sab = Eigen::RowVectorXd::Zero(A.cols());
  for (Eigen::Index r = 0; r < A.rows(); ++r) {
    sa += A.row(r).cast<double>();
    sab += A.row(r).cast<double>().cwiseProduct(B.row(r).cast<double>());
  }
  sum_a = sa.cast<float>(), sum_ab = sab.cast<float>();
}

inline constexpr float kMomentum = 0.9f;  // the blog's decay
inline constexpr float kEpsilon = 1e-5f;  // the blog's variance_epsilon

// ---- data -----------------------------------------------------------------------------------

// n synthetic RGB pictures (n, size, size, 3) with values in [0, 1]: a smooth two-colour gradient
// with a few soft-edged discs and rectangles on it. Positions are fractions of the picture, so
// every size shows the same scene.
inline Tensor make_images(long n, long size, std::uint64_t seed) {
  Tensor x({n, size, size, 3});
  Rng rng(seed);
  auto color = [&] { return std::array<float, 3>{rng.uniform(), rng.uniform(), rng.uniform()}; };
  for (long i = 0; i < n; ++i) {
    const auto c0 = color(), c1 = color();
    const float angle = rng.uniform(0.0f, 6.2831853f), ca = std::cos(angle), sa = std::sin(angle);
    struct Shape2D {
      bool disc;
      float cx, cy, rx, ry;
      std::array<float, 3> c;
    };
    std::vector<Shape2D> shapes(size_t(3 + rng.below(3)));
    for (auto& s : shapes)
      s = {rng.uniform() < 0.5f,      rng.uniform(0.15f, 0.85f), rng.uniform(0.15f, 0.85f),
           rng.uniform(0.08f, 0.25f), rng.uniform(0.08f, 0.25f), color()};
    for (long h = 0; h < size; ++h)
      for (long w = 0; w < size; ++w) {
        const float u = (float(w) + 0.5f) / float(size), v = (float(h) + 0.5f) / float(size);
        const float t = std::clamp(0.5f + 0.7f * ((u - 0.5f) * ca + (v - 0.5f) * sa), 0.0f, 1.0f);
        std::array<float, 3> p;
        for (int c = 0; c < 3; ++c) p[size_t(c)] = (1 - t) * c0[size_t(c)] + t * c1[size_t(c)];
        for (const auto& s : shapes) {
          // signed distance to the shape's edge in pixels (negative inside), then a 1.5-pixel soft edge
          const float dx = (u - s.cx) / s.rx, dy = (v - s.cy) / s.ry;
          const float d = s.disc ? (std::sqrt(dx * dx + dy * dy) - 1) * std::min(s.rx, s.ry)
                                 : std::max(std::fabs(u - s.cx) - s.rx, std::fabs(v - s.cy) - s.ry);
          const float cover = std::clamp(0.5f - d * float(size) / 1.5f, 0.0f, 1.0f);
          for (int c = 0; c < 3; ++c) p[size_t(c)] += cover * (s.c[size_t(c)] - p[size_t(c)]);
        }
        for (int c = 0; c < 3; ++c) x[offset_nhwc(i, h, w, c, size, size, 3)] = p[size_t(c)];
      }
  }
  return x;
}

// ---- the network with layers -----------------------------------------------------------------

inline std::unique_ptr<Sequential> build_fcn(long size, float momentum = kMomentum, float epsilon = kEpsilon) {
  auto model = std::make_unique<Sequential>();
  model->add(Input({size, size, 3}));
  model->add(Conv2D({.filters = 16, .kernel_size = {3, 3}, .padding = "same", .use_bias = false}));
  // The blog's low-level code moves the moving variance towards tf.nn.moments' biased variance;
  // tf.keras 2.x's layer on images (its fused kernel) would use var * m / (m - 1) instead, so the
  // layers here ask for the biased rule to be the same network (docs/batchnorm-conventions.md).
  const BatchNormalizationOptions bn{
      .momentum = momentum, .epsilon = epsilon, .moving_variance_update = UpdateVariance::Biased};
  model->add(BatchNormalization(bn));
  model->add(ReLU());
  model->add(Conv2D({.filters = 3, .kernel_size = {3, 3}, .padding = "same", .use_bias = false}));
  model->add(BatchNormalization(bn));
  return model;
}

// ---- the network with the low-level ops ------------------------------------------------------

// One batch normalization, tf.nn style: the caller owns every variable.
struct LowLevelBatchNorm {
  Parameter gamma{
      .name = "gamma", .value = {}, .grad = {}, .trainable_by_design = true, .frozen = false, .layer_name = {}};
  Parameter beta{
      .name = "beta", .value = {}, .grad = {}, .trainable_by_design = true, .frozen = false, .layer_name = {}};
  Tensor moving_mean, moving_variance;  // non-trainable, (C,)
  float momentum = kMomentum, epsilon = kEpsilon;
  Moments batch;  // the last training batch's statistics
  Tensor x_hat;   // cached for backward
  Tensor k;       // 1 / sqrt(variance + epsilon), (C,)
  bool training = false;

  explicit LowLevelBatchNorm(long channels = 0) : moving_mean({channels}, 0.0f), moving_variance({channels}, 1.0f) {
    gamma.value = Tensor({channels}, 1.0f), gamma.grad = Tensor({channels});
    beta.value = Tensor({channels}, 0.0f), beta.grad = Tensor({channels});
  }

  Tensor forward(const Tensor& x, Mode mode) {
    training = mode == Mode::Training;
    Tensor mean = moving_mean, variance = moving_variance;  // test time: the moving statistics
    if (training) {
      batch = moments(x, {0, 1, 2});  // over batch, H and W: one mean and variance per channel
      mean = batch.mean, variance = batch.variance;
      // The update the blog wires in with tf.control_dependencies: done by hand, every training call.
      moving_mean.row() = momentum * moving_mean.row() + (1.0f - momentum) * mean.row();
      moving_variance.row() = momentum * moving_variance.row() + (1.0f - momentum) * variance.row();
    }
    k = Tensor(mean.shape());
    k.row() = (variance.row().array() + epsilon).rsqrt().matrix();
    x_hat = batch_normalization(x, mean, variance, nullptr, nullptr, epsilon);
    return batch_normalization(x, mean, variance, &beta.value.tensor(), &gamma.value.tensor(), epsilon);
  }

  // (B1) dbeta = sum dy, (B2) dgamma = sum dy * x_hat, (B3) in training
  // dx = gamma * k / m * (m * dy - sum dy - x_hat * sum(dy * x_hat)); sums per channel.
  Tensor backward(const Tensor& dy) {
    const long C = k.size(), m = dy.size() / C;
    RowVector sum_dy, sum_dy_xhat;
    channel_sums(dy, x_hat, sum_dy, sum_dy_xhat);
    beta.grad.row() = sum_dy, gamma.grad.row() = sum_dy_xhat;
    Tensor dx(dy.shape());
    for (long i = 0; i < dy.size(); ++i) {
      const long c = i % C;
      dx[i] = training ? gamma.value[c] * k[c] / float(m) * (float(m) * dy[i] - sum_dy[c] - x_hat[i] * sum_dy_xhat[c])
                       : gamma.value[c] * k[c] * dy[i];  // (B4)
    }
    return dx;
  }
};

struct LowLevelFcn {
  LayerRef<Conv2DLayer> conv1, conv2;
  LowLevelBatchNorm bn1{16}, bn2{3};
  Tensor relu_in;  // bn1's output, cached for the ReLU's backward

  // Builds the two convolutions and copies every weight of `model` (a build_fcn network).
  LowLevelFcn(const Model& model, long size, float momentum = kMomentum, float epsilon = kEpsilon) {
    conv1 =
        Conv2D({.filters = 16, .kernel_size = {3, 3}, .padding = "same", .use_bias = false, .name = "lowlevel_conv_1"});
    conv2 =
        Conv2D({.filters = 3, .kernel_size = {3, 3}, .padding = "same", .use_bias = false, .name = "lowlevel_conv_2"});
    conv1->build(Shape{Shape::kNone, size, size, 3});
    conv2->build(Shape{Shape::kNone, size, size, 16});
    bn1.momentum = bn2.momentum = momentum, bn1.epsilon = bn2.epsilon = epsilon;
    const auto& layers = model.layers();  // conv, bn, relu, conv, bn
    conv1->weight("kernel").value = layers[0]->weight("kernel").value;
    conv2->weight("kernel").value = layers[3]->weight("kernel").value;
    for (auto [bn, layer] : {std::pair{&bn1, layers[1]}, std::pair{&bn2, layers[4]}}) {
      bn->gamma.value = layer->weight("gamma").value, bn->beta.value = layer->weight("beta").value;
      bn->moving_mean = layer->weight("moving_mean").value;
      bn->moving_variance = layer->weight("moving_variance").value;
    }
  }

  Tensor forward(const Tensor& x, Mode mode) {
    relu_in = bn1.forward(conv1->forward(x, mode), mode);
    Tensor a = relu_in;
    for (float& v : a.values()) v = std::max(v, 0.0f);
    return bn2.forward(conv2->forward(a, mode), mode);
  }

  void backward(const Tensor& dy) {
    Tensor da = conv2->backward(bn2.backward(dy));
    for (long i = 0; i < da.size(); ++i) da[i] = relu_in[i] > 0.0f ? da[i] : 0.0f;
    conv1->backward(bn1.backward(da));
  }

  // What the optimizer updates: the moving statistics are not in this list.
  std::vector<Parameter*> trainable() {
    return {&conv1->weight("kernel"), &bn1.gamma, &bn1.beta, &conv2->weight("kernel"), &bn2.gamma, &bn2.beta};
  }
};

// ---- comparing the two -----------------------------------------------------------------------

inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  double d = 0;
  for (long i = 0; i < a.size(); ++i) d = std::max(d, double(std::fabs(a[i] - b[i])));
  return d;
}

struct Differences {
  double moving_mean = 0, moving_variance = 0, weights = 0;
};

// The largest differences between the layer network's weights and the low-level network's.
inline Differences compare(const Model& model, LowLevelFcn& low) {
  const auto& layers = model.layers();
  Differences d;
  for (auto [bn, layer] : {std::pair{&low.bn1, layers[1]}, std::pair{&low.bn2, layers[4]}}) {
    d.moving_mean = std::max(d.moving_mean, max_abs_diff(bn->moving_mean, layer->weight("moving_mean").value));
    d.moving_variance =
        std::max(d.moving_variance, max_abs_diff(bn->moving_variance, layer->weight("moving_variance").value));
    d.weights = std::max({d.weights, max_abs_diff(bn->gamma.value, layer->weight("gamma").value),
                          max_abs_diff(bn->beta.value, layer->weight("beta").value)});
  }
  for (auto [conv, layer] : {std::pair{low.conv1, layers[0]}, std::pair{low.conv2, layers[3]}})
    d.weights = std::max(d.weights, max_abs_diff(conv->weight("kernel").value, layer->weight("kernel").value));
  return d;
}

}  // namespace minnow::seed001
