#include "model/summary.h"

#include <sstream>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// The seed's tabular model: Input(30) -> Dense(50) -> BatchNormalization -> Dense(5).
struct Tabular {
  std::shared_ptr<BatchNormalizationLayer> bn;
  std::unique_ptr<Model> model;
};

Tabular tabular_model() {
  auto inp = Input({30});
  auto x = Dense(50)(inp);
  auto bn = BatchNormalization();
  auto out = Dense(5)(bn(x));
  return {bn.ptr(), std::make_unique<Model>(inp, out)};
}

}  // namespace

TEST_CASE("The functional seed model prints the golden Keras summary", "[summary]") {
  clear_session();
  const Tabular t = tabular_model();
  CHECK(t.model->summary() == read_test_file("golden/seed_tabular_functional.txt"));
  std::ostringstream out;
  t.model->summary(out);
  CHECK(out.str() == read_test_file("golden/seed_tabular_functional.txt"));
}

TEST_CASE("The seed model with the seed's own names prints the seed's lines", "[summary]") {
  auto inp = Input({30}, "input_3");
  auto x = Dense(DenseOptions{.units = 50, .name = "dense_2"})(inp);
  auto bn = BatchNormalization({.name = "batch_normalization_2"})(x);
  auto out = Dense(DenseOptions{.units = 5, .name = "dense_4"})(bn);
  Model model(inp, out, "model_2");
  CHECK(model.summary() == read_test_file("golden/seed_tabular_as_in_seed.txt"));
}

TEST_CASE("The seed model as a Sequential prints the golden summary without an input row", "[summary]") {
  clear_session();
  Sequential model;
  model.add(Input({30}));
  model.add(Dense(50));
  model.add(BatchNormalization());
  model.add(Dense(5));
  CHECK(model.summary() == read_test_file("golden/seed_tabular_sequential.txt"));
}

TEST_CASE("A Sequential built later from an input shape prints the same summary", "[summary]") {
  clear_session();
  Sequential model({Dense(50), BatchNormalization(), Dense(5)});
  CHECK_FALSE(model.built());
  require_throws<UsageError>([&] { (void)model.summary(); }, {"'sequential'", "not built"});
  model.build({Shape::kNone, 30});
  CHECK(model.summary() == read_test_file("golden/seed_tabular_sequential.txt"));
}

TEST_CASE("Freezing the BatchNormalization moves its 200 parameters to non-trainable", "[summary]") {
  clear_session();
  const Tabular t = tabular_model();
  t.bn->set_trainable(false);
  CHECK(t.model->summary() == read_test_file("golden/seed_tabular_bn_frozen.txt"));
}

TEST_CASE("The seed's image model prints 6,001,600 / 6,001,540 / 60", "[summary]") {
  clear_session();
  auto inp = Input({100, 200, 3});
  auto c = Conv2D({.filters = 30, .kernel_size = {4, 4}, .padding = "same"})(inp);
  auto bn = BatchNormalization()(c);
  auto out = Dense(10)(Flatten()(bn));
  Model model(inp, out);
  CHECK(model.summary() == read_test_file("golden/seed_image_functional.txt"));
  CHECK(model.count_params() == 6001600);
}

TEST_CASE("A graph with a fan-out uses the 98-column layout with Connected to", "[summary]") {
  clear_session();
  auto inp = Input({8});
  auto a = Dense(4)(inp);
  auto b = Dense(2)(inp);
  Model model({inp}, {a, b});
  CHECK_FALSE(model.is_sequential_like());
  const std::string u(98, '_'), e(98, '=');
  const std::string expected =
      "Model: \"model\"\n" + u + "\n" +
      "Layer (type)                    Output Shape         Param #     Connected to                     \n" + e +
      "\n" + "input_1 (InputLayer)            [(None, 8)]          0                                            \n" +
      u + "\n" +
      "dense (Dense)                   (None, 4)            36          input_1[0][0]                    \n" + u +
      "\n" + "dense_1 (Dense)                 (None, 2)            18          input_1[0][0]                    \n" +
      e + "\n" + "Total params: 54\nTrainable params: 54\nNon-trainable params: 0\n" + u + "\n";
  CHECK(model.summary() == expected);
}

TEST_CASE("Totals are comma-grouped", "[summary]") {
  CHECK(group_thousands(0) == "0");
  CHECK(group_thousands(999) == "999");
  CHECK(group_thousands(2005) == "2,005");
  CHECK(group_thousands(6001600) == "6,001,600");
  CHECK(group_thousands(1000000000) == "1,000,000,000");
}

TEST_CASE("A model of issue 15's layers prints Keras' shapes and parameter counts", "[summary][reference]") {
  // The model of tests/reference/make_keras_layers15_reference.js; Keras' (TF.js 4.22) output
  // shape and parameter count of each layer are its records summary.<i>.<class>.
  clear_session();
  auto inp = Input({5, 6, 3});
  auto h = UpSampling2D(2)(ZeroPadding2D({{1, 0}, {2, 1}})(inp));
  auto p1 = PReLU()(h);
  auto p2 = PReLU({.shared_axes = {1, 2}})(h);
  auto l = LeakyReLU()(p1);
  auto e = ELU()(p2);
  auto m = Multiply()({l, e});
  auto av = Average()({l, e, m});
  auto out = GlobalMaxPooling2D()(Maximum()({av, m}));
  Model model(inp, out);
  REQUIRE(model.layers().size() == 11);
  for (size_t i = 0; i < model.layers().size(); ++i) {
    const Layer& layer = *model.layers()[i];
    INFO(layer.describe());
    std::vector<float> want =
        reference_record("keras_layers15_reference.txt", fmt::format("summary.{}.{}", i, layer.class_name()));
    CHECK(long(want.back()) == layer.count_params());
    want.pop_back();
    CHECK(std::vector<long>(want.begin(), want.end()) == layer.output_shape().dims());
  }
  CHECK(model.summary() == read_test_file("golden/summary_layers15.txt"));
}

TEST_CASE("A model of Conv1D, MaxPooling1D and Conv2DTranspose prints Keras' shapes and parameter counts",
          "[summary][reference]") {
  // The model of tests/reference/make_keras_layers16_reference.js; Keras' (TF.js 4.22) output
  // shape and parameter count of each layer are its records summary.<i>.<class>.
  clear_session();
  auto inp = Input({8, 3});
  auto h = MaxPooling1D()(Conv1D(6, 3, "same")(inp));
  h = Conv1D({.filters = 6, .kernel_size = 2, .padding = "same", .dilation_rate = 2})(h);
  h = Conv2DTranspose(3, {3, 2}, "valid", 2)(Reshape({4, 3, 2})(h));
  auto out = Conv2DTranspose(2, 3, "same", 2)(h);
  Model model(inp, out);
  REQUIRE(model.layers().size() == 7);
  for (size_t i = 0; i < model.layers().size(); ++i) {
    const Layer& layer = *model.layers()[i];
    INFO(layer.describe());
    std::vector<float> want =
        reference_record("keras_layers16_reference.txt", fmt::format("summary.{}.{}", i, layer.class_name()));
    CHECK(long(want.back()) == layer.count_params());
    want.pop_back();
    CHECK(std::vector<long>(want.begin(), want.end()) == layer.output_shape().dims());
  }
  CHECK(model.summary() == read_test_file("golden/summary_layers16.txt"));
}
