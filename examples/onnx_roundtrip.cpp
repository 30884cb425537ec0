// onnx_roundtrip: a model out to ONNX and back, and a PyTorch model in.
//   1. trains a small CNN on Fashion-MNIST (synthetic images without the data), saves it as ONNX
//      (save_onnx), reads the file back (load_onnx) and compares the two models' outputs;
//   2. reads the CNN PyTorch exported with torch.onnx.export (tests/reference/onnx/torch_cnn.onnx,
//      with its input and torch's output), prints its summary and compares with torch's numbers.
// The ONNX file goes to minnow-out/onnx_roundtrip/small_cnn.onnx: open it in Netron
// (https://netron.app) to see the graph ONNX Runtime and PyTorch's tools see.
// With --weights FILE.npz it converts instead: the weights file fashion_mnist saved, loaded into
// its CNN (examples/fashion_mnist_cnn.h), written as ONNX (--out, default
// minnow-out/onnx_roundtrip/fashion_mnist_cnn.onnx).
//   onnx_roundtrip [--limit N] [--data DIR] [--torch-model FILE.onnx]
//   onnx_roundtrip --weights FILE.npz [--out FILE.onnx]
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "examples/fashion_mnist_cnn.h"
#include "examples/flags.h"
#include "minnow.h"
#include "onnx/onnx.h"

using namespace minnow;

namespace {

const char* const kUsage =
    "Usage: onnx_roundtrip [--limit N] [--data DIR] [--torch-model FILE.onnx]\n"
    "       onnx_roundtrip --weights FILE.npz [--out FILE.onnx]\n"
    "\n"
    "Trains a small CNN, saves it as ONNX, reads it back and compares; then reads a CNN PyTorch\n"
    "exported and compares its outputs with torch's.\n"
    "\n"
    "  --limit N            training images (default 2000; 0: no training)\n"
    "  --data DIR           the folder with the IDX files (default /usr/share/datasets/fashion-mnist)\n"
    "  --torch-model FILE   the PyTorch export, beside its .npz (default tests/reference/onnx/torch_cnn.onnx)\n"
    "  --weights FILE.npz   convert instead: fashion_mnist's weights file, in its CNN, to ONNX\n"
    "  --out FILE.onnx      where --weights writes (default minnow-out/onnx_roundtrip/fashion_mnist_cnn.onnx)\n";

// max |a - b| over the elements, and whether every element has the same bits.
std::pair<double, bool> compare(const Tensor& a, const Tensor& b) {
  double d = 0;
  for (long i = 0; i < a.size(); ++i) d = std::max(d, double(std::abs(a[i] - b[i])));
  return {d, a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * size_t(a.size())) == 0};
}

Tensor training_images(const std::string& data, long limit, Tensor& labels) {
  if (std::filesystem::exists(std::filesystem::path(data) / "train-labels-idx1-ubyte.gz") && limit > 0) {
    Dataset d = load_mnist(data, "train", limit);
    labels = d.labels;
    fmt::print("Training on the first {} Fashion-MNIST images, one epoch:\n", limit);
    return d.images;
  }
  fmt::print("(Fashion-MNIST not found or --limit 0: synthetic images, no real training)\n");
  Tensor x(Shape{64, 28, 28, 1});
  Rng rng(3);
  for (float& v : x.values()) v = rng.uniform(0.0f, 1.0f);
  labels = Tensor(Shape{64});
  for (long i = 0; i < 64; ++i) labels[i] = float(i % 10);
  return x;
}

void minnow_out_and_back(const std::string& data, long limit) {
  fmt::print("== 1) minnow -> ONNX -> minnow\n\n");
  set_random_seed(7);
  auto inputs = Input({28, 28, 1});
  auto x = Conv2D(8, 3, "same", 1, "relu")(inputs);
  x = BatchNormalization({.momentum = 0.9f})(x);
  x = MaxPooling2D()(x);
  x = Conv2D(16, 3, "same", 1, "relu")(x);
  auto outputs = Dense(10, "softmax")(GlobalAveragePooling2D()(x));
  Model model(inputs, outputs, "small_cnn");
  Tensor labels;
  const Tensor images = training_images(data, limit, labels);
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(images, labels, {.epochs = 1, .batch_size = 32, .verbose = 2});
  std::filesystem::create_directories("minnow-out/onnx_roundtrip");
  const std::string file = "minnow-out/onnx_roundtrip/small_cnn.onnx";
  save_onnx(model, file);
  fmt::print("\nsave_onnx wrote {} ({} bytes). Read back with load_onnx:\n\n", file, std::filesystem::file_size(file));
  auto back = load_onnx(file);
  back->summary(std::cout);
  const Tensor batch = images.shape()[0] >= 16
                           ? Tensor(Shape{16, 28, 28, 1}, std::vector<float>(images.data(), images.data() + 16 * 784))
                           : images;
  const Tensor a = model.predict(batch), b = back->predict(batch);
  const auto [diff, same] = compare(a, b);
  fmt::print("\nOn 16 images: max |minnow - minnow read back| = {:g}; {}\n\n", diff,
             same ? "the same outputs, bit for bit" : "the outputs differ");
}

void torch_in(const std::string& torch_model) {
  fmt::print("== 2) PyTorch -> ONNX -> minnow: {}\n\n", torch_model);
  auto model = load_onnx(torch_model);
  model->summary(std::cout);
  NpzReader npz(torch_model.substr(0, torch_model.size() - 5) + ".npz");
  const Tensor x = npz.read("input"), expected = npz.read("output");  // NCHW, as torch has it
  const long N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  Tensor nhwc(Shape{N, H, W, C});
  for (long n = 0; n < N; ++n)
    for (long c = 0; c < C; ++c)
      for (long i = 0; i < H * W; ++i) nhwc[(n * H * W + i) * C + c] = x[(n * C + c) * H * W + i];
  const auto [diff, same] = compare(model->predict(nhwc), expected);
  fmt::print("\nThe file's {} images, fed as NHWC: max |minnow - torch| = {:.2g} on outputs up to {:.2g}\n", N, diff,
             double(expected.matrix().cwiseAbs().maxCoeff()));
}

// The weights file fashion_mnist saves, in the CNN it trains, written as ONNX.
void convert(const std::string& weights, const std::string& out) {
  Sequential model;
  examples::add_fashion_mnist_cnn(model);
  model.load_weights(weights);
  const auto folder = std::filesystem::path(out).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder);
  save_onnx(model, out);
  model.summary(std::cout);
  fmt::print("\n{} -> {} ({} bytes)\n", weights, out, std::filesystem::file_size(out));
}

}  // namespace

int main(int argc, char** argv) try {
  long limit = 2000;
  std::string data = default_fashion_mnist_dir(),
              torch_model = MINNOW_SOURCE_DIR "/tests/reference/onnx/torch_cnn.onnx";
  examples::FlagParser flags(kUsage);
  flags.value("--limit", [&](const std::string& a, const char* v) { limit = examples::parse_long(a, v, 0); });
  flags.value("--data", [&](const std::string&, const char* v) { data = v; });
  flags.value("--torch-model", [&](const std::string&, const char* v) { torch_model = v; });
  std::string weights, out = "minnow-out/onnx_roundtrip/fashion_mnist_cnn.onnx";
  flags.value("--weights", [&](const std::string&, const char* v) { weights = v; });
  flags.value("--out", [&](const std::string&, const char* v) { out = v; });
  flags.parse(argc, argv);
  if (!weights.empty()) {
    convert(weights, out);
    return 0;
  }
  minnow_out_and_back(data, limit);
  torch_in(torch_model);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "onnx_roundtrip: " << e.what() << "\n";
  return 1;
}
