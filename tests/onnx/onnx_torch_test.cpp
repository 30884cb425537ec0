// load_onnx on models PyTorch exported (tests/reference/make_torch_onnx_models.py wrote them with
// torch 1.13.1's torch.onnx.export, with an input and torch's output for it): every model reads
// back into minnow and gives torch's outputs to 1e-5 relative, its images fed as NHWC.
#include <algorithm>

#include <catch2/catch.hpp>

#include "io/npz.h"
#include "minnow.h"
#include "onnx/onnx.h"
#include "onnx/onnx_test_util.h"

using namespace minnow;
using namespace minnow::onnx_test;

namespace {

std::string reference(const std::string& name) {
  return std::string(MINNOW_TEST_DATA_DIR) + "/reference/onnx/torch_" + name;
}

// (N, C, H, W) -> (N, H, W, C); other ranks as they are.
Tensor to_nhwc(const Tensor& x) {
  if (x.shape().rank() != 4) return x;
  const long N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  Tensor y(Shape{N, H, W, C});
  for (long n = 0; n < N; ++n)
    for (long c = 0; c < C; ++c)
      for (long i = 0; i < H * W; ++i) y[(n * H * W + i) * C + c] = x[(n * C + c) * H * W + i];
  return y;
}

double torch_difference(const std::string& name) {
  auto model = load_onnx(reference(name + ".onnx"));
  NpzReader npz(reference(name + ".npz"));
  const Tensor x = to_nhwc(npz.read("input")), expected = npz.read("output");
  const double d = relative_difference(model->forward(x, Mode::Inference), expected);
  fmt::print("load_onnx vs torch, {}: max relative difference {:.2e}\n", name, d);
  return d;
}

}  // namespace

TEST_CASE("Models PyTorch exported read back into minnow and give torch's outputs to 1e-5 relative") {
  for (const std::string name : {"mlp", "cnn", "strided", "strided_even", "residual", "branches", "matmul", "layernorm",
                                 "gates", "activations"}) {
    SECTION(name) { CHECK(torch_difference(name) <= 1e-5); }
  }
}

TEST_CASE("An imported model's summary is Keras' with BatchNormalization's running statistics non-trainable") {
  clear_session();
  auto model = load_onnx(reference("mlp.onnx"));  // Linear, BatchNorm1d, ReLU, Dropout, Linear, Softmax
  CHECK(model->summary() == "Model: \"torch_jit\"\n"
                            "_________________________________________________________________\n"
                            "Layer (type)                 Output Shape              Param #   \n"
                            "=================================================================\n"
                            "input (InputLayer)           [(None, 10)]              0         \n"
                            "_________________________________________________________________\n"
                            "dense (Dense)                (None, 16)                176       \n"
                            "_________________________________________________________________\n"
                            "batch_normalization (BatchNo (None, 16)                64        \n"
                            "_________________________________________________________________\n"
                            "re_lu (ReLU)                 (None, 16)                0         \n"
                            "_________________________________________________________________\n"
                            "dense_1 (Dense)              (None, 4)                 68        \n"
                            "=================================================================\n"
                            "Total params: 308\n"
                            "Trainable params: 276\n"
                            "Non-trainable params: 32\n"
                            "_________________________________________________________________\n");
  // The Softmax was fused into the last Dense, the BatchNorm1d kept torch's eps and momentum.
  CHECK(dynamic_cast<DenseLayer&>(model->get_layer("dense_1")).options().activation == "softmax");
  const auto& bn = dynamic_cast<BatchNormalizationLayer&>(model->get_layer("batch_normalization")).options();
  CHECK(bn.epsilon == 1e-5f);
  CHECK(bn.momentum == Approx(0.9f));
}

TEST_CASE("Torch's names become layer names: '/stem/stem.0/Conv' -> 'stem_stem_0', a BatchNorm2d folded into it") {
  clear_session();
  auto model = load_onnx(reference("residual.onnx"));
  std::vector<std::string> names;
  for (const auto& l : model->layers()) names.push_back(l->name() + " " + l->class_name());
  CHECK(names == std::vector<std::string>{"input InputLayer", "stem_stem_0 Conv2D", "conv1 Conv2D", "conv2 Conv2D",
                                          "add Add", "re_lu ReLU", "head_head_0 GlobalAveragePooling2D",
                                          "head_head_2 Dense"});
  CHECK(model->count_params() == 1437);
}

TEST_CASE("PyTorch's padding on every side becomes a ZeroPadding2D before a 'valid' window, MaxPool's is refused") {
  clear_session();
  // Conv2d(3, 4, 3, stride=2, padding=1) on 8x8: torch pads 1 on every side, TF's 'same' 0 on top, 1 below.
  auto model = load_onnx(reference("strided_even.onnx"));
  CHECK(model->layers()[1]->class_name() == "ZeroPadding2D");
  CHECK(model->layers()[1]->output_shape().str() == "(None, 10, 10, 3)");
  CHECK(dynamic_cast<Conv2DLayer&>(*model->layers()[2]).options().padding == "valid");
  // AvgPool2d(3, stride=2, padding=1) averages the padded zeros: ZeroPadding2D, then AveragePooling2D.
  std::vector<std::string> classes;
  const auto gates = load_onnx(reference("gates.onnx"));
  for (const auto& l : gates->layers()) classes.push_back(l->class_name());
  CHECK(std::ranges::count(classes, std::string("ZeroPadding2D")) == 2);  // the strided Conv's, the AvgPool's Pad
  // MaxPool2d(3, stride=2, padding=1) pads with -infinity, which no minnow layer does.
  minnow::testing::require_throws<UsageError>([] { load_onnx(reference("maxpool_padded.onnx")); },
                                              {"(MaxPool)", "attribute 'pads'", "[1, 1, 1, 1]", "8x8"});
}
