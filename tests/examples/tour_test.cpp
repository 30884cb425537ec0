// Runs `tour --list` (built next to the tests: build/<preset>/examples/) and checks the plan.
#include <cstdio>
#include <filesystem>
#include <string>

#include "test_util.h"

namespace fs = std::filesystem;

using minnow::testing::output_of;

namespace {

fs::path example(const std::string& name) {
  return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / name;
}

}  // namespace

TEST_CASE("The tour lists the teaching examples in order, small by default and full with --full", "[examples]") {
  const fs::path tour = example("tour");
  if (!fs::exists(tour)) {
    WARN("skipped: " << tour << " was not built (MINNOW_BUILD_EXAMPLES=OFF?)");
    return;
  }
  const auto [small, status] = output_of(tour, "--list");
  INFO(small);
  CHECK(status == 0);
  size_t pos = 0;
  for (const char* name :
       {"./keras_summaries", "./normalization", "./fcn_moving_stats", "./normalization_family", "./gradient_check",
        "./bn_paper_figure1", "./fashion_mnist --epochs 1 --limit 6000", "./fold_batchnorm --passes 5",
        "./step --keys ff s e f l bbb o q", "./onnx_roundtrip --limit 2000"}) {
    const size_t at = small.find(name, pos);
    CHECK(at != std::string::npos);
    pos = at == std::string::npos ? pos : at;
  }
  const auto [full, full_status] = output_of(tour, "--full --list");
  INFO(full);
  CHECK(full_status == 0);
  CHECK(full.find("./bn_paper_figure1 --steps 1000") != std::string::npos);
  CHECK(output_of(tour, "--no-such-flag 2>/dev/null").second != 0);
}
