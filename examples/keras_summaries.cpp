// keras_summaries: the two models of the thread "What exactly is Batch Normalization doing?"
// (seed 002), their Keras summaries, why BatchNormalization has 4*C parameters of which 2*C are
// non-trainable, what training vs inference mode does to a BatchNormalization layer, and (part 4)
// the thread's formula y_ij = gamma_j * (x_ij - mu_j) / sigma_j + beta_j computed by hand, number
// by number, next to the layer's output, for a table and for a batch of images. With
// --style keras3|torchinfo it prints only the two models' summaries in that style.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "examples/diagram.h"
#include "examples/flags.h"
#include "examples/seed_models.h"
#include "minnow.h"

using namespace minnow;

namespace {

Tensor seeded_batch(const Shape& shape, std::uint64_t seed, float mean, float stddev) {
  Tensor t(shape);
  Rng rng(seed);
  for (float& v : t.values()) v = rng.normal(mean, stddev);
  return t;
}

std::string first_values(const Tensor& t, long n) {
  std::string s;
  for (long i = 0; i < std::min(n, t.size()); ++i) s += fmt::format("{}{:8.4f}", i ? " " : "", t[i]);
  return s;
}

// Runs `model` on x in inference mode, then in training mode, and reports what the
// BatchNormalization layer `bn` did each time.
void show_modes(Model& model, BatchNormalizationLayer& bn, const Tensor& x) {
  const Tensor mean0 = bn.weight("moving_mean").value, var0 = bn.weight("moving_variance").value;
  fmt::print("  moving_mean     before: {} ...\n", first_values(mean0, 4));
  fmt::print("  moving_variance before: {} ...\n", first_values(var0, 4));

  model.forward(x, Mode::Inference);
  const Tensor infer = bn.output();
  const bool unchanged =
      bn.weight("moving_mean").value.row() == mean0.row() && bn.weight("moving_variance").value.row() == var0.row();
  fmt::print("  after forward(x, Mode::Inference): moving statistics {}\n",
             unchanged ? "unchanged (inference never updates them)" : "CHANGED (this is a bug)");

  model.forward(x, Mode::Training);
  const Tensor train = bn.output();
  const Moments m = moments(train, {0, train.shape().rank() == 2 ? 0L : 1L, train.shape().rank() == 2 ? 0L : 2L});
  fmt::print("  after forward(x, Mode::Training):  moving statistics moved by (1 - momentum) = 0.01 of the way\n");
  fmt::print("  moving_mean     after:  {} ...\n", first_values(bn.weight("moving_mean").value, 4));
  fmt::print("  moving_variance after:  {} ...\n", first_values(bn.weight("moving_variance").value, 4));
  fmt::print(
      "  training output, channel 0: mean {:+.6f}, variance {:.6f} (normalized with the batch's own statistics)\n",
      m.mean[0], m.variance[0]);
  float diff = 0;
  for (long i = 0; i < train.size(); ++i) diff = std::max(diff, std::fabs(train[i] - infer[i]));
  fmt::print("  largest |training - inference| difference of the BatchNormalization output: {:.4f}\n", diff);
  fmt::print("  (inference used moving_mean = 0 and moving_variance = 1, so it barely changed the input)\n\n");
}

// One row of a statistics table: a label and one number per feature or channel.
void stat_row(const std::string& label, const std::vector<double>& v, int decimals = 6) {
  std::string s = fmt::format("  {:<46}", label);
  for (double d : v) s += fmt::format(" {:>11.{}f}", d, decimals);
  fmt::print("{}\n", s);
}

std::string column_header(const std::string& name, long n) {
  std::string s = fmt::format("  {:<46}", "");
  for (long j = 0; j < n; ++j) s += fmt::format(" {:>11}", fmt::format("{} = {}", name, j));
  return s;
}

// Sets a built BatchNormalization layer's gamma and beta.
void set_gamma_beta(BatchNormalizationLayer& bn, const std::vector<float>& gamma, const std::vector<float>& beta) {
  for (size_t j = 0; j < gamma.size(); ++j) {
    bn.weight("gamma").value[long(j)] = gamma[j];
    bn.weight("beta").value[long(j)] = beta[j];
  }
}

// Per-column mean and biased variance (1/m) of a rows x cols table, in double, by hand.
void column_stats(const Tensor& x, long rows, long cols, std::vector<double>& mean, std::vector<double>& var) {
  mean.assign(size_t(cols), 0.0);
  var.assign(size_t(cols), 0.0);
  for (long j = 0; j < cols; ++j) {
    for (long i = 0; i < rows; ++i) mean[size_t(j)] += x[i * cols + j];
    mean[size_t(j)] /= double(rows);
    for (long i = 0; i < rows; ++i) var[size_t(j)] += std::pow(x[i * cols + j] - mean[size_t(j)], 2);
    var[size_t(j)] /= double(rows);
  }
}

// Part 4a: a 6 x 4 table through BatchNormalization in training mode, and the formula by hand.
void explain_tabular() {
  constexpr long M = 6, F = 4;
  constexpr double eps = 1e-3;  // BatchNormalizationOptions::epsilon, Keras' default
  const std::vector<float> gamma = {1.0f, 2.0f, 0.5f, 1.5f}, beta = {0.0f, 1.0f, -1.0f, 0.5f};
  // Each feature on its own scale, values rounded to quarters: short, and exact in float32, so
  // the x_ij printed are the x_ij the layer sees. Seed 2033 is the first from 2021 on whose
  // columns each hold six different values.
  const double center[F] = {5, -3, 50, 1}, spread[F] = {2, 1, 10, 1};
  Tensor x({M, F});
  Rng rng(2033);
  for (long i = 0; i < M; ++i)
    for (long j = 0; j < F; ++j)
      x.at({i, j}) = float(std::round(4 * (center[j] + spread[j] * rng.uniform(-1.0f, 1.0f))) / 4);

  clear_session();
  auto inp = Input({F});
  auto bn_layer = BatchNormalization();
  Model model(inp, bn_layer(inp));
  set_gamma_beta(*bn_layer, gamma, beta);
  const Tensor y = model.forward(x, Mode::Training);

  std::vector<double> mu, var, sigma(F);
  column_stats(x, M, F, mu, var);
  for (long j = 0; j < F; ++j) sigma[size_t(j)] = std::sqrt(var[size_t(j)] + eps);
  fmt::print("-- 4a) Tabular data: a seeded batch of m = {} samples x {} features, one BatchNormalization\n"
             "       (eps = {} as Keras' default), gamma and beta set by hand, forward in Mode::Training\n\n",
             M, F, eps);
  fmt::print("{}\n", column_header("j", F));
  stat_row("mu_j = (1/m) sum_i x_ij", mu);
  stat_row("var_j = (1/m) sum_i (x_ij - mu_j)^2", var);
  stat_row("sigma_j = sqrt(var_j + eps)", sigma);
  stat_row("gamma_j", {gamma.begin(), gamma.end()}, 1);
  stat_row("beta_j", {beta.begin(), beta.end()}, 1);
  fmt::print("  var_j is the biased variance (divided by m = {}, not m - 1 = {}), as Keras and tf.nn.moments.\n\n", M,
             M - 1);

  fmt::print("  y_ij = gamma_j * (x_ij - mu_j) / sigma_j + beta_j, by hand (in double) and by the layer:\n\n");
  fmt::print("  {:>3} {:>3} {:>9} {:>13} {:>12} {:>13} {:>13}\n", "j", "i", "x_ij", "x_ij - mu_j", "x_hat_ij",
             "y_ij by hand", "y_ij (layer)");
  double worst = 0;
  float largest = 0;
  for (long j = 0; j < F; ++j) {
    for (long i = 0; i < M; ++i) {
      const size_t J = size_t(j);
      const double centered = x.at({i, j}) - mu[J], x_hat = centered / sigma[J];
      const double by_hand = gamma[J] * x_hat + beta[J];
      worst = std::max(worst, std::fabs(by_hand - y.at({i, j})));
      largest = std::max(largest, std::fabs(y.at({i, j})));
      fmt::print("  {:>3} {:>3} {:>9.2f} {:>13.6f} {:>12.6f} {:>13.6f} {:>13.6f}\n", j, i, x.at({i, j}), centered,
                 x_hat, by_hand, y.at({i, j}));
    }
    if (j + 1 < F) fmt::print("\n");
  }
  fmt::print("\n  max |y by hand - y from the layer| = {:.1e}: float32 rounding (the layer computes in float32,\n"
             "  and float32 numbers near the largest |y_ij| = {:.2f} are {:.1e} apart)\n\n",
             worst, largest, std::nextafter(largest, 2 * largest) - largest);

  // The moving statistics after this one training step, and the inference formula with them.
  const double momentum = bn_layer->options().momentum;  // 0.99 as a float32: 0.99000001
  const WeightValue& moving_mean = bn_layer->weight("moving_mean").value;
  const WeightValue& moving_var = bn_layer->weight("moving_variance").value;
  std::vector<double> mm(F), mv(F), mm_hand(F), mv_hand(F);
  double worst_moving = 0;
  for (long j = 0; j < F; ++j) {
    const size_t J = size_t(j);
    mm[J] = moving_mean[j];
    mv[J] = moving_var[j];
    mm_hand[J] = momentum * 0.0 + (1 - momentum) * mu[J];
    mv_hand[J] = momentum * 1.0 + (1 - momentum) * var[J];
    worst_moving = std::max({worst_moving, std::fabs(mm[J] - mm_hand[J]), std::fabs(mv[J] - mv_hand[J])});
  }
  fmt::print("  That training step also moved the moving statistics (momentum {}; they start at 0 and 1):\n\n",
             float(momentum));
  fmt::print("{}\n", column_header("j", F));
  stat_row("moving_mean (the layer's)", mm);
  stat_row("= 0.99 * 0 + 0.01 * mu_j (by hand)", mm_hand);
  stat_row("moving_variance (the layer's)", mv);
  stat_row("= 0.99 * 1 + 0.01 * var_j (by hand)", mv_hand);
  fmt::print("  max |layer - by hand| = {:.1e} (the layer keeps them in float32)\n", worst_moving);
  const Tensor y_inf = model.forward(x, Mode::Inference);
  double worst_inf = 0;
  float largest_inf = 0;
  for (long i = 0; i < M; ++i)
    for (long j = 0; j < F; ++j) {
      const size_t J = size_t(j);
      const double by_hand =
          gamma[J] * (x.at({i, j}) - double(moving_mean[j])) / std::sqrt(moving_var[j] + eps) + beta[J];
      worst_inf = std::max(worst_inf, std::fabs(by_hand - y_inf.at({i, j})));
      largest_inf = std::max(largest_inf, std::fabs(y_inf.at({i, j})));
    }
  fmt::print("\n  In Mode::Inference the layer uses them in place of the batch's mu_j and var_j:\n"
             "    y_ij = gamma_j * (x_ij - moving_mean_j) / sqrt(moving_variance_j + eps) + beta_j\n"
             "  max |by hand - layer| in inference = {:.1e}, float32 rounding again: after one step the moving\n"
             "  statistics are still near 0 and 1, so inference barely normalizes and |y_ij| reaches {:.2f}.\n\n",
             worst_inf, largest_inf);

  fmt::print("  The thread counts \"4 variables (i.e. mu, sigma, beta and gamma), each having 50 dimensions\".\n"
             "  In the formula all four are vectors with one entry per feature j. What the layer stores, and\n"
             "  the summary counts, is:\n");
  const char* role[] = {
      "gamma_j: the scale, learned by gradient descent", "beta_j: the shift, learned by gradient descent",
      "running average of mu_j; replaces mu_j in inference", "running average of var_j; replaces var_j in inference"};
  int r = 0;
  for (const Parameter* p : bn_layer->weights())
    fmt::print("    {:<16} shape {:<5} {:<14} {}\n", p->name, p->value.shape().str(),
               p->trainable() ? "trainable" : "non-trainable", role[r++]);
  fmt::print("  The batch's own mu_j and sigma_j are not stored: training recomputes them from every batch.\n"
             "  So 4 x {} = {} parameters, 2 x {} = {} trainable and 2 x {} = {} non-trainable; with the thread's\n"
             "  50 features that is 200, 100 and 100:\n\n",
             F, 4 * F, F, 2 * F, F, 2 * F);
  model.summary(std::cout);
  fmt::print("\n");
}

// Part 4b: a (2, 3, 3, 2) NHWC batch: per-channel statistics over (N, H, W), and the same
// numbers from a BatchNormalization over the (N*H*W) x C matrix.
void explain_images() {
  constexpr long N = 2, H = 3, W = 3, C = 2, M = N * H * W;
  constexpr double eps = 1e-3;
  const std::vector<float> gamma = {2.0f, 0.5f}, beta = {1.0f, -1.0f};
  const double center[C] = {10, -2}, spread[C] = {4, 1};  // quarters again
  Tensor x({N, H, W, C});
  Rng rng(2020);
  for (long i = 0; i < x.size(); ++i)
    x[i] = float(std::round(4 * (center[i % C] + spread[i % C] * rng.uniform(-1.0f, 1.0f))) / 4);

  auto image_bn = BatchNormalization();
  image_bn->build(Shape{Shape::kNone, H, W, C});
  set_gamma_beta(*image_bn, gamma, beta);
  const Tensor y = image_bn->forward(x, Mode::Training);

  fmt::print("-- 4b) Image data: a seeded batch (N, H, W, C) = ({}, {}, {}, {}), gamma = [{}, {}], beta = [{}, {}],\n"
             "       forward in Mode::Training. Each channel c has one mu_c and one sigma_c, over all\n"
             "       N*H*W = {} positions. Laid out as the (N*H*W) x C = {} x {} matrix (one row per position):\n\n",
             N, H, W, C, gamma[0], gamma[1], beta[0], beta[1], M, M, C);
  fmt::print("  {:>11} {:>10} {:>10}   {:>10} {:>10}\n", "(n, h, w)", "x[.., 0]", "x[.., 1]", "y[.., 0]", "y[.., 1]");
  for (long r = 0; r < M; ++r)
    fmt::print("  {:>11} {:>10.2f} {:>10.2f}   {:>10.6f} {:>10.6f}\n",
               fmt::format("({}, {}, {})", r / (H * W), (r / W) % H, r % W), x[r * C], x[r * C + 1], y[r * C],
               y[r * C + 1]);

  std::vector<double> mu, var, sigma(C), y_mean, y_var, y_std(C), expected_std(C);
  column_stats(x, M, C, mu, var);
  column_stats(y, M, C, y_mean, y_var);
  for (long c = 0; c < C; ++c) {
    const size_t k = size_t(c);
    sigma[k] = std::sqrt(var[k] + eps);
    y_std[k] = std::sqrt(y_var[k]);
    expected_std[k] = gamma[k] * std::sqrt(var[k] / (var[k] + eps));
  }
  fmt::print("\n{}\n", column_header("c", C));
  stat_row("m = N*H*W values per statistic", {double(M), double(M)}, 0);
  stat_row("mu_c = mean over (N, H, W)", mu);
  stat_row("var_c = variance over (N, H, W), 1/m", var);
  stat_row("sigma_c = sqrt(var_c + eps)", sigma);
  stat_row("gamma_c", {gamma.begin(), gamma.end()}, 1);
  stat_row("beta_c", {beta.begin(), beta.end()}, 1);
  stat_row("after the layer: mean of y over (N, H, W)", y_mean);
  stat_row("after the layer: std of y over (N, H, W), 1/m", y_std);
  stat_row("gamma_c * sqrt(var_c / (var_c + eps))", expected_std);
  fmt::print("  Each channel comes out with mean beta_c and standard deviation gamma_c, up to eps: its std is\n"
             "  gamma_c * sqrt(var_c / (var_c + eps)), a hair under gamma_c.\n\n");

  // The same numbers from a BatchNormalization over the (N*H*W) x C matrix: a channel of an
  // image batch is a feature whose m samples are the positions.
  Tensor flat = x;
  flat.reshape({M, C});
  auto matrix_bn = BatchNormalization();
  matrix_bn->build(Shape{Shape::kNone, C});
  set_gamma_beta(*matrix_bn, gamma, beta);
  const Tensor y_flat = matrix_bn->forward(flat, Mode::Training);
  const Moments image_m = moments(x, {0, 1, 2}), flat_m = moments(flat, {0});
  double worst = 0;
  for (long i = 0; i < y.size(); ++i) worst = std::max(worst, double(std::fabs(y[i] - y_flat[i])));
  fmt::print("  The same batch as the table x2 = x reshaped to (N*H*W, C) = ({}, {}), through a second\n"
             "  BatchNormalization built for (None, {}) with the same gamma and beta:\n\n",
             M, C, C);
  fmt::print("{}\n", column_header("c", C));
  stat_row("moments(x, {0, 1, 2}).mean", {image_m.mean[0], image_m.mean[1]});
  stat_row("moments(x2, {0}).mean", {flat_m.mean[0], flat_m.mean[1]});
  stat_row("moments(x, {0, 1, 2}).variance", {image_m.variance[0], image_m.variance[1]});
  stat_row("moments(x2, {0}).variance", {flat_m.variance[0], flat_m.variance[1]});
  const Tensor &mm_image = image_bn->weight("moving_mean").value, &mm_flat = matrix_bn->weight("moving_mean").value;
  stat_row("moving_mean after the step, image layer", {mm_image[0], mm_image[1]});
  stat_row("moving_mean after the step, table layer", {mm_flat[0], mm_flat[1]});
  fmt::print("  max |y (images) - y (table)| = {:.1e}: the same numbers. A BatchNormalization on images is\n"
             "  one on the (N*H*W) x C matrix; that is why the thread's image layer has 4 x C = 4 x 30 = 120\n"
             "  parameters, whatever H and W are.\n",
             worst);
}

}  // namespace

const char* const kUsage =
    "Usage: keras_summaries\n"
    "\n"
    "The two models of the thread \"What exactly is Batch Normalization doing?\": their Keras\n"
    "summaries, why BatchNormalization has 4 x C parameters of which 2 x C are non-trainable, what\n"
    "training and inference mode do to it, and its formula computed by hand next to the layer's\n"
    "output.\n"
    "\n"
    "  --style keras3|torchinfo  print only the two models' summaries, in Keras 3's style or as\n"
    "                            torchinfo shows them to a PyTorch user (docs/summary.md)\n";

namespace {

// --style: the two seed models' summaries in another style, and nothing else.
void print_styled(SummaryStyle style) {
  clear_session();
  const examples::SeedModel tabular = examples::seed_tabular_model();
  tabular.model->summary(std::cout, {.style = style});
  fmt::print("\n");
  clear_session();
  const examples::SeedModel image = examples::seed_image_model();
  image.model->summary(std::cout, {.style = style});
}

SummaryStyle parse_style(const std::string& flag, const char* text) {
  const std::string v = text;
  if (v == "keras3") return SummaryStyle::Keras3;
  if (v == "torchinfo") return SummaryStyle::Torchinfo;
  throw ConfigError(fmt::format("{} expects keras3 or torchinfo, but received '{}'", flag, v));
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<SummaryStyle> style;
  examples::FlagParser(kUsage)
      .value("--style", [&](const std::string& flag, const char* v) { style = parse_style(flag, v); })
      .parse_or_exit("keras_summaries", argc, argv);
  if (style) {
    print_styled(*style);
    return 0;
  }
  fmt::print("== 1) Tabular data: Input(30) -> Dense(50) -> BatchNormalization -> Dense(5)\n\n");
  fmt::print("The thread's notebook had run cells before, so Keras had already counted some layers; with the\n"
             "same names the summary is the thread's, line for line:\n\n");
  {
    auto inp = Input({30}, "input_3");
    auto x = Dense(DenseOptions{.units = 50, .name = "dense_2"})(inp);
    auto bn = BatchNormalization({.name = "batch_normalization_2"})(x);
    auto out = Dense(DenseOptions{.units = 5, .name = "dense_4"})(bn);
    Model model(inp, out, "model_2");
    model.summary(std::cout);
  }

  clear_session();
  fmt::print("\nThe same model in a fresh session (clear_session()), as C++:\n\n"
             "  auto inp = Input({{30}});\n"
             "  auto x = Dense(50)(inp);\n"
             "  auto bn = BatchNormalization()(x);\n"
             "  auto out = Dense(5)(bn);\n"
             "  Model model(inp, out);\n\n");
  const examples::SeedModel tabular_seed = examples::seed_tabular_model();  // examples/seed_models.h
  Model& tabular = *tabular_seed.model;
  const auto& bn_layer = tabular_seed.bn;
  tabular.summary(std::cout);
  examples::write_diagram(tabular, "minnow-out/keras_summaries", "tabular");

  fmt::print("\nWhy 200 parameters for BatchNormalization? It keeps 4 vectors of C = 50 values, one entry per\n"
             "feature j:\n");
  for (const Parameter* p : bn_layer->weights())
    fmt::print("  {:<16} shape {:<6} {:>3} values  {}\n", p->name, p->value.shape().str(), p->size(),
               p->trainable() ? "trainable (learned by gradient descent)"
                              : "non-trainable (a moving average, updated in training mode)");
  fmt::print("  4 x 50 = 200 parameters; gamma and beta (2 x 50 = 100) are trained, the moving statistics\n"
             "  (2 x 50 = 100) are not: that is the summary's 'Non-trainable params: 100'.\n"
             "  2,005 = 1,550 (Dense 30*50 + 50) + 200 (BatchNormalization 4*50) + 255 (Dense 50*5 + 5).\n\n");

  fmt::print("== 2) Image data: Input(100,200,3) -> Conv2D(30,(4,4),padding='same') -> BatchNormalization -> "
             "Flatten -> Dense(10)\n\n");
  clear_session();
  const examples::SeedModel image_seed = examples::seed_image_model();
  Model& image = *image_seed.model;
  const auto& img_bn_layer = image_seed.bn;
  image.summary(std::cout);
  examples::write_diagram(image, "minnow-out/keras_summaries", "image");
  fmt::print("\nFor images (N, H, W, C) BatchNormalization keeps one statistic per channel, over all N*H*W\n"
             "positions: 4 x C = 4 x 30 = 120 parameters, 60 of them (moving_mean, moving_variance)\n"
             "non-trainable. Conv2D: 4*4*3*30 + 30 = 1,470. Dense: 600,000*10 + 10 = 6,000,010.\n\n");

  fmt::print("== 3) Training vs inference mode\n\n");
  fmt::print("Tabular model, a seeded batch of 64 samples (values ~ N(3, 2)):\n");
  show_modes(tabular, *bn_layer, seeded_batch({64, 30}, 1, 3.0f, 2.0f));
  fmt::print("Image model, a seeded batch of 2 images of 100x200x3 (values ~ N(0.5, 0.25)):\n");
  show_modes(image, *img_bn_layer, seeded_batch({2, 100, 200, 3}, 2, 0.5f, 0.25f));

  fmt::print("== 4) What BatchNormalization computes, with the numbers: y_ij = gamma_j * (x_ij - mu_j) / sigma_j + "
             "beta_j\n\n");
  explain_tabular();
  explain_images();
  return 0;
}
