// minnow_bench: times the five workloads of the performance issue, as PyTorch runs them in
// bench/torch_workloads.py (bench/compare.py runs both and prints the ratios).
//
//   INIT  building VGG16 (138 M weights drawn): 2 threads against 1, the same bits (bench/init_bench.h)
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
// The run also measures the memory bandwidth (STREAM triad, bench/stream.h: arrays beyond the L3,
// and arrays inside L3 and L2), and every measurement gets a roofline floor (bench/roofline.h): the
// larger of its FLOPs at the sgemm rate and the bytes its layers must move at the bandwidth of the
// level holding its working set (bw_level: dram, l3 or l2); x_floor = median / floor, at least 1.
// min_mb is the least memory the phase needs (weights, gradients and optimizer state, every
// layer's output, the input batch; an epoch adds the data sets).
// Output: a table for people and one line per measurement for programs:
//   RESULT workload=W2 phase=train median_ms=... min_ms=... max_ms=... samples_per_s=... gflops=...
//          peak_fraction=... peak_rss_mb=... min_mb=... foreign_cores=... threads=... floor_ms=...
//          x_floor=... flops_ms=... bytes_ms=... bytes_mb=... bw_level=...
// W4 and W5 add train_rss_mb (the peak while fitting epoch 1, before any evaluation) and
// eval_rss_ratio = peak_rss_mb / train_rss_mb (evaluation runs in the training batch size).
//
// usage: minnow_bench [--workload INIT,W1,W2,..|all] [--threads N] [--quick] [--reps N] [--epochs N]
//                     [--data DIR] [--quiet-wait SECONDS] [--profile] [--sweep [--sweep-png PATH]]
// --profile adds per-layer times (and each Dense/Conv2D forward's GEMM rate); with W4 it profiles
// one batch first, and --epochs -1 skips W4's epochs.
// --sweep (instead of the workloads) times training steps and inference of W4's network over batch
// sizes 1, 2, 4, ..., 512 and of W2's network (batch 8) over square images of 32 to 512 pixels on a
// side, on random data, each point in its own process; it prints per point the time per sample,
// samples/s, peak RSS and x_floor (RESULT workload=W4sweep|W2sweep phase=train|infer ...) and draws
// them into a PNG (default bench-sweep.png; --sweep-png PATH).
// --peak-gflops, --bandwidth-gbps, --l3-gbps, --l2-gbps and --sweep-point are how the parent hands
// its figures and the sweep point to a child process.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/bench_util.h"
#include "bench/init_bench.h"
#include "bench/roofline.h"
#include "bench/spawn.h"
#include "bench/stream.h"
#include "bench/sweep_plot.h"
#include "core/kernels/gemm.h"
#include "core/kernels/threading.h"
#include "minnow.h"

using namespace minnow;

namespace {

struct Flags {
  std::vector<std::string> workloads = {"INIT", "W1", "W2", "W3", "W4", "W5"};
  int threads = 0;
  bool quick = false, profile = false, child = false, sweep = false;
  int reps = 0, epochs = 0;
  double quiet_wait = 60, peak_gflops = 0, bandwidth_gbps = 0, l3_gbps = 0, l2_gbps = 0;
  std::string data = default_fashion_mnist_dir();
  std::string sweep_png = "bench-sweep.png";
  std::string sweep_point;  // a child's point: "W4:64" (batch) or "W2:128" (image side)
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
      fmt::print("usage: minnow_bench [--workload INIT,W1,W2,..|all] [--threads N] [--quick] [--reps N] [--epochs N]\n"
                 "                    [--data DIR] [--quiet-wait SECONDS] [--profile] [--sweep [--sweep-png PATH]]\n"
                 "Times the workloads W1-W5 after measuring the sgemm rate and the memory bandwidth (STREAM\n"
                 "triad); each result has a roofline floor (floor_ms, x_floor = median / floor) and min_mb.\n"
                 "--sweep: W4's network over batch sizes 1..512 and W2's over image sizes 32..512, time per\n"
                 "sample and peak memory per point, drawn into a PNG (default bench-sweep.png).\n");
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
    else if (a == "--bandwidth-gbps") f.bandwidth_gbps = std::stod(value());
    else if (a == "--l3-gbps") f.l3_gbps = std::stod(value());
    else if (a == "--l2-gbps") f.l2_gbps = std::stod(value());
    else if (a == "--sweep") f.sweep = true;
    else if (a == "--sweep-png") f.sweep_png = value();
    else if (a == "--sweep-point") f.sweep_point = value();
    else throw ConfigError(fmt::format("unknown flag '{}' (see --help)", a));
  }
  for (const auto& w : f.workloads)
    if (w != "INIT" && (w.size() != 2 || w[0] != 'W' || w[1] < '1' || w[1] > '5'))
      throw ConfigError(fmt::format("unknown workload '{}': use INIT, W1..W5 or all", w));
  return f;
}

// ---- what we report ---------------------------------------------------------------------------

struct Measurement {
  std::string workload, phase;  // phase: train, infer or epoch
  bench::Stats seconds;         // per step or per epoch
  double samples = 0;           // per step or per epoch
  bench::StepWork work;         // FLOPs, bytes and minimum memory of one step
  double steps = 1;             // steps per measured unit (an epoch's batches)
  double extra_mb = 0;          // memory needed beside the step's (the data sets of an epoch)
  double foreign = 0;           // median foreign load over the repetitions
  double peak_rss_mb = 0;
  std::string extra;  // more key=value pairs
};

// The table's header, matching report()'s rows.
void print_header() {
  fmt::print("\n{:<4} {:<6} {:>11} {:>11} {:>11} {:>12} {:>8} {:>6} {:>10} {:>7} {:>8} {:>8} {:>8}\n", "id", "phase",
             "median ms", "min ms", "max ms", "samples/s", "GFLOP/s", "peak", "floor ms", "x floor", "RSS MB", "min MB",
             "foreign");
}

// The run's ceilings for the roofline floor (cache sizes from sysconf, as the parent measured them).
bench::Roof roof(const Flags& f) {
  const double l3 = bench::cache_bytes(_SC_LEVEL3_CACHE_SIZE, 0), l2 = bench::cache_bytes(_SC_LEVEL2_CACHE_SIZE, 0);
  return {.gflops = f.peak_gflops,
          .dram_gbps = f.bandwidth_gbps,
          .l3_gbps = f.l3_gbps,
          .l2_gbps = f.l2_gbps,
          .l3_mb = l3 / 1e6,
          .l2_mb = l2 * num_threads() / 1e6};
}

void report(const Flags& f, const Measurement& m) {
  const double flops = m.work.flops * m.steps, gflops = flops / m.seconds.median / 1e9;
  const double frac = f.peak_gflops > 0 ? gflops / f.peak_gflops : 0;
  const bench::Floor fl = bench::floor_of(m.work, m.steps, roof(f));
  const double median_ms = m.seconds.median * 1e3, x_floor = fl.ms() > 0 ? median_ms / fl.ms() : 0;
  const double min_mb = m.work.min_mb + m.extra_mb;
  fmt::print(
      "{:<4} {:<6} {:>11.3f} {:>11.3f} {:>11.3f} {:>12.1f} {:>8.1f} {:>6.2f} {:>10.3f} {:>7.1f} {:>8.0f} {:>8.1f} "
      "{:>8.2f}  {}\n",
      m.workload, m.phase, median_ms, m.seconds.min * 1e3, m.seconds.max * 1e3, m.samples / m.seconds.median, gflops,
      frac, fl.ms(), x_floor, m.peak_rss_mb, min_mb, m.foreign, m.extra);
  fmt::print("RESULT workload={} phase={} median_ms={:.4f} min_ms={:.4f} max_ms={:.4f} samples_per_s={:.1f} "
             "gflops={:.2f} peak_fraction={:.3f} peak_rss_mb={:.1f} min_mb={:.1f} foreign_cores={:.2f} threads={} "
             "floor_ms={:.4f} x_floor={:.2f} flops_ms={:.4f} bytes_ms={:.4f} bytes_mb={:.2f} bw_level={}{}{}\n",
             m.workload, m.phase, median_ms, m.seconds.min * 1e3, m.seconds.max * 1e3, m.samples / m.seconds.median,
             gflops, frac, m.peak_rss_mb, min_mb, m.foreign, num_threads(), fl.ms(), x_floor, fl.flops_ms, fl.bytes_ms,
             m.work.bytes * m.steps / 1e6, fl.level, m.extra.empty() ? "" : " ", m.extra);
  std::fflush(stdout);
}

double g_peak_gflops = 0;  // the run's sgemm rate, for --profile

// ---- W1-W3: steps ------------------------------------------------------------------------------

// Times `reps` repetitions of `block` calls of step() after two warm-up repetitions (and, with
// `wait`, after waiting for a quiet machine).
Measurement time_steps(const Flags& f, const std::function<void()>& step, int block, int reps, bool wait = true) {
  for (int w = 0; w < 2; ++w)
    for (int i = 0; i < block; ++i) step();
  if (wait) bench::wait_quiet(f.quiet_wait);
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
    const double macs = bench::layer_macs_per_sample(*layers[i]) * batch, rate = 2 * macs / (fwd[i] / reps) / 1e9;
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
  const double batch = double(x.shape()[0]);
  Measurement m = time_steps(f, train, block, reps);
  m.workload = id, m.phase = "train", m.samples = batch;
  m.work = bench::step_work(model, batch, true, bench::update_cost(opt));
  report(f, m);
  m = time_steps(f, infer, block, reps);
  m.workload = id, m.phase = "infer", m.samples = batch, m.work = bench::step_work(model, batch, false, {});
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

// W2's network on height x width x 3 images: Conv2D(30, 4x4, same) -> BN -> Flatten -> Dense(10).
std::unique_ptr<Model> w2_model(long height, long width) {
  auto inputs = Input({height, width, 3});
  auto h = Conv2D({.filters = 30, .kernel_size = {4, 4}, .padding = "same"})(inputs);
  h = BatchNormalization()(h);
  h = Flatten()(h);
  return std::make_unique<Model>(inputs, Dense(10)(h));
}

void w2(const Flags& f) {
  const std::unique_ptr<Model> model = w2_model(100, 200);
  SGD opt(SGDOptions{.learning_rate = 1e-3f});
  MeanSquaredError loss;
  run_steps(f, "W2", *model, opt, loss, random_normal({16, 100, 200, 3}, 1), random_normal({16, 10}, 2), 1,
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

// Times `epochs` epochs of fit, each followed by an evaluation on the test set in the training
// batch size (a larger one would size every layer's buffers for it and grow the memory).
void run_epochs(const Flags& f, const std::string& id, Model& model, const Tensor& x, const Tensor& y,
                const Tensor& x_test, const Tensor& y_test, long batch, int epochs) {
  const double n = double(x.shape()[0]);
  std::vector<double> seconds, foreign;
  std::string accuracies;
  double train_rss = 0;
  bench::wait_quiet(f.quiet_wait);
  bench::reset_peak_rss();
  for (int e = 1; e <= epochs; ++e) {
    bench::Span s;
    model.fit(x, y, {.epochs = 1, .batch_size = batch, .seed = std::uint64_t(e), .verbose = 0});
    s.stop();
    seconds.push_back(s.wall);
    foreign.push_back(s.foreign);
    if (e == 1) train_rss = bench::peak_rss_mb();
    const Logs logs = model.evaluate(x_test, y_test, batch);
    fmt::print("{:<4} epoch {}: {:.2f} s, test accuracy {:.4f}, test loss {:.4f}, foreign load {:.2f}\n", id, e, s.wall,
               logs.at("accuracy"), logs.at("loss"), s.foreign);
    accuracies += fmt::format(" test_acc_epoch{}={:.4f}", e, logs.at("accuracy"));
  }
  Measurement m;
  m.workload = id, m.phase = "epoch", m.samples = n;
  m.work = bench::step_work(model, double(batch), true, bench::update_cost(model.optimizer()));
  m.steps = std::ceil(n / double(batch));
  m.extra_mb = 4e-6 * double(x.size() + y.size() + x_test.size() + y_test.size());  // the data sets
  m.seconds = bench::stats(seconds);
  m.foreign = bench::stats(foreign).median;
  m.peak_rss_mb = bench::peak_rss_mb();  // fit and evaluation of every epoch
  m.extra = fmt::format("epochs={} train_rss_mb={:.1f} eval_rss_ratio={:.3f}{}", epochs, train_rss,
                        m.peak_rss_mb / train_rss, accuracies);
  report(f, m);
}

// W4's Fashion-MNIST CNN, compiled with Adam and sparse categorical cross-entropy.
void build_w4(Sequential& model) {
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
}

void w4(const Flags& f) {
  Dataset train = load_mnist(f.data, "train"), test = load_mnist(f.data, "test");
  Sequential model;
  build_w4(model);
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

// The memory (and cache) bandwidths, printed beside the GEMM peak and kept in f.
void stream_bandwidth(Flags& f) {
  const bench::Bandwidths bw = bench::measure_bandwidths(f.quick ? 5 : 9, f.quiet_wait);
  fmt::print("Memory bandwidth: STREAM triad on 3 x {:.0f} MB with {} threads: median {:.1f} GB/s (best {:.1f}); "
             "foreign load {:.2f}\n",
             bw.dram.array_mb, bw.dram.threads, bw.dram.gbps, bw.dram.best_gbps, bw.dram.foreign);
  fmt::print("  in cache: L3 ({:.0f} MB) {:.1f} GB/s, L2 ({:.1f} MB over the threads) {:.1f} GB/s\n", bw.l3_mb,
             bw.l3.gbps, bw.l2_mb, bw.l2.gbps);
  fmt::print("RESULT workload=STREAM phase=triad gbps={:.2f} best_gbps={:.2f} array_mb={:.1f} l3_gbps={:.2f} "
             "l2_gbps={:.2f} l3_mb={:.1f} l2_mb={:.1f} foreign_cores={:.2f} threads={}\n",
             bw.dram.gbps, bw.dram.best_gbps, bw.dram.array_mb, bw.l3.gbps, bw.l2.gbps, bw.l3_mb, bw.l2_mb,
             bw.dram.foreign, bw.dram.threads);
  f.bandwidth_gbps = bw.dram.gbps, f.l3_gbps = bw.l3.gbps, f.l2_gbps = bw.l2.gbps;
}

// The flags a child process gets: the run's figures and settings.
std::vector<std::string> child_args(const Flags& f) {
  auto num = [](double v) { return fmt::format("{}", v); };
  std::vector<std::string> args = {"--child", "--threads", std::to_string(num_threads()), "--data", f.data};
  args.insert(args.end(), {"--peak-gflops", num(f.peak_gflops), "--bandwidth-gbps", num(f.bandwidth_gbps)});
  args.insert(args.end(),
              {"--l3-gbps", num(f.l3_gbps), "--l2-gbps", num(f.l2_gbps), "--quiet-wait", num(f.quiet_wait)});
  if (f.quick) args.emplace_back("--quick");
  if (f.reps) args.insert(args.end(), {"--reps", std::to_string(f.reps)});
  return args;
}

// Runs this program again for one workload, so that the workload's peak memory is its own.
int run_child(const Flags& f, const std::string& workload) {
  std::vector<std::string> args = child_args(f);
  args.insert(args.end(), {"--workload", workload});
  if (f.profile) args.emplace_back("--profile");
  if (f.epochs) args.insert(args.end(), {"--epochs", std::to_string(f.epochs)});
  return bench::spawn_self(args);
}

// ---- --sweep: time per sample over batch sizes and image sizes ----------------------------------

constexpr long kW2SweepBatch = 8;  // W2's image sweep: batch 8 keeps the 512 x 512 point to seconds

// Prints one phase of a sweep point: a line for people and a RESULT line.
void report_point(const Flags& f, const std::string& id, const std::string& size_kv, const Measurement& m) {
  const bench::Floor fl = bench::floor_of(m.work, 1, roof(f));
  const double ms = m.seconds.median * 1e3 / m.samples, floor_ms = fl.ms() / m.samples;
  const double x_floor = floor_ms > 0 ? ms / floor_ms : 0;
  fmt::print("{} {:<5} {}: {:.4f} ms/sample, {:.0f} samples/s, x floor {:.1f}, peak RSS {:.0f} MB (min {:.0f}), "
             "foreign {:.2f}\n",
             id, m.phase, size_kv, ms, 1e3 / ms, x_floor, m.peak_rss_mb, m.work.min_mb, m.foreign);
  fmt::print(
      "RESULT workload={} phase={} {} ms_per_sample={:.5f} samples_per_s={:.1f} peak_rss_mb={:.1f} min_mb={:.1f} "
      "floor_ms_per_sample={:.5f} x_floor={:.2f} median_ms={:.4f} foreign_cores={:.2f} threads={}\n",
      id, m.phase, size_kv, ms, 1e3 / ms, m.peak_rss_mb, m.work.min_mb, floor_ms, x_floor, m.seconds.median * 1e3,
      m.foreign, num_threads());
  std::fflush(stdout);
}

// Inference forwards, then training steps, of `model` on (x, y), per sample. Inference runs first
// so that its peak memory is its own (training's buffers are larger). A repetition runs about
// 128 samples but at most ~1 GFLOP; costly points (above 5 GFLOP a repetition) repeat 3 times.
void measure_point(const Flags& f, const std::string& id, const std::string& size_kv, Model& model, Optimizer& opt,
                   const Loss& loss, const Tensor& x, const Tensor& y) {
  const std::vector<Parameter*> params = model.trainable_weights();
  Tensor grad;
  auto train = [&] {
    loss.compute(model.forward(x, Mode::Training), y, &grad);
    model.backward(grad);
    opt.apply_gradients(params);
  };
  auto infer = [&] { model.forward(x, Mode::Inference); };
  const double batch = double(x.shape()[0]);
  const bench::StepWork train_work = bench::step_work(model, batch, true, bench::update_cost(opt));
  const int block = std::max(1, int(std::min(128 / batch, 1e9 / train_work.flops)));
  const int reps = f.reps ? f.reps : train_work.flops * block > 5e9 ? 3 : 5;
  Measurement m = time_steps(f, infer, block, reps);
  m.phase = "infer", m.samples = batch, m.work = bench::step_work(model, batch, false, {});
  report_point(f, id, size_kv, m);
  m = time_steps(f, train, block, reps, /*wait=*/false);
  m.phase = "train", m.samples = batch, m.work = train_work;
  report_point(f, id, size_kv, m);
}

// Random class labels 0..9 for n samples.
Tensor random_labels(long n, std::uint64_t seed) {
  Tensor t(Shape{n});
  Rng rng(seed);
  for (float& v : t.values()) v = float(std::min(9, int(rng.uniform() * 10)));
  return t;
}

// A child's sweep point, --sweep-point W4:BATCH or W2:SIDE, on random data.
int sweep_point(const Flags& f) {
  const std::string net = f.sweep_point.substr(0, 2);
  const long size = std::stol(f.sweep_point.substr(3));
  if (net == "W4") {
    Sequential model;
    build_w4(model);
    measure_point(f, "W4sweep", fmt::format("batch={}", size), model, model.optimizer(), model.loss(),
                  random_uniform({size, 28, 28, 1}, 1), random_labels(size, 2));
  } else {
    const std::unique_ptr<Model> model = w2_model(size, size);
    SGD opt(SGDOptions{.learning_rate = 1e-3f});
    MeanSquaredError loss;
    measure_point(f, "W2sweep", fmt::format("image={} pixels={} batch={}", size, size * size, kW2SweepBatch), *model,
                  opt, loss, random_normal({kW2SweepBatch, size, size, 3}, 1), random_normal({kW2SweepBatch, 10}, 2));
  }
  return 0;
}

// Runs one sweep point in its own process; returns its figures (x: the plotted size).
bench::SweepPoint run_point(const Flags& f, const std::string& point, double x) {
  std::vector<std::string> args = child_args(f);
  args.insert(args.end(), {"--sweep-point", point});
  std::string out;
  if (bench::spawn_self(args, &out) != 0) fmt::print("sweep point {} failed\n", point);
  bench::SweepPoint p{.x = x};
  for (const auto& kv : bench::result_lines(out)) {
    const bool train = kv.at("phase") == "train";
    (train ? p.train_ms : p.infer_ms) = std::stod(kv.at("ms_per_sample"));
    (train ? p.train_rss_mb : p.infer_rss_mb) = std::stod(kv.at("peak_rss_mb"));
    (train ? p.floor_ms : p.infer_floor_ms) = std::stod(kv.at("floor_ms_per_sample"));
    if (train) p.min_mb = std::stod(kv.at("min_mb"));
  }
  return p;
}

// The summary table of one sweep.
void print_sweep(const std::string& title, const std::string& size, const std::vector<bench::SweepPoint>& pts,
                 const std::vector<long>& sizes) {
  fmt::print("\n{}\n{:>7} {:>14} {:>14} {:>12} {:>9} {:>9} {:>9} {:>8}\n", title, size, "train ms/smp", "infer ms/smp",
             "train smp/s", "x floor", "train MB", "infer MB", "min MB");
  for (size_t i = 0; i < pts.size(); ++i) {
    const bench::SweepPoint& p = pts[i];
    fmt::print("{:>7} {:>14.4f} {:>14.4f} {:>12.0f} {:>9.1f} {:>9.0f} {:>9.0f} {:>8.0f}\n", sizes[i], p.train_ms,
               p.infer_ms, 1e3 / p.train_ms, p.train_ms / p.floor_ms, p.train_rss_mb, p.infer_rss_mb, p.min_mb);
  }
}

// --sweep: W4's network over batch sizes 1..512, W2's over image sides 32..512, then the PNG.
int run_sweep(const Flags& f) {
  std::vector<long> batches, sides = {32, 64, 128, 256, 512};
  for (long b = 1; b <= 512; b *= 2) batches.push_back(b);
  std::vector<bench::SweepPoint> w4, w2;
  for (long b : batches) w4.push_back(run_point(f, fmt::format("W4:{}", b), std::log2(double(b))));
  for (long s : sides) w2.push_back(run_point(f, fmt::format("W2:{}", s), double(s * s)));
  print_sweep("W4 CNN training steps and inference over batch sizes (ms per sample)", "batch", w4, batches);
  print_sweep(fmt::format("W2 Conv-BN-Dense over square images, batch {} (ms per sample)", kW2SweepBatch), "side", w2,
              sides);
  bench::write_sweep_png(w4, w2, kW2SweepBatch, f.sweep_png);
  fmt::print("\nsweep plot: {}\n", f.sweep_png);
  return 0;
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
    if (!f.sweep_point.empty()) return sweep_point(f);
    if (f.workloads.at(0) == "INIT") bench::init_workload(f.quick ? 3 : 5);
    for (const auto& [id, fn] : all)
      if (id == f.workloads.at(0)) fn(f);
    return 0;
  }
  fmt::print("minnow_bench: {} threads{}\n", num_threads(), f.quick ? ", quick" : "");
  const ParallelThresholds& pt = parallel_thresholds();  // measured at the first use (threading.h)
  fmt::print("Threads from: {} floats, {} multiply-adds (a parallel region starts in {:.2f} us; one thread takes "
             "{:.3f} ns per float streamed, {:.4f} ns per multiply-add)\n",
             pt.floats, pt.macs, pt.start_us, pt.float_ns, pt.mac_ns);
  fmt::print("RESULT workload=THREADS phase=thresholds floats={} macs={} start_us={:.3f} float_ns={:.4f} "
             "mac_ns={:.5f} threads={}\n",
             pt.floats, pt.macs, pt.start_us, pt.float_ns, pt.mac_ns, num_threads());
  f.peak_gflops = gemm_peak(f);
  stream_bandwidth(f);
  if (f.sweep) return run_sweep(f);
  print_header();
  int rc = 0;
  for (const auto& w : f.workloads) {
    if ((w == "W4" || w == "W5") && !std::filesystem::exists(f.data)) {
      fmt::print("{:<4} skipped: no Fashion-MNIST data in {} (--data DIR)\n", w, f.data);
      continue;
    }
    rc |= run_child(f, w);
  }
  return rc;
} catch (const std::exception& e) {
  fmt::print(stderr, "minnow_bench: {}\n", e.what());
  return 1;
}
