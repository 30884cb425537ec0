// bn_paper_figure1: Figure 1 of the BatchNorm paper (Ioffe & Szegedy 2015), on Fashion-MNIST.
//
// Two networks with the same initial weights, trained on the same batches:
//   without BN:  Flatten -> 3 x [Dense(100) -> sigmoid]                        -> Dense(10, softmax)
//   with BN:     Flatten -> 3 x [Dense(100) -> BatchNormalization -> sigmoid]  -> Dense(10, softmax)
// plain SGD (no momentum), batch 60, learning rate 0.5. Every --eval-every steps it records
//   (a) the test accuracy of both networks, and
//   (b, c) the 15th, 50th and 85th percentiles of the input to one sigmoid of the last hidden
//       layer (unit --unit), over a fixed batch of 1000 test images: the output of the last
//       Dense for the plain network, of the last BatchNormalization for the BN network. They are
//       measured as the network sees them while it trains (a Mode::Training forward: BN uses the
//       batch's statistics), and the moving statistics are put back afterwards.
// It writes figure1.csv and figure1.png to --out, prints a summary, and traces one training
// step of each trained network layer by layer (tools/trace.h; --step pauses between layers).
//
// Flags: --steps N (default 300), --learning-rate X (0.5), --eval-every N (25), --out DIR
//        (minnow-out/bn_paper_figure1), --seed N (1), --limit N (train on the first N images),
//        --test-size N (evaluate on the first N test images, default all 10000), --unit N (0),
//        --data DIR, --step, --no-trace
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "examples/bn_paper_mlp.h"
#include "examples/diagram.h"
#include "examples/flags.h"
#include "minnow.h"
#include "plot/plot.h"  // the plotting module, minnow::plot
#include "report/training_report.h"

using namespace minnow;

namespace {

struct Flags {
  long steps = 300, eval_every = 25, limit = 0, test_size = 0, unit = 0;
  float learning_rate = 0.5f;
  std::uint64_t seed = 1;
  std::string out = "minnow-out/bn_paper_figure1", data = default_fashion_mnist_dir();
  bool step = false, trace = true;
};

constexpr long kBatch = 60, kProbeImages = 1000;
using examples::kHidden;
using examples::Net;
constexpr long kReportImages = 250;  // the training report's probe batch

const char* const kUsage =
    "Usage: bn_paper_figure1 [--steps N] [--learning-rate X] [--eval-every N] [--out DIR] [--seed N]\n"
    "                        [--limit N] [--test-size N] [--unit N] [--data DIR] [--step] [--no-trace]\n"
    "\n"
    "Figure 1 of the BatchNorm paper on Fashion-MNIST: the same network with and without\n"
    "BatchNormalization, trained side by side; writes figure1.csv and figure1.png.\n"
    "\n"
    "  --steps N           training steps (default 300)\n"
    "  --learning-rate X   SGD's learning rate (default 0.5)\n"
    "  --eval-every N      steps between two measurements (default 25)\n"
    "  --out DIR           where figure1.csv and figure1.png go (default minnow-out/bn_paper_figure1)\n"
    "  --seed N            the weights and the batches (default 1)\n"
    "  --limit N           train on the first N training images (default: all)\n"
    "  --test-size N       evaluate on the first N test images (default: all 10,000)\n"
    "  --unit N            the sigmoid whose input is plotted, below 100 (default 0)\n"
    "  --data DIR          the folder with the IDX files (default /usr/share/datasets/fashion-mnist)\n"
    "  --step              pause between the layers of the trace\n"
    "  --no-trace          skip the layer-by-layer trace at the end\n";

Flags parse(int argc, char** argv) {
  Flags f;
  examples::FlagParser p(kUsage);
  p.toggle("--step", [&] { f.step = true; });
  p.toggle("--no-trace", [&] { f.trace = false; });
  p.value("--steps", [&](const std::string& a, const char* v) { f.steps = examples::parse_long(a, v, 0); });
  p.value("--eval-every", [&](const std::string& a, const char* v) { f.eval_every = examples::parse_long(a, v, 0); });
  p.value("--limit", [&](const std::string& a, const char* v) { f.limit = examples::parse_long(a, v, 0); });
  p.value("--test-size", [&](const std::string& a, const char* v) { f.test_size = examples::parse_long(a, v, 0); });
  p.value("--unit", [&](const std::string& a, const char* v) { f.unit = examples::parse_long(a, v, 0); });
  p.value("--seed",
          [&](const std::string& a, const char* v) { f.seed = std::uint64_t(examples::parse_long(a, v, 0)); });
  p.value("--learning-rate",
          [&](const std::string& a, const char* v) { f.learning_rate = examples::parse_positive_float(a, v); });
  p.value("--out", [&](const std::string&, const char* v) { f.out = v; });
  p.value("--data", [&](const std::string&, const char* v) { f.data = v; });
  p.parse(argc, argv);
  if (f.eval_every == 0) throw ConfigError("--eval-every must be > 0");
  if (f.unit >= kHidden) throw ConfigError(fmt::format("--unit must be below {}, got {}", kHidden, f.unit));
  return f;
}

// ---- what is recorded ---------------------------------------------------------------------

struct Record {
  long step = 0;
  std::array<double, 2> accuracy{}, loss{};            // [without BN, with BN], on the test images
  std::array<std::array<double, 3>, 2> percentiles{};  // p15, p50, p85 of the probed sigmoid input
};

// The p-th percentile of v with NumPy's default (linear interpolation between order statistics).
double percentile(std::vector<float> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p / 100 * double(v.size() - 1);
  const size_t lo = size_t(pos), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
}

// The input of sigmoid unit `unit` of the last hidden layer for each probe image, as the network
// computes it while training (Mode::Training: BatchNormalization uses the batch's statistics).
// The moving statistics that this forward updates are put back, so measuring changes nothing.
std::array<double, 3> sigmoid_input_percentiles(Net& net, const Tensor& probe_images, long unit) {
  KeepNonTrainableWeights keep(*net.model);
  net.model->forward(probe_images, Mode::Training);
  const Tensor& z = net.probe->output();  // (kProbeImages, 100)
  std::vector<float> column(size_t(z.shape()[0]));
  for (size_t n = 0; n < column.size(); ++n) column[n] = z.matrix()(long(n), unit);
  return {percentile(column, 15), percentile(column, 50), percentile(column, 85)};
}

Record measure(long step, std::array<Net, 2>& nets, const Dataset& test, const Tensor& probe_images, long unit) {
  Record r{step, {}, {}, {}};
  for (size_t k = 0; k < 2; ++k) {
    const Logs logs = nets[k].model->evaluate(test.images, test.labels, 1000);
    r.accuracy[k] = logs.at("accuracy"), r.loss[k] = logs.at("loss");
    r.percentiles[k] = sigmoid_input_percentiles(nets[k], probe_images, unit);
  }
  return r;
}

// ---- output -------------------------------------------------------------------------------

void write_csv(const std::vector<Record>& records, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw IoError(fmt::format("cannot write '{}'", path));
  out << "step,accuracy_without_bn,accuracy_with_bn,loss_without_bn,loss_with_bn,"
         "p15_without_bn,p50_without_bn,p85_without_bn,p15_with_bn,p50_with_bn,p85_with_bn\n";
  for (const Record& r : records) {
    out << fmt::format("{},{:.6f},{:.6f},{:.6f},{:.6f}", r.step, r.accuracy[0], r.accuracy[1], r.loss[0], r.loss[1]);
    for (const auto& p : r.percentiles) out << fmt::format(",{:.6f},{:.6f},{:.6f}", p[0], p[1], p[2]);
    out << "\n";
  }
}

// The figure: three panels, as in the paper's Figure 1, drawn with plot/plot.h.
std::vector<Image> figure_panels(const std::vector<Record>& records) {
  std::vector<Series> acc = {{.label = "Without BN"}, {.label = "With BN"}};
  std::array<std::vector<Series>, 2> pct;
  for (auto& p : pct) p = {{.label = "15th"}, {.label = "50th"}, {.label = "85th"}};
  double lo = INFINITY, hi = -INFINITY;
  for (const Record& r : records)
    for (size_t k = 0; k < 2; ++k) {
      acc[k].x.push_back(double(r.step)), acc[k].y.push_back(r.accuracy[k]);
      for (size_t q = 0; q < 3; ++q) {
        pct[k][q].x.push_back(double(r.step)), pct[k][q].y.push_back(r.percentiles[k][q]);
        lo = std::min(lo, r.percentiles[k][q]), hi = std::max(hi, r.percentiles[k][q]);
      }
    }
  const double pad = 0.05 * std::max(hi - lo, 1e-6);  // (b) and (c) on one scale
  const PlotOptions base{.xlabel = "training steps", .width = 560, .height = 420};
  PlotOptions a = base, b = base, c = base;
  a.title = "(a) Test accuracy", a.ylabel = "test accuracy";
  b.title = "(b) Without BN: input to a sigmoid", b.ylabel = "percentiles 15, 50, 85";
  c.title = "(c) With BN: input to a sigmoid", c.ylabel = b.ylabel;
  b.ymin = c.ymin = lo - pad, b.ymax = c.ymax = hi + pad;
  return {line_plot(acc, a), line_plot(pct[0], b), line_plot(pct[1], c)};
}

// Everything the figure needs goes through here: the CSV (the data) and the picture.
void write_figure(const std::vector<Record>& records, const std::string& folder) {
  std::filesystem::create_directories(folder);
  write_csv(records, folder + "/figure1.csv");
  write_png(stack(figure_panels(records), 3), folder + "/figure1.png");
  fmt::print("Wrote {0}/figure1.csv (the numbers) and {0}/figure1.png (the three panels)\n", folder);
}

// ---- stepping through a trained network ---------------------------------------------------

void show_trace(Net& net, const Tensor& x, const Tensor& y, bool step) {
  const Trace t = trace_step(*net.model, x, y, net.model->loss(), Mode::Training);
  fmt::print("\n{}", t.header());
  for (size_t i = 0; i < t.layers.size(); ++i) {
    fmt::print("{}", t.rows(i));
    if (step && i + 1 < t.layers.size()) {
      fmt::print("  [Enter: next layer] ");
      std::fflush(stdout);
      std::string line;
      if (std::getline(std::cin, line))
        fmt::print("\033[A\033[K");         // up one line and clear it: the prompt goes, the table stays whole
      else step = false, fmt::print("\n");  // end of input: show the rest without pausing
    }
  }
  fmt::print("{}", t.legend());
}

void print_progress(const Record& r, long steps) {
  fmt::print("step {:>5}/{}  test accuracy: without BN {:.4f}, with BN {:.4f}   sigmoid input p15/p50/p85: "
             "without BN {:+.2f}/{:+.2f}/{:+.2f}, with BN {:+.2f}/{:+.2f}/{:+.2f}\n",
             r.step, steps, r.accuracy[0], r.accuracy[1], r.percentiles[0][0], r.percentiles[0][1], r.percentiles[0][2],
             r.percentiles[1][0], r.percentiles[1][1], r.percentiles[1][2]);
  std::fflush(stdout);
}

void print_summary(const std::vector<Record>& records) {
  const Record &first = records.front(), &last = records.back();
  fmt::print("\n{:<40}{:>20}{:>20}\n", "", "without BN", "with BN");
  fmt::print("{:<40}{:>20.4f}{:>20.4f}\n", fmt::format("test accuracy after {} steps", last.step), last.accuracy[0],
             last.accuracy[1]);
  fmt::print("{:<40}{:>20.4f}{:>20.4f}\n", "test loss", last.loss[0], last.loss[1]);
  auto text = [](const std::array<double, 3>& p) { return fmt::format("{:+.2f}/{:+.2f}/{:+.2f}", p[0], p[1], p[2]); };
  for (const Record* r : {&first, &last})
    fmt::print("{:<40}{:>20}{:>20}\n", fmt::format("sigmoid input p15/p50/p85, step {}", r->step),
               text(r->percentiles[0]), text(r->percentiles[1]));
}

}  // namespace

int main(int argc, char** argv) try {
  Flags flags = parse(argc, argv);
  if (flags.step && isatty(STDIN_FILENO) != 1) {
    fmt::print("(--step ignored: standard input is not a terminal, so nothing would answer the pauses)\n");
    flags.step = false;
  }
  const auto start = std::chrono::steady_clock::now();
  fmt::print("Loading Fashion-MNIST from {}\n", flags.data);
  const Dataset train = load_mnist(flags.data, "train", flags.limit);
  const Dataset test = load_mnist(flags.data, "test", flags.test_size);
  Tensor probe_images, report_images, report_labels;
  std::vector<long> all(size_t(test.images.shape()[0]));
  std::iota(all.begin(), all.end(), 0L);
  take_rows(test.images, all, 0, std::min(kProbeImages, long(all.size())), probe_images);
  take_rows(test.images, all, 0, std::min(kReportImages, long(all.size())), report_images);
  take_rows(test.labels, all, 0, std::min(kReportImages, long(all.size())), report_labels);
  fmt::print("  train {}  test {}  (the sigmoid inputs are measured on the first {} test images)\n\n",
             train.images.shape(), test.images.shape(), probe_images.shape()[0]);

  set_random_seed(flags.seed);
  std::array<Net, 2> nets{examples::build_bn_paper_mlp(false, flags.learning_rate),
                          examples::build_bn_paper_mlp(true, flags.learning_rate)};
  examples::copy_dense_weights(nets[0], nets[1]);
  nets[1].model->summary(std::cout);
  examples::write_diagram(*nets[0].model, flags.out, "without_bn");
  examples::write_diagram(*nets[1].model, flags.out, "with_bn");
  fmt::print("\nBoth networks start from the same Dense weights (copied from the network without BN) and see the\n"
             "same batches of {} in the same order. Plain SGD, learning rate {}, {} steps.\n\n",
             kBatch, flags.learning_rate, flags.steps);

  // The training loop, written out: the same four lines for both networks.
  const long n = train.images.shape()[0];
  Rng rng(flags.seed);
  std::vector<long> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0L);
  // A training report per network (report/training_report.h): the layers over training, on the
  // probe images, in one HTML page each.
  std::vector<std::unique_ptr<TrainingReport>> reports;
  for (Net& net : nets) {
    const std::string path = fmt::format("{}/report_{}.html", flags.out, net.model->name());
    reports.push_back(std::make_unique<TrainingReport>(
        *net.model, ReportOptions{.path = path, .probe_x = &report_images, .probe_y = &report_labels}));
    reports.back()->set_context(*net.model, {.epochs = 1, .steps = flags.steps});
    reports.back()->on_train_begin({});
  }
  std::vector<Record> records{measure(0, nets, test, probe_images, flags.unit)};
  print_progress(records.back(), flags.steps);
  Tensor xb, yb, dy;
  for (long step = 1, pos = n; step <= flags.steps; ++step, pos += kBatch) {
    if (pos + kBatch > n) {  // a new epoch: reshuffle (Fisher-Yates with our seeded generator)
      for (long i = n - 1; i > 0; --i) std::swap(order[size_t(i)], order[size_t(rng.below(std::uint64_t(i + 1)))]);
      pos = 0;
    }
    take_rows(train.images, order, pos, std::min(n, pos + kBatch), xb);
    take_rows(train.labels, order, pos, std::min(n, pos + kBatch), yb);
    for (size_t k = 0; k < nets.size(); ++k) {
      Net& net = nets[k];
      const Tensor& y_pred = net.model->forward(xb, Mode::Training);           // BN: batch statistics
      const double loss = net.model->loss().compute(y_pred, yb, &dy);          // the batch mean; dy carries 1/60
      net.model->backward(dy);                                                 // assigns every weight's grad
      net.model->optimizer().apply_gradients(net.model->trainable_weights());  // w <- w - lr * grad
      reports[k]->on_train_batch_end(step - 1, {{"loss", loss}});
    }
    if (step % flags.eval_every == 0 || step == flags.steps) {
      records.push_back(measure(step, nets, test, probe_images, flags.unit));
      print_progress(records.back(), flags.steps);
    }
  }

  print_summary(records);
  write_figure(records, flags.out);
  for (size_t k = 0; k < nets.size(); ++k) {
    const Record& last = records.back();
    Logs logs{{"val_loss", last.loss[k]}, {"val_accuracy", last.accuracy[k]}};
    reports[k]->on_epoch_end(0, logs);
    reports[k]->on_train_end(logs);
    fmt::print("Training report: {}/report_{}.html (its samples and page took {:.2f} s)\n", flags.out,
               nets[k].model->name(), reports[k]->seconds());
  }
  if (flags.trace) {
    fmt::print("\nOne more training batch through each trained network, layer by layer (no update is made).\n"
               "Compare the sigmoid layers' 'satur.' column and the gradient norms reaching the first layers.\n");
    take_rows(train.images, order, 0, std::min(n, kBatch), xb);
    take_rows(train.labels, order, 0, std::min(n, kBatch), yb);
    for (Net& net : nets) show_trace(net, xb, yb, flags.step);
  }
  fmt::print("\nDone in {:.1f} s.\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
} catch (const minnow::Error& e) {
  fmt::print(stderr, "bn_paper_figure1: {}\n", e.what());
  return 1;
}
