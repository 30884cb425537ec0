// Hostile inputs to training: bad options of fit / evaluate / predict, data that does not fit the
// model or the loss, NaN and infinity, training that diverges, and the batches of one that
// BatchNormalization must survive. After every failing call the model's weights and moving
// statistics are byte-identical to before it.
#include <limits>

#include "hostile/hostile_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
const FitOptions kQuiet{.verbose = 0};
}  // namespace

// ---- fit: options --------------------------------------------------------------------------

TEST_CASE("Hostile: fit before compile is a UsageError", "[hostile][fit]") {
  clear_session();
  auto in = Input({4});
  Model model(in, Dense(3)(in), "raw");
  require_throws_unchanged<UsageError>(model, [&] { model.fit(classifier_x(6), classifier_y(6), kQuiet); },
                                       {"Model 'raw'", "compile", "before fit"});
}

TEST_CASE("Hostile: fit with epochs 0 or negative is a ConfigError naming the value", "[hostile][fit]") {
  auto model = make_classifier();
  for (long epochs : {0L, -2L}) {
    INFO("epochs " << epochs);
    require_throws_unchanged<ConfigError>(
        *model, [&] { model->fit(classifier_x(6), classifier_y(6), {.epochs = epochs, .verbose = 0}); },
        {"Model 'classifier'", "epochs", fmt::format("received {}", epochs)});
  }
}

TEST_CASE("Hostile: fit with batch_size 0 or negative is a ConfigError naming the value", "[hostile][fit]") {
  auto model = make_classifier();
  for (long batch_size : {0L, -32L}) {
    INFO("batch_size " << batch_size);
    require_throws_unchanged<ConfigError>(
        *model, [&] { model->fit(classifier_x(6), classifier_y(6), {.batch_size = batch_size, .verbose = 0}); },
        {"Model 'classifier'", "batch_size", fmt::format("received {}", batch_size)});
  }
}

TEST_CASE("Hostile: fit with a validation_split outside 0 to below 1 is a ConfigError", "[hostile][fit]") {
  auto model = make_classifier();
  for (double split : {-0.1, 1.0, 2.0, double(kNaN)}) {
    INFO("validation_split " << split);
    require_throws_unchanged<ConfigError>(
        *model, [&] { model->fit(classifier_x(6), classifier_y(6), {.validation_split = split, .verbose = 0}); },
        {"Model 'classifier'", "validation_split", fmt::format("received {}", split)});
  }
}

TEST_CASE("Hostile: fit with a validation_split that leaves no sample on one side is a ConfigError", "[hostile][fit]") {
  auto model = make_classifier();
  require_throws_unchanged<ConfigError>(
      *model, [&] { model->fit(classifier_x(6), classifier_y(6), {.validation_split = 0.1, .verbose = 0}); },
      {"Model 'classifier'", "validation_split=0.1", "6 samples", "leaves 6 for training and 0 for validation"});
}

TEST_CASE("Hostile: fit with verbose other than 0, 1 or 2 is a ConfigError", "[hostile][fit]") {
  auto model = make_classifier();
  for (int verbose : {-1, 3}) {
    INFO("verbose " << verbose);
    require_throws_unchanged<ConfigError>(*model,
                                          [&] { model->fit(classifier_x(6), classifier_y(6), {.verbose = verbose}); },
                                          {"Model 'classifier'", "verbose", fmt::format("received {}", verbose)});
  }
}

TEST_CASE("Hostile: fit with validation_x but no validation_y is a UsageError", "[hostile][fit]") {
  auto model = make_classifier();
  const Tensor vx = classifier_x(3);
  require_throws_unchanged<UsageError>(
      *model, [&] { model->fit(classifier_x(6), classifier_y(6), {.validation_x = &vx, .verbose = 0}); },
      {"Model 'classifier'", "validation_x and validation_y"});
}

// ---- fit: data -----------------------------------------------------------------------------

TEST_CASE("Hostile: fit with x and y of different lengths is a ShapeError naming both", "[hostile][fit]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model, [&] { model->fit(classifier_x(6), classifier_y(5), kQuiet); },
                                       {"Model 'classifier'", "fit", "6 samples (6, 4)", "5 samples (5,)"});
}

TEST_CASE("Hostile: fit on no samples is a ShapeError", "[hostile][fit]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->fit(Tensor({0, 4}), Tensor({0}), kQuiet);
                                       },
                                       {"Model 'classifier'", "fit", "no samples"});
}

TEST_CASE("Hostile: fit on x of the wrong sample shape is a ShapeError naming the input", "[hostile][fit]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->fit(Tensor({6, 5}), classifier_y(6), kQuiet);
                                       },
                                       {"Model 'classifier'", "'features'", "(None, 4)", "(6, 5)"});
}

TEST_CASE("Hostile: fit on targets of the wrong shape for the loss is a ShapeError naming both shapes",
          "[hostile][fit]") {
  auto model = make_classifier();
  // One-hot targets for a sparse loss: the message says so.
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->fit(classifier_x(6), Tensor({6, 3}), kQuiet);
                                       },
                                       {"sparse_categorical_crossentropy", "(6, 3)", "one-hot"});
}

TEST_CASE("Hostile: fit with a label out of range for the loss is a ShapeError naming it, before any step",
          "[hostile][fit]") {
  auto model = make_classifier();
  Tensor y = classifier_y(12);
  y[10] = 3;  // 3 classes: 0, 1, 2. The bad label is in the third batch of four.
  require_throws_unchanged<ShapeError>(
      *model, [&] { model->fit(classifier_x(12), y, {.batch_size = 4, .shuffle = false, .verbose = 0}); },
      {"sparse_categorical_crossentropy", "index 10", "is 3", "[0, 3)"});
}

TEST_CASE("Hostile: fit with a negative or fractional label is a ShapeError naming it", "[hostile][fit]") {
  auto model = make_classifier();
  for (float label : {-1.0f, 1.5f}) {
    INFO("label " << label);
    Tensor y = classifier_y(6);
    y[4] = label;
    require_throws_unchanged<ShapeError>(*model, [&] { model->fit(classifier_x(6), y, kQuiet); },
                                         {"index 4", fmt::format("is {}", label)});
  }
}

TEST_CASE("Hostile: fit on x holding NaN or infinity is an Error naming the value and its index", "[hostile][fit]") {
  auto model = make_classifier();
  for (float bad : {kNaN, kInf, -kInf}) {
    INFO("value " << bad);
    Tensor x = classifier_x(6);
    x[13] = bad;
    require_throws_unchanged<Error>(
        *model, [&] { model->fit(x, classifier_y(6), kQuiet); },
        {"Model 'classifier'", "fit's x", fmt::format("({})", bad), "index 13", "check_inputs"});
  }
}

TEST_CASE("Hostile: fit on y holding NaN is an Error naming y", "[hostile][fit]") {
  auto model = make_classifier();
  Tensor y = classifier_y(6);
  y[2] = kNaN;
  require_throws_unchanged<Error>(*model, [&] { model->fit(classifier_x(6), y, kQuiet); },
                                  {"Model 'classifier'", "fit's y", "(nan)", "index 2"});
}

TEST_CASE("Hostile: fit on NaN with check_inputs off stops at the first step and keeps the weights", "[hostile][fit]") {
  auto model = make_classifier();
  Tensor x = classifier_x(6);
  x[0] = kNaN;
  require_throws_unchanged<Error>(
      *model, [&] { model->fit(x, classifier_y(6), {.shuffle = false, .verbose = 0, .check_inputs = false}); },
      {"Model 'classifier'", "nan", "epoch 1, step 1", "weights from before"});
}

// ---- fit: validation data ------------------------------------------------------------------

TEST_CASE("Hostile: validation data of different lengths is a ShapeError before training", "[hostile][fit]") {
  auto model = make_classifier();
  const Tensor vx = classifier_x(3), vy = classifier_y(2);
  require_throws_unchanged<ShapeError>(
      *model,
      [&] { model->fit(classifier_x(6), classifier_y(6), {.validation_x = &vx, .validation_y = &vy, .verbose = 0}); },
      {"Model 'classifier'", "validation data", "3 samples", "2 samples"});
}

TEST_CASE("Hostile: validation x of the wrong sample shape is a ShapeError before training", "[hostile][fit]") {
  auto model = make_classifier();
  const Tensor vx({3, 7}), vy = classifier_y(3);
  require_throws_unchanged<ShapeError>(
      *model,
      [&] { model->fit(classifier_x(6), classifier_y(6), {.validation_x = &vx, .validation_y = &vy, .verbose = 0}); },
      {"Model 'classifier'", "validation", "(None, 4)", "(3, 7)"});
}

TEST_CASE("Hostile: a validation label out of range is a ShapeError before training", "[hostile][fit]") {
  auto model = make_classifier();
  const Tensor vx = classifier_x(3), vy({3}, {0, 7, 1});
  require_throws_unchanged<ShapeError>(
      *model,
      [&] { model->fit(classifier_x(6), classifier_y(6), {.validation_x = &vx, .validation_y = &vy, .verbose = 0}); },
      {"sparse_categorical_crossentropy", "index 1", "is 7"});
}

TEST_CASE("Hostile: validation data holding NaN is an Error before training", "[hostile][fit]") {
  auto model = make_classifier();
  Tensor vx = classifier_x(3);
  vx[5] = kNaN;
  const Tensor vy = classifier_y(3);
  require_throws_unchanged<Error>(
      *model,
      [&] { model->fit(classifier_x(6), classifier_y(6), {.validation_x = &vx, .validation_y = &vy, .verbose = 0}); },
      {"Model 'classifier'", "validation_x", "(nan)", "index 5"});
}

// ---- evaluate, predict, train_on_batch, test_on_batch --------------------------------------

TEST_CASE("Hostile: evaluate with batch_size 0 is a ConfigError", "[hostile][evaluate]") {
  auto model = make_classifier();
  require_throws_unchanged<ConfigError>(*model, [&] { model->evaluate(classifier_x(6), classifier_y(6), 0); },
                                        {"Model 'classifier'", "evaluate's batch_size", "received 0"});
}

TEST_CASE("Hostile: evaluate with verbose other than 0, 1 or 2 is a ConfigError", "[hostile][evaluate]") {
  auto model = make_classifier();
  require_throws_unchanged<ConfigError>(*model, [&] { model->evaluate(classifier_x(6), classifier_y(6), 32, 7); },
                                        {"Model 'classifier'", "evaluate's verbose", "received 7"});
}

TEST_CASE("Hostile: evaluate on x and y of different lengths is a ShapeError", "[hostile][evaluate]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model, [&] { model->evaluate(classifier_x(4), classifier_y(6)); },
                                       {"Model 'classifier'", "evaluate", "4 samples", "6 samples"});
}

TEST_CASE("Hostile: evaluate with a label out of range is a ShapeError naming it", "[hostile][evaluate]") {
  auto model = make_classifier();
  Tensor y = classifier_y(6);
  y[5] = 9;
  require_throws_unchanged<ShapeError>(*model, [&] { model->evaluate(classifier_x(6), y); },
                                       {"sparse_categorical_crossentropy", "is 9"});
}

TEST_CASE("Hostile: evaluate before compile is a UsageError", "[hostile][evaluate]") {
  clear_session();
  auto in = Input({4});
  Model model(in, Dense(3)(in), "raw");
  require_throws<UsageError>([&] { model.evaluate(classifier_x(6), classifier_y(6)); },
                             {"Model 'raw'", "before evaluate"});
}

TEST_CASE("Hostile: predict with batch_size 0 is a ConfigError", "[hostile][predict]") {
  auto model = make_classifier();
  require_throws_unchanged<ConfigError>(*model, [&] { model->predict(classifier_x(6), 0); },
                                        {"Model 'classifier'", "predict's batch_size", "received 0"});
}

TEST_CASE("Hostile: predict on no samples is a ShapeError", "[hostile][predict]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->predict(Tensor({0, 4}));
                                       },
                                       {"Model 'classifier'", "predict", "no samples"});
}

TEST_CASE("Hostile: predict on x of the wrong sample shape is a ShapeError", "[hostile][predict]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->predict(Tensor({6, 2}));
                                       },
                                       {"Model 'classifier'", "(None, 4)", "(6, 2)"});
}

TEST_CASE("Hostile: predict on a model with two outputs is a UsageError", "[hostile][predict]") {
  clear_session();
  auto in = Input({4});
  Model model({in}, {Dense(2)(in), Dense(1)(in)}, "forked");
  require_throws<UsageError>([&] { model.predict(classifier_x(3)); }, {"Model 'forked'", "one output"});
}

TEST_CASE("Hostile: train_on_batch with a label out of range is a ShapeError and keeps the moving statistics",
          "[hostile][train_on_batch]") {
  auto model = make_classifier();
  Tensor y = classifier_y(6);
  y[3] = 5;
  require_throws_unchanged<ShapeError>(*model, [&] { model->train_on_batch(classifier_x(6), y); },
                                       {"sparse_categorical_crossentropy", "index 3", "is 5"});
}

TEST_CASE("Hostile: train_on_batch with targets of the wrong shape is a ShapeError and keeps every weight",
          "[hostile][train_on_batch]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         model->train_on_batch(classifier_x(6), Tensor({6, 2, 2}));
                                       },
                                       {"sparse_categorical_crossentropy", "(6, 2, 2)"});
}

TEST_CASE("Hostile: train_on_batch and test_on_batch on x and y of different lengths are ShapeErrors",
          "[hostile][train_on_batch]") {
  auto model = make_classifier();
  require_throws_unchanged<ShapeError>(*model, [&] { model->train_on_batch(classifier_x(3), classifier_y(4)); },
                                       {"Model 'classifier'", "train_on_batch", "3 samples", "4 samples"});
  require_throws_unchanged<ShapeError>(*model, [&] { model->test_on_batch(classifier_x(3), classifier_y(4)); },
                                       {"Model 'classifier'", "test_on_batch", "3 samples", "4 samples"});
}

// ---- divergence ----------------------------------------------------------------------------

namespace {
// y = 2x on four points, fit by Dense(1) from w = 1, b = 0 with a learning rate far above 2 / the
// curvature: every step multiplies the error by about -100, so the weights overflow float32 within
// about twenty steps. Two batches of two per epoch, in order.
std::unique_ptr<Model> make_diverging_regression() {
  clear_session();
  auto in = Input({1}, "x");
  auto model = std::make_unique<Model>(in, Dense({.units = 1, .name = "line"})(in), "regression");
  model->get_layer("line").weight("kernel").value.fill(1.0f);
  model->get_layer("line").weight("bias").value.fill(0.0f);
  model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 10.0f}), std::make_shared<MeanSquaredError>());
  return model;
}
const Tensor kLineX({4, 1}, {1, 2, 3, 4});
const Tensor kLineY({4, 1}, {2, 4, 6, 8});
}  // namespace

TEST_CASE("Hostile: training that diverges stops naming the epoch and step and keeps the weights from before it",
          "[hostile][divergence]") {
  // The same steps one at a time with train_on_batch: the step that fails, and the weights before it.
  auto twin = make_diverging_regression();
  long failing = -1;
  std::vector<WeightBytes> before_failing;
  Tensor xb, yb;
  for (long k = 0; k < 200 && failing < 0; ++k) {
    const std::vector<long> rows = {0, 1, 2, 3};
    take_rows(kLineX, rows, 2 * (k % 2), 2 * (k % 2) + 2, xb);
    take_rows(kLineY, rows, 2 * (k % 2), 2 * (k % 2) + 2, yb);
    before_failing = snapshot_weights(*twin);
    try {
      twin->train_on_batch(xb, yb);
    } catch (const Error& e) {
      failing = k;
      require_weights_unchanged(*twin, before_failing);  // train_on_batch's failure changed nothing
    }
  }
  REQUIRE(failing > 2);
  const long epoch = failing / 2 + 1, step = failing % 2 + 1;
  INFO("train_on_batch failed at step " << failing << " (epoch " << epoch << ", step " << step << ")");
  REQUIRE(all_weights_finite(*twin));

  auto model = make_diverging_regression();
  require_throws<Error>(
      [&] { model->fit(kLineX, kLineY, {.epochs = 1000, .batch_size = 2, .shuffle = false, .verbose = 0}); },
      {"Model 'regression'", fmt::format("epoch {}, step {}", epoch, step), "weights from before"});
  require_weights_unchanged(*model, before_failing);
  // The failing step's update was applied and then rolled back: the weights are restored, and so
  // is the optimizer, its step counter included (docs/training.md says so).
  CHECK(model->optimizer().iterations() == failing);
}

// ---- BatchNormalization: batches of one and constant channels ------------------------------

TEST_CASE("Hostile: fit whose last batch holds one sample trains BatchNormalization without NaN",
          "[hostile][batch_normalization]") {
  clear_session();
  auto in = Input({3});
  auto h = BatchNormalization({.name = "bn"})(Dense({.units = 4, .kernel_initializer = {"glorot_uniform", 7}})(in));
  Model model(in, Dense(1)(h), "tail");
  model.compile("adam", "mse");
  // 33 samples in batches of 32: every epoch ends with a batch of one, whose variance is 0.
  const History history =
      model.fit(random_tensor({33, 3}, 1), random_tensor({33, 1}, 2), {.epochs = 3, .batch_size = 32, .verbose = 0});
  for (double loss : history.history.at("loss")) CHECK(std::isfinite(loss));
  CHECK(all_weights_finite(model));
  // The batch of one alone, in training mode: the output is beta, finite.
  const Tensor& y = model.forward(random_tensor({1, 3}, 3), Mode::Training);
  CHECK(std::isfinite(y[0]));
  CHECK(all_weights_finite(model));
  for (float v : model.get_layer("bn").weight("moving_variance").value.values()) CHECK(v >= 0.0f);
}

TEST_CASE("Hostile: fit on a constant feature trains BatchNormalization without NaN",
          "[hostile][batch_normalization]") {
  clear_session();
  auto in = Input({3});
  Model model(in, Dense(1)(BatchNormalization({.name = "bn"})(in)), "constant");
  model.compile("sgd", "mse");
  Tensor x = random_tensor({16, 3}, 1);
  for (long n = 0; n < 16; ++n) x[n * 3 + 1] = 5.0f;  // feature 1 never changes
  const History history = model.fit(x, random_tensor({16, 1}, 2), {.epochs = 2, .batch_size = 8, .verbose = 0});
  for (double loss : history.history.at("loss")) CHECK(std::isfinite(loss));
  CHECK(all_weights_finite(model));
  // The constant channel is normalized to 0 in training (x - mean = 0, epsilon keeps the division
  // finite), so it outputs beta, up to the rounding of the fused x * a + (beta - mean * a).
  const Tensor& out = model.get_layer("bn").forward(x, Mode::Training);
  for (long n = 0; n < 16; ++n)
    CHECK(out[n * 3 + 1] == Approx(model.get_layer("bn").weight("beta").value[1]).margin(1e-4));
}

TEST_CASE("Hostile: BatchNormalization on a single one-pixel image in training mode gives beta, not NaN",
          "[hostile][batch_normalization]") {
  auto bn = BatchNormalization({.name = "bn"});
  bn->build(Shape{Shape::kNone, 1, 1, 2});
  bn->weight("beta").value = Tensor({2}, {0.25f, -0.5f});
  // Beta up to float rounding: y = x * a + (beta - mean * a) with a = 1 / sqrt(epsilon), as
  // tf.nn.batch_normalization computes it, loses about |x| * a * 2^-24.
  require_values(bn->forward(Tensor({1, 1, 1, 2}, {3.0f, -40.0f}), Mode::Training), {0.25f, -0.5f}, 1e-4f);
  const Tensor& dx = bn->backward(Tensor({1, 1, 1, 2}, {1.0f, 2.0f}));
  require_values(dx, {0.0f, 0.0f});  // with m = 1 the output does not depend on x
  for (const Parameter* p : std::as_const(*bn).weights())
    for (float v : p->value.values()) CHECK(std::isfinite(v));
}
