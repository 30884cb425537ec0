#include "layers/add.h"

#include <sstream>

#include "layers/dense.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Add forward sums its inputs element by element and backward copies dy to each", "[add]") {
  const Tensor a({2, 2}, {1, 2, 3, 4}), b({2, 2}, {10, 20, 30, 40}), c({2, 2}, {-1, 0.5f, 0, 2});
  auto add = Add();
  // [1+10-1, 2+20+0.5, 3+30+0, 4+40+2]
  require_values(add->forward({&a, &b, &c}, Mode::Inference), {10, 22.5f, 33, 46});
  const Tensor dy({2, 2}, {1, -2, 3, -4});
  add->backward(dy);
  REQUIRE(add->input_gradients().size() == 3);
  for (const Tensor& dx : add->input_gradients()) require_values(dx, {1, -2, 3, -4});
}

TEST_CASE("Add gradients match finite differences for two and three inputs", "[add][gradient]") {
  for (int k : {2, 3})
    for (Mode mode : {Mode::Training, Mode::Inference}) {
      INFO(k << " inputs, " << to_string(mode));
      std::vector<Tensor> xs;
      for (int i = 0; i < k; ++i) xs.push_back(random_tensor({2, 3, 3, 2}, std::uint64_t(20 + i)));
      auto add = Add();
      require_gradients(check_layer_gradients(*add, xs, mode));
    }
}

TEST_CASE("Add has no weights, keeps its inputs' shape and is named as Keras", "[add]") {
  clear_session();
  auto add = Add();
  add->build({Shape{Shape::kNone, 7, 7, 32}, Shape{Shape::kNone, 7, 7, 32}});
  CHECK(add->name() == "add");
  CHECK(add->output_shape().str() == "(None, 7, 7, 32)");
  CHECK(add->count_params() == 0);
  CHECK(Add()->name() == "add_1");
}

TEST_CASE("Add gives the same output in training and inference", "[add][modes]") {
  const Tensor a = random_tensor({3, 4}, 1), b = random_tensor({3, 4}, 2);
  auto add = Add();
  const Tensor train = add->forward({&a, &b}, Mode::Training);
  require_values(add->forward({&a, &b}, Mode::Inference), {train.values().begin(), train.values().end()}, 0.0f);
}

TEST_CASE("Add rejects mismatched shapes and input counts with messages that name it and every shape",
          "[add][errors]") {
  require_throws<ShapeError>(
      [] {
        Add("a0")->build({Shape{Shape::kNone, 3}, Shape{Shape::kNone, 3}, Shape{Shape::kNone, 4}});
      },
      {"Add 'a0'", "(None, 3), (None, 3), (None, 4)"});
  require_throws<ShapeError>(
      [] {
        Add("a1")->build({Shape{Shape::kNone, 2, 3}, Shape{Shape::kNone, 6}});
      },
      {"Add 'a1'", "(None, 2, 3), (None, 6)"});
  require_throws<UsageError>([] { Add("a2")->build({Shape{Shape::kNone, 3}}); }, {"Add 'a2'", "at least 2", "1"});
  auto add = Add("a3");
  const Tensor x({2, 3}), y({2, 3}), z({2, 4}), w({1, 3});
  add->forward({&x, &y}, Mode::Inference);
  require_throws<UsageError>([&] { add->forward({&x, &y, &x}, Mode::Inference); }, {"Add 'a3'", "built for 2", "3"});
  require_throws<ShapeError>([&] { add->forward({&x, &z}, Mode::Inference); }, {"Add 'a3'", "(None, 3)", "(2, 4)"});
  require_throws<ShapeError>([&] { add->forward({&x, &w}, Mode::Inference); }, {"Add 'a3'", "batch sizes", "2", "1"});
}

TEST_CASE("Add in a graph with fan-out: forward, model gradients and a wide summary with Connected to",
          "[add][graph]") {
  clear_session();
  auto in = Input({4});
  auto a = Dense(3)(in);
  auto b = Dense(3)(in);
  auto s = Add()({a, b});
  Model m(in, s);
  const Tensor x = random_tensor({5, 4}, 4);
  // forward: the sum of the two Dense outputs
  Tensor ya = m.get_layer("dense").forward(x, Mode::Inference);
  const Tensor& yb = m.get_layer("dense_1").forward(x, Mode::Inference);
  ya.row() += yb.row();
  require_values(m.forward(x, Mode::Inference), {ya.values().begin(), ya.values().end()});
  // L = (1/2N) sum y^2, dL/dy = y / N; the input gets the sum of both branches' gradients.
  const LossFunction loss = [](const Tensor& y, Tensor& grad) {
    const double n = double(y.shape()[0]);
    grad.resize(y.shape());
    grad.row() = y.row() / float(n);
    return 0.5 * double(y.row().squaredNorm()) / n;
  };
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    require_gradients(check_model_gradients(m, x, loss, mode));
  }
  // Two layers at depth 1 and a layer with two inputs: the 98-column layout (rule 1), the second
  // inbound tensor on its own row with the other cells empty (rule 5).
  const std::string text = m.summary();
  INFO("summary:\n" << text);
  const std::vector<std::string> expected = {
      R"(Model: "model")",
      std::string(98, '_'),
      "Layer (type)                    Output Shape         Param #     Connected to",
      std::string(98, '='),
      "input_1 (InputLayer)            [(None, 4)]          0",
      std::string(98, '_'),
      "dense (Dense)                   (None, 3)            15          input_1[0][0]",
      std::string(98, '_'),
      "dense_1 (Dense)                 (None, 3)            15          input_1[0][0]",
      std::string(98, '_'),
      "add (Add)                       (None, 3)            0           dense[0][0]",
      "                                                                 dense_1[0][0]",
      std::string(98, '='),
      "Total params: 30",
      "Trainable params: 30",
      "Non-trainable params: 0",
      std::string(98, '_'),
  };
  std::istringstream lines(text);
  std::string line;
  size_t i = 0;
  for (; std::getline(lines, line); ++i) {
    INFO("line " << i << ": [" << line << "]");
    // Rows are padded to the full 98 columns (trailing spaces, as Keras); compare without them.
    if (line.find("  ") != std::string::npos) CHECK(line.size() == 98);
    REQUIRE(i < expected.size());
    CHECK(line.substr(0, line.find_last_not_of(' ') + 1) == expected[i]);
  }
  CHECK(i == expected.size());
}
