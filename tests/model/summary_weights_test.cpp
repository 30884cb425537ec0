// The summary option that lists every weight under its layer (SummaryOptions::show_weights).
#include <sstream>

#include "model/summary.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

std::unique_ptr<Model> tabular_model() {
  auto inp = Input({30});
  auto x = Dense(50)(inp);
  auto bn = BatchNormalization()(x);
  auto out = Dense(5)(bn);
  return std::make_unique<Model>(inp, out);
}

std::unique_ptr<Model> image_model() {
  auto inp = Input({100, 200, 3});
  auto c = Conv2D({.filters = 30, .kernel_size = {4, 4}, .padding = "same"})(inp);
  auto bn = BatchNormalization()(c);
  auto out = Dense(10)(Flatten()(bn));
  return std::make_unique<Model>(inp, out);
}

}  // namespace

TEST_CASE("The weight listing of the seed tabular model matches its golden text", "[summary]") {
  clear_session();
  auto model = tabular_model();
  CHECK(model->summary(SummaryOptions{.show_weights = true}) == read_test_file("golden/seed_tabular_weights.txt"));
  std::ostringstream out;
  model->summary(out, SummaryOptions{.show_weights = true});
  CHECK(out.str() == read_test_file("golden/seed_tabular_weights.txt"));
}

TEST_CASE("The weight listing of the seed image model matches its golden text", "[summary]") {
  clear_session();
  auto model = image_model();
  CHECK(model->summary(SummaryOptions{.show_weights = true}) == read_test_file("golden/seed_image_weights.txt"));
}

TEST_CASE("Without the option, or with it off, the summary is the classic golden text", "[summary]") {
  clear_session();
  auto model = tabular_model();
  CHECK(model->summary(SummaryOptions{}) == read_test_file("golden/seed_tabular_functional.txt"));
  CHECK(model->summary() == read_test_file("golden/seed_tabular_functional.txt"));
}

TEST_CASE("Weight lines mark frozen weights and drop the bias note when there is no bias to cancel", "[summary]") {
  clear_session();
  Sequential model;
  model.add(Input({4}));
  model.add(Dense({.units = 3, .use_bias = false}));
  model.add(BatchNormalization());
  model.add(Dense(2));
  model.layers()[2]->set_trainable(false);
  const std::string text = model.summary(SummaryOptions{.show_weights = true});
  CHECK(text.find("redundant") == std::string::npos);
  CHECK(text.find("  kernel          (4, 3)               12     48 B  trainable\n") != std::string::npos);
  CHECK(text.find("  gamma           (3,)                  3     12 B  non-trainable\n") == std::string::npos);
  CHECK(text.find("  moving_mean     (3,)                  3     12 B  non-trainable\n") != std::string::npos);
  CHECK(text.find("  kernel          (3, 2)                6     24 B  frozen\n") != std::string::npos);
  CHECK(text.find("  bias            (2,)                  2      8 B  frozen\n") != std::string::npos);
}

TEST_CASE("A bias is noted as redundant only when a BatchNormalization over its units is its only consumer",
          "[summary]") {
  clear_session();
  auto inp = Input({4});
  auto d = Dense(3);
  auto x = d(inp);
  auto out = Add()({BatchNormalization()(x), x});  // dense also feeds the Add: its bias is not cancelled there
  Model fan_out(inp, out);
  CHECK(fan_out.summary(SummaryOptions{.show_weights = true}).find("redundant") == std::string::npos);

  auto inp2 = Input({5, 5, 3});
  auto x2 = Conv2D({.filters = 3})(inp2);
  Model over_axis_1(inp2, BatchNormalization({.axis = 1})(x2));  // normalizes axis 1, not the units
  CHECK(over_axis_1.summary(SummaryOptions{.show_weights = true}).find("redundant") == std::string::npos);
}
