#include "tools/trace.h"

#include <cmath>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// Input(2) -> Dense(2, relu) -> Dense(1), with weights small enough to follow by hand:
//   W1 = [[1, -1], [0.5, 1]], b1 = 0;   W2 = [[2], [1]], b2 = 0.5
//   x  = [[1, 2], [2, -2]]
//   z1 = x W1 = [[2, 1], [1, -4]]         h = relu(z1) = [[2, 1], [1, 0]]
//   y  = h W2 + b2 = [[5.5], [2.5]]
// With the target t = [[5], [3]] and mean squared error:
//   L = ((0.5)^2 + (-0.5)^2) / 2 = 0.25,  dL/dy = 2 (y - t) / 2 = [[0.5], [-0.5]]
//   dW2 = h^T dy = [[0.5], [0.5]],  db2 = 0.5 - 0.5 = 0
//   dh  = dy W2^T = [[1, 0.5], [-1, -0.5]]
//   dz1 = dh * (z1 > 0) = [[1, 0.5], [-1, 0]]
//   dW1 = x^T dz1 = [[-1, 0.5], [4, 1]],  db1 = [0, 0.5]
//   dx  = dz1 W1^T = [[0.5, 1], [-1, -0.5]]
struct Tiny {
  LayerRef<DenseLayer> d1 = Dense(2, "relu"), d2 = Dense(1);
  std::unique_ptr<Model> model;
  Tensor x{{2, 2}, {1, 2, 2, -2}};
  Tensor target{{2, 1}, {5, 3}};

  Tiny() {
    auto inp = Input({2});
    model = std::make_unique<Model>(inp, d2(d1(inp)));
    d1->weight("kernel").value = Tensor({2, 2}, {1, -1, 0.5f, 1});
    d2->weight("kernel").value = Tensor({2, 1}, {2, 1});
    d2->weight("bias").value = Tensor({1}, {0.5f});
  }
};

}  // namespace

TEST_CASE("tensor_stats gives the mean, population standard deviation, extremes and zero fraction", "[trace]") {
  const TensorStats s = tensor_stats(Tensor({2, 2}, {2, 1, 1, 0}));
  CHECK(s.size == 4);
  CHECK(s.mean == Approx(1.0));
  CHECK(s.stddev == Approx(std::sqrt(0.5)));  // deviations 1, 0, 0, -1
  CHECK(s.min == 0.0);
  CHECK(s.max == 2.0);
  CHECK(s.zero_fraction == Approx(0.25));
  CHECK(l2_norm(Tensor({3}, {3, 0, 4})) == Approx(5.0));
}

TEST_CASE("A forward trace lists every layer with its output statistics and no gradients", "[trace]") {
  clear_session();
  Tiny t;
  const Trace tr = trace_forward(*t.model, t.x, Mode::Inference);
  REQUIRE(tr.layers.size() == 3);
  CHECK(tr.batch_size == 2);
  CHECK_FALSE(tr.loss.has_value());
  const LayerTrace& in = tr.layers[0];
  CHECK(in.name == "input_1");
  CHECK(in.output.mean == Approx(0.75));                 // 1, 2, 2, -2
  CHECK(in.output.stddev == Approx(std::sqrt(2.6875)));  // deviations .25, 1.25, 1.25, -2.75
  const LayerTrace& h = tr.layers[1];
  CHECK(h.name == "dense");
  CHECK(h.output_shape == Shape({2, 2}));
  CHECK(h.output.mean == Approx(1.0));  // relu: 2, 1, 1, 0
  CHECK(h.output.stddev == Approx(std::sqrt(0.5)));
  CHECK(h.output.zero_fraction == Approx(0.25));
  CHECK_FALSE(h.saturated_fraction.has_value());  // relu does not saturate
  CHECK_FALSE(h.output_grad_norm.has_value());
  REQUIRE(h.weights.size() == 2);
  CHECK(h.weights[0].name == "kernel");
  CHECK(h.weights[0].value.mean == Approx(0.375));  // 1, -1, 0.5, 1
  CHECK_FALSE(h.weights[0].grad_norm.has_value());
  const LayerTrace& y = tr.layers[2];
  CHECK(y.output.mean == Approx(4.0));  // 5.5, 2.5
  CHECK(y.output.stddev == Approx(1.5));
  CHECK(y.output.min == Approx(2.5));
  CHECK(y.output.max == Approx(5.5));
}

TEST_CASE("A step trace gives the loss and the gradient norms computed by hand", "[trace]") {
  clear_session();
  Tiny t;
  const Trace tr = trace_step(*t.model, t.x, t.target, MeanSquaredError(), Mode::Training);
  REQUIRE(tr.loss.has_value());
  CHECK(*tr.loss == Approx(0.25));
  CHECK(tr.loss_name == "mean_squared_error");
  CHECK(*tr.layers[2].output_grad_norm == Approx(std::sqrt(0.5)));        // dL/dy = (0.5, -0.5)
  CHECK(*tr.layers[2].weights[0].grad_norm == Approx(std::sqrt(0.5)));    // dW2 = (0.5, 0.5)
  CHECK(*tr.layers[2].weights[1].grad_norm == Approx(0.0).margin(1e-7));  // db2 = 0
  CHECK(*tr.layers[1].output_grad_norm == Approx(std::sqrt(2.5)));        // dh
  CHECK(*tr.layers[1].weights[0].grad_norm == Approx(std::sqrt(18.25)));  // dW1
  CHECK(*tr.layers[1].weights[1].grad_norm == Approx(0.5));               // db1 = (0, 0.5)
  CHECK(*tr.layers[0].output_grad_norm == Approx(std::sqrt(2.5)));        // dx
}

TEST_CASE("The table shows one row per layer and per weight with the traced values", "[trace]") {
  clear_session();
  Tiny t;
  const Trace tr = trace_step(*t.model, t.x, t.target, MeanSquaredError(), Mode::Training);
  const std::string table = tr.table();
  INFO(table);
  CHECK(table.find("Trace of model 'model', training mode, batch of 2: mean_squared_error = 0.2500") == 0);
  // Columns: name, shape, mean, std, min, max, zeros, saturated, |dL/dy|.
  CHECK(
      table.find(
          "\ninput_1                (2, 2)              0.7500   1.6394  -2.0000   2.0000   0.0%      - 1.581e+00\n") !=
      std::string::npos);
  CHECK(
      table.find(
          "\ndense                  (2, 2)              1.0000   0.7071   0.0000   2.0000  25.0%      - 1.581e+00\n") !=
      std::string::npos);
  CHECK(
      table.find(
          "\n  kernel               (2, 2)              0.3750   0.8197  -1.0000   1.0000   0.0%        4.272e+00\n") !=
      std::string::npos);
  CHECK(
      table.find(
          "\ndense_1                (2, 1)              4.0000   1.5000   2.5000   5.5000   0.0%      - 7.071e-01\n") !=
      std::string::npos);
  CHECK(tr.header() + tr.rows(0) + tr.rows(1) + tr.rows(2) + tr.legend() == table);
}

TEST_CASE("Sigmoid and tanh outputs report the fraction of units within 0.01 of an asymptote", "[trace]") {
  CHECK(saturated_fraction(Tensor({4}, {0.005f, 0.5f, 0.995f, 0.98f}), false) == Approx(0.5));
  CHECK(saturated_fraction(Tensor({4}, {-0.995f, 0.0f, 0.995f, 0.98f}), true) == Approx(0.5));
  clear_session();
  auto inp = Input({4});
  auto sig = Activation("sigmoid");
  auto th = Dense(4, "tanh");
  Model model(inp, th(sig(inp)));
  // Pre-activations -5, 0, 5, 4: sigmoid 0.0067, 0.5, 0.9933, 0.982 -> two of four saturated.
  const Trace tr = trace_forward(model, Tensor({1, 4}, {-5, 0, 5, 4}), Mode::Inference);
  CHECK(*tr.layers[1].saturated_fraction == Approx(0.5));
  CHECK(tr.layers[2].saturated_fraction.has_value());
  CHECK_FALSE(tr.layers[0].saturated_fraction.has_value());
}

TEST_CASE("A tensor feeding two layers gets the sum of their gradients, as Model::backward computes it", "[trace]") {
  clear_session();
  auto inp = Input({3});
  auto h = Dense(4, "tanh")(inp);
  auto a = Dense(2)(h);
  auto b = Dense(2)(h);
  Model model(inp, Add()({a, b}));
  const Tensor x = random_tensor({5, 3}, 1), target = random_tensor({5, 2}, 2);
  const Trace tr = trace_step(model, x, target, MeanSquaredError(), Mode::Training);
  // The input's |dL/dx| is the norm of what Model::backward returned for this same batch...
  Tensor dy;
  MeanSquaredError().compute(model.forward(x, Mode::Training), target, &dy);
  const double dx_norm = l2_norm(model.backward(dy));
  CHECK(*tr.layers[0].output_grad_norm == Approx(dx_norm));
  // ...and h's gradient is the sum of what a and b sent back.
  Tensor sum = model.get_layer("dense_1").input_gradients()[0];
  sum.row() += model.get_layer("dense_2").input_gradients()[0].row();
  CHECK(*tr.layers[1].output_grad_norm == Approx(l2_norm(sum)));
}

TEST_CASE("Tracing in training mode leaves the moving statistics and every weight unchanged", "[trace]") {
  clear_session();
  auto inp = Input({3});
  auto bn = BatchNormalization();
  Model model(inp, Dense(1)(bn(inp)));
  const std::vector<Parameter*> ws = model.weights();
  std::vector<Tensor> before;
  for (const Parameter* p : ws) before.push_back(p->value);
  const Tensor x = random_tensor({8, 3}, 3, 2.0f, 5.0f);
  const Trace tr = trace_step(model, x, random_tensor({8, 1}, 4), MeanSquaredError(), Mode::Training);
  for (size_t i = 0; i < ws.size(); ++i) {
    INFO(ws[i]->name);
    CHECK(ws[i]->value.row() == before[i].row());
  }
  // In training mode the BatchNormalization output is normalized with the batch's statistics.
  CHECK(tr.layers[1].output.mean == Approx(0.0).margin(1e-5));
  CHECK(tr.layers[1].weights[2].name == "moving_mean");
  CHECK_FALSE(tr.layers[1].weights[2].trainable);
  CHECK_FALSE(tr.layers[1].weights[2].grad_norm.has_value());
}

TEST_CASE("A Sequential model is traced from its input, and a model with two outputs is refused", "[trace]") {
  clear_session();
  Sequential seq({Dense(3, "relu"), Dense(1)});
  seq.build({2});
  const Trace tr = trace_forward(seq, Tensor({1, 2}, {1, 1}), Mode::Inference);
  REQUIRE(tr.layers.size() == 3);
  CHECK(tr.layers[0].class_name == "InputLayer");
  auto inp = Input({2});
  Model two({inp}, {Dense(1)(inp), Dense(1)(inp)});
  require_throws<UsageError>(
      [&] {
        trace_forward(two, Tensor({1, 2}), Mode::Inference);
      },
      {"one input and one output", "2"});
}
