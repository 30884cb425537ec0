// fit, evaluate, predict, train_on_batch and test_on_batch on models with several inputs and
// outputs: lists of tensors, a loss per output, loss_weights, and tf.keras' names in the logs.
// References: tests/reference/keras_training15_reference.txt (TensorFlow.js 4.22: one loss per
// output, summed; TF.js ignores lossWeights) and torch_training15_reference.txt (PyTorch: the same
// model with loss_weights {1, 0.3}). Both: one SGD step on one batch of 6 samples.
#include "test_util.h"

namespace minnow {
namespace {

using testing::reference_record;
using testing::require_close;

Tensor record(const std::string& file, const std::string& key, const Shape& shape) {
  return Tensor(shape, reference_record(file, key));
}

// Inputs a (3) and b (2) -> Concatenate -> Dense(4, tanh) 'hidden' -> 'class_out' Dense(3, softmax)
//                                                                  -> 'value_out' Dense(1)
struct TwoByTwo {
  SymbolicTensor a = Input({3}, "a"), b = Input({2}, "b");
  LayerRef<DenseLayer> hidden = Dense(DenseOptions{.units = 4, .activation = "tanh", .name = "hidden"});
  LayerRef<DenseLayer> cls = Dense(DenseOptions{.units = 3, .activation = "softmax", .name = "class_out"});
  LayerRef<DenseLayer> val = Dense(DenseOptions{.units = 1, .name = "value_out"});
  std::unique_ptr<Model> model;
  Tensor xa, xb, ycls, yval;

  // Weights and data from the reference file's records under `prefix` ("mo" or "lw").
  TwoByTwo(const std::string& file, const std::string& prefix) {
    const SymbolicTensor h = hidden(Concatenate()({a, b}));
    model = std::make_unique<Model>(std::vector<SymbolicTensor>{a, b}, std::vector<SymbolicTensor>{cls(h), val(h)});
    for (const auto& [name, layer] : layers())
      layer->set_weights({record(file, prefix + "." + name + ".0", layer->weights()[0]->value.shape()),
                          record(file, prefix + "." + name + ".1", layer->weights()[1]->value.shape())});
    const std::string data = "keras_training15_reference.txt";  // the same formula in both files
    xa = record(data, "mo.xa", {6, 3}), xb = record(data, "mo.xb", {6, 2});
    ycls = record(data, "mo.ycls", {6}), yval = record(data, "mo.yval", {6, 1});
  }
  std::vector<std::pair<std::string, Layer*>> layers() const {
    return {{"hidden", hidden.ptr().get()}, {"class_out", cls.ptr().get()}, {"value_out", val.ptr().get()}};
  }
  void require_weights(const std::string& file, const std::string& prefix) const {
    for (const auto& [name, layer] : layers())
      for (int i = 0; i < 2; ++i)
        require_close(layer->weights()[size_t(i)]->value,
                      reference_record(file, fmt::format("{}.after.{}.{}", prefix, name, i)),
                      fmt::format("{} {} weight {}", prefix, name, i));
  }
};

const FitOptions one_step{.epochs = 1, .batch_size = 6, .shuffle = false, .verbose = 0};

TEST_CASE("a two-input two-output model trains one step as TensorFlow.js does", "[multi_io]") {
  const std::string file = "keras_training15_reference.txt";
  TwoByTwo m(file, "mo");
  m.model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.05f}),
                   CompileOptions{.loss = {"sparse_categorical_crossentropy", "mse"}});
  const History h = m.model->fit({m.xa, m.xb}, {m.ycls, m.yval}, one_step);
  for (const std::string key : {"loss", "class_out_loss", "value_out_loss"})
    require_close(Tensor({1}, {float(h.history.at(key)[0])}), reference_record(file, "mo." + key), key);
  m.require_weights(file, "mo");
  const std::vector<Tensor> y = m.model->predict({m.xa, m.xb});
  REQUIRE(y.size() == 2);
  require_close(y[0], reference_record(file, "mo.predict.class_out"), "predict class_out");
  require_close(y[1], reference_record(file, "mo.predict.value_out"), "predict value_out");
}

TEST_CASE("loss_weights weigh each output's loss as PyTorch computes it", "[multi_io]") {
  const std::string file = "torch_training15_reference.txt";
  TwoByTwo m(file, "lw");
  m.model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.05f}),
                   CompileOptions{.loss = {"sparse_categorical_crossentropy", "mse"}, .loss_weights = {1.0, 0.3}});
  const History h = m.model->fit({m.xa, m.xb}, {m.ycls, m.yval}, one_step);
  for (const std::string key : {"loss", "class_out_loss", "value_out_loss"})
    require_close(Tensor({1}, {float(h.history.at(key)[0])}), reference_record(file, "lw." + key), key);
  m.require_weights(file, "lw");
}

TEST_CASE("the logs of a two-output model carry tf.keras' names", "[multi_io]") {
  TwoByTwo m("keras_training15_reference.txt", "mo");
  m.model->compile(
      "sgd", CompileOptions{.loss = {"sparse_categorical_crossentropy", "mse"}, .metrics = {{"accuracy"}, {"mae"}}});
  FitOptions opt = one_step;
  opt.batch_size = 2, opt.validation_split = 0.5;
  const History h = m.model->fit({m.xa, m.xb}, {m.ycls, m.yval}, opt);
  std::vector<std::string> keys;
  for (const auto& [k, v] : h.history) keys.push_back(k);
  REQUIRE(keys == std::vector<std::string>{"class_out_accuracy", "class_out_loss", "loss", "val_class_out_accuracy",
                                           "val_class_out_loss", "val_loss", "val_value_out_loss", "val_value_out_mae",
                                           "value_out_loss", "value_out_mae"});
  // One list of metrics serves every output.
  m.model->compile("sgd",
                   CompileOptions{.loss = {"sparse_categorical_crossentropy", "mse"}, .metrics = {{"accuracy"}}});
  const Logs logs = m.model->evaluate({m.xa, m.xb}, {m.ycls, m.yval});
  REQUIRE(logs.count("class_out_accuracy") == 1);
  REQUIRE(logs.count("value_out_accuracy") == 1);
}

TEST_CASE("evaluate of a two-output model is the weighted sum of its losses on predict", "[multi_io]") {
  TwoByTwo m("keras_training15_reference.txt", "mo");
  m.model->compile("sgd",
                   CompileOptions{.loss = {"sparse_categorical_crossentropy", "mse"}, .loss_weights = {2.0, 0.5}});
  const Logs logs = m.model->evaluate({m.xa, m.xb}, {m.ycls, m.yval}, /*batch_size=*/4);
  const std::vector<Tensor> y = m.model->predict({m.xa, m.xb});
  const double cls = SparseCategoricalCrossentropy().compute(y[0], m.ycls, nullptr);
  const double val = MeanSquaredError().compute(y[1], m.yval, nullptr);
  REQUIRE(logs.at("class_out_loss") == Approx(cls).epsilon(1e-6));
  REQUIRE(logs.at("value_out_loss") == Approx(val).epsilon(1e-6));
  REQUIRE(logs.at("loss") == Approx(2.0 * cls + 0.5 * val).epsilon(1e-6));
  const Logs one = m.model->test_on_batch({m.xa, m.xb}, {m.ycls, m.yval});
  REQUIRE(one.at("loss") == Approx(logs.at("loss")).epsilon(1e-6));
  const Logs trained = m.model->train_on_batch({m.xa, m.xb}, {m.ycls, m.yval});
  REQUIRE(trained.at("loss") == Approx(logs.at("loss")).epsilon(1e-6));  // the loss before the step
  REQUIRE(m.model->evaluate({m.xa, m.xb}, {m.ycls, m.yval}).at("loss") < logs.at("loss"));
}

TEST_CASE("a two-input model with one output fits, evaluates and predicts", "[multi_io]") {
  const SymbolicTensor a = Input({3}), b = Input({2});
  Model model({a, b}, {Dense(1, "sigmoid")(Concatenate()({Dense(4, "relu")(a), b}))});
  model.compile("adam", "binary_crossentropy", {"accuracy"});
  const Tensor xa = testing::random_tensor({64, 3}, 1), xb = testing::random_tensor({64, 2}, 2);
  Tensor y({64});
  for (long i = 0; i < 64; ++i) y[i] = xa.at({i, 0}) + xb.at({i, 1}) > 0 ? 1.0f : 0.0f;
  const double before = model.evaluate({xa, xb}, y).at("loss");
  const History h = model.fit({xa, xb}, y, FitOptions{.epochs = 30, .batch_size = 16, .verbose = 0});
  REQUIRE(h.history.count("accuracy") == 1);
  REQUIRE(model.evaluate({xa, xb}, y).at("loss") < before);
  REQUIRE(model.predict({xa, xb})[0].shape() == Shape({64, 1}));
  FitOptions with_val{.epochs = 1, .verbose = 0, .validation_xs = {xa, xb}, .validation_ys = {y}};
  REQUIRE(model.fit({xa, xb}, y, with_val).history.count("val_loss") == 1);
}

TEST_CASE("multi-input and multi-output misuse is named clearly", "[multi_io]") {
  TwoByTwo m("keras_training15_reference.txt", "mo");
  using Catch::Matchers::Contains;
  REQUIRE_THROWS_WITH(m.model->compile("sgd", CompileOptions{.loss = {"mse", "mse", "mse"}}),
                      Contains("3 losses for 2 outputs"));
  REQUIRE_THROWS_WITH(m.model->compile("sgd", CompileOptions{.loss = {"mse"}, .loss_weights = {1.0}}),
                      Contains("loss_weights for 1 entries, but the model has 2 outputs"));
  REQUIRE_THROWS_WITH(m.model->compile("sgd", CompileOptions{}), Contains("either by name"));
  m.model->compile("sgd", CompileOptions{.loss = {"sparse_categorical_crossentropy", "mse"}});
  REQUIRE_THROWS_WITH(m.model->fit({m.xa, m.xb}, m.ycls, one_step),
                      Contains("received 1 target tensor(s) y, but the model has 2 output(s)"));
  REQUIRE_THROWS_WITH(m.model->fit(m.xa, {m.ycls, m.yval}, one_step), Contains("expects 2 input tensor(s)"));
  const Tensor short_b = testing::random_tensor({5, 2}, 3);
  REQUIRE_THROWS_WITH(m.model->fit({m.xa, short_b}, {m.ycls, m.yval}, one_step), Contains("input 1 with 5 samples"));
  REQUIRE_THROWS_WITH(m.model->predict(m.xa), Contains("predict(TensorList{x})"));
  REQUIRE_THROWS_WITH(m.model->predict(TensorList{}), Contains("predict received no input tensor"));
  REQUIRE_THROWS_WITH(m.model->fit(TensorList{}, {m.ycls, m.yval}, one_step), Contains("received no input tensor x"));
  REQUIRE_THROWS_WITH(m.model->evaluate({m.xa, m.xb}, TensorList{}), Contains("received 0 target tensor(s)"));
  const Tensor empty_a({0, 3}), empty_b({0, 2}), empty_c({0}), empty_v({0, 1});
  REQUIRE_THROWS_WITH(m.model->train_on_batch({empty_a, empty_b}, {empty_c, empty_v}), Contains("no samples"));
  FitOptions weighted = one_step;
  weighted.class_weight = {{0, 1.0}, {1, 1.0}, {2, 1.0}};
  REQUIRE_THROWS_WITH(m.model->fit({m.xa, m.xb}, {m.ycls, m.yval}, weighted),
                      Contains("class_weight is only supported for models with one output"));
}

}  // namespace
}  // namespace minnow
