// save_pytorch_state_dict / load_pytorch_state_dict, with a state_dict that PyTorch wrote.
//
// tests/reference/torch_small_cnn.npz and the numbers below were made by
//     /usr/bin/python3 tests/reference/make_torch_state_dict.py
// with torch 1.13.1 (Debian python3-torch 1.13.1+dfsg-4; torch.__version__ reports 1.13.0a0) and
// numpy 1.24.2, CPU, float32: a seeded Conv2d -> BatchNorm2d -> ReLU -> average pool -> Linear ->
// BatchNorm1d, trained 3 SGD steps in train() mode, its state_dict saved with numpy.savez (the
// int64 num_batches_tracked included), and its eval() output on kInput. The same script loads a
// file written by save_pytorch_state_dict back into torch (strict=True): run with the file's path.
#include "tools/torch_state_dict.h"

#include "io/io_test_util.h"
#include "io/npz.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

const std::string kTorchFile = std::string(MINNOW_TEST_DATA_DIR) + "/reference/torch_small_cnn.npz";

// The script's input, NHWC (2, 5, 5, 3) (torch saw it as NCHW), and torch's eval() output (2, 5).
const std::vector<float> kInput = {
    0,     0.5,   -0.5,  -1.25, -0.75, -1.5,  0,     2,    -0.75, -1,    0.75,  0.5,   0.25,  -1.5,  0,
    1,     -2,    -0.75, -2.75, -2,    -2.75, -0.25, -2,   0.5,   0.25,  -0.25, -3.75, -0.75, 0,     0.25,
    -2.25, -0.75, -1.5,  -1.25, 1.5,   -1.25, 0,     1.25, -1,    -0.25, 0.25,  0,     -1.75, 0,     2,
    -2.25, 1.25,  0.25,  -1,    3,     1.25,  -1.75, 0,    0.75,  -0.25, 1,     0,     1,     2.25,  -1,
    0.25,  -0.75, 0.25,  -1.75, -0.75, -0.25, 1.25,  1.75, -2,    -1.25, 1,     -3,    -0.75, -0.25, 2,
    1,     -0.5,  -0.5,  -0.5,  2.25,  -0.75, -0.5,  0.5,  -0.25, -0.25, -1.75, 0,     -0.75, 1.75,  1,
    0,     1,     -0.5,  1.5,   0,     1,     -2,    0.5,  -2.5,  -3,    -0.5,  -1.25, 0.25,  3.25,  -1.25,
    -1,    0.25,  0.75,  -0.25, -0.25, 1,     0.75,  -1.5, 0,     0,     -1.5,  0.5,   -1.25, 1.5,   0.25,
    0.25,  -1,    -0.25, -3,    -1.75, 0.5,   -3.25, 1.25, -2.5,  1.25,  -1.25, 1.25,  0.25,  -2.25, 1.75,
    2.25,  0,     -0.5,  -0.25, -1.5,  1.75,  -0.75, 0,    -1.25, -1,    -2,    2,     -0.25, 1.5,   0};
const std::vector<float> kTorchOutput = {-0.328286618, 0.531071723, 0.0560452305, 0.16760087,  0.400752038,
                                         -0.340987325, 0.510395169, 0.0322870053, 0.174335599, 0.41650328};

// The script's module as a minnow model; each layer named for the map below.
std::unique_ptr<Model> small_cnn() {
  BatchNormalizationOptions bn = BatchNormalizationOptions::pytorch();  // eps 1e-5, as torch's modules
  auto inp = Input({5, 5, 3});
  auto x = Conv2D({.filters = 4, .kernel_size = {3, 3}, .padding = "same", .name = "conv"})(inp);
  bn.name = "bn_conv";
  x = BatchNormalization(bn)(x);
  x = Activation("relu")(x);
  x = GlobalAveragePooling2D()(x);
  x = Dense(DenseOptions{.units = 5, .name = "fc"})(x);
  bn.name = "bn_fc";
  x = BatchNormalization(bn)(x);
  return std::make_unique<Model>(inp, x, "small_cnn");
}

const TorchModuleNames kNames = {
    {"conv", "features.0"}, {"bn_conv", "features.1"}, {"fc", "head.0"}, {"bn_fc", "head.1"}};

}  // namespace

TEST_CASE("A state_dict saved by PyTorch loads into the matching model and gives torch's eval output",
          "[torch_state_dict][reference]") {
  auto model = small_cnn();
  load_pytorch_state_dict(*model, kTorchFile, kNames);
  require_values(model->predict(Tensor({2, 5, 5, 3}, kInput)), kTorchOutput, 1e-5f);
  // Single weights the script printed, in their new places: Conv2d weight[f=1, c=2, kh=0, kw=2] is
  // kernel[kh=0, kw=2, c=2, f=1]; Linear weight[out=3, in=1] is kernel[in=1, out=3].
  CHECK(model->get_layer("conv").weight("kernel").value.at({0, 2, 2, 1}) == 0.169939086f);
  CHECK(model->get_layer("fc").weight("kernel").value.at({1, 3}) == 0.188738346f);
  require_values(model->get_layer("bn_fc").weight("moving_variance").value,
                 {0.733948827f, 0.732626796f, 0.73511678f, 0.729866683f, 0.731319904f}, 0);
}

TEST_CASE("save_pytorch_state_dict writes torch's keys and layouts: the torch file comes back array for array",
          "[torch_state_dict]") {
  TempDir dir;
  auto model = small_cnn();
  load_pytorch_state_dict(*model, kTorchFile, kNames);
  save_pytorch_state_dict(*model, dir.file("out.npz"), kNames);
  CHECK(dir.listing() == std::vector<std::string>{"out.npz"});  // written atomically, nothing left over

  const NpzReader torch_file(kTorchFile), ours(dir.file("out.npz"));
  CHECK(ours.keys() == std::vector<std::string>{"features.0.weight", "features.0.bias", "features.1.weight",
                                                "features.1.bias", "features.1.running_mean", "features.1.running_var",
                                                "head.0.weight", "head.0.bias", "head.1.weight", "head.1.bias",
                                                "head.1.running_mean", "head.1.running_var"});
  for (const std::string& key : ours.keys()) {
    INFO(key);
    const Tensor a = torch_file.read(key), b = ours.read(key);
    REQUIRE(a.shape() == b.shape());
    CHECK(a.row() == b.row());
  }
  CHECK(ours.read("features.0.weight").shape() == Shape{4, 3, 3, 3});
  CHECK(ours.read("head.0.weight").shape() == Shape{5, 4});

  // And back into a fresh model: every weight bit for bit.
  auto copy = small_cnn();
  load_pytorch_state_dict(*copy, dir.file("out.npz"), kNames);
  CHECK(snapshot_weights(*copy) == snapshot_weights(*model));
}

TEST_CASE("Dense and Conv2D kernels are transposed to torch's (out, in) and (out, in, kh, kw)", "[torch_state_dict]") {
  TempDir dir;
  auto inp = Input({2, 2, 2});
  auto c = Conv2D({.filters = 3, .kernel_size = {2, 1}, .name = "c"})(inp);
  auto f = Flatten()(c);
  auto d = Dense(DenseOptions{.units = 3, .name = "d"})(f);
  Model model(inp, d);
  WeightValue& kernel = model.get_layer("d").weight("kernel").value;  // (6, 3)
  for (long i = 0; i < kernel.size(); ++i) kernel[i] = float(i);
  WeightValue& conv = model.get_layer("c").weight("kernel").value;  // (2, 1, 2, 3)
  for (long i = 0; i < conv.size(); ++i) conv[i] = float(i);
  save_pytorch_state_dict(model, dir.file("t.npz"), {{"c", "conv"}, {"d", "fc"}});
  const NpzReader file(dir.file("t.npz"));
  const Tensor w = file.read("fc.weight"), k = file.read("conv.weight");
  REQUIRE(w.shape() == Shape{3, 6});
  for (long o = 0; o < 3; ++o)
    for (long i = 0; i < 6; ++i) CHECK(w.at({o, i}) == kernel.at({i, o}));
  REQUIRE(k.shape() == Shape{3, 2, 2, 1});
  for (long f2 = 0; f2 < 3; ++f2)
    for (long ch = 0; ch < 2; ++ch)
      for (long kh = 0; kh < 2; ++kh) CHECK(k.at({f2, ch, kh, 0}) == conv.at({kh, 0, ch, f2}));
}

TEST_CASE("load_pytorch_state_dict names missing keys, shape mismatches and extra keys, and changes nothing",
          "[torch_state_dict][errors]") {
  TempDir dir;
  auto model = small_cnn();
  const NpzReader torch_file(kTorchFile);
  // A copy of the torch file without some keys, or with one array replaced.
  auto write_variant = [&](const std::string& name, const std::vector<std::string>& drop, const std::string& replace,
                           const Tensor& with) {
    std::vector<Tensor> values;
    values.reserve(torch_file.keys().size());
    std::vector<NpzArray> arrays;
    for (const std::string& key : torch_file.keys()) {
      if (key.ends_with("num_batches_tracked") || std::find(drop.begin(), drop.end(), key) != drop.end()) continue;
      values.push_back(key == replace ? with : torch_file.read(key));
      arrays.push_back({key, &values.back()});
    }
    save_npz(arrays, dir.file(name));
    return dir.file(name);
  };
  const std::string missing = write_variant("missing.npz", {"head.1.running_var", "features.0.bias"}, "", {});
  require_throws_unchanged<IoError>(*model, [&] { load_pytorch_state_dict(*model, missing, kNames); },
                                    {"missing.npz", "'features.0.bias' (Conv2D 'conv' weight 'bias')",
                                     "'head.1.running_var' (BatchNormalization 'bn_fc' weight 'moving_variance')"});
  const std::string wrong = write_variant("wrong.npz", {}, "head.0.weight", Tensor({4, 5}));
  require_throws_unchanged<IoError>(*model, [&] { load_pytorch_state_dict(*model, wrong, kNames); },
                                    {"wrong.npz", "'head.0.weight'", "(4, 5)", "Dense 'fc'", "(4, 5)", "(5, 4)"});
  // The map decides: bn_fc read from features.1 finds (4,) arrays for a (5,) layer.
  TorchModuleNames swapped = kNames;
  swapped["bn_fc"] = "features.1";
  require_throws_unchanged<IoError>(*model, [&] { load_pytorch_state_dict(*model, kTorchFile, swapped); },
                                    {"'features.1.weight'", "(4,)", "BatchNormalization 'bn_fc'", "(5,)"});
  // strict: every layer with weights mapped, every key (num_batches_tracked aside) used.
  TorchModuleNames partial = kNames;
  partial.erase("fc");
  require_throws_unchanged<UsageError>(*model, [&] { load_pytorch_state_dict(*model, kTorchFile, partial); },
                                       {"load_pytorch_state_dict", "fc", "no torch module name", "strict"});
  TorchModuleNames unknown = kNames;
  unknown["bn_head"] = "head.1";
  require_throws_unchanged<UsageError>(*model, [&] { load_pytorch_state_dict(*model, kTorchFile, unknown); },
                                       {"no layer named 'bn_head'", "'head.1'"});
  const Tensor stray({3}, 1.0f);
  std::vector<NpzArray> with_stray;
  std::vector<Tensor> kept;
  kept.reserve(torch_file.keys().size());
  for (const std::string& key : torch_file.keys())
    if (!key.ends_with("num_batches_tracked")) {
      kept.push_back(torch_file.read(key));
      with_stray.push_back({key, &kept.back()});
    }
  with_stray.push_back({"head.2.weight", &stray});
  save_npz(with_stray, dir.file("stray.npz"));
  require_throws_unchanged<IoError>(*model, [&] { load_pytorch_state_dict(*model, dir.file("stray.npz"), kNames); },
                                    {"stray.npz", "'head.2.weight'", "strict = false"});
}

TEST_CASE("With strict = false only the mapped layers are loaded or saved, whatever else the file holds",
          "[torch_state_dict]") {
  TempDir dir;
  auto model = small_cnn();
  const Tensor conv_before = model->get_layer("conv").weight("kernel").value;
  load_pytorch_state_dict(*model, kTorchFile, {{"bn_fc", "head.1"}}, {.strict = false});
  require_values(model->get_layer("bn_fc").weight("moving_variance").value,
                 {0.733948827f, 0.732626796f, 0.73511678f, 0.729866683f, 0.731319904f}, 0);
  CHECK(model->get_layer("conv").weight("kernel").value.row() == conv_before.row());
  save_pytorch_state_dict(*model, dir.file("bn.npz"), {{"bn_fc", "head.1"}}, {.strict = false});
  CHECK(NpzReader(dir.file("bn.npz")).keys() ==
        std::vector<std::string>{"head.1.weight", "head.1.bias", "head.1.running_mean", "head.1.running_var"});
  require_throws<UsageError>(
      [&] {
        save_pytorch_state_dict(*model, dir.file("all.npz"), {{"bn_fc", "head.1"}});
      },
      {"save_pytorch_state_dict", "conv, bn_conv, fc", "no torch module name"});
  CHECK(dir.listing() == std::vector<std::string>{"bn.npz"});
}
