#include "layers/concatenate.h"

#include <sstream>

#include "layers/dense.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Concatenate forward joins its inputs along the axis and backward splits dy back", "[concatenate]") {
  // axis -1: rows [1 2] + [5] -> [1 2 5], [3 4] + [6] -> [3 4 6]
  const Tensor a({2, 2}, {1, 2, 3, 4}), b({2, 1}, {5, 6});
  auto cat = Concatenate();
  require_values(cat->forward({&a, &b}, Mode::Inference), {1, 2, 5, 3, 4, 6});
  cat->backward(Tensor({2, 3}, {10, 20, 30, 40, 50, 60}));
  require_values(cat->input_gradients()[0], {10, 20, 40, 50});
  require_values(cat->input_gradients()[1], {30, 60});
  // axis 1 of (N, 1, 2) and (N, 2, 2), two samples: P = N = 2, each sample's blocks side by side:
  // sample 0 [1 2] then [5 6 7 8]; sample 1 [3 4] then [9 10 11 12]
  const Tensor c({2, 1, 2}, {1, 2, 3, 4}), d({2, 2, 2}, {5, 6, 7, 8, 9, 10, 11, 12});
  require_values(Concatenate({.axis = 1})->forward({&c, &d}, Mode::Inference), {1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12});
  // axis 2 of NHWC images (1, 2, 2, 1) and (1, 2, 1, 1): each image row gets the second's column appended:
  // row 0 [1 2] + [5] -> [1 2 5]; row 1 [3 4] + [6] -> [3 4 6]
  const Tensor e({1, 2, 2, 1}, {1, 2, 3, 4}), f({1, 2, 1, 1}, {5, 6});
  auto cat2 = Concatenate({.axis = 2});
  require_values(cat2->forward({&e, &f}, Mode::Inference), {1, 2, 5, 3, 4, 6});
  CHECK(cat2->output().shape() == Shape{1, 2, 3, 1});
  // three inputs on the channel axis: [1] + [2 3] + [4] per pixel
  const Tensor g({1, 1, 1, 1}, {1}), h({1, 1, 1, 2}, {2, 3}), k({1, 1, 1, 1}, {4});
  require_values(Concatenate()->forward({&g, &h, &k}, Mode::Inference), {1, 2, 3, 4});
}

TEST_CASE("Concatenate gradients match finite differences on every axis", "[concatenate][gradient]") {
  for (long axis : {1L, 2L, 3L, -1L, -3L})
    for (Mode mode : {Mode::Training, Mode::Inference}) {
      INFO("axis " << axis << ", " << to_string(mode));
      Shape s1{2, 3, 4, 2}, s2{2, 3, 4, 2}, s3{2, 3, 4, 2};
      s2[axis] = 1;
      s3[axis] = 3;
      auto cat = Concatenate({.axis = axis});
      require_gradients(
          check_layer_gradients(*cat, {random_tensor(s1, 1), random_tensor(s2, 2), random_tensor(s3, 3)}, mode));
    }
}

TEST_CASE("Concatenate has no weights, sums the sizes on its axis and is named as Keras", "[concatenate]") {
  clear_session();
  auto cat = Concatenate();
  cat->build({Shape{Shape::kNone, 7, 7, 32}, Shape{Shape::kNone, 7, 7, 16}});
  CHECK(cat->name() == "concatenate");
  CHECK(cat->output_shape().str() == "(None, 7, 7, 48)");
  CHECK(cat->count_params() == 0);
  auto rows = Concatenate({.axis = 1});
  rows->build({Shape{Shape::kNone, 2, 5}, Shape{Shape::kNone, 3, 5}, Shape{Shape::kNone, 1, 5}});
  CHECK(rows->name() == "concatenate_1");
  CHECK(rows->output_shape().str() == "(None, 6, 5)");
}

TEST_CASE("Concatenate gives the same output in training and inference", "[concatenate][modes]") {
  const Tensor a = random_tensor({3, 4}, 1), b = random_tensor({3, 2}, 2);
  auto cat = Concatenate();
  const Tensor train = cat->forward({&a, &b}, Mode::Training);
  require_values(cat->forward({&a, &b}, Mode::Inference), {train.values().begin(), train.values().end()}, 0.0f);
}

TEST_CASE("Concatenate rejects the batch axis, bad axes and mismatched shapes with messages that name it",
          "[concatenate][errors]") {
  require_throws<ConfigError>([] { Concatenate({.axis = 0, .name = "c0"}); }, {"Concatenate 'c0'", "axis=0", "batch"});
  require_throws<ShapeError>(
      [] {
        Concatenate({.axis = 3, .name = "c1"})->build({Shape{Shape::kNone, 2, 2}, Shape{Shape::kNone, 2, 2}});
      },
      {"Concatenate 'c1'", "axis=3", "(None, 2, 2)"});
  require_throws<ShapeError>(
      [] {
        Concatenate({.axis = -3, .name = "c2"})->build({Shape{Shape::kNone, 2, 2}, Shape{Shape::kNone, 2, 2}});
      },
      {"Concatenate 'c2'", "axis=-3"});
  require_throws<ShapeError>(
      [] {
        Concatenate({.name = "c3"})
            ->build({Shape{Shape::kNone, 4, 4, 3}, Shape{Shape::kNone, 5, 5, 3}, Shape{Shape::kNone, 4, 4, 1}});
      },
      {"Concatenate 'c3'", "except on the concatenation axis", "(None, 4, 4, 3), (None, 5, 5, 3), (None, 4, 4, 1)"});
  require_throws<ShapeError>(
      [] {
        Concatenate({.name = "c4"})->build({Shape{Shape::kNone, 4, 3}, Shape{Shape::kNone, 3}});
      },
      {"Concatenate 'c4'", "(None, 4, 3), (None, 3)"});
  require_throws<UsageError>(
      [] {
        Concatenate({.name = "c5"})->build({Shape{Shape::kNone, 3}});
      },
      {"Concatenate 'c5'", "at least 2"});
  auto cat = Concatenate({.name = "c6"});
  cat->build({Shape{Shape::kNone, 3}, Shape{Shape::kNone, 2}});
  const Tensor x3({1, 3});
  require_throws<ShapeError>(
      [&] {
        cat->forward({&x3, &x3}, Mode::Inference);
      },
      {"Concatenate 'c6'", "(None, 2)", "(1, 3)"});
}

TEST_CASE("Concatenate in a graph with fan-out: forward, model gradients and a wide summary with Connected to",
          "[concatenate][graph]") {
  clear_session();
  auto in = Input({4});
  auto a = Dense(3)(in);
  auto b = Dense(2)(in);
  auto c = Concatenate()({a, b});
  Model m(in, c);
  const Tensor x = random_tensor({5, 4}, 4);
  const Tensor ya = m.get_layer("dense").forward(x, Mode::Inference);
  const Tensor yb = m.get_layer("dense_1").forward(x, Mode::Inference);
  const Tensor& y = m.forward(x, Mode::Inference);
  REQUIRE(y.shape() == Shape{5, 5});
  for (long n = 0; n < 5; ++n) {
    for (long j = 0; j < 3; ++j) CHECK(y.at({n, j}) == ya.at({n, j}));
    for (long j = 0; j < 2; ++j) CHECK(y.at({n, 3 + j}) == yb.at({n, j}));
  }
  const LossFunction loss = [](const Tensor& out, Tensor& grad) {  // (1/2N) sum y^2
    const double n = double(out.shape()[0]);
    grad.resize(out.shape());
    grad.row() = out.row() / float(n);
    return 0.5 * double(out.row().squaredNorm()) / n;
  };
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    require_gradients(check_model_gradients(m, x, loss, mode));
  }
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
      "dense_1 (Dense)                 (None, 2)            10          input_1[0][0]",
      std::string(98, '_'),
      "concatenate (Concatenate)       (None, 5)            0           dense[0][0]",
      "                                                                 dense_1[0][0]",
      std::string(98, '='),
      "Total params: 25",
      "Trainable params: 25",
      "Non-trainable params: 0",
      std::string(98, '_'),
  };
  std::istringstream lines(text);
  std::string line;
  size_t i = 0;
  for (; std::getline(lines, line); ++i) {
    INFO("line " << i << ": [" << line << "]");
    if (line.find("  ") != std::string::npos) CHECK(line.size() == 98);
    REQUIRE(i < expected.size());
    CHECK(line.substr(0, line.find_last_not_of(' ') + 1) == expected[i]);
  }
  CHECK(i == expected.size());
}
