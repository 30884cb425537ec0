// fold_batchnorm: trains the Fashion-MNIST CNN briefly, then folds every BatchNormalization
// into the Conv2D or Dense before it (tools/fold.h), for inference:
//     W' = W * gamma / sqrt(moving_variance + epsilon)       per output channel
//     b' = (b - moving_mean) * gamma / sqrt(moving_variance + epsilon) + beta
// It prints both summaries, checks that both models give the same outputs on a batch of test
// images and the same test accuracy, and times them. The training is short (200 steps of 16
// images, one pass over the first 3,200 training images, with BatchNormalization momentum 0.9 so
// the moving statistics catch up in that many steps): enough for gamma, beta and the moving
// statistics to be real, trained numbers, not for the best accuracy (fashion_mnist trains longer).
// Without Fashion-MNIST installed, or with --train-steps 0, the model is untrained instead: gamma
// and beta are drawn from a seed and 30 training-mode passes over synthetic images move the
// moving statistics, so the folding still has numbers to fold.
//   fold_batchnorm [--train-steps 200] [--passes 20] [--batch 64] [--data DIR]
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "examples/diagram.h"
#include "examples/fashion_mnist_cnn.h"
#include "examples/flags.h"
#include "minnow.h"

using namespace minnow;

namespace {

Tensor synthetic_images(long n, std::uint64_t seed) {
  Tensor t({n, 28, 28, 1});
  Rng rng(seed);
  for (float& v : t.values()) v = rng.uniform(0.0f, 1.0f);
  return t;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// The median milliseconds of one inference pass of each model on x, over `passes` passes
// taken in turns (a, b, a, b, ...), so a machine that gets busier slows both alike.
std::pair<double, double> median_ms(Model& a, Model& b, const Tensor& x, int passes) {
  a.forward(x, Mode::Inference);  // warm-up: buffers are allocated once
  b.forward(x, Mode::Inference);
  std::vector<double> ta, tb;
  for (int i = 0; i < passes; ++i) {
    auto start = std::chrono::steady_clock::now();
    a.forward(x, Mode::Inference);
    ta.push_back(ms_since(start));
    start = std::chrono::steady_clock::now();
    b.forward(x, Mode::Inference);
    tb.push_back(ms_since(start));
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  return {median(ta), median(tb)};
}

// The fraction of `labels` (class indices) that `model` predicts (its largest output) in inference mode.
double accuracy(Model& model, const Tensor& x, const Tensor& labels) {
  const Tensor p = model.predict(x, 256);
  const long n = labels.size(), classes = p.size() / n;
  long right = 0;
  for (long i = 0; i < n; ++i) {
    const float* row = p.data() + i * classes;
    right += long(std::max_element(row, row + classes) - row) == long(labels[i]) ? 1 : 0;
  }
  return double(right) / double(n);
}

const char* const kUsage =
    "Usage: fold_batchnorm [--train-steps N] [--passes N] [--batch N] [--data DIR]\n"
    "\n"
    "Trains the Fashion-MNIST CNN briefly, folds each BatchNormalization into the Conv2D or Dense\n"
    "before it, checks that both models agree and times one inference pass of each.\n"
    "\n"
    "  --train-steps N   training steps of 16 images before folding (default 200); 0: no training,\n"
    "                    seeded gamma and beta and moving statistics from synthetic images instead\n"
    "  --passes N        timed inference passes of each model; the median is printed (default 20)\n"
    "  --batch N         images in the checked and timed batch (default 64)\n"
    "  --data DIR        the folder with the IDX files (default /usr/share/datasets/fashion-mnist)\n";

constexpr long kTrainBatch = 16, kTestImages = 2000;

}  // namespace

int main(int argc, char** argv) try {
  int passes = 20;
  long batch = 64, train_steps = 200;
  std::string data = default_fashion_mnist_dir();
  examples::FlagParser flags(kUsage);
  flags.value("--passes", [&](const std::string& a, const char* v) { passes = int(examples::parse_long(a, v, 1)); });
  flags.value("--batch", [&](const std::string& a, const char* v) { batch = examples::parse_long(a, v, 1); });
  flags.value("--train-steps",
              [&](const std::string& a, const char* v) { train_steps = examples::parse_long(a, v, 0); });
  flags.value("--data", [&](const std::string&, const char* v) { data = v; });
  flags.parse(argc, argv);

  // The CNN of examples/fashion_mnist.cpp, with momentum 0.9: the moving statistics average
  // over the last ~10 steps, so a few hundred steps leave nothing of their initial 0 and 1.
  set_random_seed(42);
  Sequential model;
  examples::add_fashion_mnist_cnn(model, 0.9f);
  examples::write_diagram(model, "minnow-out/fold_batchnorm", "model");

  const bool have_data = std::filesystem::exists(std::filesystem::path(data) / "t10k-labels-idx1-ubyte") ||
                         std::filesystem::exists(std::filesystem::path(data) / "t10k-labels-idx1-ubyte.gz");
  Dataset test;
  Tensor x;  // the batch the fold is checked and timed on
  if (train_steps > 0 && have_data) {
    const Dataset train = load_mnist(data, "train", train_steps * kTrainBatch);
    test = load_mnist(data, "test", std::max(kTestImages, batch));
    fmt::print("Training the CNN for {} steps of {} images (the first {} Fashion-MNIST training images, once):\n",
               train_steps, kTrainBatch, group_thousands(train.labels.size()));
    model.compile(std::make_shared<Adam>(AdamOptions{.learning_rate = 1e-3f}),
                  std::make_shared<SparseCategoricalCrossentropy>(), {"accuracy"});
    model.fit(train.images, train.labels, {.epochs = 1, .batch_size = kTrainBatch, .seed = 42, .verbose = 2});
    std::vector<long> rows(size_t(batch), 0);  // the first test images (again from the first after the last)
    for (long i = 0; i < batch; ++i) rows[size_t(i)] = i % test.labels.size();
    take_rows(test.images, rows, 0, batch, x);
    fmt::print("\n");
  } else {
    fmt::print("{}: the model is untrained; gamma and beta are drawn from a seed and 30 training-mode passes over\n"
               "synthetic images move the moving statistics, so the folding has numbers to fold.\n\n",
               train_steps == 0 ? "--train-steps 0"
                                : fmt::format("Fashion-MNIST is not installed in {} (Debian package "
                                              "dataset-fashion-mnist)",
                                              data));
    std::uint64_t seed = 7;
    for (const auto& l : model.layers())
      if (l->class_name() == "BatchNormalization") {
        Rng rng(seed++);
        for (float& v : l->weight("gamma").value.values()) v = rng.uniform(0.5f, 1.5f);
        for (float& v : l->weight("beta").value.values()) v = rng.uniform(-0.5f, 0.5f);
      }
    for (int step = 0; step < 30; ++step) model.forward(synthetic_images(32, 100 + step), Mode::Training);
    x = synthetic_images(batch, 1);
  }

  model.summary(std::cout, SummaryOptions{.show_weights = true});
  const FoldResult folded = fold_batch_norm(model, x);
  fmt::print("\nFolded: {}\n\n", fmt::join(folded.folds, ", "));
  folded.model->summary(std::cout);

  fmt::print("\nParameters: {} -> {} ({} fewer: the BatchNormalizations' gamma, beta, moving_mean and "
             "moving_variance)\n",
             group_thousands(model.count_params()), group_thousands(folded.model->count_params()),
             group_thousands(model.count_params() - folded.model->count_params()));
  fmt::print("Max |original - folded| on a batch of {}{}: {:.2e} (outputs up to {:.3f})\n", batch,
             test.labels.empty() ? " synthetic images" : " test images", folded.max_abs_diff, folded.max_abs_output);
  if (!test.labels.empty()) {
    fmt::print("Test accuracy on the first {} test images: original {:.4f}, folded {:.4f}\n", test.labels.size(),
               accuracy(model, test.images, test.labels), accuracy(*folded.model, test.images, test.labels));
  }

  const auto [t_orig, t_fold] = median_ms(model, *folded.model, x, passes);
  fmt::print("One inference pass of a batch of {} (median of {}): original {:.1f} ms, folded {:.1f} ms, "
             "speed-up x{:.2f}\n",
             batch, passes, t_orig, t_fold, t_orig / t_fold);
  return folded.max_abs_diff <= 1e-4 * std::max(1.0, folded.max_abs_output) ? 0 : 1;
} catch (const minnow::Error& e) {
  fmt::print(stderr, "fold_batchnorm: {}\n", e.what());
  return 1;
}
