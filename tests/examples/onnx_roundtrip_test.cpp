// examples/onnx_roundtrip: the round trip is bit for bit and the PyTorch model matches torch.
#include <filesystem>
#include <regex>

#include <catch2/catch.hpp>

#include "examples/fashion_mnist_cnn.h"
#include "minnow.h"
#include "onnx/onnx.h"
#include "test_util.h"

namespace fs = std::filesystem;
using minnow::testing::output_of;

TEST_CASE("onnx_roundtrip reads its own ONNX file back bit for bit and a PyTorch export within 1e-5", "[examples]") {
  const fs::path program =
      fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / "onnx_roundtrip";
  if (!fs::exists(program)) {
    WARN("skipped: " << program << " was not built (MINNOW_BUILD_EXAMPLES=OFF?)");
    return;
  }
  const fs::path folder = fs::temp_directory_path() / ("minnow-onnx-example-" + std::to_string(getpid()));
  fs::create_directories(folder);
  const auto [out, status] =
      output_of("sh", "-c 'cd \"" + folder.string() + "\" && \"" + program.string() + "\" --limit 256'");
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find("max |minnow - minnow read back| = 0; the same outputs, bit for bit") != std::string::npos);
  CHECK(out.find("Total params: 1,450") != std::string::npos);
  CHECK(out.find("Total params: 4,122") != std::string::npos);
  CHECK(out.find("Non-trainable params: 16") != std::string::npos);
  std::smatch m;
  REQUIRE(
      std::regex_search(out, m, std::regex(R"(max \|minnow - torch\| = ([0-9.e+-]+) on outputs up to ([0-9.e+-]+))")));
  CHECK(std::stod(m[1]) <= 1e-5 * std::stod(m[2]));
  CHECK(fs::file_size(folder / "minnow-out" / "onnx_roundtrip" / "small_cnn.onnx") > 1000);
  fs::remove_all(folder);
}

TEST_CASE("onnx_roundtrip --weights converts fashion_mnist's weights file to an ONNX file of the same model",
          "[examples]") {
  const fs::path program =
      fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" / "onnx_roundtrip";
  if (!fs::exists(program)) {
    WARN("skipped: " << program << " was not built (MINNOW_BUILD_EXAMPLES=OFF?)");
    return;
  }
  const fs::path folder = fs::temp_directory_path() / ("minnow-onnx-convert-" + std::to_string(getpid()));
  fs::create_directories(folder);
  minnow::set_random_seed(5);
  minnow::Sequential model;
  minnow::examples::add_fashion_mnist_cnn(model);
  model.save_weights((folder / "w.npz").string());
  const auto [out, status] = output_of(
      program, "--weights '" + (folder / "w.npz").string() + "' --out '" + (folder / "m.onnx").string() + "'");
  INFO(out);
  REQUIRE(status == 0);
  CHECK(out.find("Total params:") != std::string::npos);
  auto back = minnow::load_onnx((folder / "m.onnx").string());
  CHECK(back->count_params() == model.count_params());
  minnow::Tensor x(minnow::Shape{2, 28, 28, 1}, 0.25f);
  const minnow::Tensor expected = model.forward(x, minnow::Mode::Inference);
  const minnow::Tensor& got = back->forward(x, minnow::Mode::Inference);
  CHECK(std::equal(expected.values().begin(), expected.values().end(), got.values().begin()));
  fs::remove_all(folder);
}
