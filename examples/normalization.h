// The computations of examples/normalization.cpp (seed 000, "Understanding Batch Normalization
// with Examples in Numpy and Tensorflow"), kept in a header so that the tests run exactly them.
//
//   data     x: N grayscale 32x32 images (N, 32, 32, 1); image i = z_i * s_i + b_i with z_i a
//            32x32 standard normal picture, s_i a random integer in 0..4 and b_i one in 0..59
//            (the blog's np.random.randn(32,32) * np.random.randint(5) + np.random.randint(60))
//   case 1   normalization of the whole data    (x - min x) / (max x - min x)        range [0, 1]
//   case 2   standardization of the whole data  (x - mean x) / sqrt(var x)           mean 0, variance 1
//   case 3   batch normalization of the first B images: gamma * (x - mu_B) / sqrt(var_B + eps) + beta
//            with gamma = 1, beta = 0; for (N, H, W, 1) images mu_B and var_B are taken over all
//            B*H*W values of the one channel, so this IS case 2 applied to the batch, up to eps.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "minnow.h"
#include "plot/plot.h"  // the plotting module, minnow::plot

namespace minnow::seed000 {

// The default seed: chosen so that the data's mean and variance round to the blog's 26 and 306.
inline constexpr std::uint64_t kDefaultSeed = 146;

struct Stats {
  double mean = 0, variance = 0, min = 0, max = 0;  // variance: numpy's var, divided by the count
};

// Mean, variance, min and max of every value of x, accumulated in double.
inline Stats stats(const Tensor& x) {
  Stats s{0, 0, x[0], x[0]};
  for (float v : x.values()) s.mean += v, s.min = std::min(s.min, double(v)), s.max = std::max(s.max, double(v));
  s.mean /= double(x.size());
  for (float v : x.values()) s.variance += (v - s.mean) * (v - s.mean);
  s.variance /= double(x.size());
  return s;
}

// The blog's data: n images of 32x32x1, seeded. Per image the 1024 normal values are drawn
// first, then s, then b, in the order of the blog's expression.
inline Tensor make_images(long n, std::uint64_t seed, long size = 32) {
  Tensor x({n, size, size, 1});
  Rng rng(seed);
  std::vector<float> z(size_t(size * size));
  for (long i = 0; i < n; ++i) {
    for (float& v : z) v = rng.normal();
    const float s = float(rng.below(5)), b = float(rng.below(60));
    for (long k = 0; k < size * size; ++k) x[i * size * size + k] = z[size_t(k)] * s + b;
  }
  return x;
}

// Case 1: (x - min) / (max - min). A division (not a multiplication by the reciprocal), so the
// smallest value maps to exactly 0 and the largest to exactly 1.
inline Tensor min_max_normalize(const Tensor& x) {
  const Stats s = stats(x);
  Tensor y(x.shape());
  const float lo = float(s.min), range = float(s.max - s.min);
  for (long i = 0; i < x.size(); ++i) y[i] = (x[i] - lo) / range;
  return y;
}

// Case 2: (x - mean) / sqrt(variance + epsilon) over every value of x, in double.
inline Tensor standardize(const Tensor& x, double epsilon = 0.0) {
  const Stats s = stats(x);
  Tensor y(x.shape());
  const double k = 1.0 / std::sqrt(s.variance + epsilon);
  for (long i = 0; i < x.size(); ++i) y[i] = float((x[i] - s.mean) * k);
  return y;
}

// Images [begin, end) of x.
inline Tensor images(const Tensor& x, long begin, long end) {
  const long per = x.shape().num_elements_from(1);
  std::vector<long> dims = x.shape().dims();
  dims[0] = end - begin;
  return Tensor(Shape(dims), std::vector<float>(x.data() + begin * per, x.data() + end * per));
}

inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  double d = 0;
  for (long i = 0; i < a.size(); ++i) d = std::max(d, double(std::fabs(a[i] - b[i])));
  return d;
}

// Case 3 three ways, with one epsilon.
struct BatchNormCase {
  Moments moments;                             // of the batch, per channel: mean and variance, each (1,)
  Tensor by_hand;                              // moments + batch_normalization (core/ops.h), offset 0, scale 1
  Tensor by_layer;                             // BatchNormalization layer, Mode::Training, gamma 1, beta 0
  Tensor standardized;                         // standardize(batch): no epsilon, in double
  float moving_mean = 0, moving_variance = 0;  // the layer's moving statistics after the forward
  double hand_vs_layer = 0, hand_vs_standardized = 0, layer_vs_standardized = 0;
};

inline BatchNormCase batch_norm_case(const Tensor& batch, float epsilon) {
  BatchNormCase c;
  // By hand, tf.nn style: statistics over every axis but the channel axis (N, H and W).
  c.moments = moments(batch, {0, 1, 2});
  const Tensor offset({1}, 0.0f), scale({1}, 1.0f);
  c.by_hand = batch_normalization(batch, c.moments.mean, c.moments.variance, &offset, &scale, epsilon);
  // With the layer: a fresh BatchNormalization has gamma = 1 and beta = 0.
  auto bn = BatchNormalization({.epsilon = epsilon});
  c.by_layer = bn->forward(batch, Mode::Training);
  c.moving_mean = bn->weight("moving_mean").value[0];
  c.moving_variance = bn->weight("moving_variance").value[0];
  c.standardized = standardize(batch);
  c.hand_vs_layer = max_abs_diff(c.by_hand, c.by_layer);
  c.hand_vs_standardized = max_abs_diff(c.by_hand, c.standardized);
  c.layer_vs_standardized = max_abs_diff(c.by_layer, c.standardized);
  return c;
}

}  // namespace minnow::seed000
