// minnow.h, "everything", includes every public header of the library's floors (core, its
// kernels, layers, optim, model, io, tools, callbacks): a header added and forgotten in the umbrella fails here.
#include <filesystem>
#include <set>

#include "test_util.h"

namespace fs = std::filesystem;

TEST_CASE("minnow.h includes every public header") {
  const std::string umbrella = minnow::testing::read_test_file("../minnow.h");
  // The internals the umbrella leaves out on purpose (its comment says why).
  const std::set<std::string> internal = {"core/kernels/gemm.h", "core/kernels/column_ops.h", "core/kernels/matrix.h",
                                          "core/kernels/philox.h"};
  const fs::path root = fs::path(MINNOW_TEST_DATA_DIR).parent_path();
  int checked = 0;
  for (const char* dir : {"core", "core/kernels", "layers", "optim", "model", "io", "tools", "callbacks"})
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
