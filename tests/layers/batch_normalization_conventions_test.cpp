// BatchNormalization's two conventions (Keras, PyTorch) and its three controls, against reference
// numbers and the gradient checker.
//
// Provenance of the reference numbers:
// - kTorch1d, kTorch2d and the x = [1, 2, 3, 4] example under pytorch() were printed by PyTorch:
//       /usr/bin/python3 tests/reference/make_torch_bn_reference.py
//   torch 1.13.1 (Debian python3-torch 1.13.1+dfsg-4; torch.__version__ reports 1.13.0a0), numpy
//   1.24.2, CPU, float32. BatchNorm1d(3) / BatchNorm2d(3) with weight kGamma and bias kBeta: a
//   train() forward on x1 and the gradients of sum(y * w), a second train() forward on x2, then an
//   eval() forward on x1 and the gradients of sum(y * w). The image batch is NHWC here; the script
//   transposes it to NCHW for torch and its results back. The same script runs the recipes
//   (weight.requires_grad_(False) in train(); track_running_stats=False in eval()) and printed
//   the train() numbers of kTorch1d for both.
// - kKeras1d, kKeras2d are NOT a run of Keras (TensorFlow cannot be installed where these numbers
//   were made): they are tf.keras.layers.BatchNormalization's documented formulas (biased batch
//   variance; moving = momentum * moving + (1 - momentum) * batch, momentum 0.99; epsilon 1e-3)
//   computed by hand, in float64 with numpy, by the same script. The numbers Keras itself printed
//   in the seed documents are parameter counts (seed 002: 2,005 / 1,905 / 100), checked by the
//   golden summaries and below for gamma and beta not trained; the worked example x = [1, 2, 3, 4]
//   under Keras' formulas is in batch_normalization_test.cpp.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>

#include "layers/batch_normalization.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

const std::vector<float> kGamma = {1.5f, -0.7f, 0.9f}, kBeta = {0.2f, 0.3f, -0.1f};

struct TorchReference {
  std::vector<float> x1, x2, w;                                     // inputs (NHWC order) and the projection
  std::vector<float> train_y, train_dx, train_dgamma, train_dbeta;  // train() on x1
  std::vector<float> running_mean_1, running_var_1;                 // after the train() forward on x1
  std::vector<float> running_mean_2, running_var_2;                 // after the train() forward on x2
  std::vector<float> eval_y, eval_dx, eval_dgamma, eval_dbeta;      // eval() on x1
};

struct KerasReference {
  std::vector<float> train_y;  // on x1
  std::vector<float> moving_mean_1, moving_variance_1, moving_mean_2, moving_variance_2;
  std::vector<float> inference_y;  // on x1, after both steps
};

// torch BatchNorm1d(3) on the (4, 3) batches
const TorchReference kTorch1d = {
    .x1 = {1, -2, 0.5, 2, 0, 1.5, 3, 2, -0.5, 4, 6, 2.5},
    .x2 = {0.5, 1, -1, 1.5, -1, 0, -0.5, 3, 2, 2.5, 0, 1},
    .w = {0.300000012, -0.100000001, 0.699999988, -0.5, 0.200000003, 0.400000006, 0.899999976, -0.600000024,
          0.100000001, 0.25, 0.800000012, -0.300000012},
    .train_y = {-1.81245327, 1.12825072, -0.50249064, -0.470817804, 0.654964626, 0.302490592, 0.870817661, 0.181678504,
                -1.30747187, 2.21245313, -0.76489377, 1.10747182},
    .train_dx = {0.33540687, -0.0378627926, 0.321992964, -0.905604482, -0.0635555238, 0.201244816, 0.804981828,
                 0.171059117, -0.281741977, -0.234784171, -0.0696408004, -0.241495848},
    .train_dgamma = {0.559014738, 1.13250601, -0.670817733},
    .train_dbeta = {0.949999988, 0.300000012, 0.900000036},
    .running_mean_1 = {0.25, 0.150000006, 0.100000001},
    .running_var_1 = {1.0666666, 2.0666666, 1.0666666},
    .running_mean_2 = {0.324999988, 0.210000008, 0.140000001},
    .running_var_2 = {1.12666655, 2.15166664, 1.12666655},
    .eval_y = {1.1538837, 1.35463405, 0.205242738, 2.5670445, 0.400214106, 1.05313921, 3.98020554, -0.554205894,
               -0.642653763, 5.39336634, -2.46304584, 1.90103579},
    .eval_dx = {0.423948288, 0.047721006, 0.593527555, -0.70658052, -0.095442012, 0.339158654, 1.27184486, 0.286326021,
                0.0847896636, 0.35329026, -0.381768048, -0.254368961},
    .eval_dgamma = {2.53544617, 2.54761982, 0.0226105731},
    .eval_dbeta = {0.949999988, 0.300000012, 0.900000036},
};

// torch BatchNorm2d(3) on the NHWC (2, 2, 2, 3) batches
const TorchReference kTorch2d = {
    .x1 = {-2.5,  1,    -1.25, 2.25,  0,    -2.25, 1.25, -1,   2.5,  0.25, -2,    1.5,
           -0.75, 2.75, 0.5,   -1.75, 1.75, -0.5,  3,    0.75, -1.5, 2,    -0.25, -2.5},
    .x2 = {-3, 2.5, -0.5, 5, 2, -1, 4.5, 1.5, -1.5, 4, 1, -2, 3.5, 0.5, -2.5, 3, 0, -3, 2.5, -0.5, 5, 2, -1, 4.5},
    .w = {-1,
          -0.166666672,
          0.666666687,
          -0.666666687,
          0.166666672,
          1,
          -0.333333343,
          0.5,
          -0.833333313,
          0,
          0.833333313,
          -0.5,
          0.333333343,
          -1,
          -0.166666672,
          0.666666687,
          -0.666666687,
          0.166666672,
          1,
          -0.333333343,
          0.5,
          -0.833333313,
          0,
          0.833333313},
    .train_y = {-2.1886375,   -0.00815704465, -0.535126865, 1.63318253,   0.484894246,  -1.07066762,
                0.828588843,  0.977945566,    1.47315097,   0.0239951313, 1.47099686,   0.937610209,
                -0.780598521, -0.870996833,   0.402069449,  -1.5851922,   -0.377945513, -0.133471295,
                2.23662782,   0.115105778,    -0.66901207,  1.43203402,   0.608157039,  -1.20455277},
    .train_dx = {-0.644270539, -0.0783525333,  0.0877759457,  -0.498490751, -0.0515987426, 0.0722215027,
                 -0.204520628, -0.024844978,   0.0122198099,  0.08944951,   0.00190884457, -0.00333464588,
                 0.383419693,  -0.00190884457, -0.0188890379, 0.67738986,   0.024844978,   -0.034443453,
                 0.823169589,  0.0515987426,   -0.0499978662, -0.626146615, 0.0783525184,  -0.0655522719},
    .train_dgamma = {0.477727443, -4.40224361, -4.87193346},
    .train_dbeta = {-0.833333254, -0.666666746, 1.66666675},
    .running_mean_1 = {0.046875, 0.0375000015, -0.0437499993},
    .running_var_1 = {1.29720974, 1.13035715, 1.22276783},
    .running_mean_2 = {0.310937524, 0.108750001, -0.051874999},
    .running_var_2 = {1.79561365, 1.16732132, 2.07013392},
    .eval_y = {-2.94655108, -0.277431548, -0.849452913, 2.37057805,  0.370458007,  -1.47497439,
               1.25118244,  1.0183475,    1.49625266,   0.131786808, 1.66623712,   0.870731115,
               -0.98760879, -1.41123831,  0.245209664,  -2.1070044,  -0.763348699, -0.380311817,
               3.21012473,  -0.115459159, -1.00583327,  2.09072924,  0.53243041,   -1.63135481},
    .eval_dx = {-1.11939561,
                0.107981585,
                0.417014331,
                -0.746263742,
                -0.107981585,
                0.625521481,
                -0.373131871,
                -0.323944777,
                -0.521267891,
                0,
                -0.539907932,
                -0.312760741,
                0.373131871,
                0.647889555,
                -0.104253583,
                0.746263742,
                0.43192634,
                0.104253583,
                1.11939561,
                0.21596317,
                0.312760741,
                -0.932829618,
                0,
                0.521267891},
    .eval_dgamma = {0.56649971, -5.94901466, -6.1372056},
    .eval_dbeta = {-0.833333254, -0.666666746, 1.66666675},
};

// Keras' formulas on the (4, 3) batches of kTorch1d
const KerasReference kKeras1d = {
    .train_y = {-1.81165668, 1.12820385, -0.502331336, -0.470552226, 0.654944505, 0.302331336, 0.870552226, 0.181685165,
                -1.30699401, 2.21165668, -0.764833515, 1.10699401},
    .moving_mean_1 = {0.025, 0.015, 0.01},
    .moving_variance_1 = {1.0025, 1.0775, 1.0025},
    .moving_mean_2 = {0.03475, 0.02235, 0.0149},
    .moving_variance_2 = {1.004975, 1.0886, 1.004975},
    .inference_y = {1.64356876, 1.65619086, 0.335291503, 3.13910749, 0.314987943, 1.23261474, 4.63464623, -1.02621497,
                    -0.562031736, 6.13018496, -3.7086208, 2.12993798},
};

// Keras' formulas on the NHWC (2, 2, 2, 3) batches of kTorch2d
const KerasReference kKeras2d = {
    .train_y = {-2.18829738,  -0.0080814034, -0.535050667, 1.63297843,   0.484848842,  -1.07049764,
                0.828499309,  0.977779087,   1.47287549,   0.0240201934, 1.47070933,   0.937428514,
                -0.780458923, -0.870709333,  0.401981539,  -1.58493804,  -0.377779087, -0.133465436,
                2.23633776,   0.115151158,   -0.668912411, 1.43185865,   0.608081403,  -1.20435939},
    .moving_mean_1 = {0.0046875, 0.00375, -0.004375},
    .moving_variance_1 = {1.02475586, 1.01015625, 1.01824219},
    .moving_mean_2 = {0.031515625, 0.0112125, -0.00558125},
    .moving_variance_2 = {1.06946924, 1.01317969, 1.09290352},
    .inference_y = {-3.47015812,  -0.387295584, -1.17082758, 3.41632953,  0.307793688,  -2.03133179,
                    1.96654265,   1.00288296,   2.05606322,  0.516755779, 1.69797223,   1.19555901,
                    -0.933031094, -1.60370181,  0.335054795, -2.38281797, -0.908612538, -0.525449417,
                    4.50366968,   -0.213523266, -1.38595363, 3.05388281,  0.481566007,  -2.24645784},
};

// (N, H, W, C) <-> (N, C, H, W).
Tensor nhwc_to_nchw(const Tensor& t) {
  const Shape& s = t.shape();
  Tensor out({s[0], s[3], s[1], s[2]});
  for (long n = 0; n < s[0]; ++n)
    for (long h = 0; h < s[1]; ++h)
      for (long w = 0; w < s[2]; ++w)
        for (long c = 0; c < s[3]; ++c) out.at({n, c, h, w}) = t.at({n, h, w, c});
  return out;
}

Tensor nchw_to_nhwc(const Tensor& t) {
  const Shape& s = t.shape();
  Tensor out({s[0], s[2], s[3], s[1]});
  for (long n = 0; n < s[0]; ++n)
    for (long c = 0; c < s[1]; ++c)
      for (long h = 0; h < s[2]; ++h)
        for (long w = 0; w < s[3]; ++w) out.at({n, h, w, c}) = t.at({n, c, h, w});
  return out;
}

// A layer with the options `o`, built for `shape`, gamma = kGamma and beta = kBeta.
LayerRef<BatchNormalizationLayer> reference_layer(BatchNormalizationOptions o, const Shape& shape) {
  auto bn = BatchNormalization(o);
  bn->build(shape);
  bn->weight("gamma").value = Tensor({3}, kGamma);
  bn->weight("beta").value = Tensor({3}, kBeta);
  return bn;
}

// Runs the script's sequence on a pytorch() layer and compares every number; with nchw the
// batches are transposed to NCHW and the layer normalizes axis 1.
void check_against_torch(const TorchReference& r, const Shape& shape, bool nchw) {
  BatchNormalizationOptions o = BatchNormalizationOptions::pytorch();
  if (nchw) o.axis = 1;
  auto in = [&](const std::vector<float>& v) { return nchw ? nhwc_to_nchw(Tensor(shape, v)) : Tensor(shape, v); };
  auto out = [&](const Tensor& t) { return nchw ? nchw_to_nhwc(t) : t; };
  const Tensor x1 = in(r.x1), x2 = in(r.x2), w = in(r.w);
  auto bn = reference_layer(o, x1.shape());
  // train() on x1 and the gradients of sum(y * w): (F1)-(F3), (F4t), (B1)-(B3).
  require_values(out(bn->forward(x1, Mode::Training)), r.train_y);
  require_values(out(bn->backward(w)), r.train_dx);
  require_values(bn->weight("gamma").grad, r.train_dgamma);
  require_values(bn->weight("beta").grad, r.train_dbeta);
  require_values(bn->weight("moving_mean").value, r.running_mean_1, 1e-6f);
  require_values(bn->weight("moving_variance").value, r.running_var_1, 1e-6f);
  // A second step on x2.
  bn->forward(x2, Mode::Training);
  require_values(bn->weight("moving_mean").value, r.running_mean_2, 1e-6f);
  require_values(bn->weight("moving_variance").value, r.running_var_2, 1e-6f);
  // eval() on x1: (I1), (B1), (B2), (B4).
  require_values(out(bn->forward(x1, Mode::Inference)), r.eval_y);
  require_values(out(bn->backward(w)), r.eval_dx);
  require_values(bn->weight("gamma").grad, r.eval_dgamma);
  require_values(bn->weight("beta").grad, r.eval_dbeta);
}

void check_against_keras_formulas(const KerasReference& k, const TorchReference& r, const Shape& shape,
                                  const BatchNormalizationOptions& o = {}) {
  auto bn = reference_layer(o, shape);
  require_values(bn->forward(Tensor(shape, r.x1), Mode::Training), k.train_y);
  require_values(bn->weight("moving_mean").value, k.moving_mean_1, 1e-6f);
  require_values(bn->weight("moving_variance").value, k.moving_variance_1, 1e-6f);
  bn->forward(Tensor(shape, r.x2), Mode::Training);
  require_values(bn->weight("moving_mean").value, k.moving_mean_2, 1e-6f);
  require_values(bn->weight("moving_variance").value, k.moving_variance_2, 1e-6f);
  require_values(bn->forward(Tensor(shape, r.x1), Mode::Inference), k.inference_y);
}

}  // namespace

TEST_CASE("BatchNormalizationOptions::pytorch() is torch's convention, keras() the default", "[batch_normalization]") {
  const BatchNormalizationOptions t = BatchNormalizationOptions::pytorch(), k = BatchNormalizationOptions::keras();
  CHECK(t.momentum == 0.1f);
  CHECK(t.momentum_meaning == MomentumMeaning::WeightOnNew);
  CHECK(t.epsilon == 1e-5f);
  CHECK(t.moving_variance_update == UpdateVariance::Unbiased);
  CHECK(k.momentum == 0.99f);
  CHECK(k.momentum_meaning == MomentumMeaning::WeightOnOld);
  CHECK(k.epsilon == 1e-3f);
  CHECK(k.moving_variance_update == UpdateVariance::Auto);
  const BatchNormalizationOptions d;
  CHECK(std::tie(d.momentum, d.momentum_meaning, d.epsilon, d.moving_variance_update) ==
        std::tie(k.momentum, k.momentum_meaning, k.epsilon, k.moving_variance_update));
  // The controls follow the mode and trainable in both conventions.
  for (const auto& o : {t, k}) {
    CHECK(o.normalize_with == NormalizeWith::Auto);
    CHECK(o.update_moving_statistics == MovingStatisticsUpdate::Auto);
    CHECK(o.train_gamma_beta == GammaBetaTraining::Auto);
  }
}

TEST_CASE("BatchNormalization with pytorch() reproduces torch BatchNorm1d: outputs, running statistics, gradients",
          "[batch_normalization][reference]") {
  check_against_torch(kTorch1d, {4, 3}, false);
}

TEST_CASE("BatchNormalization with pytorch() reproduces torch BatchNorm2d on NHWC images and on NCHW with axis 1",
          "[batch_normalization][reference]") {
  check_against_torch(kTorch2d, {2, 2, 2, 3}, false);
  check_against_torch(kTorch2d, {2, 2, 2, 3}, true);
}

TEST_CASE("BatchNormalization's default reproduces Keras' formulas on the same batches",
          "[batch_normalization][reference]") {
  check_against_keras_formulas(kKeras1d, kTorch1d, {4, 3});  // rank 2: the biased rule by default
  // kKeras2d is the biased rule: on images that is Keras 3's, TensorFlow.js' and tf.keras 2.x's
  // with fused=False (UpdateVariance::Biased); the default follows tf.keras 2.x's fused kernel.
  check_against_keras_formulas(kKeras2d, kTorch2d, {2, 2, 2, 3}, {.moving_variance_update = UpdateVariance::Biased});
}

TEST_CASE("On images the default moves the moving variance as tf.keras 2.x's fused kernel: var * m / (m - 1)",
          "[batch_normalization][reference]") {
  // FusedBatchNormV3 (what tf.keras 2.x runs for a rank-4 input with the channel axis last or 1)
  // returns the Bessel-corrected batch variance, and the layer's moving update uses it; (F2)
  // still divides by the biased one. Expected values computed here, in double, from the batches.
  const Shape shape{2, 2, 2, 3};
  const long m = 8;  // N*H*W values per channel
  auto biased_var = [&](const std::vector<float>& x, long c) {
    double mean = 0, var = 0;
    for (long i = c; i < long(x.size()); i += 3) mean += x[size_t(i)];
    mean /= double(m);
    for (long i = c; i < long(x.size()); i += 3) var += (x[size_t(i)] - mean) * (x[size_t(i)] - mean);
    return var / double(m);
  };
  std::vector<float> mv1, mv2;
  for (long c = 0; c < 3; ++c) {
    const double v1 = 0.99 * 1.0 + 0.01 * biased_var(kTorch2d.x1, c) * double(m) / double(m - 1);
    mv1.push_back(float(v1));
    mv2.push_back(float(0.99 * v1 + 0.01 * biased_var(kTorch2d.x2, c) * double(m) / double(m - 1)));
  }
  auto bn = reference_layer({}, shape);
  require_values(bn->forward(Tensor(shape, kTorch2d.x1), Mode::Training), kKeras2d.train_y);  // (F2): biased
  require_values(bn->weight("moving_mean").value, kKeras2d.moving_mean_1, 1e-6f);
  require_values(bn->weight("moving_variance").value, mv1, 1e-6f);
  bn->forward(Tensor(shape, kTorch2d.x2), Mode::Training);
  require_values(bn->weight("moving_mean").value, kKeras2d.moving_mean_2, 1e-6f);
  require_values(bn->weight("moving_variance").value, mv2, 1e-6f);
  // The biased rule differs in the 4th-6th decimal here: the test tells the two apart.
  bool differs = false;
  for (size_t c = 0; c < 3; ++c) differs |= std::fabs(mv2[c] - kKeras2d.moving_variance_2[c]) > 1e-5f;
  CHECK(differs);
  // NCHW with axis 1 is fused too; rank 2 and a channel axis in the middle (axis 2) are not.
  BatchNormalizationOptions nchw;
  nchw.axis = 1;
  auto first = reference_layer(nchw, Shape{2, 3, 2, 2});
  first->forward(nhwc_to_nchw(Tensor(shape, kTorch2d.x1)), Mode::Training);
  require_values(first->weight("moving_variance").value, mv1, 1e-6f);
  auto middle = BatchNormalization({.axis = 2});
  middle->forward(Tensor({1, 2, 2, 1}, {1, 2, 3, 5}), Mode::Training);  // channel 0: {1, 3}, channel 1: {2, 5}
  require_values(middle->weight("moving_variance").value, {0.99f + 0.01f * 1.0f, 0.99f + 0.01f * 2.25f}, 1e-7f);
  // One value per channel: no correction (TF divides by max(m - 1, 1)) and no error.
  auto one = BatchNormalization();
  one->forward(Tensor({1, 1, 1, 2}, {3, 4}), Mode::Training);
  require_values(one->weight("moving_variance").value, {0.99f, 0.99f}, 1e-7f);
  // UpdateVariance::Biased keeps the biased rule on images.
  auto plain = BatchNormalization({.moving_variance_update = UpdateVariance::Biased});
  plain->forward(Tensor({1, 1, 2, 1}, {1, 3}), Mode::Training);  // var 1, unbiased 2
  require_values(plain->weight("moving_variance").value, {1.0f}, 1e-7f);
  auto fused = BatchNormalization();
  fused->forward(Tensor({1, 1, 2, 1}, {1, 3}), Mode::Training);
  require_values(fused->weight("moving_variance").value, {0.99f + 0.01f * 2.0f}, 1e-7f);
}

TEST_CASE("The worked example x = 1, 2, 3, 4 under pytorch() gives torch's numbers",
          "[batch_normalization][reference]") {
  // Keras' side of this example is in batch_normalization_test.cpp: moving 0.025 and 1.0025.
  auto bn = BatchNormalization(BatchNormalizationOptions::pytorch());
  const Tensor x({4, 1}, {1, 2, 3, 4});
  require_values(bn->forward(x, Mode::Training), {-1.34163535f, -0.447211742f, 0.447211862f, 1.34163547f});
  // running_mean = 0.1 * 2.5; running_var = 0.9 * 1 + 0.1 * (1.25 * 4 / 3), the unbiased variance 5/3.
  require_values(bn->weight("moving_mean").value, {0.25f}, 1e-7f);
  require_values(bn->weight("moving_variance").value, {1.0666666f}, 1e-6f);
  require_values(bn->forward(x, Mode::Inference), {0.72618103f, 1.69442248f, 2.66266394f, 3.63090515f});
}

TEST_CASE("With the unbiased moving variance one value per channel is a ShapeError, as torch refuses it",
          "[batch_normalization][errors]") {
  BatchNormalizationOptions o = BatchNormalizationOptions::pytorch();
  o.name = "bn_one";
  auto bn = BatchNormalization(o);
  bn->build(Shape{Shape::kNone, 3});
  require_throws<ShapeError>(
      [&] {
        bn->forward(Tensor({1, 3}, {1, 2, 3}), Mode::Training);
      },
      {"BatchNormalization 'bn_one'", "more than 1 value per channel", "(1, 3)", "m = 1",
       "moving_variance_update=Unbiased"});
  require_values(bn->weight("moving_mean").value, {0, 0, 0});
  require_values(bn->weight("moving_variance").value, {1, 1, 1});
  // Inference, or a training forward that does not update, has nothing to divide by m - 1.
  require_values(bn->forward(Tensor({1, 3}, {1, 2, 3}), Mode::Inference), {0.999995f, 1.99999f, 2.999985f}, 1e-5f);
  bn->set_update_moving_statistics(MovingStatisticsUpdate::Never);
  require_values(bn->forward(Tensor({1, 3}, {1, 2, 3}), Mode::Training), {0, 0, 0});
  // Images: m = N*H*W; (1, 1, 1, 3) is one value per channel, (1, 1, 2, 3) two.
  auto image = BatchNormalization(BatchNormalizationOptions::pytorch());
  require_throws<ShapeError>([&] { image->forward(Tensor({1, 1, 1, 3}), Mode::Training); }, {"(1, 1, 1, 3)"});
  image = BatchNormalization(BatchNormalizationOptions::pytorch());
  image->forward(Tensor({1, 1, 2, 3}, {1, 2, 3, 3, 4, 5}), Mode::Training);
  // var 1 per channel, unbiased 2: 0.9 * 1 + 0.1 * 2.
  require_values(image->weight("moving_variance").value, {1.1f, 1.1f, 1.1f}, 1e-6f);
  // Keras' biased convention keeps a batch of one (zeros; batch_normalization_test.cpp).
  CHECK_NOTHROW(BatchNormalization()->forward(Tensor({1, 3}, {1, 2, 3}), Mode::Training));
}

TEST_CASE("Every combination of the three controls, trainable and mode normalizes, updates and trains as documented",
          "[batch_normalization][gradient]") {
  const float eps = 1e-3f;
  for (long axis : {-1L, 1L})
    for (NormalizeWith a : {NormalizeWith::Auto, NormalizeWith::BatchStatistics, NormalizeWith::MovingStatistics})
      for (MovingStatisticsUpdate b :
           {MovingStatisticsUpdate::Auto, MovingStatisticsUpdate::Always, MovingStatisticsUpdate::Never})
        for (GammaBetaTraining c : {GammaBetaTraining::Auto, GammaBetaTraining::Never})
          for (bool trainable : {true, false})
            for (Mode mode : {Mode::Training, Mode::Inference}) {
              INFO("axis " << axis << ", normalize_with " << int(a) << ", update " << int(b) << ", train_gamma_beta "
                           << int(c) << ", trainable " << trainable << ", mode " << to_string(mode));
              // The rules of layers/batch_normalization.h, written out independently of the layer.
              const bool training = mode == Mode::Training;
              const bool batch =
                  a == NormalizeWith::BatchStatistics || (a == NormalizeWith::Auto && training && trainable);
              const bool update =
                  training && (b == MovingStatisticsUpdate::Always || (b == MovingStatisticsUpdate::Auto && batch));
              const bool affine_trained = c == GammaBetaTraining::Auto && trainable;

              auto bn = BatchNormalization({.axis = axis,
                                            .momentum = 0.5f,
                                            .normalize_with = a,
                                            .update_moving_statistics = b,
                                            .train_gamma_beta = c});
              const Shape shape = axis == -1 ? Shape{2, 3, 3, 2} : Shape{2, 2, 3, 3};  // C = 2
              bn->build(shape);
              const std::vector<float> gamma = {1.5f, -0.7f}, beta = {0.2f, 0.3f}, mm = {0.1f, -0.2f},
                                       mv = {0.8f, 1.3f};
              bn->weight("gamma").value = Tensor({2}, gamma);
              bn->weight("beta").value = Tensor({2}, beta);
              bn->weight("moving_mean").value = Tensor({2}, mm);
              bn->weight("moving_variance").value = Tensor({2}, mv);
              bn->set_trainable(trainable);
              const Tensor x = random_tensor(shape, 11);

              const Tensor y = bn->forward(x, mode);
              CHECK(bn->used_batch_statistics() == batch);
              CHECK(bn->updated_moving_statistics() == update);
              const Moments m = moments(x, axis == -1 ? std::vector<long>{0, 1, 2} : std::vector<long>{0, 2, 3});
              const long inner = axis == -1 ? 1 : 9;
              for (long i = 0; i < x.size(); ++i) {  // (F2)-(F3) or (I1), with the moving statistics before (F4)
                const size_t ch = size_t((i / inner) % 2);
                const float mu = batch ? m.mean[long(ch)] : mm[ch], var = batch ? m.variance[long(ch)] : mv[ch];
                REQUIRE(y[i] == Approx(gamma[ch] * (x[i] - mu) / std::sqrt(var + eps) + beta[ch]).margin(1e-5));
              }
              for (long ch = 0; ch < 2; ++ch) {  // (F4k) with momentum 0.5, or untouched; rank 4, channel
                // axis last or 1: tf.keras 2.x's fused rule, the variance times m / (m - 1), m = 18
                const float want_mean = update ? 0.5f * mm[size_t(ch)] + 0.5f * m.mean[ch] : mm[size_t(ch)];
                const float want_var =
                    update ? 0.5f * mv[size_t(ch)] + 0.5f * m.variance[ch] * 18.0f / 17.0f : mv[size_t(ch)];
                CHECK(bn->weight("moving_mean").value[ch] == Approx(want_mean).margin(1e-6));
                CHECK(bn->weight("moving_variance").value[ch] == Approx(want_var).margin(1e-6));
              }

              // (c): trainable weights, counted so; the backward writes no gradient for the others.
              CHECK(bn->weight("gamma").trainable() == affine_trained);
              CHECK(bn->weight("beta").trainable() == affine_trained);
              CHECK(bn->count_trainable_params() == (affine_trained ? 4 : 0));
              CHECK(bn->count_params() == 8);
              Tensor& gamma_grad = bn->weight("gamma").grad;
              if (gamma_grad.size() > 0) gamma_grad.fill(42);
              bn->backward(random_tensor(shape, 12));
              if (!affine_trained && gamma_grad.size() > 0) require_values(gamma_grad, {42, 42});

              // (B3) with batch statistics, (B4) with moving ones: the checker's central differences
              // of the same forward (moving statistics restored between its evaluations) agree.
              const GradientCheckResult r = check_layer_gradients(*bn, {x}, mode);
              require_gradients(r);
              std::vector<std::string> checked;
              for (const auto& e : r.entries) checked.push_back(e.tensor);
              const std::string prefix = bn->name() + "/";
              CHECK(checked == (affine_trained ? std::vector<std::string>{"input", prefix + "gamma", prefix + "beta"}
                                               : std::vector<std::string>{"input"}));
            }
}

TEST_CASE("The fine-tuning recipes give torch's and Keras' numbers", "[batch_normalization][reference]") {
  const Shape shape = {4, 3};
  const TorchReference& r = kTorch1d;
  const Tensor x1(shape, r.x1), x2(shape, r.x2), w(shape, r.w);
  SECTION("torch's bn.eval() in a model in training: moving statistics, no update, gamma and beta trained") {
    auto bn = reference_layer(BatchNormalizationOptions::pytorch(), shape);
    bn->forward(x1, Mode::Training);
    bn->forward(x2, Mode::Training);
    bn->set_normalize_with(NormalizeWith::MovingStatistics);
    bn->set_update_moving_statistics(MovingStatisticsUpdate::Never);
    require_values(bn->forward(x1, Mode::Training), r.eval_y);
    require_values(bn->weight("moving_mean").value, r.running_mean_2, 1e-6f);
    require_values(bn->weight("moving_variance").value, r.running_var_2, 1e-6f);
    require_values(bn->backward(w), r.eval_dx);
    require_values(bn->weight("gamma").grad, r.eval_dgamma);
    require_values(bn->weight("beta").grad, r.eval_dbeta);
    CHECK(bn->count_trainable_params() == 6);
  }
  SECTION("torch's requires_grad=False on weight and bias: batch statistics, update, gamma and beta frozen") {
    BatchNormalizationOptions o = BatchNormalizationOptions::pytorch();
    o.train_gamma_beta = GammaBetaTraining::Never;
    auto bn = reference_layer(o, shape);
    require_values(bn->forward(x1, Mode::Training), r.train_y);
    require_values(bn->weight("moving_mean").value, r.running_mean_1, 1e-6f);
    require_values(bn->backward(w), r.train_dx);
    CHECK(bn->count_trainable_params() == 0);
    CHECK(bn->weight("gamma").grad.size() == 0);  // created non-trainable: no gradient at all
  }
  SECTION("torch's track_running_stats=False: batch statistics in inference too, no update") {
    BatchNormalizationOptions o = BatchNormalizationOptions::pytorch();
    o.normalize_with = NormalizeWith::BatchStatistics;
    o.update_moving_statistics = MovingStatisticsUpdate::Never;
    auto bn = reference_layer(o, shape);
    for (Mode mode : {Mode::Training, Mode::Inference}) {
      require_values(bn->forward(x1, mode), r.train_y);
      require_values(bn->backward(w), r.train_dx);
      require_values(bn->weight("moving_mean").value, {0, 0, 0});
      require_values(bn->weight("moving_variance").value, {1, 1, 1});
    }
  }
  SECTION("Keras' frozen layer (trainable = false): moving statistics, no update, nothing trained") {
    auto bn = reference_layer({}, shape);
    bn->forward(x1, Mode::Training);
    bn->forward(x2, Mode::Training);
    bn->set_trainable(false);
    require_values(bn->forward(x1, Mode::Training), kKeras1d.inference_y);
    require_values(bn->weight("moving_mean").value, kKeras1d.moving_mean_2, 1e-6f);
    CHECK(bn->count_trainable_params() == 0);
  }
}

TEST_CASE("fit never changes gamma and beta that are not trained, and trains them under the bn.eval() recipe",
          "[batch_normalization][fit]") {
  for (bool eval_recipe : {false, true}) {
    INFO("eval recipe " << eval_recipe);
    BatchNormalizationOptions o = BatchNormalizationOptions::pytorch();
    if (eval_recipe) {
      o.normalize_with = NormalizeWith::MovingStatistics;
      o.update_moving_statistics = MovingStatisticsUpdate::Never;
    } else {
      o.train_gamma_beta = GammaBetaTraining::Never;
    }
    o.name = "bn";
    Sequential model({Dense(DenseOptions{.units = 4, .name = "hidden"}), BatchNormalization(o), Dense(1)});
    model.build({Shape::kNone, 3});
    model.compile("sgd", "mse");
    BatchNormalizationLayer& bn = static_cast<BatchNormalizationLayer&>(model.get_layer("bn"));
    const Tensor gamma = bn.weight("gamma").value, moving = bn.weight("moving_mean").value;
    const Tensor kernel = model.get_layer("hidden").weight("kernel").value;
    model.fit(random_tensor({16, 3}, 5, 0, 4), random_tensor({16, 1}, 6), {.epochs = 2, .batch_size = 8, .verbose = 0});
    CHECK((model.get_layer("hidden").weight("kernel").value.row() != kernel.row()));
    // Under the eval recipe gamma learns and the moving statistics stay; otherwise the other way round.
    CHECK((bn.weight("gamma").value.row() != gamma.row()) == eval_recipe);
    CHECK((bn.weight("moving_mean").value.row() != moving.row()) == !eval_recipe);
  }
}

TEST_CASE("gamma and beta not trained count as non-trainable, as Keras counts a frozen BatchNormalization",
          "[batch_normalization][summary]") {
  // Keras counts a weight made with trainable=False as non-trainable: the seed's tabular model then
  // has 2,005 parameters, 1,805 trainable, 200 non-trainable, as with the layer frozen.
  clear_session();
  auto inp = Input({30});
  auto x = Dense(50)(inp);
  auto out = Dense(5)(BatchNormalization({.train_gamma_beta = GammaBetaTraining::Never})(x));
  Model model(inp, out);
  CHECK(model.summary() == read_test_file("golden/seed_tabular_bn_frozen.txt"));
  const std::string listing = model.summary(SummaryOptions{.show_weights = true});
  std::istringstream lines(listing);
  int non_trainable = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("  gamma ") || line.starts_with("  beta ")) {
      INFO(line);
      CHECK(line.ends_with("  non-trainable"));
      ++non_trainable;
    }
  CHECK(non_trainable == 2);
}

TEST_CASE("set_train_gamma_beta switches gamma and beta between trainable and not after building",
          "[batch_normalization][gradient]") {
  auto bn = BatchNormalization({.train_gamma_beta = GammaBetaTraining::Never});
  bn->build(Shape{Shape::kNone, 3, 3, 2});
  CHECK(bn->count_trainable_params() == 0);
  bn->set_train_gamma_beta(GammaBetaTraining::Auto);
  CHECK(bn->count_trainable_params() == 4);
  CHECK(bn->weight("gamma").grad.shape() == Shape{2});
  require_gradients(check_layer_gradients(*bn, {random_tensor({2, 3, 3, 2}, 3)}, Mode::Training));
  bn->set_train_gamma_beta(GammaBetaTraining::Never);
  CHECK(bn->trainable_weights().empty());
  CHECK(bn->options().train_gamma_beta == GammaBetaTraining::Never);
}

TEST_CASE("fold_batch_norm refuses a BatchNormalization that normalizes with batch statistics in inference",
          "[batch_normalization][fold]") {
  Sequential model({Dense(DenseOptions{.units = 3, .name = "d"}),
                    BatchNormalization({.normalize_with = NormalizeWith::BatchStatistics, .name = "bn_batch"})});
  model.build({Shape::kNone, 2});
  require_throws<UsageError>(
      [&] {
        (void)fold_batch_norm(model, random_tensor({4, 2}, 1));
      },
      {"'bn_batch'", "normalize_with=BatchStatistics"});
}
