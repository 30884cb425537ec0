// Hostile ONNX files (tests/onnx/hostile/, written by tests/reference/make_hostile_onnx.py): each
// is a clear error naming the file and what is wrong, never a crash (the asan build runs these
// too, and tests/fuzz/fuzz_onnx.cpp feeds load_onnx what libFuzzer makes of them).
#include <catch2/catch.hpp>

#include "onnx/onnx.h"
#include "onnx/onnx_test_util.h"

using namespace minnow;
using minnow::testing::require_throws;

namespace {

std::string hostile(const std::string& name) {
  return std::string(MINNOW_TEST_DATA_DIR) + "/onnx/hostile/" + name + ".onnx";
}

template <class E>
void refused(const std::string& name, std::vector<std::string> parts) {
  INFO(name);
  parts.push_back("load_onnx: ONNX file '" + hostile(name) + "'");
  require_throws<E>([&] { load_onnx(hostile(name)); }, parts);
}

}  // namespace

TEST_CASE("The hostile files' starting point reads") { CHECK(load_onnx(hostile("valid"))->count_params() == 15); }

TEST_CASE("A truncated, corrupt or missing ONNX file is an IoError naming the file") {
  refused<IoError>("truncated", {"not an ONNX model", "truncated, corrupt"});
  refused<IoError>("not_protobuf", {"not an ONNX model"});
  refused<IoError>("no_graph", {"not an ONNX model"});
  refused<IoError>("missing", {"cannot open the file"});
}

TEST_CASE("An unknown opset, a cycle, a value written twice or never are IoErrors") {
  refused<IoError>("unknown_opset", {"opset 99", "minnow reads opsets 11 to 21"});
  refused<IoError>("cycle", {"node 'first' (Relu) reads 'y'", "a cycle, or nodes out of topological order"});
  refused<IoError>("value_written_twice", {"node 'b' (Relu) writes 'y', which is already written"});
  refused<IoError>("output_never_written", {"graph output 'y' is written by no node"});
}

TEST_CASE("Initializers whose data disagrees with their dims, huge or negative dims, external data are IoErrors") {
  refused<IoError>("initializer_too_short", {"initializer 'w'", "dims (4, 3) say 12 values, the data holds 8 bytes"});
  refused<IoError>("initializer_huge_dims", {"initializer 'w'", "1099511627776", "more than 2^31 values"});
  refused<IoError>("initializer_negative_dims", {"initializer 'w'", "dims (-4, 3) are negative"});
  refused<IoError>("initializer_external", {"initializer 'w'", "external file"});
}

TEST_CASE("What minnow cannot represent exactly is a UsageError naming the node, the operator and the attribute") {
  refused<UsageError>("input_huge_dims", {"graph input 'x'", "axis 1", "too large"});
  refused<UsageError>("gemm_shape_mismatch", {"node 'fc' (Gemm)", "(None, 5)", "(N, 4)"});
  refused<UsageError>("unsupported_operator", {"node 'mix' (Einsum)", "not supported", "docs/onnx.md"});
  refused<UsageError>("conv_dilations", {"node 'conv' (Conv)", "attribute 'dilations'", "no dilation"});
  refused<UsageError>("conv_group", {"node 'conv' (Conv)", "attribute 'group'", "group must be 1"});
  refused<UsageError>("conv_same_lower", {"node 'conv' (Conv)", "attribute 'pads'", "auto_pad=SAME_LOWER"});
  refused<UsageError>("reshape_dynamic_shape", {"node 'shape' (Shape)", "not supported"});
  refused<IoError>("conv_wrong_attribute_type", {"node 'conv' (Conv)", "attribute 'strides' is not of type INTS"});
}

TEST_CASE("Padding, upsampling, slopes and products minnow has no layer for are UsageErrors; huge shapes too") {
  refused<UsageError>("resize_linear", {"node 'up' (Resize)", "attribute 'mode'", "'nearest'"});
  refused<ShapeError>("resize_overflow",
                      {"UpSampling2D 'up3'", "(None, 2251799813685248, 2251799813685248, 3)", "too large"});
  refused<UsageError>("pad_channels", {"node 'pad' (Pad)", "attribute 'pads'", "[0, 1, 0, 0, 0, 0, 0, 0]"});
  refused<UsageError>("prelu_slope_mismatch", {"node 'prelu' (PRelu)", "slope (5,)", "(None, 8, 8, 3)"});
  refused<UsageError>("mul_constant", {"node 'scale' (Mul)", "scales by a constant"});
}

TEST_CASE("save_onnx refuses a layer without an exact ONNX form, naming it, and writes nothing") {
  auto x = Input({4});
  Model model(x, ReLU({.threshold = 0.5f, .name = "thresholded"})(x));
  const auto folder = onnx_test::scratch_folder("refused");
  require_throws<UsageError>([&] { save_onnx(model, (folder / "m.onnx").string()); },
                             {"save_onnx", "ReLU 'thresholded'", "threshold=0.5"});
  CHECK(std::filesystem::is_empty(folder));
  std::filesystem::remove_all(folder);
}

TEST_CASE("save_onnx refuses the layers it does not export yet (Conv1D, MaxPooling1D, Conv2DTranspose), naming them") {
  const auto folder = onnx_test::scratch_folder("not_exported");
  {
    auto x = Input({8, 3});
    Model model(x, MaxPooling1D({.name = "pool"})(Conv1D({.filters = 2, .kernel_size = 3, .name = "seq"})(x)));
    require_throws<UsageError>([&] { save_onnx(model, (folder / "m.onnx").string()); },
                               {"save_onnx", "Conv1D 'seq'", "not exported yet", "docs/onnx.md"});
    Model pool_only(x, MaxPooling1D({.name = "pool_only"})(x));
    require_throws<UsageError>([&] { save_onnx(pool_only, (folder / "m.onnx").string()); },
                               {"save_onnx", "MaxPooling1D 'pool_only'", "not exported yet"});
  }
  auto image = Input({4, 4, 2});
  Model model(image, Conv2DTranspose({.filters = 3, .kernel_size = 2, .name = "up"})(image));
  require_throws<UsageError>([&] { save_onnx(model, (folder / "m.onnx").string()); },
                             {"save_onnx", "Conv2DTranspose 'up'", "not exported yet"});
  CHECK(std::filesystem::is_empty(folder));
  std::filesystem::remove_all(folder);
}
