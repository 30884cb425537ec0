#include "tools/fold.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// Gives every weight of the model seeded values; moving variances stay positive.
void randomize(Model& model, std::uint64_t seed) {
  for (Parameter* p : model.weights()) {
    const bool variance = p->name == "moving_variance";
    p->value = random_tensor(p->value.shape(), seed++, variance ? 0.2f : -1.0f, variance ? 2.0f : 1.0f);
  }
}

bool has_class(const Model& m, const std::string& class_name) {
  for (const auto& l : m.layers())
    if (l->class_name() == class_name) return true;
  return false;
}

void require_equivalent(const FoldResult& r) {
  INFO("max abs diff " << r.max_abs_diff << " of outputs up to " << r.max_abs_output);
  REQUIRE(r.max_abs_output > 0.1);
  REQUIRE(r.max_abs_diff <= 1e-5 * std::max(1.0, r.max_abs_output));
}

}  // namespace

TEST_CASE("Folding Dense -> BatchNormalization gives the same outputs with and without bias, center and scale",
          "[fold]") {
  for (bool use_bias : {true, false})
    for (bool center : {true, false})
      for (bool scale : {true, false}) {
        INFO("use_bias " << use_bias << ", center " << center << ", scale " << scale);
        auto inp = Input({6});
        auto x = Dense({.units = 5, .use_bias = use_bias})(inp);
        x = BatchNormalization({.center = center, .scale = scale})(x);
        x = Activation("relu")(x);
        auto out = Dense(3)(x);
        Model model(inp, out);
        randomize(model, 10);
        const FoldResult r = fold_batch_norm(model, random_tensor({8, 6}, 3, -2, 2));
        require_equivalent(r);
        CHECK_FALSE(has_class(*r.model, "BatchNormalization"));
        CHECK(r.folds.size() == 1);
        // The folded Dense always has a bias: 6*5 + 5, then the second Dense's 5*3 + 3.
        CHECK(r.model->count_params() == 35 + 18);
        CHECK(r.model->name() == model.name() + "_folded");
      }
}

TEST_CASE("Folding Conv2D -> BatchNormalization in a Sequential CNN gives the same outputs", "[fold]") {
  for (bool use_bias : {true, false})
    for (bool center : {true, false})
      for (bool scale : {true, false}) {
        INFO("use_bias " << use_bias << ", center " << center << ", scale " << scale);
        Sequential model;
        model.add(Input({6, 6, 2}));
        model.add(Conv2D({.filters = 4, .kernel_size = {3, 3}, .padding = "same", .use_bias = use_bias}));
        model.add(BatchNormalization({.center = center, .scale = scale}));
        model.add(ReLU());
        model.add(MaxPooling2D());
        model.add(Conv2D({.filters = 3, .kernel_size = {2, 2}, .use_bias = use_bias}));
        model.add(BatchNormalization());
        model.add(Flatten());
        model.add(Dropout(0.3f));
        model.add(Dense(2));
        randomize(model, 20);
        const FoldResult r = fold_batch_norm(model, random_tensor({4, 6, 6, 2}, 5, -2, 2));
        require_equivalent(r);
        CHECK(dynamic_cast<Sequential*>(r.model.get()) != nullptr);
        CHECK_FALSE(has_class(*r.model, "BatchNormalization"));
        CHECK(r.folds.size() == 2);
        CHECK(r.model->layers().size() == model.layers().size() - 2);
      }
}

TEST_CASE("Folding keeps layer names and weights of the layers it copies and leaves the original unchanged", "[fold]") {
  clear_session();
  Sequential model;
  model.add(Input({4}));
  model.add(Dense(3));
  model.add(BatchNormalization());
  model.add(LayerNormalization());
  model.add(Dense(2, "softmax"));
  randomize(model, 30);
  const std::vector<Parameter*> before = model.weights();
  const Tensor kernel = model.get_layer("dense").weight("kernel").value;
  const FoldResult r = fold_batch_norm(model, random_tensor({5, 4}, 6));
  require_equivalent(r);
  CHECK(model.weights().size() == before.size());
  CHECK(model.get_layer("dense").weight("kernel").value.row() == kernel.row());
  CHECK(r.model->get_layer("dense_1").weight("kernel").value.row() ==
        model.get_layer("dense_1").weight("kernel").value.row());
  CHECK(r.model->get_layer("layer_normalization").weight("gamma").value.row() ==
        model.get_layer("layer_normalization").weight("gamma").value.row());
  CHECK(r.folds == std::vector<std::string>{"batch_normalization -> dense"});
  // 15 + 12 (BatchNormalization) + 6 + 8 parameters become 15 + 6 + 8.
  CHECK(model.count_params() == 41);
  CHECK(r.model->count_params() == 29);
}

TEST_CASE("Folding refuses a BatchNormalization after a non-linear activation or after another kind of layer",
          "[fold]") {
  {
    auto inp = Input({4});
    auto x = Dense(DenseOptions{.units = 3, .activation = "relu", .name = "hidden"})(inp);
    auto out = BatchNormalization({.name = "bn"})(x);
    Model model(inp, out);
    require_throws<UsageError>(
        [&] {
          fold_batch_norm(model, random_tensor({2, 4}, 1));
        },
        {"'bn'", "'hidden'", "relu", "linear"});
  }
  {
    auto inp = Input({2, 2, 3});
    auto x = Flatten("flat")(inp);
    auto out = BatchNormalization({.name = "bn2"})(x);
    Model model(inp, out);
    require_throws<UsageError>(
        [&] {
          fold_batch_norm(model, random_tensor({2, 2, 2, 3}, 1));
        },
        {"'bn2'", "'flat'", "Dense or Conv2D"});
  }
  {
    auto inp = Input({3, 3, 2});
    auto x = Conv2D({.filters = 4, .name = "c"})(inp);
    auto out = BatchNormalization({.axis = 1, .name = "bn3"})(x);
    Model model(inp, out);
    require_throws<UsageError>(
        [&] {
          fold_batch_norm(model, random_tensor({2, 3, 3, 2}, 1));
        },
        {"'bn3'", "'c'", "axis 1"});
  }
}

TEST_CASE("Folding refuses a BatchNormalization whose producer also feeds another layer", "[fold]") {
  auto inp = Input({4});
  auto x = Dense(DenseOptions{.units = 4, .name = "shared"})(inp);
  auto bn = BatchNormalization({.name = "bn"})(x);
  auto out = Add()({bn, x});
  Model model(inp, out);
  require_throws<UsageError>(
      [&] {
        fold_batch_norm(model, random_tensor({2, 4}, 1));
      },
      {"'bn'", "'shared'", "also feeds other layers"});
  // A following_batch_norm query says the same: no BatchNormalization follows 'shared' alone.
  CHECK(following_batch_norm(model, model.get_layer("shared")) == nullptr);
}
