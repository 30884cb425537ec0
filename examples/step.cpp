// step: one training step of a teaching model, piece by piece, with single keys (tools/stepper.h):
// f forward of the next layer, l the loss, b backward of the next layer, o the optimizer's update
// of each weight, n the next batch, m training <-> inference, p <tensor> print (p dense/kernel[0:3, 0:4]),
// s BatchNormalization's batch vs moving statistics, e the equations just run, g the graph, h help, q quit.
//
// On a terminal it reads single keys (raw mode, restored on exit and on Ctrl-C); with --keys it
// runs a script of keys and prints plain text (the tests' golden output, the tutorial's session):
//   step --model tabular --keys "fff l bbb o p dense/kernel[0:3, 0:4]; q"
// In a script every character is a key (blanks separate nothing) and p takes the rest up to ';'.
//
// Flags: --model NAME (tabular, image, bn_mlp, cnn; default tabular), --batch N (default 4),
//        --seed N (1), --weights FILE (a weights file, model/weights_io.h, loaded into the model),
//        --inference (start in inference mode), --data DIR (Fashion-MNIST), --keys "SCRIPT"
#include <unistd.h>

#include <optional>
#include <string>

#include <fmt/format.h>

#include "examples/flags.h"
#include "examples/step_models.h"
#include "minnow.h"

using namespace minnow;

namespace {

const char* const kUsage =
    "Usage: step [--model NAME] [--batch N] [--seed N] [--weights FILE] [--inference] [--data DIR]\n"
    "            [--keys \"SCRIPT\"]\n"
    "\n"
    "One training step of a teaching model, a layer at a time, driven by single keys (h lists them).\n"
    "\n"
    "  --model NAME   tabular, image (the thread's two models), bn_mlp (the BatchNorm paper's MLP),\n"
    "                 cnn (the Fashion-MNIST CNN); default tabular\n"
    "  --batch N      samples per batch (default 4)\n"
    "  --seed N       the weights and the synthetic batches (default 1)\n"
    "  --weights FILE load these weights (a file written by save_weights) into the model\n"
    "  --inference    start in inference mode (m toggles)\n"
    "  --data DIR     Fashion-MNIST for bn_mlp and cnn (default /usr/share/datasets/fashion-mnist;\n"
    "                 synthetic batches when absent)\n"
    "  --keys SCRIPT  run these keys and print a plain transcript, e.g. \"fff l bbb o p dense/kernel[0:3, 0:4]; q\":\n"
    "                 every character is a key, p takes the rest up to ';'\n";

struct Flags {
  std::string model = "tabular", weights, data = default_fashion_mnist_dir();
  std::optional<std::string> keys;
  long batch = 4;
  std::uint64_t seed = 1;
  bool inference = false;
};

Flags parse(int argc, char** argv) {
  Flags f;
  examples::FlagParser p(kUsage);
  p.toggle("--inference", [&] { f.inference = true; });
  p.value("--model", [&](const std::string&, const char* v) { f.model = v; });
  p.value("--batch", [&](const std::string& a, const char* v) { f.batch = examples::parse_long(a, v, 1); });
  p.value("--seed",
          [&](const std::string& a, const char* v) { f.seed = std::uint64_t(examples::parse_long(a, v, 0)); });
  p.value("--weights", [&](const std::string&, const char* v) { f.weights = v; });
  p.value("--data", [&](const std::string&, const char* v) { f.data = v; });
  p.value("--keys", [&](const std::string&, const char* v) { f.keys = v; });
  p.parse(argc, argv);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Flags flags = parse(argc, argv);
    examples::StepModel s = examples::make_step_model(flags.model, flags.batch, flags.seed, flags.data);
    if (!flags.weights.empty()) s.model->load_weights(flags.weights);
    Stepper stepper(*s.model, s.batches, flags.inference ? Mode::Inference : Mode::Training);
    fmt::print("step: model '{}' ({}: {} layers after its input, {} parameters), {} with {}\n", s.model->name(),
               flags.model, stepper.layers().size() - 1, s.model->count_params(), s.model->loss().name(),
               s.model->optimizer().name());
    fmt::print("batches of {}: {}\n", flags.batch, s.data);
    if (!flags.weights.empty()) fmt::print("weights from {}\n", flags.weights);
    if (flags.keys) {
      fmt::print("{}", run_script(stepper, *flags.keys));
      return 0;
    }
    std::fflush(stdout);
    return run_terminal(stepper, STDIN_FILENO, STDOUT_FILENO);
  } catch (const Error& e) {
    fmt::print(stderr, "step: {}\n", e.what());
    return 1;
  }
}
