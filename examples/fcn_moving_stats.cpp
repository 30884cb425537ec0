// fcn_moving_stats: seed 001, "Batch Normalization - 1: Using tf.nn.batch_normalization".
//
// A 2-layer fully convolutional network with BatchNormalization, trained to give back its RGB
// input image (the blog's 512x512x3 in, 512x512x3 out, saved as a picture):
//   Conv2D(16, 3x3, same) -> BatchNormalization -> ReLU -> Conv2D(3, 3x3, same) -> BatchNormalization
// (convolutions without bias), mean squared error against the input, Adam.
// It shows the bookkeeping the blog explains:
//   - the trainable variables (gamma, beta, kernels, biases) and, apart, the non-trainable moving
//     statistics, which gradient descent never touches;
//   - how moving_mean and moving_variance follow the batch statistics during training, step by
//     step, with momentum 0.9 (the blog's decay), printed after every epoch;
//   - that at test time BatchNormalization uses the moving statistics;
//   - the same network with each BatchNormalization written with the low-level ops (moments,
//     batch_normalization, moving averages updated by hand: tf.nn.batch_normalization style),
//     trained side by side on the same batches: it gives the same numbers.
// The network pieces and the low-level version are in fcn_moving_stats.h.
//
// Flags: --size N (64; the blog: 512), --images N (8), --batch-size N (2), --epochs N (20),
//        --learning-rate F (0.03), --show-steps N (steps printed one by one, 8), --seed N (1),
//        --image FILE (a PNG or binary PPM: training image 0 instead of a synthetic picture),
//        --out DIR (minnow-out/fcn_moving_stats)
#include "examples/fcn_moving_stats.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "examples/diagram.h"
#include "examples/flags.h"
#include "plot/image.h"
#include "plot/plot.h"

using namespace minnow;
using namespace minnow::seed001;

namespace {

struct Flags {
  long size = 64, images = 8, batch_size = 2, epochs = 20, show_steps = 8;
  float learning_rate = 0.03f;
  std::uint64_t seed = 1;
  std::string image, out = "minnow-out/fcn_moving_stats";
};

const char* const kUsage =
    "Usage: fcn_moving_stats [--size N] [--images N] [--batch-size N] [--epochs N] [--learning-rate F]\n"
    "                        [--show-steps N] [--seed N] [--image FILE] [--out DIR]\n"
    "\n"
    "Trains a 2-layer fully convolutional network with BatchNormalization to give back its input\n"
    "image, and shows the moving statistics following the batch statistics step by step.\n"
    "\n"
    "  --size N            the images' side in pixels, >= 4 (default 64; the blog: 512)\n"
    "  --images N          training images (default 8)\n"
    "  --batch-size N      images per step (default 2)\n"
    "  --epochs N          passes over the images (default 20)\n"
    "  --learning-rate F   Adam's learning rate (default 0.03)\n"
    "  --show-steps N      steps printed one by one (default 8)\n"
    "  --seed N            the weights, the pictures and the batch order (default 1)\n"
    "  --image FILE        a PNG or binary PPM as training image 0 instead of a synthetic picture\n"
    "  --out DIR           where the pictures go (default minnow-out/fcn_moving_stats)\n";

Flags parse(int argc, char** argv) {
  Flags f;
  examples::FlagParser p(kUsage);
  p.value("--size", [&](const std::string& a, const char* v) { f.size = examples::parse_long(a, v, 4); });
  p.value("--images", [&](const std::string& a, const char* v) { f.images = examples::parse_long(a, v, 1); });
  p.value("--batch-size", [&](const std::string& a, const char* v) { f.batch_size = examples::parse_long(a, v, 1); });
  p.value("--epochs", [&](const std::string& a, const char* v) { f.epochs = examples::parse_long(a, v, 1); });
  p.value("--show-steps", [&](const std::string& a, const char* v) { f.show_steps = examples::parse_long(a, v, 0); });
  p.value("--seed",
          [&](const std::string& a, const char* v) { f.seed = std::uint64_t(examples::parse_long(a, v, 0)); });
  p.value("--learning-rate",
          [&](const std::string& a, const char* v) { f.learning_rate = examples::parse_positive_float(a, v); });
  p.value("--image", [&](const std::string&, const char* v) { f.image = v; });
  p.value("--out", [&](const std::string&, const char* v) { f.out = v; });
  p.parse(argc, argv);
  return f;
}

// The picture in `path`, cropped to a centred square and resized to size x size, as (1, size, size, 3).
Tensor load_picture(const std::string& path, long size) {
  Image img = to_rgb(read_image(path));
  const long side = std::min(img.width, img.height);
  Image square(side, side, 3);
  paste(square, img, -(img.width - side) / 2, -(img.height - side) / 2);
  return to_tensor(resize(square, size, size));
}

std::string values(const Tensor& t, long from, long to) {
  std::string s;
  for (long i = from; i < std::min(to, t.size()); ++i) s += fmt::format("{:8.4f}", t[i]);
  return s;
}

// Prints a (C,) statistic, eight values per line.
void print_stat(const std::string& layer, const std::string& name, const Tensor& t) {
  for (long i = 0; i < t.size(); i += 8)
    fmt::print("    {:<24} {:<16}{}\n", i == 0 ? layer : "", i == 0 ? name : "", values(t, i, i + 8));
}

void list_variables(const Model& model, bool trainable) {
  for (const auto& layer : model.layers())
    for (Parameter* p : trainable ? layer->trainable_weights() : layer->non_trainable_weights())
      fmt::print("    {:<40} shape={}\n", layer->name() + "/" + p->name + ":0", p->value.shape());
}

// What the moving-statistics plots show, per step, for the first BatchNormalization.
struct Trace {
  std::vector<double> step, loss_layers, loss_low;
  std::vector<std::vector<double>> batch_mean, moving_mean, batch_var, moving_var;  // [channel][step]
};

Image stats_plot(const Trace& tr, bool mean, float momentum) {
  std::vector<Series> series;
  for (size_t c = 0; c < 3; ++c) {
    const Rgb color = series_color(long(c));
    series.push_back({.x = tr.step,
                      .y = mean ? tr.batch_mean[c] : tr.batch_var[c],
                      .color = color,
                      .markers = true,
                      .thickness = 0});
    series.push_back({.label = fmt::format("channel {}", c),
                      .x = tr.step,
                      .y = mean ? tr.moving_mean[c] : tr.moving_var[c],
                      .color = color});
  }
  const std::string what = mean ? "mean" : "variance";
  return line_plot(
      series,
      {.title = fmt::format("First BatchNormalization: batch {0} (dots), moving_{0} (lines)", what),
       .xlabel = "training step",
       .ylabel = what,
       .notes = {fmt::format("after every step: moving = {:g} * moving + {:g} * batch", momentum, 1.0f - momentum)},
       .width = 900,
       .height = 520});
}

// The two networks side by side, and what they recorded.
struct Experiment {
  Flags flags;
  Tensor train, test, first;  // training images, the test image, training image 0
  std::unique_ptr<Sequential> model;
  std::vector<std::pair<std::string, Layer*>> bns;  // the two BatchNormalization layers
  std::unique_ptr<LowLevelFcn> low;
  Trace trace;
  Tensor before_first, before_test;  // test-time outputs before training
};

void make_data(Experiment& ex) {
  const Flags& f = ex.flags;
  const long S = f.size;
  fmt::print("== The data ==\n");
  ex.train = make_images(f.images, S, f.seed);
  ex.test = make_images(1, S, f.seed + 1000);
  if (!f.image.empty()) {
    const Tensor pic = load_picture(f.image, S);
    std::copy_n(pic.data(), pic.size(), ex.train.data());
    fmt::print("Training image 0 is {} (its centre square, resized to {}x{}).\n", f.image, S, S);
  }
  ex.first = Tensor(Shape{1, S, S, 3}, {ex.train.data(), ex.train.data() + S * S * 3});
  fmt::print("{} RGB training images {} with values in [0, 1] (synthetic: colour gradients with discs and\n"
             "rectangles, seed {}) and one more as the test image. The blog used 512x512 pictures: --size 512.\n\n",
             f.images, ex.train.shape(), f.seed);
}

void make_networks(Experiment& ex) {
  const long S = ex.flags.size;
  fmt::print("== The network: 2 convolutions, each followed by BatchNormalization; output {}x{}x3 ==\n", S, S);
  ex.model = build_fcn(S);
  ex.model->summary(std::cout);
  examples::write_diagram(*ex.model, ex.flags.out, "model");
  const auto& layers = ex.model->layers();  // conv2d, batch_normalization, re_lu, conv2d_1, batch_normalization_1
  ex.bns = {{layers[1]->name(), layers[1].get()}, {layers[4]->name(), layers[4].get()}};
  fmt::print("The convolutions have no bias (use_bias = false), as usual before BatchNormalization: it subtracts\n"
             "the batch mean right after, so a bias would change nothing (its gradient is 0 up to rounding).\n"
             "BatchNormalization: momentum {} and epsilon {:g}, the values of the blog's code.\n",
             kMomentum, kEpsilon);
  fmt::print("\nThe trainable variables, what the optimizer updates (no moving statistics among them):\n");
  list_variables(*ex.model, true);
  fmt::print("The non-trainable variables, updated by the forward pass in training mode, never by gradients:\n");
  list_variables(*ex.model, false);
  ex.before_first = ex.model->predict(ex.first), ex.before_test = ex.model->predict(ex.test);

  ex.low = std::make_unique<LowLevelFcn>(*ex.model, S);
  fmt::print("\n== The low-level twin ==\n"
             "The same network with each BatchNormalization written with the ops, as the blog does with\n"
             "tf.nn.moments and tf.nn.batch_normalization; its moving statistics are tensors we update by hand:\n"
             "    mean, variance  = moments(x, {{0, 1, 2}})                      per channel, over batch*H*W\n"
             "    moving_mean     = {0} * moving_mean + {1:.1f} * mean              every training call\n"
             "    moving_variance = {0} * moving_variance + {1:.1f} * variance\n"
             "    y = batch_normalization(x, mean, variance, beta, gamma, {2:g})                training\n"
             "    y = batch_normalization(x, moving_mean, moving_variance, beta, gamma, {2:g})  test time\n"
             "It starts from a copy of the weights above, sees the same batches, takes its gradients from the\n"
             "formulas (B1)-(B3) of layers/batch_normalization.h and has its own Adam optimizer. What that\n"
             "optimizer updates: 2 kernels, 2 gammas, 2 betas. The moving statistics are not in its list.\n\n",
             kMomentum, 1.0f - kMomentum, kEpsilon);
}

// One training step of both networks on batch xb; prints it when asked and records it.
void train_step(Experiment& ex, const Tensor& xb, Adam& low_optimizer, bool print, double& loss, double& worst_output,
                double& worst_loss) {
  const auto& layers = ex.model->layers();
  Parameter& mm = ex.bns[0].second->weight("moving_mean");
  const float before = mm.value[0];
  loss = ex.model->train_on_batch(xb, xb).at("loss");             // forward, loss, backward, Adam
  const Moments batch = moments(layers[0]->output(), {0, 1, 2});  // what BN-1 normalized with
  // The low-level twin: the same step, written out.
  const Tensor y = ex.low->forward(xb, Mode::Training);
  Tensor grad;
  const double low_loss = MeanSquaredError().compute(y, xb, &grad);
  ex.low->backward(grad);
  low_optimizer.apply_gradients(ex.low->trainable());
  worst_output = std::max(worst_output, max_abs_diff(y, layers[4]->output()));
  worst_loss = std::max(worst_loss, std::fabs(loss - low_loss));
  Trace& tr = ex.trace;
  tr.step.push_back(double(tr.step.size() + 1)), tr.loss_layers.push_back(loss), tr.loss_low.push_back(low_loss);
  for (size_t c = 0; c < 3; ++c) {
    tr.batch_mean[c].push_back(batch.mean[long(c)]), tr.batch_var[c].push_back(batch.variance[long(c)]);
    tr.moving_mean[c].push_back(mm.value[long(c)]);
    tr.moving_var[c].push_back(ex.bns[0].second->weight("moving_variance").value[long(c)]);
  }
  if (print)
    fmt::print("  {:4}   {:13.6f}  {:16.6f} |  {:10.6f}   {:10.6f} -> {:<10.6f}   {:.6f}\n", tr.step.size(), loss,
               low_loss, batch.mean[0], before, mm.value[0], kMomentum * before + (1 - kMomentum) * batch.mean[0]);
}

void train(Experiment& ex) {
  const Flags& f = ex.flags;
  ex.model->compile(std::make_shared<Adam>(AdamOptions{.learning_rate = f.learning_rate}),
                    std::make_shared<MeanSquaredError>());
  Adam low_optimizer({.learning_rate = f.learning_rate});
  const long steps = (f.images + f.batch_size - 1) / f.batch_size;
  fmt::print("== Training: {} epochs of {} steps (batch size {}), Adam(learning_rate={:g}), mean squared error "
             "against the input ==\n",
             f.epochs, steps, f.batch_size, f.learning_rate);
  fmt::print("The first {} steps one by one. BatchNormalization '{}', channel 0: the batch mean it normalizes\n"
             "with, and its moving_mean before and after the step, which must be {} * before + {:.1f} * batch mean\n"
             "(up to float rounding in the last digit).\n\n",
             f.show_steps, ex.bns[0].first, kMomentum, 1.0f - kMomentum);
  fmt::print("  step   loss (layers)  loss (low level) |  batch mean   moving_mean before -> after   {} * before + "
             "{:.1f} * batch\n",
             kMomentum, 1.0f - kMomentum);
  Trace& tr = ex.trace;
  tr.batch_mean.resize(3), tr.moving_mean.resize(3), tr.batch_var.resize(3), tr.moving_var.resize(3);
  Rng order_rng(f.seed);
  std::vector<long> order(size_t(f.images));
  double worst_output = 0, worst_loss = 0;
  Tensor xb;
  for (long epoch = 1; epoch <= f.epochs; ++epoch) {
    for (long i = 0; i < f.images; ++i) order[size_t(i)] = i;
    for (long i = f.images - 1; i > 0; --i) std::swap(order[size_t(i)], order[order_rng.below(std::uint64_t(i + 1))]);
    double epoch_loss = 0, loss = 0;
    for (long s = 0; s < steps; ++s) {
      take_rows(ex.train, order, s * f.batch_size, std::min(f.images, (s + 1) * f.batch_size), xb);
      train_step(ex, xb, low_optimizer, long(tr.step.size()) < f.show_steps, loss, worst_output, worst_loss);
      epoch_loss += loss;
    }
    const Differences d = compare(*ex.model, *ex.low);
    fmt::print("  epoch {:2}: mean loss {:.6f}; the moving statistics (the first 8 channels):\n", epoch,
               epoch_loss / double(steps));
    for (const auto& [name, bn] : ex.bns) {
      fmt::print("    {:<22} moving_mean     {}\n", name, values(bn->weight("moving_mean").value, 0, 8));
      fmt::print("    {:<22} moving_variance {}\n", "", values(bn->weight("moving_variance").value, 0, 8));
    }
    fmt::print(
        "    low level vs layers, max |difference|: moving_mean {:.3g}, moving_variance {:.3g}, weights {:.3g}\n",
        d.moving_mean, d.moving_variance, d.weights);
  }
  fmt::print("\nAfter training, every channel:\n");
  for (const auto& [name, bn] : ex.bns) {
    print_stat(name, "moving_mean", bn->weight("moving_mean").value);
    print_stat("", "moving_variance", bn->weight("moving_variance").value);
  }
  fmt::print("Over all {} steps, max |difference| low level vs layers: outputs {:.3g}, losses {:.3g}.\n\n",
             tr.step.size(), worst_output, worst_loss);
}

void test_time(Experiment& ex) {
  const auto& layers = ex.model->layers();
  fmt::print("== Test time: Mode::Inference ==\n");
  const Tensor after_first = ex.model->predict(ex.first), after_test = ex.model->predict(ex.test);
  const Moments own = moments(layers[0]->output(), {0, 1, 2});  // BN-1's input for the test image
  const Tensor low_test = ex.low->forward(ex.test, Mode::Inference);
  Layer& bn = *ex.bns[0].second;
  fmt::print("BatchNormalization now normalizes with moving_mean and moving_variance, not with the statistics\n"
             "of the batch in front of it (here one test image). BatchNormalization '{}', channel 0:\n"
             "  the image's own mean {:.6f} and variance {:.6f}; used: moving_mean {:.6f}, moving_variance {:.6f}\n",
             ex.bns[0].first, own.mean[0], own.variance[0], bn.weight("moving_mean").value[0],
             bn.weight("moving_variance").value[0]);
  fmt::print("  layers (predict) vs low level (batch_normalization with the moving statistics): max |difference| "
             "{:.3g}\n",
             max_abs_diff(after_test, low_test));
  const MeanSquaredError mse;
  fmt::print("  mean squared error against the input: before training {:.6f}, after training {:.6f}\n\n",
             mse.compute(ex.before_test, ex.test, nullptr), mse.compute(after_test, ex.test, nullptr));

  const long up = std::max(1L, 192 / ex.flags.size);
  auto pic = [&](const Tensor& t) { return to_image(t, {.low = 0.0f, .high = 1.0f, .upscale = up}); };
  const std::string dir = ex.flags.out + "/";
  write_png(pic(ex.test), dir + "test_input.png");
  write_png(pic(after_test), dir + "test_output.png");
  write_png(image_grid({pic(ex.first), pic(ex.before_first), pic(after_first), pic(ex.test), pic(ex.before_test),
                        pic(after_test)},
                       {"training image 0", "output before training", "output after training", "test image",
                        "output before training", "output after training"},
                       3, "Input and output (test time: moving statistics)"),
            dir + "images.png");
  const Trace& tr = ex.trace;
  write_png(stats_plot(tr, true, kMomentum), dir + "moving_mean.png");
  write_png(stats_plot(tr, false, kMomentum), dir + "moving_variance.png");
  write_png(line_plot({{.label = "layers", .x = tr.step, .y = tr.loss_layers},
                       {.label = "low level", .x = tr.step, .y = tr.loss_low, .markers = true, .thickness = 0}},
                      {.title = "Training loss: layers and low-level ops",
                       .xlabel = "training step",
                       .ylabel = "mean squared error"}),
            dir + "loss.png");
  fmt::print("Pictures in {}: test_input.png, test_output.png; images.png (inputs and outputs before and\n"
             "after training); moving_mean.png, moving_variance.png (batch vs moving statistics, every step);\n"
             "loss.png (both networks' training loss).\n",
             dir);
}

}  // namespace

int main(int argc, char** argv) try {
  Experiment ex;
  ex.flags = parse(argc, argv);
  std::filesystem::create_directories(ex.flags.out);
  set_random_seed(ex.flags.seed);
  make_data(ex);
  make_networks(ex);
  train(ex);
  test_time(ex);
  return 0;
} catch (const minnow::Error& e) {
  fmt::print(stderr, "fcn_moving_stats: {}\n", e.what());
  return 1;
}
