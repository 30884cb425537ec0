// Runs `step` (built next to the tests: build/<preset>/examples/) from scripts of keys: the
// transcript is the golden file byte for byte, a weights file is loaded, bad flags fail.
#include <cstdio>
#include <filesystem>
#include <string>

#include "examples/seed_models.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace minnow;

using minnow::testing::output_of;

namespace {

fs::path step_program() { return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / "step"; }

// The golden session: every key, the mistakes a learner makes, and both modes.
constexpr const char* kGoldenKeys =
    "h b f f s e p batch_normalization/output[0:2, 0:6]; f f l g b b b b e p dense/grad[0:2, 0:5]; "
    "o o o o o o e p dense/kernel[0:3, 0:4]; p dense/kernel.grad[0:3, 0:4]; f m f f s n g q";

}  // namespace

TEST_CASE("step --keys prints the golden transcript, byte for byte", "[examples][stepper]") {
  const fs::path step = step_program();
  if (!fs::exists(step)) {
    WARN("skipped: " << step << " was not built (MINNOW_BUILD_EXAMPLES=OFF?)");
    return;
  }
  const auto [out, status] = output_of(step, fmt::format("--model tabular --keys '{}'", kGoldenKeys));
  CHECK(status == 0);
  CHECK(out == testing::read_test_file("golden/step_tabular.txt"));
}

TEST_CASE("step loads a weights file into the model it steps through", "[examples][stepper]") {
  const fs::path step = step_program();
  if (!fs::exists(step)) return;
  clear_session();
  set_random_seed(5);
  const auto m = examples::seed_tabular_model().model;
  const fs::path file = fs::temp_directory_path() / fmt::format("minnow-step-{}.npz", ::getpid());
  m->save_weights(file.string());
  const auto [out, status] =
      output_of(step, fmt::format("--weights '{}' --keys 'p dense/kernel[0, 0:3]; q'", file.string()));
  fs::remove(file);
  INFO(out);
  CHECK(status == 0);
  const Tensor& k = m->get_layer("dense").weight("kernel").value;
  CHECK(out.find(fmt::format("{:>10.4f}{:>10.4f}{:>10.4f}", k[0], k[1], k[2])) != std::string::npos);
  CHECK(output_of(step, "--model nope 2>&1").first.find("'nope' is not one of the teaching models") !=
        std::string::npos);
  CHECK(output_of(step, "--model nope 2>/dev/null").second != 0);
}
