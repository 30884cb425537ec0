// The examples' flags: a missing or malformed value, or an unknown flag, ends the program with
// exit code 1 and a message naming the flag and the text, never a crash (an uncaught exception
// from std::stoi, say) and never a silent 0.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>

#include <fmt/format.h>

#include "test_util.h"

namespace fs = std::filesystem;

namespace {

// Runs an example with the given arguments; returns its exit code and what it wrote to stderr.
std::pair<int, std::string> run_example(const std::string& name, const std::string& args) {
  const fs::path exe = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / name;
  const fs::path err = fs::temp_directory_path() / ("minnow_test_flags_" + name + ".err");
  const std::string command = fmt::format("'{}' {} > /dev/null 2> '{}'", exe.string(), args, err.string());
  const int status = std::system(command.c_str());
  std::ifstream in(err);
  std::stringstream text;
  text << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

}  // namespace

TEST_CASE("Examples reject a bad flag value with exit code 1 and a message naming the flag", "[examples]") {
  if (!fs::exists(fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / "fold_batchnorm")) {
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
  };
  for (const auto& [name, args, message] : cases) {
    INFO(name << " " << args);
    const auto [code, err] = run_example(name, args);
    CHECK(code == 1);
    CHECK(err.find(message) != std::string::npos);
  }
}
