// tour: the teaching examples in order, with a few lines before each on what to look at.
//
// It runs the example programs that sit next to it (build/<preset>/examples/), each as a
// separate process with small sizes so the whole tour takes about a minute; --full runs the
// full-size versions. An example that was not built is skipped with a note; one that needs
// Fashion-MNIST is skipped when the data is not installed. The exit status is 1 when an
// example fails, 0 otherwise.
//
// Flags: --full (full sizes), --step (wait for Enter before each example and let
//        bn_paper_figure1 pause between layers; only on a terminal), --list (print the plan)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <fmt/format.h>

#include "examples/flags.h"
#include "io/idx.h"

namespace fs = std::filesystem;

namespace {

struct Stop {
  std::string name;
  std::string narrative;                 // what the example shows and what to look at
  std::vector<std::string> small, full;  // arguments for the tour and for --full
  bool needs_fashion_mnist = false;
};

const std::vector<Stop>& stops() {
  static const std::vector<Stop> s = {
      {"keras_summaries",
       "Keras' summaries of the two models from the thread \"What exactly is Batch Normalization doing?\".\n"
       "Look at BatchNormalization's 4 x C parameters, of which 2 x C (the moving statistics) are\n"
       "non-trainable, at what training and inference mode do to those moving statistics, and at part 4:\n"
       "y = gamma * (x - mu) / sigma + beta computed by hand, number by number, next to the layer's output.",
       {},
       {},
       false},
      {"normalization",
       "The first blog post's experiment: 30 random 32x32 images (mean 26, variance 306) normalized\n"
       "three ways: min-max to [0, 1], standardized over the whole data, and batch-normalized over the\n"
       "first 10 images, by hand with moments() and batch_normalization() and by the layer with\n"
       "gamma 1, beta 0. Look at the histograms, and at the two batch-norm paths agreeing.",
       {},
       {"--images", "300"},
       false},
      {"fcn_moving_stats",
       "The second blog post's experiment: a 2-layer fully convolutional network with BatchNormalization\n"
       "on RGB images. Look at which variables are trainable (the moving statistics are not), at the\n"
       "moving averages following the batch statistics with momentum 0.9 (the blog's), and at the\n"
       "low-level twin (moments, batch_normalization, hand-written moving averages) giving the same\n"
       "numbers.",
       {},
       {"--size", "512"},
       false},
      {"normalization_family",
       "BatchNorm, LayerNorm, InstanceNorm and GroupNorm on one batch: which axes each one reduces,\n"
       "how many values go into each statistic, and how many statistics there are.",
       {},
       {},
       false},
      {"gradient_check",
       "Every layer's backward pass against central finite differences, in training and in inference\n"
       "mode. Look at the worst relative errors (all below 1e-2, the tests' bound), and at\n"
       "BatchNormalization's being larger in training, where the gradient also flows through the\n"
       "batch's mean and variance.",
       {},
       {},
       false},
      {"bn_paper_figure1",
       "Figure 1 of the BatchNorm paper: the same sigmoid network trained with and without\n"
       "BatchNormalization, from the same weights, on the same batches. Look at the test accuracy of\n"
       "both, at the input of one sigmoid drifting without BN and staying put with it, and at the\n"
       "traces: saturated sigmoids and the gradient norms reaching the first layer.",
       {},
       {"--steps", "1000", "--eval-every", "20"},
       true},
      {"fashion_mnist",
       "A small CNN with BatchNormalization trained with Adam on the real Fashion-MNIST data, with\n"
       "Keras' summary and progress bar. The tour trains one epoch on 6,000 images (94 steps of 64).\n"
       "With --limit the program sets BatchNormalization's momentum to 0.9 instead of Keras' 0.99, so\n"
       "the moving statistics that inference uses forget their initial 0 and 1 in about 30 steps\n"
       "instead of 300 (with too few steps, fit says so). It writes the training report, a page to open\n"
       "in a browser: minnow-out/fashion_mnist/report.html. --full: 4 epochs of 60,000 images.",
       {"--epochs", "1", "--limit", "6000"},
       {},
       true},
      {"fold_batchnorm",
       "That CNN trained briefly (300 steps of 32 images), then each BatchNormalization folded into the\n"
       "Conv2D or Dense before it, for inference. Look at the 896 parameters that disappear, at the\n"
       "folded model giving the same outputs (to float rounding) and the same test accuracy, and at\n"
       "the time of one inference pass before and after.",
       {"--passes", "5"},
       {},
       false},
      {"step",
       "One training step of the thread's tabular model, a key at a time, from a script of keys (run\n"
       "./step without --keys to press them yourself): each layer's forward with its tagged equations, the\n"
       "loss, each layer's backward, the optimizer's update of a weight. Look at BatchNormalization's batch\n"
       "statistics next to its moving statistics (s), and at the equation the layer just ran (e).",
       {"--keys", "ff s e f l bbb o q"},
       {"--keys", "ff s e f l bbb oooooo g q"},
       false},
      {"onnx_roundtrip",
       "A small CNN trained briefly, written as an ONNX file (save_onnx) and read back (load_onnx): the\n"
       "same summary and the same outputs, bit for bit. Then a CNN that PyTorch exported with\n"
       "torch.onnx.export, read into minnow: look at its summary (BatchNorm2d's running statistics are\n"
       "non-trainable) and at minnow's outputs against torch's. Open minnow-out/onnx_roundtrip/small_cnn.onnx\n"
       "in Netron (https://netron.app) to see the graph other tools see.",
       {"--limit", "2000"},
       {"--limit", "20000"},
       false},
  };
  return s;
}

// The folder of this program: the examples are built next to it.
fs::path own_folder(const char* argv0) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) return self.parent_path();
  return fs::absolute(argv0).parent_path();
}

bool fashion_mnist_installed() {
  const fs::path labels = fs::path(minnow::default_fashion_mnist_dir()) / "t10k-labels-idx1-ubyte";
  return fs::exists(labels) || fs::exists(labels.string() + ".gz");
}

// Runs `program args...` as a child process that shares our terminal; returns its exit status.
int run(const fs::path& program, const std::vector<std::string>& args) {
  std::vector<std::string> argv_text = {program.string()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) return 127;
  if (pid == 0) {
    execv(argv[0], argv.data());
    std::perror("tour: execv");
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return 127;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Outcome {
  std::string name, result;
  double seconds = 0;
  bool failed = false;
};

std::string command_line(const std::string& name, const std::vector<std::string>& args) {
  std::string s = "./" + name;
  for (const std::string& a : args) s += " " + a;
  return s;
}

const char* const kUsage =
    "Usage: tour [--full] [--step] [--list]\n"
    "\n"
    "Runs the teaching examples in order, each with a few lines on what to look at, at small sizes\n"
    "(about a minute in all). The exit status is 1 when an example fails.\n"
    "\n"
    "  --full   the full-size versions (minutes)\n"
    "  --step   wait for Enter before each example, and let bn_paper_figure1 pause between layers\n"
    "           (only on a terminal)\n"
    "  --list   print the plan (the command line of each example) and run nothing\n";

}  // namespace

int main(int argc, char** argv) {
  bool full = false, step = false, list = false;
  minnow::examples::FlagParser flags(kUsage);
  flags.toggle("--full", [&] { full = true; });
  flags.toggle("--step", [&] { step = true; });
  flags.toggle("--list", [&] { list = true; });
  flags.parse_or_exit("tour", argc, argv);
  if (step && isatty(STDIN_FILENO) != 1) {
    fmt::print("(--step ignored: standard input is not a terminal)\n");
    step = false;
  }
  const fs::path folder = own_folder(argv[0]);
  const bool have_data = fashion_mnist_installed();
  const auto& plan = stops();
  fmt::print("A tour of minnow's teaching examples ({} sizes), run from {}\n", full ? "full" : "small",
             folder.string());
  if (list) {
    for (const Stop& s : plan) fmt::print("  {}\n", command_line(s.name, full ? s.full : s.small));
    return 0;
  }

  const auto tour_start = std::chrono::steady_clock::now();
  std::vector<Outcome> outcomes;
  for (size_t i = 0; i < plan.size(); ++i) {
    const Stop& s = plan[i];
    std::vector<std::string> args = full ? s.full : s.small;
    if (step && s.name == "bn_paper_figure1") args.push_back("--step");
    fmt::print("\n{}\n== {}/{}  {}\n{}\n", std::string(100, '='), i + 1, plan.size(), s.name, s.narrative);
    const fs::path program = folder / s.name;
    if (!fs::exists(program)) {
      fmt::print("-- skipped: {} was not built (it is not part of this build yet)\n", program.string());
      outcomes.push_back({s.name, "skipped (not built)"});
      continue;
    }
    if (s.needs_fashion_mnist && !have_data) {
      fmt::print("-- skipped: Fashion-MNIST is not installed in {} (Debian package dataset-fashion-mnist)\n",
                 minnow::default_fashion_mnist_dir());
      outcomes.push_back({s.name, "skipped (no Fashion-MNIST)"});
      continue;
    }
    fmt::print("{}\n\n", std::string(100, '='));
    if (step) {
      fmt::print("[Enter: run {}] ", command_line(s.name, args));
      std::fflush(stdout);
      std::string line;
      if (!std::getline(std::cin, line)) step = false;
    } else {
      fmt::print("$ {}\n", command_line(s.name, args));
    }
    const auto start = std::chrono::steady_clock::now();
    const int status = run(program, args);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcomes.push_back(
        {s.name, status == 0 ? "ok" : fmt::format("FAILED (exit status {})", status), seconds, status != 0});
  }

  fmt::print("\n{}\nThe tour, in {:.0f} s:\n", std::string(100, '='),
             std::chrono::duration<double>(std::chrono::steady_clock::now() - tour_start).count());
  bool failed = false;
  for (const Outcome& o : outcomes) {
    fmt::print("  {:<22}{:<30}{}\n", o.name, o.result, o.seconds > 0 ? fmt::format("{:.1f} s", o.seconds) : "");
    failed = failed || o.failed;
  }
  if (!full) fmt::print("Run 'tour --full' for the full-size versions.\n");
  return failed ? 1 : 0;
}
