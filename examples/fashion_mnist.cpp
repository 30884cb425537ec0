// fashion_mnist: a small CNN with BatchNormalization trained on the real Fashion-MNIST data
// (Debian's dataset-fashion-mnist) with Adam, with Keras' summary and progress bars.
//
//   Conv2D(32, 3x3, same) -> BatchNormalization -> ReLU -> MaxPooling2D(2)
//   Conv2D(64, 3x3, same) -> BatchNormalization -> ReLU -> MaxPooling2D(2)
//   Flatten -> Dense(128) -> BatchNormalization -> ReLU -> Dense(10, softmax)
//
// Flags: --epochs N (default 4), --batch-size N (64), --data DIR (the folder with the IDX files),
//        --limit N (train on the first N images only), --bn-momentum X (0.99, or 0.9 with --limit),
//        --seed N, --verbose 0|1|2, --no-report; --help lists them.
// Writes minnow-out/fashion_mnist/: the model's diagram, the trained weights (weights.npz, which
// `onnx_roundtrip --weights` converts to ONNX), and the training report (report.html,
// report/training_report.h) unless --no-report.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <string>

#include <fmt/format.h>

#include "examples/diagram.h"
#include "examples/fashion_mnist_cnn.h"
#include "examples/flags.h"
#include "minnow.h"
#include "report/training_report.h"

using namespace minnow;

namespace {

struct Flags {
  long epochs = 4, batch_size = 64, limit = 0;
  float bn_momentum = 0;  // 0: the default, 0.99 (Keras'), or 0.9 with --limit
  std::uint64_t seed = 42;
  int verbose = 1;
  bool report = true;
  std::string data = default_fashion_mnist_dir();
};

const char* const kUsage =
    "Usage: fashion_mnist [--epochs N] [--batch-size N] [--limit N] [--bn-momentum X] [--seed N] [--verbose 0|1|2]\n"
    "                     [--data DIR] [--no-report]\n"
    "\n"
    "Trains a small CNN with BatchNormalization on Fashion-MNIST with Adam, then evaluates it on the\n"
    "10,000 test images.\n"
    "\n"
    "  --epochs N        passes over the training images (default 4)\n"
    "  --batch-size N    images per training step (default 64)\n"
    "  --limit N         train on the first N training images only (default: all 60,000)\n"
    "  --bn-momentum X   the BatchNormalizations' momentum, in (0, 1) (default 0.99, Keras'; 0.9 with\n"
    "                    --limit: few steps need moving statistics that forget their start faster)\n"
    "  --seed N          the weights and the order of the batches (default 42)\n"
    "  --verbose 0|1|2   silent, progress bar, one line per epoch (default 1)\n"
    "  --data DIR        the folder with the IDX files (default /usr/share/datasets/fashion-mnist)\n"
    "  --no-report       do not write the training report (minnow-out/fashion_mnist/report.html)\n";

Flags parse(int argc, char** argv) {
  Flags f;
  examples::FlagParser p(kUsage);
  p.value("--epochs", [&](const std::string& a, const char* v) { f.epochs = examples::parse_long(a, v, 0); });
  p.value("--batch-size", [&](const std::string& a, const char* v) { f.batch_size = examples::parse_long(a, v, 0); });
  p.value("--limit", [&](const std::string& a, const char* v) { f.limit = examples::parse_long(a, v, 0); });
  p.value("--bn-momentum", [&](const std::string& a, const char* v) {
    f.bn_momentum = examples::parse_positive_float(a, v);
    if (!(f.bn_momentum < 1)) throw ConfigError(fmt::format("{} expects a number in (0, 1), but received '{}'", a, v));
  });
  p.value("--seed",
          [&](const std::string& a, const char* v) { f.seed = std::uint64_t(examples::parse_long(a, v, 0)); });
  p.value("--verbose", [&](const std::string& a, const char* v) { f.verbose = int(examples::parse_long(a, v, 0)); });
  p.value("--data", [&](const std::string&, const char* v) { f.data = v; });
  p.toggle("--no-report", [&] { f.report = false; });
  p.parse(argc, argv);
  if (f.bn_momentum == 0) f.bn_momentum = f.limit > 0 ? 0.9f : 0.99f;
  return f;
}

}  // namespace

int main(int argc, char** argv) try {
  const Flags flags = parse(argc, argv);
  set_random_seed(flags.seed);

  fmt::print("Loading Fashion-MNIST from {}\n", flags.data);
  Dataset train = load_mnist(flags.data, "train", flags.limit);
  Dataset test = load_mnist(flags.data, "test");
  fmt::print("  train: images {} labels {}\n  test:  images {} labels {}\n\n", train.images.shape(),
             train.labels.shape(), test.images.shape(), test.labels.shape());

  Sequential model;
  // The network above. Keras' momentum 0.99 makes the moving statistics an average over the last
  // ~100 steps, which needs a few hundred steps to forget the initial mean 0 and variance 1; a
  // --limit run may not have them, so it uses 0.9 (~10 steps) unless --bn-momentum says otherwise.
  examples::add_fashion_mnist_cnn(model, flags.bn_momentum);
  model.summary(std::cout);
  examples::write_diagram(model, "minnow-out/fashion_mnist", "model");
  fmt::print("\n");

  model.compile(std::make_shared<Adam>(AdamOptions{.learning_rate = 1e-3f}),
                std::make_shared<SparseCategoricalCrossentropy>(), {"accuracy"});
  // The test set doubles as validation data, so each epoch's line shows the test accuracy so far.
  FitOptions fit{.epochs = flags.epochs,
                 .batch_size = flags.batch_size,
                 .validation_x = &test.images,
                 .validation_y = &test.labels,
                 .seed = flags.seed,
                 .verbose = flags.verbose};
  // The rate halves after every epoch but the first (1e-3, 5e-4, 2.5e-4, ...): big steps while
  // far from a minimum, then small ones, so the last epoch settles instead of jumping around.
  LearningRateScheduler halve([](long epoch, double lr) { return epoch == 0 ? lr : lr / 2; });
  fit.callbacks = {&halve};
  // The training report, traced on the first 128 test images (report/training_report.h).
  Tensor probe_x, probe_y;
  std::vector<long> first(128);
  std::iota(first.begin(), first.end(), 0L);
  take_rows(test.images, first, 0, 128, probe_x);
  take_rows(test.labels, first, 0, 128, probe_y);
  const std::string report_path = "minnow-out/fashion_mnist/report.html";
  TrainingReport report(model, {.path = report_path, .probe_x = &probe_x, .probe_y = &probe_y});
  if (flags.report) fit.callbacks.push_back(&report);
  const History h = model.fit(train.images, train.labels, fit);

  const Logs result = model.evaluate(test.images, test.labels, 256);
  double seconds = 0;
  for (double s : h.seconds_per_epoch) seconds += s;
  fmt::print("\nTest loss {:.4f}, test accuracy {:.4f} ({} test images)\n", result.at("loss"), result.at("accuracy"),
             test.labels.size());
  fmt::print("Seconds per epoch: {:.1f} (mean over {} epochs of {} training images, batch size {})\n",
             seconds / double(h.seconds_per_epoch.size()), h.seconds_per_epoch.size(), train.labels.size(),
             flags.batch_size);
  const std::string weights_path = "minnow-out/fashion_mnist/weights.npz";
  model.save_weights(weights_path);
  fmt::print("Weights: {} (as ONNX: ./onnx_roundtrip --weights {})\n", weights_path, weights_path);
  if (flags.report)
    fmt::print("Training report: {} ({:.0f} KB; its samples and page took {:.1f} s of the {:.1f} s of training)\n",
               report_path, double(std::filesystem::file_size(report_path)) / 1024, report.seconds(), seconds);
  return 0;
} catch (const minnow::Error& e) {
  fmt::print(stderr, "fashion_mnist: {}\n", e.what());
  return 1;
}
