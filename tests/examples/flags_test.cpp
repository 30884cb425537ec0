// The examples' flags: a missing or malformed value, or an unknown flag, ends the program with
// exit code 1 and a message naming the flag and the text, never a crash (an uncaught exception
// from std::stoi, say) and never a silent 0. Every example answers --help with its usage.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include <fmt/format.h>

#include "test_util.h"

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Run {
  int code;
  std::string out, err;
};

// Runs an example with the given arguments; returns its exit code and what it wrote to stdout and stderr.
Run run(const std::string& name, const std::string& args) {
  const fs::path exe = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / name;
  const fs::path out = fs::temp_directory_path() / ("minnow_test_flags_" + name + ".out");
  const fs::path err = fs::temp_directory_path() / ("minnow_test_flags_" + name + ".err");
  const std::string command =
      fmt::format("'{}' {} > '{}' 2> '{}' < /dev/null", exe.string(), args, out.string(), err.string());
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out), read_text(err)};
}

// Its exit code and what it wrote to stderr.
std::pair<int, std::string> run_example(const std::string& name, const std::string& args) {
  Run r = run(name, args);
  return {r.code, std::move(r.err)};
}

bool examples_built() {
  return fs::exists(fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / "fold_batchnorm");
}

}  // namespace

TEST_CASE("Examples reject a bad flag value with exit code 1 and a message naming the flag", "[examples]") {
  if (!examples_built()) {
    WARN("skipped: the examples were not built (MINNOW_BUILD_EXAMPLES=OFF?)");
    return;
  }
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"fold_batchnorm", "--passes", "--passes needs a value"},
      {"fold_batchnorm", "--passes x", "--passes expects a whole number >= 1, but received 'x'"},
      {"fold_batchnorm", "--batch 0", "--batch expects a whole number >= 1, but received '0'"},
      {"fold_batchnorm", "--bogus 1", "unknown flag '--bogus'"},
      {"fashion_mnist", "--epochs 2x", "--epochs expects a whole number >= 0, but received '2x'"},
      {"bn_paper_figure1", "--learning-rate abc", "--learning-rate expects a number > 0, but received 'abc'"},
      {"fcn_moving_stats", "--learning-rate -1", "--learning-rate expects a number > 0, but received '-1'"},
      {"normalization", "--images 0", "--images expects a whole number >= 1, but received '0'"},
      // An unknown flag is unknown wherever it stands; as the last argument it has no value either.
      {"fashion_mnist", "--bogus", "unknown flag '--bogus'"},
      {"fold_batchnorm", "--batch 8 --bogus", "unknown flag '--bogus'"},
      {"bn_paper_figure1", "--steps 1 --bogus", "unknown flag '--bogus'"},
      {"tour", "--bogus", "unknown flag '--bogus'"},
      {"keras_summaries", "--bogus", "unknown flag '--bogus'"},
      {"keras_summaries", "--style keras4", "--style expects keras3 or torchinfo, but received 'keras4'"},
      {"gradient_check", "--bogus", "unknown flag '--bogus'"},
      {"normalization_family", "--bogus", "unknown flag '--bogus'"},
  };
  for (const auto& [name, args, message] : cases) {
    INFO(name << " " << args);
    const auto [code, err] = run_example(name, args);
    CHECK(code == 1);
    CHECK(err.find(message) != std::string::npos);
  }
}

TEST_CASE("Every example answers --help with its usage and exit code 0, and runs nothing", "[examples]") {
  if (!examples_built()) {
    WARN("skipped: the examples were not built (MINNOW_BUILD_EXAMPLES=OFF?)");
    return;
  }
  for (const std::string name : {"tour", "keras_summaries", "normalization", "fcn_moving_stats", "normalization_family",
                                 "gradient_check", "bn_paper_figure1", "fashion_mnist", "fold_batchnorm"}) {
    for (const std::string flag : {"--help", "-h"}) {
      INFO(name << " " << flag);
      const Run r = run(name, flag);
      CHECK(r.code == 0);
      CHECK(r.out.rfind("Usage: " + name, 0) == 0);  // the first line, and nothing before it
      CHECK(r.err.empty());
    }
  }
}
