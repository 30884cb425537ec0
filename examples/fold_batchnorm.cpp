// fold_batchnorm: folds every BatchNormalization of the Fashion-MNIST CNN into the Conv2D or
// Dense before it (core/fold.h), for inference:
//     W' = W * gamma / sqrt(moving_variance + epsilon)       per output channel
//     b' = (b - moving_mean) * gamma / sqrt(moving_variance + epsilon) + beta
// It prints both summaries, checks that both models give the same outputs on a batch and times
// them. The model is untrained, but its moving statistics are not the initial 0 / 1: a few
// training-mode forward passes over synthetic images have moved them, and gamma / beta get
// seeded values, so the folding has real numbers to fold.
//   fold_batchnorm [--passes 20] [--batch 64]
#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/minnow.h"
#include "examples/fashion_mnist_cnn.h"
#include "examples/flags.h"

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

}  // namespace

int main(int argc, char** argv) try {
  int passes = 20;
  long batch = 64;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      fmt::print("usage: fold_batchnorm [--passes N] [--batch N]\n");
      return 0;
    }
    if (i + 1 >= argc) throw ConfigError(fmt::format("{} needs a value (see --help)", a));
    const char* v = argv[++i];
    if (a == "--passes") passes = int(examples::parse_long(a, v, 1));
    else if (a == "--batch") batch = examples::parse_long(a, v, 1);
    else throw ConfigError(fmt::format("unknown flag '{}' (see --help)", a));
  }

  // The CNN of examples/fashion_mnist.cpp.
  Sequential model;
  examples::add_fashion_mnist_cnn(model);

  // Non-trivial BatchNormalization state: seeded gamma / beta, moving statistics from training passes.
  std::uint64_t seed = 7;
  for (const auto& l : model.layers())
    if (l->class_name() == "BatchNormalization") {
      Rng rng(seed++);
      for (float& v : l->weight("gamma").value.values()) v = rng.uniform(0.5f, 1.5f);
      for (float& v : l->weight("beta").value.values()) v = rng.uniform(-0.5f, 0.5f);
    }
  for (int step = 0; step < 30; ++step) model.forward(synthetic_images(32, 100 + step), Mode::Training);

  model.summary(std::cout, SummaryOptions{.show_weights = true});
  const Tensor x = synthetic_images(batch, 1);
  const FoldResult folded = fold_batch_norm(model, x);
  fmt::print("\nFolded: {}\n\n", fmt::join(folded.folds, ", "));
  folded.model->summary(std::cout);

  fmt::print("\nParameters: {} -> {} ({} fewer: the BatchNormalizations' gamma, beta, moving_mean and "
             "moving_variance)\n",
             group_thousands(model.count_params()), group_thousands(folded.model->count_params()),
             group_thousands(model.count_params() - folded.model->count_params()));
  fmt::print("Max |original - folded| on a batch of {}: {:.2e} (outputs up to {:.3f})\n", batch, folded.max_abs_diff,
             folded.max_abs_output);

  const auto [t_orig, t_fold] = median_ms(model, *folded.model, x, passes);
  fmt::print("One inference pass of a batch of {} (median of {}): original {:.1f} ms, folded {:.1f} ms, "
             "speed-up x{:.2f}\n",
             batch, passes, t_orig, t_fold, t_orig / t_fold);
  return folded.max_abs_diff <= 1e-4 * std::max(1.0, folded.max_abs_output) ? 0 : 1;
} catch (const minnow::Error& e) {
  fmt::print(stderr, "fold_batchnorm: {}\n", e.what());
  return 1;
}
