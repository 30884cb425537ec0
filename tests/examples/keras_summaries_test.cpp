// Runs the keras_summaries example (built next to the tests: build/<preset>/examples/) and compares
// its whole standard output, byte for byte, with tests/golden/keras_summaries.txt, once on one
// OpenMP thread and once on two: the numbers must not depend on the thread count.
//
// After a deliberate change to the example, regenerate the golden file with
//   OMP_NUM_THREADS=1 ./build/release/examples/keras_summaries > tests/golden/keras_summaries.txt
#include <cstdio>
#include <filesystem>
#include <string>

#include "test_util.h"

using namespace minnow::testing;
namespace fs = std::filesystem;

namespace {

// The standard output and exit status of `command` (run by the shell).
std::pair<std::string, int> output_of(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  return {out, status};
}

}  // namespace

TEST_CASE("keras_summaries prints the golden text byte for byte on one and on two threads", "[examples]") {
  const fs::path exe = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / "keras_summaries";
  if (!fs::exists(exe)) {
    WARN("skipped: " << exe << " was not built (MINNOW_BUILD_EXAMPLES=OFF?)");
    return;
  }
  const std::string golden = read_test_file("golden/keras_summaries.txt");
  for (const char* threads : {"1", "2"}) {
    const auto [out, status] = output_of(fmt::format("OMP_NUM_THREADS={} '{}'", threads, exe.string()));
    INFO("OMP_NUM_THREADS=" << threads);
    CHECK(status == 0);
    CHECK(out.size() == golden.size());
    // The first differing line, so a failure says where rather than dumping two long texts.
    size_t at = 0;
    while (at < out.size() && at < golden.size() && out[at] == golden[at]) ++at;
    const size_t line_start = golden.rfind('\n', at == 0 ? 0 : at - 1);
    const size_t from = line_start == std::string::npos ? 0 : line_start + 1;
    INFO("first difference at byte " << at << ", golden line:\n"
                                     << golden.substr(from, golden.find('\n', from) - from) << "\noutput line:\n"
                                     << out.substr(from, out.find('\n', from) - from));
    CHECK(out == golden);
  }
}

TEST_CASE("keras_summaries --style prints the seed's two models in Keras 3's and torchinfo's style", "[examples]") {
  const fs::path exe = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / "keras_summaries";
  if (!fs::exists(exe)) {
    WARN("skipped: " << exe << " was not built (MINNOW_BUILD_EXAMPLES=OFF?)");
    return;
  }
  for (const std::string style : {"keras3", "torchinfo"}) {
    INFO("--style " << style);
    const auto [out, status] = output_of(fmt::format("'{}' --style {}", exe.string(), style));
    CHECK(status == 0);
    CHECK(out == read_test_file("golden/seed_tabular_" + style + ".txt") + "\n" +
                     read_test_file("golden/seed_image_" + style + ".txt"));
  }
}
