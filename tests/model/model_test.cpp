#include "model/model.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("A functional model runs its layers in order and equals the layers run by hand", "[model]") {
  clear_session();
  auto inp = Input({3});
  auto d1 = Dense(4, "tanh");
  auto bn = BatchNormalization();
  auto d2 = Dense(2);
  Model model(inp, d2(bn(d1(inp))));
  const Tensor x = random_tensor({5, 3}, 1);
  const Tensor y = model.forward(x, Mode::Inference);
  const Tensor by_hand = d2->forward(bn->forward(d1->forward(x, Mode::Inference), Mode::Inference), Mode::Inference);
  CHECK(y.row() == by_hand.row());
  CHECK(model.layers().size() == 4);
  CHECK(&model.get_layer("batch_normalization") == bn.ptr().get());
}

TEST_CASE("A tensor may feed several layers, and backward sums their gradients", "[model][gradient]") {
  clear_session();
  auto inp = Input({3});
  auto h = Dense(4, "tanh")(inp);
  auto a = Dense(2)(h);  // h fans out to a and b
  auto b = Dense(2, "sigmoid")(h);
  Model model({inp}, {a, b});
  const Tensor x = random_tensor({4, 3}, 2);
  auto outs = model.forward({&x}, Mode::Training);
  REQUIRE(outs.size() == 2);
  // dL/dh must be the sum of what a and b send back: check against finite differences of
  // L = sum(Ga * a) + sum(Gb * b) through h's input.
  const Tensor Ga = random_tensor({4, 2}, 3), Gb = random_tensor({4, 2}, 4);
  auto dx = model.backward({&Ga, &Gb});
  Tensor xp = x;
  const float step = 1e-3f;
  for (long i = 0; i < x.size(); ++i) {
    auto L = [&](float v) {
      xp[i] = v;
      auto o = model.forward({&xp}, Mode::Training);
      double s = 0;
      for (long k = 0; k < Ga.size(); ++k) s += double(Ga[k]) * (*o[0])[k] + double(Gb[k]) * (*o[1])[k];
      xp[i] = x[i];
      return s;
    };
    const double numeric = (L(x[i] + step) - L(x[i] - step)) / (2 * step);
    CHECK((*dx[0])[i] == Approx(numeric).margin(2e-3));
  }
}

TEST_CASE("Whole-model gradients pass a finite-difference check with a squared loss", "[model][gradient]") {
  auto inp = Input({6, 6, 2});
  auto c = Conv2D({.filters = 3, .kernel_size = {3, 3}, .padding = "same", .activation = "tanh"})(inp);
  auto bn = BatchNormalization()(c);
  auto out = Dense(3)(Flatten()(bn));
  Model model(inp, out);
  const Tensor target = random_tensor({3, 3}, 6);
  LossFunction squared = [&](const Tensor& y, Tensor& grad) {
    grad.resize(y.shape());
    double L = 0;
    for (long i = 0; i < y.size(); ++i) {
      const double d = double(y[i]) - target[i];
      L += d * d / double(y.size());
      grad[i] = float(2 * d / double(y.size()));
    }
    return L;
  };
  // A larger step than the default: BatchNorm divides by the small spread of the conv outputs,
  // which amplifies float32 rounding in L; the loss is smooth, so truncation error stays small.
  for (Mode mode : {Mode::Training, Mode::Inference})
    require_gradients(check_model_gradients(model, random_tensor({3, 6, 6, 2}, 5), squared, mode, {.step = 1e-2}));
}

TEST_CASE("Model names count per session and explicit names are kept", "[model][naming]") {
  clear_session();
  auto i1 = Input({2});
  Model m1(i1, Dense(1)(i1));
  auto i2 = Input({2});
  Model m2(i2, Dense(1)(i2));
  Sequential s;
  auto i3 = Input({2});
  Model named(i3, Dense(1)(i3), "classifier");
  CHECK(m1.name() == "model");
  CHECK(m2.name() == "model_1");
  CHECK(s.name() == "sequential");
  CHECK(named.name() == "classifier");
  CHECK(i2.layer->name() == "input_2");
}

TEST_CASE("Model::set_trainable freezes every layer and weight", "[model]") {
  clear_session();
  auto inp = Input({30});
  auto out = Dense(5)(BatchNormalization()(Dense(50)(inp)));
  Model model(inp, out);
  CHECK(model.trainable_weights().size() == 6);
  model.set_trainable(false);
  CHECK(model.trainable_weights().empty());
  CHECK(model.non_trainable_weights().size() == 8);
  CHECK(model.summary().find("Trainable params: 0\nNon-trainable params: 2,005\n") != std::string::npos);
  model.set_trainable(true);
  CHECK(model.non_trainable_weights().size() == 2);  // the moving statistics stay non-trainable
}

TEST_CASE("Graph errors are reported clearly and leave the model usable", "[model][errors]") {
  clear_session();
  auto inp = Input({4});
  auto d = Dense(4);
  auto x = d(inp);
  require_throws<UsageError>([&] { Model m(inp, d(x)); }, {"Dense 'dense'", "more than once"});
  auto other = Input({4}, "other");
  auto y = Dense(2)(other);
  require_throws<UsageError>([&] { Model m(inp, y); }, {"disconnected", "'other'"});
  auto twin = Dense(DenseOptions{.units = 3, .name = "dense"})(x);
  require_throws<UsageError>([&] { Model m(inp, twin); }, {"'dense'", "unique"});
  require_throws<UsageError>([&] { Model m(x, x); }, {"Input", "Dense 'dense'"});
  require_throws<ShapeError>(
      [&] {
        Conv2D({.filters = 1, .kernel_size = {1, 1}})(inp);
      },
      {"Conv2D", "(None, H, W, C)", "(None, 4)"});

  Model model(inp, x, "net");
  require_throws<ShapeError>(
      [&] {
        model.forward(Tensor({2, 5}), Mode::Inference);
      },
      {"'net'", "'input_1'", "(None, 4)", "(2, 5)"});
  require_throws<UsageError>([&] { model.backward(Tensor({2, 4})); }, {"'net'", "backward", "before"});
  CHECK(model.forward(Tensor({2, 4}), Mode::Inference).shape() == Shape{2, 4});
}

TEST_CASE("A Sequential rejects a layer whose input shape does not fit and stays as it was", "[model][errors]") {
  clear_session();
  Sequential model;
  model.add(Input({13, 13, 8}));
  model.add(Conv2D({.filters = 2, .kernel_size = {3, 3}}));
  require_throws<ShapeError>([&] { model.add(Dense({.units = 10, .require_flat_input = true})); },
                             {"Dense 'dense'", "(None, 11, 11, 2)", "Flatten"});
  CHECK(model.layers().size() == 1);
  model.add(Flatten());
  model.add(Dense(10));
  CHECK(model.forward(Tensor({2, 13, 13, 8}), Mode::Inference).shape() == Shape{2, 10});
}

TEST_CASE("A Sequential without an input builds itself on its first batch", "[model]") {
  clear_session();
  Sequential model({Dense(4), Dense(2)});
  CHECK(model.forward(Tensor({3, 7}, 1.0f), Mode::Inference).shape() == Shape{3, 2});
  CHECK(model.count_params() == 7 * 4 + 4 + 4 * 2 + 2);
}
