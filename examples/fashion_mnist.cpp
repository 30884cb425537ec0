// fashion_mnist: a small CNN with BatchNormalization trained on the real Fashion-MNIST data
// (Debian's dataset-fashion-mnist) with Adam, with Keras' summary and progress bars.
//
//   Conv2D(32, 3x3, same) -> BatchNormalization -> ReLU -> MaxPooling2D(2)
//   Conv2D(64, 3x3, same) -> BatchNormalization -> ReLU -> MaxPooling2D(2)
//   Flatten -> Dense(128) -> BatchNormalization -> ReLU -> Dense(10, softmax)
//
// Flags: --epochs N (default 4), --batch-size N (64), --data DIR (the folder with the IDX files),
//        --limit N (train on the first N images only), --seed N, --verbose 0|1|2
#include <cstdlib>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "core/minnow.h"
#include "examples/fashion_mnist_cnn.h"
#include "examples/flags.h"

using namespace minnow;

namespace {

struct Flags {
  long epochs = 4, batch_size = 64, limit = 0;
  std::uint64_t seed = 42;
  int verbose = 1;
  std::string data = default_fashion_mnist_dir();
};

Flags parse(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      fmt::print(
          "usage: fashion_mnist [--epochs N] [--batch-size N] [--data DIR] [--limit N] [--seed N] [--verbose 0|1|2]\n");
      std::exit(0);
    }
    if (i + 1 >= argc) throw ConfigError(fmt::format("{} needs a value (see --help)", a));
    const char* v = argv[++i];
    if (a == "--epochs") f.epochs = examples::parse_long(a, v, 0);
    else if (a == "--batch-size") f.batch_size = examples::parse_long(a, v, 0);
    else if (a == "--limit") f.limit = examples::parse_long(a, v, 0);
    else if (a == "--seed") f.seed = std::uint64_t(examples::parse_long(a, v, 0));
    else if (a == "--verbose") f.verbose = int(examples::parse_long(a, v, 0));
    else if (a == "--data") f.data = v;
    else throw ConfigError(fmt::format("unknown flag '{}' (see --help)", a));
  }
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
  examples::add_fashion_mnist_cnn(model);  // the network above
  model.summary(std::cout);
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
  fit.learning_rate_schedule = [](long epoch, double lr) { return epoch == 0 ? lr : lr / 2; };
  const History h = model.fit(train.images, train.labels, fit);

  const Logs result = model.evaluate(test.images, test.labels, 256);
  double seconds = 0;
  for (double s : h.seconds_per_epoch) seconds += s;
  fmt::print("\nTest loss {:.4f}, test accuracy {:.4f} ({} test images)\n", result.at("loss"), result.at("accuracy"),
             test.labels.size());
  fmt::print("Seconds per epoch: {:.1f} (mean over {} epochs of {} training images, batch size {})\n",
             seconds / double(h.seconds_per_epoch.size()), h.seconds_per_epoch.size(), train.labels.size(),
             flags.batch_size);
  return 0;
} catch (const minnow::Error& e) {
  fmt::print(stderr, "fashion_mnist: {}\n", e.what());
  return 1;
}
