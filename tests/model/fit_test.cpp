#include <cmath>
#include <numbers>
#include <regex>
#include <sstream>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// Two interleaved spirals of n points each, labels 0 and 1 (a classic non-linear problem).
void two_spirals(long n, Tensor& x, Tensor& y) {
  x = Tensor({2 * n, 2});
  y = Tensor({2 * n, 1});
  Rng rng(3);
  for (long i = 0; i < n; ++i) {
    const double t = 0.25 + 3.0 * double(i) / double(n) * std::numbers::pi;  // up to 1.5 turns
    const double r = t / (3.0 * std::numbers::pi);
    for (long k = 0; k < 2; ++k) {
      const double s = k == 0 ? 1 : -1;
      x.at({2 * i + k, 0}) = float(s * r * std::cos(t)) + rng.normal(0, 0.01f);
      x.at({2 * i + k, 1}) = float(s * r * std::sin(t)) + rng.normal(0, 0.01f);
      y.at({2 * i + k, 0}) = float(k);
    }
  }
}

}  // namespace

TEST_CASE("fit learns a linear regression to its exact coefficients", "[fit]") {
  // y = 3 x0 - 2 x1 + 0.5, no noise: SGD on MSE must recover the coefficients.
  const Tensor x = random_tensor({256, 2}, 1, -1, 1);
  Tensor y({256, 1});
  for (long i = 0; i < 256; ++i) y[i] = 3 * x.at({i, 0}) - 2 * x.at({i, 1}) + 0.5f;
  auto in = Input({2});
  auto d = Dense(1);
  Model model(in, d(in));
  model.compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.1f}), std::make_shared<MeanSquaredError>());
  const History h = model.fit(x, y, {.epochs = 60, .batch_size = 16, .verbose = 0});
  CHECK(h.history.at("loss").size() == 60);
  CHECK(h.history.at("loss").back() < 1e-6);
  CHECK(h.history.at("loss").back() < h.history.at("loss").front());
  require_values(d->weight("kernel").value, {3, -2}, 1e-3f);
  require_values(d->weight("bias").value, {0.5f}, 1e-3f);
}

TEST_CASE("fit separates two spirals with a small MLP with BatchNormalization", "[fit]") {
  set_random_seed(11);
  Tensor x, y;
  two_spirals(200, x, y);
  Sequential model;
  model.add(Input({2}));
  model.add(Dense(32, "tanh"));
  model.add(BatchNormalization());
  model.add(Dense(32, "tanh"));
  model.add(Dense(1, "sigmoid"));
  model.compile(std::make_shared<Adam>(AdamOptions{.learning_rate = 0.01f}), std::make_shared<BinaryCrossentropy>(),
                {"accuracy"});
  const History h = model.fit(x, y, {.epochs = 150, .batch_size = 32, .seed = 1, .verbose = 0});
  const Logs result = model.evaluate(x, y, 64);
  INFO("final training loss " << h.history.at("loss").back());
  CHECK(result.at("accuracy") >= 0.97);
  CHECK(result.at("loss") < 0.1);
}

TEST_CASE("fit holds out the last samples with validation_split and reports val_ metrics", "[fit]") {
  const Tensor x = random_tensor({100, 3}, 2);
  Tensor y({100, 1});
  for (long i = 0; i < 100; ++i) y[i] = x.at({i, 0}) > 0 ? 1.0f : 0.0f;
  auto in = Input({3});
  Model model(in, Dense(1, "sigmoid")(in));
  model.compile("adam", "binary_crossentropy", {"accuracy"});
  const History h = model.fit(x, y, {.epochs = 3, .batch_size = 10, .validation_split = 0.2, .verbose = 0});
  for (const char* k : {"loss", "accuracy", "val_loss", "val_accuracy"}) {
    INFO(k);
    REQUIRE(h.history.count(k) == 1);
    CHECK(h.history.at(k).size() == 3);
  }
  // The validation values are those of the last 20 samples in inference mode after the epoch.
  Tensor vx({20, 3}), vy({20, 1});
  std::copy(x.data() + 80 * 3, x.data() + 100 * 3, vx.data());
  std::copy(y.data() + 80, y.data() + 100, vy.data());
  const Logs v = model.evaluate(vx, vy);
  CHECK(h.history.at("val_loss").back() == Approx(v.at("loss")).epsilon(1e-6));
  CHECK(h.history.at("val_accuracy").back() == Approx(v.at("accuracy")));
}

TEST_CASE("fit is reproducible: the same seeds give the same weights", "[fit]") {
  auto run = [] {
    set_random_seed(5);
    auto in = Input({4});
    auto d = Dense(3, "softmax");
    Model model(in, d(Dense(8, "relu")(in)));
    model.compile("sgd", "sparse_categorical_crossentropy");
    Tensor y({40});
    for (long i = 0; i < 40; ++i) y[i] = float(i % 3);
    model.fit(random_tensor({40, 4}, 9), y, {.epochs = 2, .batch_size = 8, .seed = 3, .verbose = 0});
    return d->weight("kernel").value;
  };
  CHECK(run().row() == run().row());
}

TEST_CASE("train_on_batch takes one optimizer step and test_on_batch changes nothing", "[fit]") {
  auto in = Input({2});
  auto d = Dense(1);
  Model model(in, d(in));
  d->weight("kernel").value = Tensor({2, 1}, {1, 1});
  model.compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.5f}), std::make_shared<MeanSquaredError>());
  const Tensor x({2, 2}, {1, 0, 0, 1}), y({2, 1}, {2, 0});
  // Predictions [1, 1], errors [-1, 1]: loss = (1 + 1) / 2 = 1.
  const Logs before = model.test_on_batch(x, y);
  CHECK(before.at("loss") == Approx(1));
  require_values(d->weight("kernel").value, {1, 1});
  // dL/dy = 2 * err / 2 = [-1, 1]; dW = x^T dy = [-1, 1]; db = 0. W <- W - 0.5 dW = [1.5, 0.5].
  const Logs step = model.train_on_batch(x, y);
  CHECK(step.at("loss") == Approx(1));
  require_values(d->weight("kernel").value, {1.5f, 0.5f});
  CHECK(model.test_on_batch(x, y).at("loss") == Approx(0.25));  // predictions [1.5, 0.5]
}

TEST_CASE("predict runs in inference mode in batches and matches one big forward", "[fit]") {
  auto in = Input({3});
  auto bn = BatchNormalization();
  Model model(in, Dense(2)(bn(in)));
  const Tensor x = random_tensor({37, 3}, 4, 0, 5);
  const Tensor p = model.predict(x, 8);
  const Tensor whole = model.forward(x, Mode::Inference);
  CHECK(p.shape() == Shape{37, 2});
  for (long i = 0; i < p.size(); ++i) CHECK(p[i] == Approx(whole[i]).margin(1e-6));
  require_values(bn->weight("moving_mean").value, {0, 0, 0});  // inference never updates them
}

TEST_CASE("fit prints one Keras line per epoch when the output is not a terminal", "[fit][progress]") {
  auto in = Input({2});
  Model model(in, Dense(1, "sigmoid")(in));
  model.compile("adam", "binary_crossentropy", {"accuracy"});
  Tensor y({50, 1});
  for (long i = 0; i < 50; ++i) y[i] = float(i % 2);
  std::ostringstream out1, out2;
  model.fit(random_tensor({50, 2}, 1), y, {.epochs = 2, .batch_size = 16, .validation_split = 0.2, .out = &out1});
  const std::regex bar(
      R"(Epoch 1/2\n3/3 \[==============================\] - \d+s \d+[mu]?s/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}\nEpoch 2/2\n3/3 .*\n)");
  INFO(out1.str());
  CHECK(std::regex_match(out1.str(), bar));
  model.fit(random_tensor({50, 2}, 1), y, {.epochs = 1, .batch_size = 16, .verbose = 2, .out = &out2});
  INFO(out2.str());
  CHECK(std::regex_match(out2.str(), std::regex(R"(Epoch 1/1\n4/4 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4}\n)")));
  std::ostringstream silent;
  model.fit(random_tensor({50, 2}, 1), y, {.epochs = 1, .verbose = 0, .out = &silent});
  CHECK(silent.str().empty());
}

TEST_CASE("The progress bar draws and formats as Keras' Progbar", "[progress]") {
  CHECK(ProgressBar::bar(0, 10) == " 0/10 [..............................]");
  CHECK(ProgressBar::bar(5, 10) == " 5/10 [==============>...............]");
  CHECK(ProgressBar::bar(1875, 1875) == "1875/1875 [==============================]");
  CHECK(ProgressBar::format_value(0.45214) == " 0.4521");
  CHECK(ProgressBar::format_value(0.0001234) == " 1.2340e-04");
  CHECK(ProgressBar::format_eta(9.7) == "9s");
  CHECK(ProgressBar::format_eta(83) == "1:23");
  CHECK(ProgressBar::format_eta(3723) == "1:02:03");
  CHECK(ProgressBar::format_time_per_step(0.0064) == "6ms/step");
  CHECK(ProgressBar::format_time_per_step(0.00004) == "40us/step");
  CHECK(ProgressBar::format_time_per_step(2.4) == "2s/step");
  // Redrawn in place on a terminal: carriage returns, and the final line ends the epoch.
  std::ostringstream out;
  ProgressBar p(out, 2, 1, /*interactive=*/true);
  p.update(1, {{"loss", 0.5}});
  p.update(2, {{"loss", 0.25}});
  p.finish({{"loss", 0.25}});
  const std::string s = out.str();
  CHECK(s.rfind("\r1/2 [==============>...............] - ETA: 0s - loss: 0.5000", 0) == 0);
  CHECK(std::regex_search(s, std::regex(R"(\r2/2 \[=+\] - 0s \d+[mu]?s/step - loss: 0.2500 *\n$)")));
}

TEST_CASE("A loss that becomes NaN stops fit with the epoch and step, keeping the weights before that step", "[fit]") {
  // A regression whose targets grow huge: SGD with a large learning rate diverges to infinity.
  auto in = Input({1});
  auto d = Dense(1);
  Model model(in, d(in));
  model.compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 10.0f}), std::make_shared<MeanSquaredError>());
  Tensor x({64, 1}, 3.0f), y({64, 1}, 1e3f);
  std::vector<float> last_good;
  try {
    for (int i = 0; i < 1000; ++i) {
      last_good.assign(d->weight("kernel").value.data(), d->weight("kernel").value.data() + 1);
      model.fit(x, y, {.epochs = 1, .batch_size = 64, .shuffle = false, .verbose = 0});
    }
    FAIL("training never diverged");
  } catch (const Error& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("epoch 1, step 1") != std::string::npos);
    CHECK(msg.find("non-finite") != std::string::npos);
    CHECK(msg.find("'model") != std::string::npos);
    // The failing step did not touch the weights: they are those of before the call.
    CHECK(d->weight("kernel").value[0] == last_good[0]);
    CHECK(std::isfinite(d->weight("kernel").value[0]));
  }
}

TEST_CASE("fit, evaluate and predict reject bad arguments with clear errors", "[fit][errors]") {
  auto in = Input({2});
  Model model(in, Dense(1)(in), "net");
  const Tensor x({10, 2}), y({10, 1});
  require_throws<UsageError>([&] { model.fit(x, y); }, {"'net'", "compile"});
  model.compile("sgd", "mse");
  require_throws<ShapeError>(
      [&] {
        model.fit(x, Tensor({9, 1}), {.verbose = 0});
      },
      {"'net'", "10 samples", "9 samples"});
  require_throws<ConfigError>([&] { model.fit(x, y, {.epochs = 0}); }, {"epochs", "0"});
  require_throws<ConfigError>([&] { model.fit(x, y, {.batch_size = -4}); }, {"batch_size", "-4"});
  require_throws<ConfigError>([&] { model.fit(x, y, {.validation_split = 1.5}); }, {"validation_split", "1.5"});
  Tensor bad = x;
  bad[3] = std::nanf("");
  require_throws<Error>([&] { model.fit(bad, y, {.verbose = 0}); }, {"'net'", "x", "nan", "index 3"});
  require_throws<ConfigError>([&] { model.compile("sgd", "hinge"); }, {"hinge"});
  require_throws<ConfigError>([&] { model.compile("sgd", "mse", {"auc"}); }, {"'net'", "auc"});
  require_throws<ConfigError>([&] { model.predict(x, 0); }, {"batch_size", "0"});
}

TEST_CASE("A few hundred Fashion-MNIST steps train a small CNN well above chance", "[fit][data]") {
  const std::string dir = default_fashion_mnist_dir();
  Dataset train, test;
  try {
    train = load_mnist(dir, "train", 19200);
    test = load_mnist(dir, "test", 2000);
  } catch (const IoError& e) {
    WARN("Fashion-MNIST is not installed (" << e.what() << "); install dataset-fashion-mnist to run this test");
    return;
  }
  set_random_seed(1);
  Sequential model;
  model.add(Input({28, 28, 1}));
  model.add(Conv2D({.filters = 8, .kernel_size = {3, 3}, .padding = "same"}));
  model.add(BatchNormalization());
  model.add(ReLU());
  model.add(MaxPooling2D());
  model.add(Flatten());
  model.add(Dense(10, "softmax"));
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(train.images, train.labels, {.epochs = 1, .batch_size = 64, .verbose = 0});  // 300 steps
  const Logs r = model.evaluate(test.images, test.labels, 500);
  INFO("test accuracy " << r.at("accuracy"));
  CHECK(r.at("accuracy") > 0.75);
}

namespace {

// Input(4) -> Dense(8) -> BatchNormalization(options) named "bn" -> Dense(1), compiled with SGD and MSE.
std::unique_ptr<Model> dense_bn_model(BatchNormalizationOptions options = {}) {
  options.name = "bn";
  auto in = Input({4});
  auto out = Dense(1)(BatchNormalization(options)(Dense(8)(in)));
  auto model = std::make_unique<Model>(in, out);
  model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.01f}), std::make_shared<MeanSquaredError>());
  return model;
}

// fit's warnings are wrapped at 100 columns: the text on one line.
std::string unwrapped(std::string text) {
  for (size_t at = text.find("\n  "); at != std::string::npos; at = text.find("\n  ", at)) text.replace(at, 3, " ");
  return text;
}

long count_of(const std::string& text, const std::string& what) {
  long n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("fit warns once when a batch of 1 sample gives a BatchNormalization zero variance", "[fit][batchnorm]") {
  const std::string warning = "has 1 sample: BatchNormalization 'bn' sees zero variance";
  for (int verbose : {0, 1, 2}) {
    INFO("verbose " << verbose);
    // 33 samples in batches of 8: the fifth batch of every epoch has 1 sample; warned once per fit.
    auto model = dense_bn_model();
    std::ostringstream out;
    model->fit(random_tensor({33, 4}, 1), random_tensor({33, 1}, 2),
               {.epochs = 3, .batch_size = 8, .verbose = verbose, .out = &out});
    INFO(out.str());
    CHECK(count_of(unwrapped(out.str()), warning) == 1);
    CHECK(unwrapped(out.str()).find("Warning: batch 5 of 5 of epoch 1 " + warning) != std::string::npos);
    // 34 or 32 samples: no batch of 1, no warning.
    for (long n : {32, 34}) {
      std::ostringstream quiet;
      dense_bn_model()->fit(random_tensor({n, 4}, 1), random_tensor({n, 1}, 2),
                            {.epochs = 3, .batch_size = 8, .verbose = verbose, .out = &quiet});
      CHECK(quiet.str().find("zero variance") == std::string::npos);
    }
  }
  // An image batch of 1 still gives each channel H * W values: no warning.
  auto in = Input({3, 3, 2});
  auto out = Dense(1)(Flatten()(BatchNormalization()(in)));
  Model images(in, out);
  images.compile("sgd", "mse");
  std::ostringstream text;
  images.fit(random_tensor({9, 3, 3, 2}, 3), random_tensor({9, 1}, 4), {.batch_size = 4, .verbose = 0, .out = &text});
  CHECK(text.str().find("zero variance") == std::string::npos);
  // A frozen BatchNormalization normalizes with its moving statistics: no zero variance either.
  auto frozen = dense_bn_model();
  frozen->get_layer("bn").set_trainable(false);
  std::ostringstream frozen_text;
  frozen->fit(random_tensor({33, 4}, 1), random_tensor({33, 1}, 2),
              {.batch_size = 8, .verbose = 0, .out = &frozen_text});
  CHECK(frozen_text.str().find("zero variance") == std::string::npos);
}

TEST_CASE("fit says when BatchNormalization's moving statistics have seen too few updates for inference",
          "[fit][batchnorm]") {
  const Tensor x = random_tensor({64, 4}, 1), y = random_tensor({64, 1}, 2);
  const std::string warning =
      "Warning: BatchNormalization 'bn' has updated its moving statistics only 8 times, but with momentum 0.99 they "
      "need about 300 updates (3 / (1 - momentum)) to forget their initial values (mean 0, variance 1), which still "
      "make up 92% of them.";
  SECTION("Keras' momentum 0.99: 8 steps are far too few, 300 are enough") {
    auto model = dense_bn_model();
    std::ostringstream out;
    model->fit(x, y, {.epochs = 1, .batch_size = 8, .verbose = 0, .out = &out});
    INFO(out.str());
    CHECK(unwrapped(out.str()).find(warning) != std::string::npos);
    CHECK(unwrapped(out.str()).find("use a smaller momentum (0.9 needs about 30 updates)") != std::string::npos);
    // The count goes on over fit calls: 8 + 37 * 8 = 304 updates.
    std::ostringstream more;
    model->fit(x, y, {.epochs = 37, .batch_size = 8, .verbose = 0, .out = &more});
    CHECK(more.str().find("Warning") == std::string::npos);
  }
  SECTION("momentum 0.9: 32 updates are enough, 16 are not") {
    auto model = dense_bn_model({.momentum = 0.9f});
    std::ostringstream out;
    model->fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0, .out = &out});
    CHECK(unwrapped(out.str()).find(
              "only 16 times, but with momentum 0.9 they need about 30 updates (3 / (1 - momentum))") !=
          std::string::npos);
    auto enough = dense_bn_model({.momentum = 0.9f});
    std::ostringstream quiet;
    enough->fit(x, y, {.epochs = 4, .batch_size = 8, .verbose = 0, .out = &quiet});
    CHECK(quiet.str().empty());
  }
  SECTION("PyTorch's momentum 0.1 weighs the new batch: 30 updates") {
    auto model = dense_bn_model(BatchNormalizationOptions::pytorch());
    std::ostringstream out;
    model->fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0, .out = &out});
    CHECK(
        unwrapped(out.str()).find(
            "only 16 times, but with momentum 0.1 (PyTorch's meaning: the weight of the new batch) they need about 30 "
            "updates (3 / momentum)") != std::string::npos);
  }
  SECTION("two layers with the same count are named in one warning; different ones each with theirs") {
    auto in = Input({4});
    auto h = BatchNormalization({.name = "bn1"})(Dense(8)(in));
    auto out = Dense(1)(BatchNormalization({.name = "bn2"})(Dense(8)(h)));
    Model model(in, out);
    model.compile("sgd", "mse");
    std::ostringstream text;
    model.fit(x, y, {.epochs = 1, .batch_size = 8, .verbose = 0, .out = &text});
    CHECK(unwrapped(text.str())
              .find("Warning: BatchNormalization layers 'bn1' and 'bn2' have updated their moving "
                    "statistics only 8 times, but with momentum 0.99") != std::string::npos);
    auto in2 = Input({4});
    auto h2 = BatchNormalization({.momentum = 0.9f, .name = "fast"})(Dense(8)(in2));
    Model mixed(in2, Dense(1)(BatchNormalization({.name = "slow"})(Dense(8)(h2))));
    mixed.compile("sgd", "mse");
    std::ostringstream both;
    mixed.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0, .out = &both});
    INFO(both.str());
    CHECK(unwrapped(both.str())
              .find("'fast' 16 times of about 30 needed (momentum 0.9; initial values 19%), 'slow' 16 "
                    "times of about 300 needed (momentum 0.99; initial values 85%)") != std::string::npos);
    std::ostringstream slow_only;  // 16 more: 'fast' has had 32 updates, enough
    mixed.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0, .out = &slow_only});
    INFO(slow_only.str());
    CHECK(unwrapped(slow_only.str())
              .find("Warning: BatchNormalization 'slow' has updated its moving statistics only "
                    "32 times") != std::string::npos);
    CHECK(slow_only.str().find("'fast'") == std::string::npos);
  }
  SECTION("moving statistics that did not start from 0 and 1 (loaded, set by hand) are not judged") {
    auto model = dense_bn_model();
    model->get_layer("bn").weight("moving_mean").value = Tensor({8}, 0.5f);
    std::ostringstream out;
    model->fit(x, y, {.epochs = 1, .batch_size = 8, .verbose = 0, .out = &out});
    CHECK(out.str().empty());
  }
  SECTION("statistics that are not updated (MovingStatisticsUpdate::Never) are not judged") {
    auto model = dense_bn_model({.update_moving_statistics = MovingStatisticsUpdate::Never});
    std::ostringstream out;
    model->fit(x, y, {.epochs = 1, .batch_size = 8, .verbose = 0, .out = &out});
    CHECK(out.str().empty());
  }
}
