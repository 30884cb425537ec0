// The INIT workload of minnow_bench: building VGG16 (Simonyan & Zisserman 2014, Keras'
// applications.VGG16 with its 1000-class top: 138,357,544 weights), which is nearly all drawing
// the initial weights (glorot_uniform kernels, zero biases). Timed with the run's threads and with
// one thread, and the two models' weights compared bit for bit: Philox keys every element by the
// weight's seed and its index, so the thread count must not change a single value.
#pragma once

#include <cstring>

#include <fmt/format.h>

#include "bench/bench_util.h"
#include "core/kernels/threading.h"
#include "minnow.h"

namespace bench {

inline void build_vgg16(minnow::Sequential& model) {
  using namespace minnow;
  model.add(Input({224, 224, 3}));
  const std::vector<std::pair<long, int>> blocks = {{64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}};
  for (const auto& [filters, convs] : blocks) {
    for (int i = 0; i < convs; ++i)
      model.add(Conv2D({.filters = filters, .kernel_size = {3, 3}, .padding = "same", .activation = "relu"}));
    model.add(MaxPooling2D());
  }
  model.add(Flatten());
  model.add(Dense(4096, "relu"));
  model.add(Dense(4096, "relu"));
  model.add(Dense(1000, "softmax"));
}

// Seconds to build VGG16 from seed 42 with `threads` threads; its weights are kept in `weights`.
inline double time_vgg16(int threads, std::vector<float>& weights) {
  const int before = minnow::num_threads();
  minnow::set_num_threads(threads);
  minnow::set_random_seed(42);
  const double t0 = now_s();
  minnow::Sequential model;
  build_vgg16(model);
  const double seconds = now_s() - t0;
  minnow::set_num_threads(before);
  weights.clear();
  for (const minnow::Parameter* p : model.weights())
    weights.insert(weights.end(), p->value.values().begin(), p->value.values().end());
  return seconds;
}

// Prints the INIT result: the median of `reps` builds with the run's threads and with one.
inline void init_workload(int reps) {
  const int threads = minnow::num_threads();
  std::vector<float> many, one;
  std::vector<double> t_many, t_one;
  for (int r = 0; r < reps; ++r) {
    t_many.push_back(time_vgg16(threads, many));
    t_one.push_back(time_vgg16(1, one));
  }
  const bool same = many.size() == one.size() && std::memcmp(many.data(), one.data(), 4 * many.size()) == 0;
  const double m = stats(t_many).median, s = stats(t_one).median;
  fmt::print("INIT VGG16 ({} weights): built in {:.3f} s with {} threads, {:.3f} s with 1 ({:.2f}x); the same "
             "weights bit for bit: {}\n",
             many.size(), m, threads, s, s / m, same ? "yes" : "NO");
  fmt::print("RESULT workload=INIT phase=vgg16 median_ms={:.1f} one_thread_ms={:.1f} speedup={:.2f} params={} "
             "same_bits={} peak_rss_mb={:.1f} threads={}\n",
             m * 1e3, s * 1e3, s / m, many.size(), same ? 1 : 0, peak_rss_mb(), threads);
}

}  // namespace bench
