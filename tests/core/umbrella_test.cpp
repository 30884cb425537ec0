// core/minnow.h, "everything", includes every public header of core/, layers/ and optim/: a
// header added to the library and forgotten in the umbrella fails here.
#include <filesystem>
#include <set>

#include "test_util.h"

namespace fs = std::filesystem;

TEST_CASE("core/minnow.h includes every public header") {
  const std::string umbrella = minnow::testing::read_test_file("../core/minnow.h");
  // The internals the umbrella leaves out on purpose (its comment says why).
  const std::set<std::string> internal = {"core/minnow.h", "core/gemm.h", "core/column_ops.h", "core/font.h"};
  const fs::path root = fs::path(MINNOW_TEST_DATA_DIR).parent_path();
  int checked = 0;
  for (const char* dir : {"core", "layers", "optim"})
    for (const auto& entry : fs::directory_iterator(root / dir)) {
      if (entry.path().extension() != ".h") continue;
      const std::string header = std::string(dir) + "/" + entry.path().filename().string();
      if (internal.count(header)) continue;
      INFO(header);
      CHECK(umbrella.find("#include \"" + header + "\"") != std::string::npos);
      ++checked;
    }
  CHECK(checked > 40);
}
