// The Keras 3 and torchinfo summaries (SummaryOptions::style), compared byte for byte.
//
// Keras 3 cannot be installed here, so its golden texts (tests/golden/seed_*_keras3.txt) were
// reconstructed by hand from Keras 3's own code, keras/src/utils/summary_utils.py (print_summary,
// readable_memory_size, weight_memory_size), and the rich Table it prints through (rich/table.py,
// _ratio.py, _wrap.py, box.py): the width 76 and the column widths are derived in the comment at
// the top of model/summary_keras3.cpp. One real Keras 3 output checks the reconstruction: the
// toy ResNet of keras.io's functional API guide (tests/golden/keras3_toy_resnet.txt, as
// published: wrapped shapes, cells cut with "…", a merge layer's two inputs).
//
// torchinfo cannot be installed either: its golden texts (tests/golden/seed_*_torchinfo.txt)
// follow torchinfo 1.8's model_statistics.py, formatting.py and layer_info.py. Debian's
// python3-torch 1.13 confirms the PyTorch parameter counts used below: Linear(30, 50) 1550,
// BatchNorm1d(50) 100 parameters (running_mean and running_var are buffers), Conv2d(3, 30, 4,
// padding='same') 1470 with an output of 1 x 30 x 100 x 200, BatchNorm2d(30) 60. Published
// torchinfo outputs agree with the rules used: a Conv2d of 1,728 parameters with a 32 x 32
// output counts 1,769,472 mult-adds at batch 1, a BatchNorm2d of 128 parameters counts 128, and
// the forward/backward size adds only the outputs of layers with parameters.
#include "model/summary.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// The seed's models, as examples/seed_models.h builds them (fresh names).
std::unique_ptr<Model> tabular_model() {
  clear_session();
  auto inp = Input({30});
  auto x = Dense(50)(inp);  // one statement each: the order of a nested call's arguments is unspecified
  auto bn = BatchNormalization()(x);
  auto out = Dense(5)(bn);
  return std::make_unique<Model>(inp, out);
}

std::unique_ptr<Model> image_model() {
  clear_session();
  auto inp = Input({100, 200, 3});
  auto c = Conv2D({.filters = 30, .kernel_size = {4, 4}, .padding = "same"})(inp);
  auto bn = BatchNormalization()(c);
  auto out = Dense(10)(Flatten()(bn));
  return std::make_unique<Model>(inp, out);
}

const SummaryOptions kKeras3{.style = SummaryStyle::Keras3};
const SummaryOptions kTorchinfo{.style = SummaryStyle::Torchinfo};

}  // namespace

TEST_CASE("Keras 3's memory sizes: base 1024, two decimals", "[summary]") {
  // weight_memory_size: float32 weights, 32 bits / 8 = 4 bytes each.
  CHECK(readable_memory_size(2005 * 4) == "7.83 KB");  // 8020 / 1024 = 7.832
  CHECK(readable_memory_size(1905 * 4) == "7.44 KB");  // 7620 / 1024 = 7.441
  CHECK(readable_memory_size(100 * 4) == "400.00 B");
  CHECK(readable_memory_size(0) == "0.00 B");
  CHECK(readable_memory_size(1023) == "1023.00 B");
  CHECK(readable_memory_size(1024) == "1.00 KB");
  CHECK(readable_memory_size(6001600.0 * 4) == "22.89 MB");  // 24,006,400 / 1024^2 = 22.894
  CHECK(readable_memory_size(1024.0 * 1024 * 1024 * 3) == "3.00 GB");
}

TEST_CASE("The seed's tabular model in Keras 3's style", "[summary]") {
  const auto model = tabular_model();
  CHECK(model->summary(kKeras3) == read_test_file("golden/seed_tabular_keras3.txt"));
}

TEST_CASE("The seed's image model in Keras 3's style", "[summary]") {
  const auto model = image_model();
  CHECK(model->summary(kKeras3) == read_test_file("golden/seed_image_keras3.txt"));
}

TEST_CASE("A Sequential in Keras 3's style has no input row", "[summary]") {
  clear_session();
  Sequential model({Dense(50), BatchNormalization(), Dense(5)});
  model.build({Shape::kNone, 30});
  std::string expected = read_test_file("golden/seed_tabular_keras3.txt");
  const size_t input_row = expected.find("│ input_1"), next = expected.find("│ dense ");
  expected.erase(input_row, next - input_row);
  expected.replace(0, expected.find('\n'), "Model: \"sequential\"");
  CHECK(model.summary(kKeras3) == expected);
}

TEST_CASE("Keras 3's wide layout: Connected to, columns 21, 19, 12, 19", "[summary]") {
  clear_session();
  auto inp = Input({8});
  Model model({inp}, {Dense(4)(inp), Dense(2)(inp)});
  REQUIRE_FALSE(model.is_sequential_like());
  const std::string expected =  // "input_1 (InputLayer)" is 20 characters, one more than its cell
      "Model: \"model\"\n"
      "┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓\n"
      "┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃\n"
      "┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩\n"
      "│ input_1             │ (None, 8)         │          0 │ -                 │\n"
      "│ (InputLayer)        │                   │            │                   │\n"
      "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
      "│ dense (Dense)       │ (None, 4)         │         36 │ input_1[0][0]     │\n"
      "├─────────────────────┼───────────────────┼────────────┼───────────────────┤\n"
      "│ dense_1 (Dense)     │ (None, 2)         │         18 │ input_1[0][0]     │\n"
      "└─────────────────────┴───────────────────┴────────────┴───────────────────┘\n"
      " Total params: 54 (216.00 B)\n"
      " Trainable params: 54 (216.00 B)\n"
      " Non-trainable params: 0 (0.00 B)\n";
  CHECK(model.summary(kKeras3) == expected);
}

TEST_CASE("Keras 3 lists a merge layer's inputs in one Connected to cell, wrapped at the comma", "[summary]") {
  clear_session();
  auto inp = Input({4});
  auto a = Dense(3)(inp);
  auto b = Dense(3)(inp);
  Model model(inp, Add()({a, b}));
  const std::string text = model.summary(kKeras3);
  // "dense[0][0], dense_1[0][0]" is 26 characters; rich breaks it after the comma's space.
  CHECK(text.find("│ add (Add)           │ (None, 3)         │          0 │ dense[0][0],      │\n"
                  "│                     │                   │            │ dense_1[0][0]     │\n"
                  "└") != std::string::npos);
  CHECK(text.find(" Total params: 30 (120.00 B)\n") != std::string::npos);
}

TEST_CASE("The toy ResNet of Keras 3's functional API guide prints the guide's summary", "[summary]") {
  // tests/golden/keras3_toy_resnet.txt is the summary printed in keras.io's guide "The Functional
  // API" (Keras 3), as published: a real Keras 3 output, not a reconstruction. The layers get the
  // guide's names (its notebook had made conv2d_0 to conv2d_7 before).
  auto inp = Input({32, 32, 3}, "img");
  auto conv = [](const char* name, const char* padding, long filters = 64) {
    return Conv2D({.filters = filters, .kernel_size = 3, .padding = padding, .activation = "relu", .name = name});
  };
  auto x = conv("conv2d_9", "valid")(conv("conv2d_8", "valid", 32)(inp));
  auto block_1 = MaxPooling2D({.pool_size = 3, .name = "max_pooling2d_2"})(x);
  auto block_2 = Add("add")({conv("conv2d_11", "same")(conv("conv2d_10", "same")(block_1)), block_1});
  auto block_3 = Add("add_1")({conv("conv2d_13", "same")(conv("conv2d_12", "same")(block_2)), block_2});
  x = GlobalAveragePooling2D("global_average_pooling2d")(conv("conv2d_14", "valid")(block_3));
  x = Dense(DenseOptions{.units = 256, .activation = "relu", .name = "dense_6"})(x);
  x = Dropout({.rate = 0.5f, .name = "dropout"})(x);
  Model model(inp, Dense(DenseOptions{.units = 10, .name = "dense_7"})(x), "toy_resnet");
  CHECK(model.summary(kKeras3) == read_test_file("golden/keras3_toy_resnet.txt"));
}

TEST_CASE("Keras 3's style cuts a word longer than its cell with an ellipsis", "[summary]") {
  clear_session();
  auto inp = Input({3}, "in");
  Model model(inp, Dense(DenseOptions{.units = 2, .name = "a_very_long_layer_name_without_spaces"})(inp), "m");
  const std::string text = model.summary(kKeras3);
  // rich keeps the 37-character word on its line and cuts it to 30 + "…" in the 31 of the cell.
  CHECK(text.find("│ a_very_long_layer_name_without… │ (None, 2)              │             8 │\n"
                  "│ (Dense)                         │                        │               │\n") !=
        std::string::npos);
}

TEST_CASE("The seed's models as torchinfo prints them", "[summary]") {
  CHECK(tabular_model()->summary(kTorchinfo) == read_test_file("golden/seed_tabular_torchinfo.txt"));
  // Mult-Adds: Conv2D 1,470 parameters x 1 x 100 x 200 output positions = 29,400,000; the others
  // their parameters x the batch of 1. Total 29,400,000 + 60 + 6,000,010 = 35.40 M.
  // Input 100*200*3*4 = 240,000 B; forward/backward 2 * 4 * (600,000 + 600,000 + 10) = 9,600,080;
  // params 6,001,540 * 4 = 24,006,160; total 33,846,240 B = 33.85 MB.
  CHECK(image_model()->summary(kTorchinfo) == read_test_file("golden/seed_image_torchinfo.txt"));
}

TEST_CASE("torchinfo's view of a Sequential with a batch of 32 and a frozen BatchNormalization", "[summary]") {
  clear_session();
  auto bn = BatchNormalization();
  Sequential model({Dense(50), bn, Dense(5)});
  model.build({Shape::kNone, 30});
  bn->set_trainable(false);
  const std::string d(115, '=');
  const std::string expected =
      d + "\nLayer (type:depth-idx)                   Output Shape              Param #                   Mult-Adds\n" +
      d + "\nSequential                               [32, 5]                   --                        --\n" +
      "├─Dense: 1-1                             [32, 50]                  1,550                     49,600\n" +
      "├─BatchNormalization: 1-2                [32, 50]                  (100)                     3,200\n" +
      "├─Dense: 1-3                             [32, 5]                   255                       8,160\n" + d +
      "\nTotal params: 1,905\nTrainable params: 1,805\nNon-trainable params: 100\n"
      "Total mult-adds (M): 0.06\n" +  // 32 * 1,905 = 60,960
      d +
      "\nInput size (MB): 0.00\n"                // 32 * 30 * 4 = 3,840 B
      "Forward/backward pass size (MB): 0.03\n"  // 2 * 4 * 32 * (50 + 50 + 5) = 26,880 B
      "Params size (MB): 0.01\n"                 // 1,905 * 4 = 7,620 B
      "Estimated Total Size (MB): 0.04\n" +
      d + "\n";  // 38,340 B
  CHECK(model.summary(SummaryOptions{.style = SummaryStyle::Torchinfo, .batch_size = 32}) == expected);
}

TEST_CASE("torchinfo prints a whole number of mult-adds without decimals", "[summary]") {
  clear_session();
  auto inp = Input({2, 3});
  Model model(inp, Flatten()(inp));
  const std::string text = model.summary(SummaryOptions{.style = SummaryStyle::Torchinfo});
  // format_output_num: 0 / 1e6 is a whole number, printed with "{:,d}".
  CHECK(text.find("\nTotal params: 0\nTrainable params: 0\nNon-trainable params: 0\nTotal mult-adds (M): 0\n") !=
        std::string::npos);
  CHECK(
      text.find("├─Flatten: 1-1                           [1, 6]                    --                        --\n") !=
      std::string::npos);
  CHECK(text.find("Forward/backward pass size (MB): 0.00\nParams size (MB): 0.00\nEstimated Total Size (MB): 0.00\n") !=
        std::string::npos);
}

TEST_CASE("The classic summary stays the default, and bad options name themselves", "[summary]") {
  const auto model = tabular_model();
  CHECK(model->summary(SummaryOptions{.style = SummaryStyle::Keras2}) ==
        read_test_file("golden/seed_tabular_functional.txt"));
  require_throws<ConfigError>(
      [&] { (void)model->summary(SummaryOptions{.style = SummaryStyle::Torchinfo, .batch_size = 0}); },
      {"SummaryOptions::batch_size", ">= 1", "received 0"});
  require_throws<ConfigError>(
      [&] { (void)model->summary(SummaryOptions{.show_weights = true, .style = SummaryStyle::Keras3}); },
      {"SummaryOptions::show_weights", "Keras2"});
}
