// fit's sample_weight and class_weight, and evaluate's sample_weight: Keras' weighted loss
//   L = 1/N sum_n w_n l_n        (sum_over_batch_size: divided by N, not by sum w)
// References: tests/reference/keras_training15_reference.txt (TensorFlow.js 4.22's fit with
// classWeight) and torch_training15_reference.txt (PyTorch, sample weights). Both: one SGD step on
// one batch of 8 samples of Dense(4, relu) -> Dense(3, softmax) with sparse categorical crossentropy.
#include "test_util.h"

namespace minnow {
namespace {

using Catch::Matchers::Contains;
using testing::reference_record;
using testing::require_close;

struct Small {
  LayerRef<DenseLayer> hidden = Dense(DenseOptions{.units = 4, .activation = "relu", .name = "hidden"});
  LayerRef<DenseLayer> out = Dense(DenseOptions{.units = 3, .activation = "softmax", .name = "out"});
  std::unique_ptr<Model> model;
  Tensor x, y;

  Small(const std::string& file, const std::string& prefix, float learning_rate = 0.1f) {
    const SymbolicTensor in = Input({3});
    model = std::make_unique<Model>(in, out(hidden(in)));
    for (const auto& [name, layer] : layers())
      layer->set_weights(
          {Tensor(layer->weights()[0]->value.shape(), reference_record(file, prefix + "." + name + ".0")),
           Tensor(layer->weights()[1]->value.shape(), reference_record(file, prefix + "." + name + ".1"))});
    x = Tensor({8, 3}, reference_record("keras_training15_reference.txt", "cw.x"));
    y = Tensor({8}, reference_record("keras_training15_reference.txt", "cw.y"));
    model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = learning_rate}),
                   std::make_shared<SparseCategoricalCrossentropy>());
  }
  std::vector<std::pair<std::string, Layer*>> layers() const {
    return {{"hidden", hidden.ptr().get()}, {"out", out.ptr().get()}};
  }
  void require_weights(const std::string& file, const std::string& prefix) const {
    for (const auto& [name, layer] : layers())
      for (int i = 0; i < 2; ++i)
        require_close(layer->weights()[size_t(i)]->value,
                      reference_record(file, fmt::format("{}.after.{}.{}", prefix, name, i)),
                      fmt::format("{} {} weight {}", prefix, name, i));
  }
};

bool same_values(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::equal(a.data(), a.data() + a.size(), b.data());
}

const FitOptions one_step{.epochs = 1, .batch_size = 8, .shuffle = false, .verbose = 0};

TEST_CASE("sample_weight weighs each sample's loss as Keras' formula in PyTorch does", "[sample_weight]") {
  const std::string file = "torch_training15_reference.txt";
  Small m(file, "sw");
  const Tensor w({8}, reference_record(file, "sw.sample_weight"));
  FitOptions opt = one_step;
  opt.sample_weight = &w;
  const History h = m.model->fit(m.x, m.y, opt);
  require_close(Tensor({1}, {float(h.history.at("loss")[0])}), reference_record(file, "sw.loss"), "loss");
  m.require_weights(file, "sw");
}

TEST_CASE("class_weight weighs each class as TensorFlow.js' fit does", "[sample_weight]") {
  const std::string file = "keras_training15_reference.txt";
  Small m(file, "cw");
  FitOptions opt = one_step;
  opt.class_weight = {{0, 1.0}, {1, 2.5}, {2, 0.5}};
  const History h = m.model->fit(m.x, m.y, opt);
  require_close(Tensor({1}, {float(h.history.at("loss")[0])}), reference_record(file, "cw.loss"), "loss");
  m.require_weights(file, "cw");
}

TEST_CASE("class_weight is the sample_weight of each sample's class, one-hot labels too", "[sample_weight]") {
  const std::string file = "keras_training15_reference.txt";
  Small by_class(file, "cw"), by_sample(file, "cw"), one_hot(file, "cw");
  const std::map<long, double> cw = {{0, 1.0}, {1, 2.5}, {2, 0.5}};
  Tensor w({8}), y_one_hot({8, 3});
  for (long i = 0; i < 8; ++i) w[i] = float(cw.at(long(by_class.y[i]))), y_one_hot.at({i, long(by_class.y[i])}) = 1;
  FitOptions a = one_step, b = one_step;
  a.class_weight = cw, b.sample_weight = &w;
  by_class.model->fit(by_class.x, by_class.y, a);
  by_sample.model->fit(by_sample.x, by_sample.y, b);
  one_hot.model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.1f}),
                         std::make_shared<CategoricalCrossentropy>());
  one_hot.model->fit(one_hot.x, y_one_hot, a);
  for (size_t k = 0; k < 2; ++k)
    for (size_t i = 0; i < 2; ++i) {
      const Tensor& want = by_class.layers()[k].second->weights()[i]->value;
      REQUIRE(same_values(by_sample.layers()[k].second->weights()[i]->value, want));
      require_close(one_hot.layers()[k].second->weights()[i]->value,
                    std::vector<float>(want.values().begin(), want.values().end()), "one-hot class weights", 1e-6);
    }
}

TEST_CASE("weights of 2 for every sample double the gradient: plain SGD with half the rate", "[sample_weight]") {
  const std::string file = "keras_training15_reference.txt";
  Small twice(file, "cw", 0.05f), plain(file, "cw", 0.1f);
  const Tensor w({8}, 2.0f);
  FitOptions opt = one_step;
  opt.sample_weight = &w;
  twice.model->fit(twice.x, twice.y, opt);
  plain.model->fit(plain.x, plain.y, one_step);
  for (size_t k = 0; k < 2; ++k)
    for (size_t i = 0; i < 2; ++i) {
      const Tensor& want = plain.layers()[k].second->weights()[i]->value;
      require_close(twice.layers()[k].second->weights()[i]->value,
                    std::vector<float>(want.values().begin(), want.values().end()), "doubled weights", 1e-6);
    }
}

TEST_CASE("evaluate and validation_split weigh the loss by the samples' weights", "[sample_weight]") {
  Small m("keras_training15_reference.txt", "cw");
  const Tensor w({8}, {0.5f, 2, 1, 0, 3, 1.5f, 0.25f, 1});
  const Tensor per = SparseCategoricalCrossentropy().per_sample(m.model->predict(m.x), m.y);
  double sum = 0;
  for (long i = 0; i < 8; ++i) sum += double(w[i]) * double(per[i]);
  REQUIRE(m.model->evaluate(m.x, m.y, 3, 0, nullptr, &w).at("loss") == Approx(sum / 8).epsilon(1e-6));
  // validation_split holds out the last 2 samples with their weights: val_loss = 1/2 sum w_n l_n.
  const double held = (double(w[6]) * double(per[6]) + double(w[7]) * double(per[7])) / 2;
  FitOptions opt{.epochs = 1, .batch_size = 8, .validation_split = 0.25, .shuffle = false, .verbose = 0};
  opt.sample_weight = &w;
  Small fresh("keras_training15_reference.txt", "cw", 0.0f);  // learning rate 0: the weights stay
  REQUIRE(fresh.model->fit(fresh.x, fresh.y, opt).history.at("val_loss")[0] == Approx(held).epsilon(1e-6));
}

TEST_CASE("bad sample and class weights are refused before training, naming what is wrong", "[sample_weight]") {
  Small m("keras_training15_reference.txt", "cw");
  const std::vector<Tensor> before = m.model->get_weights();
  FitOptions opt = one_step;
  const Tensor negative({8}, {1, 1, 1, -1, 1, 1, 1, 1}), nan({8}, {1, 1, std::nanf(""), 1, 1, 1, 1, 1});
  const Tensor wide({8, 2}, 1.0f), short_w({7}, 1.0f);
  opt.sample_weight = &negative;
  REQUIRE_THROWS_WITH(m.model->fit(m.x, m.y, opt), Contains("negative weight (-1) at index 3"));
  opt.sample_weight = &nan;
  REQUIRE_THROWS_WITH(m.model->fit(m.x, m.y, opt), Contains("sample_weight holds a non-finite value"));
  opt.sample_weight = &wide;
  REQUIRE_THROWS_WITH(m.model->fit(m.x, m.y, opt), Contains("sample_weight of shape (8, 2)"));
  opt.sample_weight = &short_w;
  REQUIRE_THROWS_WITH(m.model->fit(m.x, m.y, opt), Contains("sample_weight with 7 samples"));
  opt.sample_weight = nullptr;
  opt.class_weight = {{0, 1.0}, {2, 1.0}};
  REQUIRE_THROWS_WITH(m.model->fit(m.x, m.y, opt), Contains("keys 0 to 1 (one per class), but key 1 is missing"));
  opt.class_weight = {{0, 1.0}, {1, 1.0}};
  REQUIRE_THROWS_WITH(m.model->fit(m.x, m.y, opt),
                      Contains("sample 2 is of class 2, which class_weight does not list"));
  opt.class_weight = {{0, 1.0}, {1, -2.0}, {2, 1.0}};
  REQUIRE_THROWS_WITH(m.model->fit(m.x, m.y, opt), Contains("class_weight[1] is -2"));
  const std::vector<Tensor> after = m.model->get_weights();
  for (size_t i = 0; i < before.size(); ++i) REQUIRE(same_values(after[i], before[i]));
}

}  // namespace
}  // namespace minnow
