// The computations of the normalization example (seed 000), run as library calls.
#include "examples/normalization.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::seed000;

TEST_CASE("The example's default data has the blog's shape, mean 26 and variance 306 when rounded", "[teaching]") {
  const Tensor x = make_images(30, kDefaultSeed);
  CHECK(x.shape() == Shape{30, 32, 32, 1});
  const Stats s = stats(x);
  CHECK(std::lround(s.mean) == 26);
  CHECK(std::lround(s.variance) == 306);
  // Another seed gives other data from the same recipe: offsets 0..59, scales 0..4.
  const Stats other = stats(make_images(30, kDefaultSeed + 1));
  CHECK(other.mean != s.mean);
  CHECK(other.mean > 0);
  CHECK(other.mean < 59);
}

TEST_CASE("Case 1, min-max normalization of the whole data, has a range of exactly 0 to 1", "[teaching]") {
  const Tensor x = make_images(30, kDefaultSeed);
  const Stats s = stats(min_max_normalize(x));
  CHECK(s.min == 0.0);
  CHECK(s.max == 1.0);
  CHECK(s.mean > 0.0);
  CHECK(s.mean < 1.0);
}

TEST_CASE("Case 2, standardization of the whole data, has mean 0 and variance 1", "[teaching]") {
  const Stats s = stats(standardize(make_images(30, kDefaultSeed)));
  CHECK(s.mean == Approx(0.0).margin(1e-6));
  CHECK(s.variance == Approx(1.0).epsilon(1e-5));
}

TEST_CASE("Case 3, batch normalization by hand and by the layer agree, and equal standardizing the batch up to "
          "epsilon",
          "[teaching]") {
  const Tensor batch = images(make_images(30, kDefaultSeed), 0, 10);
  CHECK(batch.shape() == Shape{10, 32, 32, 1});
  const BatchNormCase c = batch_norm_case(batch, 1e-3f);
  CHECK(c.moments.mean.shape() == Shape{1});
  CHECK(c.hand_vs_layer <= 1e-6);
  const Stats s = stats(c.by_layer);
  CHECK(s.mean == Approx(0.0).margin(1e-6));
  CHECK(s.variance == Approx(1.0).epsilon(1e-4));
  // epsilon = 1e-3 shrinks every value by the factor sqrt(var / (var + eps)): visible, but small.
  CHECK(c.hand_vs_standardized > 1e-6);
  CHECK(c.hand_vs_standardized < 1e-5);
  // The layer's training forward also moved its moving statistics (momentum 0.99) toward the batch's.
  CHECK(c.moving_mean == Approx(0.01 * c.moments.mean[0]).epsilon(1e-5));
  // On images the moving variance moves towards the unbiased variance (tf.keras 2.x's fused
  // kernel): m = 10 * 32 * 32 = 10240 values.
  CHECK(c.moving_variance == Approx(0.99 + 0.01 * c.moments.variance[0] * 10240.0 / 10239.0).epsilon(1e-6));
  // With a tiny epsilon only float rounding is left.
  const BatchNormCase tiny = batch_norm_case(batch, 1e-8f);
  CHECK(tiny.hand_vs_layer <= 1e-6);
  CHECK(tiny.hand_vs_standardized < 5e-7);
  CHECK(tiny.layer_vs_standardized < 5e-7);
}
