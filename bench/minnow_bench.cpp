// minnow_bench: times the five workloads of the performance issue, as PyTorch runs them in
// bench/torch_workloads.py (bench/compare.py runs both and prints the ratios).
//
//   W1  Input(30) -> Dense(50) -> BatchNormalization -> Dense(5); MSE, SGD(1e-3); batch 64
//   W2  Input(100,200,3) -> Conv2D(30, 4x4, same) -> BatchNormalization -> Flatten -> Dense(10); batch 16
//   W3  Input(512,512,3) -> Conv2D(16, 3x3, same) -> BN -> ReLU -> Conv2D(3, 3x3, same) -> BN;
//       batch 4, MSE against the input
//   W4  Fashion-MNIST CNN: [Conv2D(32|64, 3x3, same) -> BN -> ReLU -> MaxPooling2D] x 2 -> Flatten
//       -> Dense(128) -> BN -> ReLU -> Dense(10, softmax); Adam(1e-3), batch 64, epochs of 60,000 images
//   W5  784 -> 3 x [Dense(100) -> BN -> sigmoid] -> Dense(10) logits; SGD(0.5), batch 60, epochs
// W1-W3 time training steps (forward, loss, backward, optimizer step) and inference forwards;
// W4-W5 time whole epochs of Model::fit and report the test accuracy after each.
//
// For each measurement: median, min and max time per step (or epoch), samples per second,
// GFLOP/s (multiply-adds of Dense and Conv2D counted as 2 flops; a training step counts 3x the
// forward), that as a fraction of the machine's GEMM throughput measured at the start of the same
// run (Eigen sgemm 1024^3 with the same threads), the foreign CPU load while it ran, and the peak
// resident memory of the phase. Each workload runs in its own process so that its memory is its own.
// Output: a table for people and one line per measurement for programs:
//   RESULT workload=W2 phase=train median_ms=... min_ms=... max_ms=... samples_per_s=... gflops=...
//          peak_fraction=... peak_rss_mb=... foreign_cores=... threads=...
//
// usage: minnow_bench [--workload W1,W2,..|all] [--threads N] [--quick] [--reps N] [--epochs N]
//                     [--data DIR] [--quiet-wait SECONDS] [--profile]
// --profile adds per-layer times (and each Dense/Conv2D forward's GEMM rate); with W4 it profiles
// one batch first, and --epochs -1 skips W4's epochs.
#include <spawn.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <fmt/format.h>

#include "bench/bench_util.h"
#include "core/kernels/gemm.h"
#include "core/kernels/threading.h"
#include "minnow.h"

extern char** environ;

using namespace minnow;

namespace {

struct Flags {
  std::vector<std::string> workloads = {"W1", "W2", "W3", "W4", "W5"};
  int threads = 0;
  bool quick = false, profile = false, child = false;
  int reps = 0, epochs = 0;
  double quiet_wait = 60, peak_gflops = 0;
  std::string data = default_fashion_mnist_dir();
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= s.size()) {
    const size_t e = s.find(',', b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

Flags parse(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw ConfigError(fmt::format("{} needs a value", a));
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      fmt::print("usage: minnow_bench [--workload W1,W2,..|all] [--threads N] [--quick] [--reps N] [--epochs N]\n"
                 "                    [--data DIR] [--quiet-wait SECONDS] [--profile]\n");
      std::exit(0);
    } else if (a == "--workload") {
      const std::string v = value();
      if (v != "all") f.workloads = split(v);
    } else if (a == "--threads") f.threads = std::stoi(value());
    else if (a == "--quick") f.quick = true;
    else if (a == "--profile") f.profile = true;
    else if (a == "--reps") f.reps = std::stoi(value());
    else if (a == "--epochs") f.epochs = std::stoi(value());
    else if (a == "--data") f.data = value();
    else if (a == "--quiet-wait") f.quiet_wait = std::stod(value());
    else if (a == "--child") f.child = true;
    else if (a == "--peak-gflops") f.peak_gflops = std::stod(value());
    else throw ConfigError(fmt::format("unknown flag '{}' (see --help)", a));
  }
  for (const auto& w : f.workloads)
    if (w.size() != 2 || w[0] != 'W' || w[1] < '1' || w[1] > '5')
      throw ConfigError(fmt::format("unknown workload '{}': use W1..W5 or all", w));
  return f;
}

// ---- what we report ---------------------------------------------------------------------------

struct Measurement {
  std::string workload, phase;  // phase: train, infer or epoch
  bench::Stats seconds;         // per step or per epoch
  double samples = 0;           // per step or per epoch
  double flops = 0;             // per step or per epoch
  double foreign = 0;           // median foreign load over the repetitions
  double peak_rss_mb = 0;
  std::string extra;  // more key=value pairs
};

void report(const Flags& f, const Measurement& m) {
  const double gflops = m.flops / m.seconds.median / 1e9;
  const double frac = f.peak_gflops > 0 ? gflops / f.peak_gflops : 0;
  fmt::print("{:<4} {:<6} {:>11.3f} {:>11.3f} {:>11.3f} {:>12.1f} {:>8.1f} {:>6.2f} {:>8.0f} {:>8.2f}  {}\n",
             m.workload, m.phase, m.seconds.median * 1e3, m.seconds.min * 1e3, m.seconds.max * 1e3,
             m.samples / m.seconds.median, gflops, frac, m.peak_rss_mb, m.foreign, m.extra);
  fmt::print("RESULT workload={} phase={} median_ms={:.4f} min_ms={:.4f} max_ms={:.4f} samples_per_s={:.1f} "
             "gflops={:.2f} peak_fraction={:.3f} peak_rss_mb={:.1f} foreign_cores={:.2f} threads={}{}{}\n",
             m.workload, m.phase, m.seconds.median * 1e3, m.seconds.min * 1e3, m.seconds.max * 1e3,
             m.samples / m.seconds.median, gflops, frac, m.peak_rss_mb, m.foreign, num_threads(),
             m.extra.empty() ? "" : " ", m.extra);
  std::fflush(stdout);
}

double g_peak_gflops = 0;  // the run's sgemm rate, for --profile

// Multiply-adds of one sample's forward pass through a Dense or Conv2D layer (0 for others).
double layer_macs_per_sample(const Layer& l) {
  if (const auto* d = dynamic_cast<const DenseLayer*>(&l))
    return double(d->input_shape()[1]) * double(d->options().units);
  if (const auto* c = dynamic_cast<const Conv2DLayer*>(&l)) {
    const Shape &in = c->input_shape(), &out = c->output_shape();
    return double(out[1]) * double(out[2]) * double(out[3]) * double(c->options().kernel_size[0]) *
           double(c->options().kernel_size[1]) * double(in[3]);
  }
  return 0;
}

// Multiply-adds of one sample's forward pass through the model's Dense and Conv2D layers.
double forward_macs_per_sample(const Model& model) {
  double macs = 0;
  for (const auto& l : model.layers()) macs += layer_macs_per_sample(*l);
  return macs;
}

// ---- W1-W3: steps ------------------------------------------------------------------------------

// Times `reps` repetitions of `block` calls of step() after two warm-up repetitions.
Measurement time_steps(const Flags& f, const std::function<void()>& step, int block, int reps) {
  for (int w = 0; w < 2; ++w)
    for (int i = 0; i < block; ++i) step();
  bench::wait_quiet(f.quiet_wait);
  bench::reset_peak_rss();
  std::vector<double> per_step, foreign;
  for (int r = 0; r < reps; ++r) {
    bench::Span s;
    for (int i = 0; i < block; ++i) step();
    s.stop();
    per_step.push_back(s.wall / block);
    foreign.push_back(s.foreign);
  }
  Measurement m;
  m.seconds = bench::stats(per_step);
  m.foreign = bench::stats(foreign).median;
  m.peak_rss_mb = bench::peak_rss_mb();
  return m;
}

double cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Per-layer wall and CPU times of one training step (forward, then backward in reverse), for
// --profile. CPU time is less disturbed than wall time by other processes on a shared machine.
void profile_layers(Model& model, const Tensor& x, const Loss& loss, const Tensor& y, int reps) {
  std::vector<Layer*> layers;
  for (const auto& l : model.layers())
    if (l->class_name() != "InputLayer") layers.push_back(l.get());
  std::vector<double> fwd(layers.size()), bwd(layers.size()), fwd_cpu(layers.size()), bwd_cpu(layers.size());
  Tensor grad;
  for (int r = 0; r < reps + 1; ++r) {
    const Tensor* h = &x;
    for (size_t i = 0; i < layers.size(); ++i) {
      const double t0 = bench::now_s(), c0 = cpu_s();
      h = &layers[i]->forward(*h, Mode::Training);
      if (r > 0) fwd[i] += bench::now_s() - t0, fwd_cpu[i] += cpu_s() - c0;
    }
    loss.compute(*h, y, &grad);
    const Tensor* g = &grad;
    for (size_t i = layers.size(); i-- > 0;) {
      const double t0 = bench::now_s(), c0 = cpu_s();
      g = &layers[i]->backward(*g, i > 0);
      if (r > 0) bwd[i] += bench::now_s() - t0, bwd_cpu[i] += cpu_s() - c0;
    }
  }
  const double batch = double(x.shape()[0]);
  for (size_t i = 0; i < layers.size(); ++i) {
    // The forward GEMM's rate for Dense and Conv2D, as a fraction of the run's sgemm peak.
    const double macs = layer_macs_per_sample(*layers[i]) * batch, rate = 2 * macs / (fwd[i] / reps) / 1e9;
    fmt::print("  profile {:<24} forward {:9.3f} ms (cpu {:9.3f})  backward {:9.3f} ms (cpu {:9.3f}){}\n",
               layers[i]->name(), fwd[i] * 1e3 / reps, fwd_cpu[i] * 1e3 / reps, bwd[i] * 1e3 / reps,
               bwd_cpu[i] * 1e3 / reps,
               macs > 0 ? fmt::format("  forward {:.1f} GFLOP/s = {:.2f} of peak", rate, rate / g_peak_gflops) : "");
  }
}

void run_steps(const Flags& f, const std::string& id, Model& model, Optimizer& opt, const Loss& loss, const Tensor& x,
               const Tensor& y, int block, int reps) {
  const std::vector<Parameter*> params = model.trainable_weights();
  Tensor grad;
  auto train = [&] {
    const Tensor& y_pred = model.forward(x, Mode::Training);
    loss.compute(y_pred, y, &grad);
    model.backward(grad);
    opt.apply_gradients(params);
  };
  auto infer = [&] { model.forward(x, Mode::Inference); };
  const double batch = double(x.shape()[0]), fwd_flops = 2 * forward_macs_per_sample(model) * batch;
  Measurement m = time_steps(f, train, block, reps);
  m.workload = id, m.phase = "train", m.samples = batch, m.flops = 3 * fwd_flops;
  report(f, m);
  m = time_steps(f, infer, block, reps);
  m.workload = id, m.phase = "infer", m.samples = batch, m.flops = fwd_flops;
  report(f, m);
  if (f.profile) profile_layers(model, x, loss, y, reps);
}

Tensor random_normal(const Shape& s, std::uint64_t seed) {
  Tensor t(s);
  Rng rng(seed);
  for (float& v : t.values()) v = rng.normal();
  return t;
}

Tensor random_uniform(const Shape& s, std::uint64_t seed) {
  Tensor t(s);
  Rng rng(seed);
  for (float& v : t.values()) v = rng.uniform();
  return t;
}

void w1(const Flags& f) {
  auto inputs = Input({30});
  auto h = Dense(50)(inputs);
  h = BatchNormalization()(h);
  Model model(inputs, Dense(5)(h));
  SGD opt(SGDOptions{.learning_rate = 1e-3f});
  MeanSquaredError loss;
  run_steps(f, "W1", model, opt, loss, random_normal({64, 30}, 1), random_normal({64, 5}, 2), 200,
            f.reps    ? f.reps
            : f.quick ? 5
                      : 7);
}

void w2(const Flags& f) {
  auto inputs = Input({100, 200, 3});
  auto h = Conv2D({.filters = 30, .kernel_size = {4, 4}, .padding = "same"})(inputs);
  h = BatchNormalization()(h);
  h = Flatten()(h);
  Model model(inputs, Dense(10)(h));
  SGD opt(SGDOptions{.learning_rate = 1e-3f});
  MeanSquaredError loss;
  run_steps(f, "W2", model, opt, loss, random_normal({16, 100, 200, 3}, 1), random_normal({16, 10}, 2), 1,
            f.reps    ? f.reps
            : f.quick ? 3
                      : 7);
}

void w3(const Flags& f) {
  auto inputs = Input({512, 512, 3});
  auto h = Conv2D({.filters = 16, .kernel_size = {3, 3}, .padding = "same"})(inputs);
  h = BatchNormalization()(h);
  h = ReLU()(h);
  h = Conv2D({.filters = 3, .kernel_size = {3, 3}, .padding = "same"})(h);
  Model model(inputs, BatchNormalization()(h));
  SGD opt(SGDOptions{.learning_rate = 1e-3f});
  MeanSquaredError loss;
  const Tensor x = random_uniform({4, 512, 512, 3}, 1);
  run_steps(f, "W3", model, opt, loss, x, x, 1, f.reps ? f.reps : f.quick ? 3 : 7);
}

// ---- W4-W5: epochs -----------------------------------------------------------------------------

void run_epochs(const Flags& f, const std::string& id, Model& model, const Tensor& x, const Tensor& y,
                const Tensor& x_test, const Tensor& y_test, long batch, int epochs) {
  const double n = double(x.shape()[0]);
  const double epoch_flops = 3 * 2 * forward_macs_per_sample(model) * n;
  std::vector<double> seconds, foreign;
  std::string accuracies;
  double peak = 0;
  bench::wait_quiet(f.quiet_wait);
  bench::reset_peak_rss();
  for (int e = 1; e <= epochs; ++e) {
    bench::Span s;
    model.fit(x, y, {.epochs = 1, .batch_size = batch, .seed = std::uint64_t(e), .verbose = 0});
    s.stop();
    seconds.push_back(s.wall);
    foreign.push_back(s.foreign);
    peak = std::max(peak, bench::peak_rss_mb());
    const Logs logs = model.evaluate(x_test, y_test, 1000);
    fmt::print("{:<4} epoch {}: {:.2f} s, test accuracy {:.4f}, test loss {:.4f}, foreign load {:.2f}\n", id, e, s.wall,
               logs.at("accuracy"), logs.at("loss"), s.foreign);
    accuracies += fmt::format(" test_acc_epoch{}={:.4f}", e, logs.at("accuracy"));
  }
  Measurement m;
  m.workload = id, m.phase = "epoch", m.samples = n, m.flops = epoch_flops;
  m.seconds = bench::stats(seconds);
  m.foreign = bench::stats(foreign).median;
  m.peak_rss_mb = peak;
  m.extra = fmt::format("epochs={}{}", epochs, accuracies);
  report(f, m);
}

void w4(const Flags& f) {
  Dataset train = load_mnist(f.data, "train"), test = load_mnist(f.data, "test");
  Sequential model;
  model.add(Input({28, 28, 1}));
  for (long filters : {32L, 64L}) {
    model.add(Conv2D({.filters = filters, .kernel_size = {3, 3}, .padding = "same"}));
    model.add(BatchNormalization());
    model.add(ReLU());
    model.add(MaxPooling2D());
  }
  model.add(Flatten());
  model.add(Dense(128));
  model.add(BatchNormalization());
  model.add(ReLU());
  model.add(Dense(10, "softmax"));
  model.compile(std::make_shared<Adam>(AdamOptions{.learning_rate = 1e-3f}),
                std::make_shared<SparseCategoricalCrossentropy>(), {"accuracy"});
  if (f.profile) {
    std::vector<long> idx(64);
    for (long i = 0; i < 64; ++i) idx[size_t(i)] = i;
    Tensor xb, yb;
    take_rows(train.images, idx, 0, 64, xb);
    take_rows(train.labels, idx, 0, 64, yb);
    profile_layers(model, xb, model.loss(), yb, 20);
  }
  const int epochs = f.epochs ? f.epochs : f.quick ? 1 : 2;  // --epochs -1: --profile only
  if (epochs > 0) run_epochs(f, "W4", model, train.images, train.labels, test.images, test.labels, 64, epochs);
}

void w5(const Flags& f) {
  Dataset train = load_mnist(f.data, "train"), test = load_mnist(f.data, "test");
  train.images.reshape({train.images.shape()[0], 784});
  test.images.reshape({test.images.shape()[0], 784});
  Sequential model;
  model.add(Input({784}));
  for (int i = 0; i < 3; ++i) {
    model.add(Dense(100));
    model.add(BatchNormalization());
    model.add(Activation("sigmoid"));
  }
  model.add(Dense(10));
  model.compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.5f}),
                std::make_shared<SparseCategoricalCrossentropy>(/*from_logits=*/true), {"accuracy"});
  run_epochs(f, "W5", model, train.images, train.labels, test.images, test.labels, 60,
             f.epochs  ? f.epochs
             : f.quick ? 2
                       : 3);
}

// ---- the machine's GEMM throughput --------------------------------------------------------------

double gemm_peak(const Flags& f) {
  const long n = 1024;
  Matrix A = Matrix::Random(n, n), B = Matrix::Random(n, n), C(n, n);
  for (int w = 0; w < 2; ++w) C.noalias() = A * B;
  bench::wait_quiet(f.quiet_wait);
  std::vector<double> gflops, foreign, mine;
  for (int r = 0; r < (f.quick ? 5 : 9); ++r) {
    bench::Span s;
    C.noalias() = A * B;
    s.stop();
    gflops.push_back(2.0 * n * n * n / s.wall / 1e9);
    foreign.push_back(s.foreign);
    const double t0 = bench::now_s();
    gemm(ConstMatrixMap(A.data(), n, n), Op::None, ConstMatrixMap(B.data(), n, n), Op::None, MatrixMap(C.data(), n, n));
    mine.push_back(2.0 * n * n * n / (bench::now_s() - t0) / 1e9);
  }
  const double peak = bench::stats(gflops).median;
  fmt::print("GEMM peak: Eigen sgemm {}^3 with {} threads: median {:.1f} GFLOP/s (best {:.1f}); minnow::gemm median "
             "{:.1f}; foreign load {:.2f}\n",
             n, num_threads(), peak, bench::stats(gflops).max, bench::stats(mine).median, bench::stats(foreign).median);
  fmt::print("RESULT workload=GEMM phase=sgemm1024 gflops={:.2f} best_gflops={:.2f} minnow_gemm_gflops={:.2f} "
             "foreign_cores={:.2f} threads={}\n",
             peak, bench::stats(gflops).max, bench::stats(mine).median, bench::stats(foreign).median, num_threads());
  return peak;
}

// Runs this program again for one workload, so that the workload's peak memory is its own.
int run_child(char** argv, const Flags& f, const std::string& workload) {
  std::vector<std::string> args = {"/proc/self/exe", "--child",
                                   "--workload",     workload,
                                   "--peak-gflops",  fmt::format("{}", f.peak_gflops),
                                   "--threads",      std::to_string(num_threads()),
                                   "--quiet-wait",   fmt::format("{}", f.quiet_wait),
                                   "--data",         f.data};
  if (f.quick) args.push_back("--quick");
  if (f.profile) args.push_back("--profile");
  if (f.reps) args.insert(args.end(), {"--reps", std::to_string(f.reps)});
  if (f.epochs) args.insert(args.end(), {"--epochs", std::to_string(f.epochs)});
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  pid_t pid = 0;
  std::fflush(stdout);
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, cargs.data(), environ) != 0) {
    fmt::print(stderr, "{}: cannot start a child process\n", argv[0]);
    return 1;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) try {
  Flags f = parse(argc, argv);
  if (f.threads > 0) set_num_threads(f.threads);
  const std::vector<std::pair<std::string, void (*)(const Flags&)>> all = {
      {"W1", w1}, {"W2", w2}, {"W3", w3}, {"W4", w4}, {"W5", w5}};
  if (f.child) {
    set_random_seed(42);
    g_peak_gflops = f.peak_gflops;
    for (const auto& [id, fn] : all)
      if (id == f.workloads.at(0)) fn(f);
    return 0;
  }
  fmt::print("minnow_bench: {} threads{}\n", num_threads(), f.quick ? ", quick" : "");
  f.peak_gflops = gemm_peak(f);
  fmt::print("\n{:<4} {:<6} {:>11} {:>11} {:>11} {:>12} {:>8} {:>6} {:>8} {:>8}\n", "id", "phase", "median ms",
             "min ms", "max ms", "samples/s", "GFLOP/s", "peak", "RSS MB", "foreign");
  int rc = 0;
  for (const auto& w : f.workloads) rc |= run_child(argv, f, w);
  return rc;
} catch (const std::exception& e) {
  fmt::print(stderr, "minnow_bench: {}\n", e.what());
  return 1;
}
