// Hostile inputs to the graph: wrong ranks and sizes when a graph is built and when it runs, empty
// batches, calls in the wrong order, and layers shared between models.
#include "hostile/hostile_util.h"

using namespace minnow;
using namespace minnow::testing;

// ---- shapes when the graph is built --------------------------------------------------------

TEST_CASE("Hostile: Dense with require_flat_input called on images is a ShapeError that names it and suggests "
          "Flatten",
          "[hostile][graph]") {
  auto in = Input({13, 13, 8});
  require_throws<ShapeError>([&] { Dense({.units = 4, .require_flat_input = true, .name = "head"})(in); },
                             {"Dense 'head'", "(None, F)", "(None, 13, 13, 8)", "Flatten"});
  CHECK(Dense({.units = 4, .name = "per_pixel"})(in).shape().str() == "(None, 13, 13, 4)");  // Keras' rule
}

TEST_CASE("Hostile: Conv2D called on a flat input is a ShapeError that names it and the shape", "[hostile][graph]") {
  auto in = Input({30});
  require_throws<ShapeError>(
      [&] {
        Conv2D({.filters = 2, .kernel_size = {3, 3}, .name = "conv"})(in);
      },
      {"Conv2D 'conv'", "(None, H, W, C)", "(None, 30)"});
}

TEST_CASE("Hostile: a Conv2D kernel larger than the image with valid padding is a ShapeError", "[hostile][graph]") {
  auto in = Input({4, 4, 1});
  require_throws<ShapeError>(
      [&] {
        Conv2D({.filters = 2, .kernel_size = {5, 3}, .name = "conv"})(in);
      },
      {"Conv2D 'conv'", "kernel_size=(5, 3)", "4x4", "(None, 4, 4, 1)", "same"});
}

TEST_CASE("Hostile: MaxPooling2D called on a flat input is a ShapeError that names it", "[hostile][graph]") {
  auto in = Input({16});
  require_throws<ShapeError>([&] { MaxPooling2D({.name = "pool"})(in); },
                             {"MaxPooling2D 'pool'", "(None, H, W, C)", "(None, 16)"});
}

TEST_CASE("Hostile: an AveragePooling2D window larger than the image with valid padding is a ShapeError",
          "[hostile][graph]") {
  auto in = Input({2, 3, 1});
  require_throws<ShapeError>(
      [&] {
        AveragePooling2D({.pool_size = {3, 3}, .name = "avg"})(in);
      },
      {"AveragePooling2D 'avg'", "pool_size=(3, 3)", "2x3", "(None, 2, 3, 1)"});
}

TEST_CASE("Hostile: GlobalAveragePooling2D called on a rank-3 input is a ShapeError", "[hostile][graph]") {
  auto in = Input({5, 7});
  require_throws<ShapeError>([&] { GlobalAveragePooling2D("gap")(in); },
                             {"GlobalAveragePooling2D 'gap'", "(None, H, W, C)", "(None, 5, 7)"});
}

TEST_CASE("Hostile: BatchNormalization with an axis beyond the input's rank is a ShapeError", "[hostile][graph]") {
  auto in = Input({5});
  require_throws<ShapeError>([&] { BatchNormalization({.axis = 2, .name = "bn"})(in); },
                             {"BatchNormalization 'bn'", "axis=2", "(None, 5)"});
}

TEST_CASE("Hostile: Softmax over an axis that is not the last is a ConfigError when it is built", "[hostile][graph]") {
  auto in = Input({4, 6});
  require_throws<ConfigError>([&] { Softmax({.axis = 1, .name = "probs"})(in); },
                              {"Softmax 'probs'", "axis=1", "(None, 4, 6)"});
}

TEST_CASE("Hostile: Add of two shapes is a ShapeError that lists both", "[hostile][graph]") {
  auto a = Input({3});
  auto b = Input({4});
  require_throws<ShapeError>([&] { Add("sum")({a, b}); }, {"Add 'sum'", "(None, 3)", "(None, 4)"});
}

TEST_CASE("Hostile: Add of a single input is a UsageError", "[hostile][graph]") {
  auto a = Input({3});
  require_throws<UsageError>([&] { Add("sum")({a}); }, {"Add 'sum'", "at least 2", "received 1"});
}

TEST_CASE("Hostile: Concatenate of shapes that differ off the axis is a ShapeError that lists them",
          "[hostile][graph]") {
  auto a = Input({2, 3});
  auto b = Input({4, 3});
  require_throws<ShapeError>(
      [&] {
        Concatenate({.axis = -1, .name = "cat"})({a, b});
      },
      {"Concatenate 'cat'", "(None, 2, 3)", "(None, 4, 3)"});
}

TEST_CASE("Hostile: Concatenate over an axis beyond the inputs' rank is a ShapeError", "[hostile][graph]") {
  auto a = Input({3});
  auto b = Input({3});
  require_throws<ShapeError>(
      [&] {
        Concatenate({.axis = 2, .name = "cat"})({a, b});
      },
      {"Concatenate 'cat'", "axis=2", "(None, 3)"});
}

TEST_CASE("Hostile: Reshape to another number of values is a ShapeError that names both", "[hostile][graph]") {
  auto in = Input({4, 3});
  require_throws<ShapeError>(
      [&] {
        Reshape({5, 2}, "reshape")(in);
      },
      {"Reshape 'reshape'", "(None, 4, 3)", "12 values", "(5, 2)"});
}

TEST_CASE("Hostile: Reshape whose inferred axis does not divide the values is a ShapeError", "[hostile][graph]") {
  auto in = Input({7});
  require_throws<ShapeError>([&] { Reshape({2, -1}, "reshape")(in); }, {"Reshape 'reshape'", "7 values", "(2, -1)"});
}

TEST_CASE("Hostile: Input with a zero, negative or missing size is a ShapeError that names it", "[hostile][graph]") {
  require_throws<ShapeError>([] { Input({3, 0}, "pixels"); }, {"Input 'pixels'", "(3, 0)", "positive"});
  require_throws<ShapeError>([] { Input({-2}, "pixels"); }, {"Input 'pixels'", "(-2,)", "positive"});
  require_throws<ShapeError>([] { Input(Shape{}, "pixels"); }, {"Input 'pixels'", "at least one axis"});
}

TEST_CASE("Hostile: a sample shape whose number of values overflows is a ShapeError, not undefined behaviour",
          "[hostile][graph]") {
  auto in = Input({1L << 40, 1L << 40}, "huge");
  require_throws<ShapeError>([&] { Flatten("flat")(in); }, {"(None, 1099511627776, 1099511627776)", "too large"});
}

TEST_CASE("Hostile: a layer built for one shape and called on another is a ShapeError", "[hostile][graph]") {
  auto dense = Dense({.units = 2, .name = "shared"});
  dense(Input({3}));
  require_throws<ShapeError>([&] { dense(Input({5})); },
                             {"Dense 'shared'", "built for inputs of shape (None, 3)", "(None, 5)"});
}

TEST_CASE("Hostile: a Model whose input is not an Input is a UsageError naming the layer", "[hostile][graph]") {
  auto in = Input({3});
  auto h = Dense({.units = 2, .name = "hidden"})(in);
  require_throws<UsageError>([&] { Model m(h, Dense(1)(h), "net"); }, {"Model 'net'", "Input", "Dense 'hidden'"});
}

TEST_CASE("Hostile: a Model whose output does not depend on its input is a UsageError", "[hostile][graph]") {
  auto in = Input({3}, "used");
  auto other = Input({3}, "other");
  auto out = Dense(1)(other);
  require_throws<UsageError>([&] { Model m(in, out, "net"); }, {"Model 'net'", "disconnected", "'other'"});
}

TEST_CASE("Hostile: a layer called on its own output is a UsageError when it is called", "[hostile][graph]") {
  auto in = Input({3});
  auto d = Dense({.units = 3, .name = "twice"});
  auto once = d(in);
  require_throws<UsageError>([&] { d(once); }, {"Dense 'twice'", "its own output", "more than once"});
  auto later = Dense({.units = 3, .name = "between"})(once);
  require_throws<UsageError>([&] { d(later); }, {"Dense 'twice'", "its own output"});
  CHECK(d->inbound_nodes().size() == 1);  // no node recorded: no cycle of shared pointers
}

TEST_CASE("Hostile: a layer called on two branches of one Model is shared: listed once, run per call",
          "[hostile][graph]") {
  auto a = Input({3});
  auto b = Input({3});
  auto d = Dense({.units = 3, .name = "shared"});
  auto out = Add()({d(a), d(b)});
  Model m({a, b}, {out}, "net");
  CHECK(m.layers().size() == 4);  // two inputs, the shared Dense once, Add
  CHECK(m.count_params() == 12);
  const Tensor x({2, 3}, 1.0f), zeros({2, 3}, 0.0f);
  // Each call keeps its own forward: d(x) + d(0) = (x W + b) + b.
  const Tensor y = *m.forward(std::vector<const Tensor*>{&x, &zeros}, Mode::Inference).at(0);
  const Tensor dx = d->forward(x, Mode::Inference);
  const Tensor d0 = d->forward(zeros, Mode::Inference);
  for (long i = 0; i < y.size(); ++i) CHECK(y[i] == Approx(dx[i] + d0[i]));
}

TEST_CASE("Hostile: two layers with one name in a Model is a UsageError", "[hostile][graph]") {
  auto in = Input({3});
  auto out = Dense({.units = 2, .name = "same"})(Dense({.units = 3, .name = "same"})(in));
  require_throws<UsageError>([&] { Model m(in, out, "net"); }, {"Model 'net'", "'same'", "unique"});
}

// ---- shapes and batches when the graph runs ------------------------------------------------

TEST_CASE("Hostile: a batch of the wrong sample shape is a ShapeError and changes no weight", "[hostile][forward]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->forward(Tensor({2, 5}), Mode::Training);
                                       },
                                       {"Model 'classifier'", "'features'", "(None, 4)", "(2, 5)"});
}

TEST_CASE("Hostile: a batch of the wrong rank is a ShapeError and changes no weight", "[hostile][forward]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model, [&] { model->forward(Tensor({4}), Mode::Training); },
                                       {"Model 'classifier'", "(None, 4)", "(4,)"});
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->forward(Tensor({2, 4, 1}), Mode::Training);
                                       },
                                       {"Model 'classifier'", "(None, 4)", "(2, 4, 1)"});
}

TEST_CASE("Hostile: a batch of size 0 is a ShapeError and changes no weight", "[hostile][forward]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->forward(Tensor({0, 4}), Mode::Training);
                                       },
                                       {"Model 'classifier'", "'features'", "empty batch", "0 samples"});
}

TEST_CASE("Hostile: a layer run on a batch of size 0 is a ShapeError that names it", "[hostile][forward]") {
  auto d = Dense({.units = 2, .name = "d"});
  require_throws<ShapeError>([&] { d->forward(Tensor({0, 3}), Mode::Inference); }, {"Dense 'd'", "empty batch"});
}

TEST_CASE("Hostile: a layer run on a tensor without a batch axis is a ShapeError", "[hostile][forward]") {
  auto d = Dense({.units = 2, .name = "d"});
  require_throws<ShapeError>([&] { d->forward(Tensor({3}), Mode::Inference); }, {"Dense 'd'", "batch axis", "(3,)"});
}

TEST_CASE("Hostile: a Model given two tensors for one input is a UsageError", "[hostile][forward]") {
  auto model = make_classifier();
  const Tensor x = classifier_x(2);
  require_throws_unchanged<UsageError>(*model,
                                       [&] {
                                         model->forward({&x, &x}, Mode::Training);
                                       },
                                       {"Model 'classifier'", "1 input", "received 2"});
}

TEST_CASE("Hostile: inputs with different batch sizes are a ShapeError before any layer runs", "[hostile][forward]") {
  auto model = make_two_input_model();
  const Tensor a = random_tensor({4, 3}, 1), b = random_tensor({5, 3}, 2);
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->forward({&a, &b}, Mode::Training);
                                       },
                                       {"Model 'two_inputs'", "'left'", "4", "'right'", "5", "batch"});
}

TEST_CASE("Hostile: an empty batch on one of two inputs is a ShapeError before any layer runs", "[hostile][forward]") {
  auto model = make_two_input_model();
  const Tensor a = random_tensor({4, 3}, 1), b({0, 3});
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->forward({&a, &b}, Mode::Training);
                                       },
                                       {"Model 'two_inputs'", "'right'", "0"});
}

// ---- a layer's inputs, kept for its backward -------------------------------------------------

TEST_CASE("Hostile: an input grown, reassigned or destroyed between a layer's forward and backward is read safely",
          "[hostile][order]") {
  // The layer shares the input's buffer (Tensor::share): growing the caller's tensor gives the
  // caller a new buffer and leaves the layer the old one; nothing is read out of bounds (asan).
  auto d = Dense(DenseOptions{.units = 1, .use_bias = false});
  d->build(Shape{Shape::kNone, 2});
  d->weight("kernel").value = Tensor({2, 1}, {1, 1});
  const Tensor dy({2, 1}, {1, 1});
  auto x = std::make_unique<Tensor>(Shape{2, 2}, std::vector<float>{1, 2, 3, 4});
  d->forward(*x, Mode::Training);
  x->resize({4096, 2});  // grown: a new buffer for the caller
  x->fill(-9);
  d->backward(dy);
  require_values(d->weight("kernel").grad, {4, 6});  // dW = x^T dy with the forward's x
  d->forward(*x, Mode::Training);
  *x = Tensor({1, 2}, {5, 5});  // reassigned to a smaller tensor: the buffer keeps its room
  x.reset();                    // and destroyed
  CHECK_NOTHROW(d->backward(Tensor({4096, 1}, 1.0f)));
  CHECK(std::isfinite(d->weight("kernel").grad[0]));
}

// ---- calls in the wrong order --------------------------------------------------------------

TEST_CASE("Hostile: a Model's backward before any forward is a UsageError", "[hostile][order]") {
  clear_session();
  auto in = Input({3});
  Model model(in, Dense(2)(in), "net");
  require_throws_unchanged<UsageError>(model,
                                       [&] {
                                         model.backward(Tensor({1, 2}));
                                       },
                                       {"Model 'net'", "backward", "before forward"});
}

TEST_CASE("Hostile: a Model's backward after predict, evaluate or a training call is a UsageError",
          "[hostile][order]") {
  // Those calls lend their batches to the layers and free them when they return: a backward
  // afterwards would read freed memory, so it is refused as if no forward had run.
  clear_session();
  auto in = Input({3});
  Model model(in, Dense(2)(in), "net");
  model.compile("sgd", "mse");
  const Tensor x = random_tensor({4, 3}, 1), y = random_tensor({4, 2}, 2);
  const auto refused = [&] {
    require_throws_unchanged<UsageError>(model,
                                         [&] {
                                           model.backward(Tensor({4, 2}));
                                         },
                                         {"Model 'net'", "backward", "before forward", "predict"});
  };
  model.forward(x, Mode::Training);
  model.predict(x);
  refused();
  model.forward(x, Mode::Training);
  model.evaluate(x, y, 4, 0);
  refused();
  model.train_on_batch(x, y);
  refused();
  model.test_on_batch(x, y);
  refused();
  model.forward(x, Mode::Training);  // a forward of its own makes backward valid again
  CHECK(model.backward(Tensor({4, 2}, 1.0f)).shape() == Shape{4, 3});
}

TEST_CASE("Hostile: a layer's backward before any forward is a UsageError that names it", "[hostile][order]") {
  auto d = Dense({.units = 2, .name = "d"});
  d->build(Shape{Shape::kNone, 3});
  require_throws<UsageError>([&] { d->backward(Tensor({1, 2})); }, {"Dense 'd'", "backward", "before any forward"});
}

TEST_CASE("Hostile: a gradient of the wrong shape for a Model's backward is a ShapeError", "[hostile][order]") {
  auto model = make_classifier();
  model->forward(classifier_x(2), Mode::Training);
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->backward(Tensor({2, 4}));
                                       },
                                       {"Model 'classifier'", "(2, 4)", "(2, 3)"});
}

TEST_CASE("Hostile: a gradient of the wrong shape for a layer's backward is a ShapeError", "[hostile][order]") {
  auto d = Dense({.units = 2, .name = "d"});
  d->forward(Tensor({3, 4}), Mode::Training);
  require_throws<ShapeError>([&] { d->backward(Tensor({2, 2})); }, {"Dense 'd'", "(3, 2)", "(2, 2)"});
}

TEST_CASE("Hostile: one gradient for a Model with two outputs is a UsageError", "[hostile][order]") {
  clear_session();
  auto in = Input({3});
  Model model({in}, {Dense(2)(in), Dense(1)(in)}, "forked");
  const Tensor x = random_tensor({2, 3}, 1);
  model.forward({&x}, Mode::Training);
  require_throws<UsageError>([&] { model.backward(Tensor({2, 2})); }, {"Model 'forked'", "2 output", "1 gradient"});
}

TEST_CASE("Hostile: a Sequential run before it has any layer or input is a UsageError", "[hostile][order]") {
  Sequential model("empty");
  require_throws<UsageError>([&] { model.forward(Tensor({1, 3}), Mode::Inference); }, {"Model 'empty'", "not built"});
  require_throws<UsageError>([&] { model.compile("sgd", "mse"); }, {"Model 'empty'", "not built"});
  require_throws<UsageError>([&] { model.load_weights("never-read.npz"); }, {"Model 'empty'", "not built"});
}

TEST_CASE("Hostile: a Sequential given an Input after a layer is a UsageError and stays as it was",
          "[hostile][order]") {
  Sequential model("seq");
  model.add(Dense(2));
  require_throws<UsageError>([&] { model.add(Input({3})); }, {"Sequential 'seq'", "Input", "first"});
  CHECK(model.forward(Tensor({1, 3}, 1.0f), Mode::Inference).shape() == Shape{1, 2});
}

TEST_CASE("Hostile: a Sequential built twice is a UsageError", "[hostile][order]") {
  Sequential model("seq");
  model.add(Dense(2));
  model.build(Shape{Shape::kNone, 3});
  require_throws<UsageError>([&] { model.build(Shape{Shape::kNone, 3}); }, {"Sequential 'seq'", "already built"});
}

TEST_CASE("Hostile: a layer added twice to a Sequential is a UsageError and the model stays as it was",
          "[hostile][order]") {
  clear_session();
  Sequential model("seq");
  model.add(Input({3}));
  auto d = Dense({.units = 3, .name = "again"});
  model.add(d);
  const auto before = snapshot_weights(model);
  require_throws<UsageError>([&] { model.add(d); }, {"Dense 'again'", "more than once"});
  require_weights_unchanged(model, before);
  CHECK(model.layers().size() == 1);
  CHECK(model.forward(Tensor({2, 3}, 1.0f), Mode::Inference).shape() == Shape{2, 3});
}

TEST_CASE("Hostile: asking a Model or a layer for a name it does not have is a UsageError", "[hostile][order]") {
  auto model = make_classifier();
  require_throws<UsageError>([&] { model->get_layer("nope"); }, {"Model 'classifier'", "'nope'"});
  require_throws<UsageError>([&] { model->get_layer("hidden").weight("gamma"); }, {"Dense 'hidden'", "'gamma'"});
}

// ---- layers shared between models ----------------------------------------------------------

TEST_CASE("Hostile: a layer shared by two models runs in both with one set of weights", "[hostile][sharing]") {
  clear_session();
  auto encoder = Dense({.units = 3, .activation = "tanh", .name = "encoder"});
  auto in_a = Input({4});
  Model a(in_a, Dense(1)(encoder(in_a)), "a");
  auto in_b = Input({4});
  Model b(in_b, Dense(2)(encoder(in_b)), "b");
  const Tensor x = random_tensor({5, 4}, 1);
  CHECK(a.forward(x, Mode::Inference).shape() == Shape{5, 1});
  CHECK(b.forward(x, Mode::Inference).shape() == Shape{5, 2});
  CHECK(&a.get_layer("encoder") == &b.get_layer("encoder"));
  CHECK(&a.get_layer("encoder").weight("kernel") == &b.get_layer("encoder").weight("kernel"));
}

TEST_CASE("Hostile: a Model's backward after another model ran a shared layer is a UsageError", "[hostile][sharing]") {
  clear_session();
  auto encoder = Dense({.units = 3, .activation = "tanh", .name = "encoder"});
  auto in_a = Input({4});
  Model a(in_a, Dense(1)(encoder(in_a)), "a");
  auto in_b = Input({4});
  Model b(in_b, Dense(1)(encoder(in_b)), "b");
  a.forward(random_tensor({5, 4}, 1), Mode::Training);
  b.forward(random_tensor({5, 4}, 2), Mode::Training);  // the encoder now caches b's batch
  // a's backward would differentiate through b's batch: refused, with the way out.
  require_throws<UsageError>(
      [&] {
        a.backward(Tensor({5, 1}, 1.0f));
      },
      {"Model 'a'", "Dense 'encoder'", "since", "forward again"});
  a.forward(random_tensor({5, 4}, 1), Mode::Training);
  CHECK(a.backward(Tensor({5, 1}, 1.0f)).shape() == Shape{5, 4});
}

TEST_CASE("Hostile: a Model built from a Sequential's tensors keeps its graph when the Sequential grows",
          "[hostile][sharing]") {
  clear_session();
  Sequential seq("seq");
  seq.add(Input({4}));
  seq.add(Dense({.units = 3, .name = "first"}));
  Model snapshot(seq.inputs(), seq.outputs(), "snapshot");
  seq.add(Dense({.units = 2, .name = "second"}));
  const Tensor x = random_tensor({5, 4}, 1);
  // Each model runs its own graph; the layer they share has one set of weights.
  CHECK(snapshot.forward(x, Mode::Inference).shape() == Shape{5, 3});
  CHECK(seq.forward(x, Mode::Inference).shape() == Shape{5, 2});
  CHECK(snapshot.layers().size() == 2);  // input and 'first'
  CHECK(seq.layers().size() == 2);       // 'first' and 'second' (a Sequential does not list its input)
  CHECK(&snapshot.get_layer("first") == &seq.get_layer("first"));
  require_throws<UsageError>([&] { snapshot.get_layer("second"); }, {"Model 'snapshot'", "'second'"});
  // Training either model trains the shared layer; the other sees it.
  seq.compile("sgd", "mse");
  seq.train_on_batch(x, random_tensor({5, 2}, 2));
  const Tensor after = snapshot.forward(x, Mode::Inference);
  const Tensor by_hand = seq.get_layer("first").forward(x, Mode::Inference);
  CHECK(after.row() == by_hand.row());
}

TEST_CASE("Hostile: a Sequential that grows after compile keeps the new layers' moving statistics on failure",
          "[hostile][sharing]") {
  clear_session();
  Sequential model("grown");
  model.add(Input({3}));
  model.add(Dense({.units = 4, .name = "d1"}));
  model.compile("sgd", "mse");
  model.add(BatchNormalization({.name = "late_bn"}));
  model.add(Dense({.units = 1, .name = "d2"}));
  Tensor x = random_tensor({4, 3}, 1);
  x[5] = std::numeric_limits<float>::quiet_NaN();
  require_throws_unchanged<Error>(model,
                                  [&] {
                                    model.fit(x, Tensor({4, 1}), {.verbose = 0, .check_inputs = false});
                                  },
                                  {"Model 'grown'", "epoch 1, step 1"});
}
