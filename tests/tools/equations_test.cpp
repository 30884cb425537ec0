// tools/equations.h: every equation line the stepper shows is a line of the header it names.
#include "tools/equations.h"

#include <sstream>

#include "test_util.h"

using namespace minnow;

namespace {

// Runs of blanks as one space, and the comment markers gone.
std::string collapse(const std::string& s) {
  std::istringstream in(s);
  std::string word, out;
  while (in >> word)
    if (word != "//") out += (out.empty() ? "" : " ") + word;
  return out;
}

// Every line of e is (blanks aside) a part of one line of its source header.
void check_against_header(const Equations& e, const std::string& what) {
  INFO(what << " -> " << e.source);
  REQUIRE(!e.source.empty());
  const std::string header = testing::read_test_file("../" + e.source);
  std::vector<std::string> lines;
  std::istringstream in(header);
  for (std::string l; std::getline(in, l);) lines.push_back(collapse(l));
  std::vector<std::string> all = e.forward;
  all.insert(all.end(), e.backward.begin(), e.backward.end());
  REQUIRE(!all.empty());
  for (const std::string& eq : all) {
    if (e.source == "layers/input_layer.h") continue;  // the input layer has no equation
    INFO(eq);
    bool found = false;
    for (const std::string& l : lines) found = found || l.find(collapse(eq)) != std::string::npos;
    CHECK(found);
  }
}

}  // namespace

TEST_CASE("The stepper's equations are the headers' tagged lines, for each layer and branch", "[tools][stepper]") {
  std::vector<std::shared_ptr<Layer>> layers = {Dense(3).ptr(),
                                                Conv2D({.filters = 2, .kernel_size = {3, 3}}).ptr(),
                                                Conv2DTranspose(2, 3).ptr(),
                                                Conv1D(2, 3).ptr(),
                                                MaxPooling1D().ptr(),
                                                Activation("sigmoid").ptr(),
                                                ReLU().ptr(),
                                                Flatten().ptr(),
                                                MaxPooling2D().ptr(),
                                                AveragePooling2D().ptr(),
                                                GlobalAveragePooling2D().ptr(),
                                                Softmax().ptr(),
                                                LayerNormalization().ptr(),
                                                GroupNormalization({.groups = 2}).ptr(),
                                                LeakyReLU().ptr(),
                                                PReLU().ptr(),
                                                ELU().ptr(),
                                                ZeroPadding2D().ptr(),
                                                UpSampling2D().ptr(),
                                                GlobalMaxPooling2D().ptr(),
                                                Multiply().ptr(),
                                                Subtract().ptr(),
                                                Average().ptr(),
                                                Maximum().ptr(),
                                                Embedding(5, 3).ptr(),
                                                Input({4}).layer};
  for (const auto& l : layers) check_against_header(layer_equations(*l), l->class_name());
  auto bn = BatchNormalization();
  auto dropout = Dropout(0.5f);
  const Tensor x = testing::random_tensor({4, 2}, 1);
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    bn->forward(x, mode);
    dropout->forward(x, mode);
    const Equations e = layer_equations(*bn);
    CHECK(e.forward[0].starts_with(mode == Mode::Training ? "(F1)" : "(I1)"));
    CHECK(e.backward.back().starts_with(mode == Mode::Training ? "(B3)" : "(B4)"));
    check_against_header(e, "BatchNormalization");
    check_against_header(layer_equations(*dropout), "Dropout");
  }
}

TEST_CASE("The stepper's loss and update rules are the headers' tagged lines", "[tools][stepper]") {
  for (bool logits : {false, true}) {
    check_against_header(loss_equations(BinaryCrossentropy(logits)), "binary");
    check_against_header(loss_equations(CategoricalCrossentropy(logits)), "categorical");
    check_against_header(loss_equations(SparseCategoricalCrossentropy(logits)), "sparse");
  }
  check_against_header(loss_equations(MeanSquaredError()), "mse");
  CHECK(loss_equations(SparseCategoricalCrossentropy(true)).forward[0].starts_with("(F7)"));
  for (const char* name : {"sgd", "adam", "adamw", "rmsprop"})
    check_against_header(optimizer_equations(*make_optimizer(name)), name);
}
