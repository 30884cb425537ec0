// Exported models run in ONNX Runtime and give minnow's inference outputs. Built only when
// onnxruntime-node is installed (scripts/deps.sh: minnow_install_onnxruntime), as its own test
// program; MINNOW_ONNXRUNTIME_MODULES is its node_modules folder.
#include <catch2/catch.hpp>

#include "examples/fashion_mnist_cnn.h"
#include "onnx/onnx.h"
#include "onnx/onnx_models.h"
#include "onnx/onnx_test_util.h"

using namespace minnow;
using namespace minnow::onnx_test;
using minnow::testing::output_of;

namespace {

// The outputs of the ONNX file `model` in ONNX Runtime for the inputs `xs`.
std::vector<Tensor> run_in_onnxruntime(const std::filesystem::path& model, const std::vector<const Tensor*>& xs) {
  const auto folder = model.parent_path();
  std::string args =
      fmt::format("'{}/onnx/run_onnxruntime.js' '{}' '{}/out'", MINNOW_TEST_DATA_DIR, model.string(), folder.string());
  for (size_t i = 0; i < xs.size(); ++i) {
    const auto in = folder / fmt::format("in{}.npy", i);
    write_npy(in, *xs[i]);
    args += fmt::format(" '{}'", in.string());
  }
  const auto [out, status] =
      output_of("env", fmt::format("NODE_PATH='{}' node {} 2>&1", MINNOW_ONNXRUNTIME_MODULES, args));
  INFO(out);
  REQUIRE(status == 0);
  std::vector<Tensor> ys;
  for (size_t i = 0; std::filesystem::exists(folder / fmt::format("out{}.npy", i)); ++i)
    ys.push_back(read_npy_file(folder / fmt::format("out{}.npy", i)));
  return ys;
}

// Exports `model`, checks the file with ONNX's checker, runs it in ONNX Runtime on a seeded batch
// and returns max |onnxruntime - minnow| / max |minnow|.
double exported_difference(Model& model, const std::string& what, long batch = 3) {
  const auto folder = scratch_folder("ort");
  const auto file = folder / "model.onnx";
  save_onnx(model, file.string());
  CHECK(python_onnx_check(file) == "");
  const Tensor x = seeded_input(model.inputs()[0].shape(), batch, 11);
  const Tensor expected = model.forward(x, Mode::Inference);
  const auto ys = run_in_onnxruntime(file, {&x});
  REQUIRE(ys.size() == 1);
  const double d = relative_difference(ys[0], expected);
  fmt::print("onnxruntime vs minnow, {}: max relative difference {:.2e}\n", what, d);
  std::filesystem::remove_all(folder);
  return d;
}

}  // namespace

TEST_CASE("Every exported layer runs in ONNX Runtime and gives minnow's inference outputs to 1e-5 relative") {
  for (const auto& m : exported_models()) {
    SECTION(m.name) {
      auto model = m.make();
      CHECK(exported_difference(*model, m.name) <= 1e-5);
    }
  }
}

TEST_CASE("The Fashion-MNIST CNN, after training, runs in ONNX Runtime with minnow's outputs") {
  set_random_seed(42);
  Sequential model;
  examples::add_fashion_mnist_cnn(model, 0.9f);  // 32 steps: enough for momentum 0.9
  const std::string dir = default_fashion_mnist_dir();
  Tensor x = read_idx(dir + "/train-images-idx3-ubyte.gz"), y = read_idx(dir + "/train-labels-idx1-ubyte.gz");
  const long n = 2048;
  Tensor xs(Shape{n, 28, 28, 1}), ys(Shape{n});
  for (long i = 0; i < xs.size(); ++i) xs[i] = x[i] / 255.0f;
  for (long i = 0; i < n; ++i) ys[i] = y[i];
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(xs, ys, {.epochs = 1, .batch_size = 64, .verbose = 0});
  CHECK(exported_difference(model, "Fashion-MNIST CNN after one epoch on 2048 images", 16) <= 1e-5);
}
