#include "core/kernels/threading.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// Trains a small CNN (Conv2D, BatchNormalization, ReLU, pooling, Dense) for a few steps with
// `threads` threads from a fixed seed; returns every weight, moving statistics included.
std::vector<Tensor> train_cnn(int threads) {
  set_num_threads(threads);
  set_random_seed(7);
  auto inputs = Input({20, 20, 3});
  auto h = Conv2D({.filters = 16, .kernel_size = {3, 3}, .padding = "same"})(inputs);
  h = MaxPooling2D()(ReLU()(BatchNormalization()(h)));
  h = Conv2D({.filters = 8, .kernel_size = {2, 2}, .padding = "same"})(h);
  h = Flatten()(BatchNormalization()(h));
  h = BatchNormalization()(Dense(64)(h));
  Model model(inputs, Dense(3)(h));
  SGD opt(SGDOptions{.learning_rate = 0.05f});
  MeanSquaredError loss;
  const Tensor x = random_tensor({32, 20, 20, 3}, 1), y = random_tensor({32, 3}, 2);
  const std::vector<Parameter*> params = model.trainable_weights();
  Tensor grad;
  for (int step = 0; step < 3; ++step) {
    loss.compute(model.forward(x, Mode::Training), y, &grad);
    model.backward(grad);
    opt.apply_gradients(params);
  }
  std::vector<Tensor> out;
  for (const Parameter* p : model.weights()) out.push_back(p->value);
  return out;
}

}  // namespace

TEST_CASE("set_num_threads sets the count and rejects counts below 1", "[threading]") {
  const int before = num_threads();
  set_num_threads(3);
  CHECK(num_threads() == 3);
  require_throws<ConfigError>([] { set_num_threads(0); }, {"set_num_threads", "0"});
  set_num_threads(before);
}

TEST_CASE("training gives the same bits with 1 and 2 threads (BatchNormalization, Conv2D, Dense)", "[threading]") {
  const int before = num_threads();
  const std::vector<Tensor> one = train_cnn(1), two = train_cnn(2);
  set_num_threads(before);
  REQUIRE(one.size() == two.size());
  for (size_t i = 0; i < one.size(); ++i) {
    INFO("weight " << i);
    REQUIRE(one[i].size() == two[i].size());
    CHECK(std::memcmp(one[i].data(), two[i].data(), sizeof(float) * size_t(one[i].size())) == 0);
  }
}

namespace {

// Runs this test program's hidden probe below in a new process with the environment `env` (and
// neither thread variable inherited); returns what it printed.
std::string probe_threads(const std::string& env) {
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string cmd =
      fmt::format("env -u MINNOW_NUM_THREADS -u OMP_NUM_THREADS {} '{}' '[.threads_probe]' 2>&1", env, exe);
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    pclose(p);
  }
  return out;
}

}  // namespace

TEST_CASE("threads probe (run by the environment test in a child process)", "[.threads_probe]") {
  try {
    fmt::print("num_threads={}\n", num_threads());
    fmt::print("parallel floats={}\n", parallel_thresholds().floats);
  } catch (const ConfigError& e) {
    fmt::print("ConfigError: {}\n", e.what());
  }
}

TEST_CASE("OMP_NUM_THREADS is honoured as in any OpenMP program; MINNOW_NUM_THREADS takes precedence", "[threading]") {
  CHECK_THAT(probe_threads("OMP_NUM_THREADS=1"), Catch::Contains("num_threads=1\n"));
  CHECK_THAT(probe_threads("OMP_NUM_THREADS=2,1"), Catch::Contains("num_threads=2\n"));
  CHECK_THAT(probe_threads("OMP_NUM_THREADS=1 MINNOW_NUM_THREADS=2"), Catch::Contains("num_threads=2\n"));
  CHECK_THAT(probe_threads("MINNOW_NUM_THREADS=1"), Catch::Contains("num_threads=1\n"));
  const std::string none = probe_threads("");
  CHECK_THAT(none, Catch::Contains(fmt::format("num_threads={}\n", max_num_threads() / 4)));
}

TEST_CASE("A thread count the machine cannot start is a ConfigError, from set_num_threads or the environment",
          "[threading]") {
  const int before = num_threads();
  require_throws<ConfigError>([] { set_num_threads(3000); },
                              {"set_num_threads", "3000", fmt::format("from 1 to {}", max_num_threads())});
  CHECK(num_threads() == before);
  set_num_threads(max_num_threads());  // the limit itself is accepted
  set_num_threads(before);
  const std::string out = probe_threads("OMP_NUM_THREADS=3000");
  CHECK_THAT(out, Catch::Contains("ConfigError"));
  CHECK_THAT(out, Catch::Contains("OMP_NUM_THREADS=3000"));
  CHECK_THAT(probe_threads("MINNOW_NUM_THREADS=lots"), Catch::Contains("MINNOW_NUM_THREADS=lots"));
  CHECK_THAT(probe_threads("MINNOW_NUM_THREADS=0"), Catch::Contains("ConfigError"));
}

TEST_CASE("The sizes from which threads pay off are measured, within their bounds, and can be set", "[threading]") {
  const ParallelThresholds& t = parallel_thresholds();
  CHECK(t.start_us > 0);
  CHECK(t.float_ns > 0);
  CHECK(t.mac_ns > 0);
  CHECK(t.floats >= 4096);
  CHECK(t.floats <= (1L << 22));
  CHECK(t.macs >= (1L << 14));
  CHECK(t.macs <= (1L << 26));
  CHECK(&parallel_thresholds() == &t);  // measured once
  CHECK(threads_for(0) == 1);
  CHECK(threads_for(1L << 23) == num_threads());
  CHECK(threads_for_macs(1L << 27) == num_threads());
  CHECK_THAT(probe_threads("MINNOW_PARALLEL_MIN_WORK=1000"), Catch::Contains("parallel floats=1000\n"));
  const std::string bad = probe_threads("MINNOW_PARALLEL_MIN_WORK=many");
  CHECK_THAT(bad, Catch::Contains("ConfigError"));
  CHECK_THAT(bad, Catch::Contains("MINNOW_PARALLEL_MIN_WORK=many"));
}

TEST_CASE("parallel_ranges covers every element once, in ranges, on 1 and 2 threads", "[threading]") {
  const int before = num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    const long n = (1L << 20) + 3;
    std::vector<int> seen(static_cast<size_t>(n), 0);
    int* p = seen.data();
    parallel_ranges(n, [=](long first, long last) {
      for (long i = first; i < last; ++i) p[i] += 1;
    });
    CHECK(std::count(seen.begin(), seen.end(), 1) == n);
  }
  set_num_threads(before);
}
