// Hostile hyperparameters: every invalid option of every layer and optimizer is a ConfigError when
// the object is made, naming the layer (class and name) or optimizer, the argument and the value.
// Shape-dependent options (an axis beyond the rank, a window larger than the image) are checked when
// the layer is built: tests/hostile/graph_test.cpp.
#include <limits>

#include "hostile/hostile_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
}  // namespace

// ---- Dense ---------------------------------------------------------------------------------

TEST_CASE("Hostile: Dense with units 0 or negative is a ConfigError naming the value", "[hostile][config]") {
  for (long units : {0L, -3L}) {
    INFO("units " << units);
    require_throws<ConfigError>([&] { Dense({.units = units, .name = "d"}); },
                                {"Dense 'd'", "units", fmt::format("units={}", units)});
  }
}

TEST_CASE("Hostile: Dense with an unknown activation is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>([] { Dense({.units = 2, .activation = "mish", .name = "d"}); },
                              {"Dense 'd'", "activation 'mish'", "relu"});
}

TEST_CASE("Hostile: Dense with an unknown kernel or bias initializer is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>([] { Dense({.units = 2, .kernel_initializer = "xavier", .name = "d"}); },
                              {"Dense 'd'", "kernel_initializer", "'xavier'"});
  require_throws<ConfigError>([] { Dense({.units = 2, .bias_initializer = "one", .name = "d"}); },
                              {"Dense 'd'", "bias_initializer", "'one'"});
}

TEST_CASE("Hostile: an initializer with a NaN, infinite or negative parameter is a ConfigError", "[hostile][config]") {
  Initializer normal("random_normal");
  normal.stddev = -0.1f;
  require_throws<ConfigError>([&] { Dense({.units = 2, .kernel_initializer = normal, .name = "d"}); },
                              {"Dense 'd'", "kernel_initializer", "stddev", "-0.1"});
  normal.stddev = kNaN;
  require_throws<ConfigError>([&] { Dense({.units = 2, .kernel_initializer = normal, .name = "d"}); },
                              {"Dense 'd'", "stddev", "nan"});
  Initializer uniform("random_uniform");
  uniform.minval = 1.0f;
  uniform.maxval = -1.0f;
  require_throws<ConfigError>([&] { Conv2D({.filters = 1, .bias_initializer = uniform, .name = "c"}); },
                              {"Conv2D 'c'", "bias_initializer", "minval=1", "maxval=-1"});
  uniform.minval = -kInf;
  require_throws<ConfigError>([&] { BatchNormalization({.gamma_initializer = uniform, .name = "bn"}); },
                              {"BatchNormalization 'bn'", "minval=-inf"});
}

// ---- Conv2D --------------------------------------------------------------------------------

TEST_CASE("Hostile: Conv2D with filters 0 or negative is a ConfigError naming the value", "[hostile][config]") {
  for (long filters : {0L, -1L}) {
    INFO("filters " << filters);
    require_throws<ConfigError>([&] { Conv2D({.filters = filters, .name = "c"}); },
                                {"Conv2D 'c'", fmt::format("filters={}", filters)});
  }
}

TEST_CASE("Hostile: Conv2D with a kernel size of 0 or less is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>(
      [] {
        Conv2D({.filters = 1, .kernel_size = {0, 3}, .name = "c"});
      },
      {"Conv2D 'c'", "kernel_size=(0, 3)"});
  require_throws<ConfigError>(
      [] {
        Conv2D({.filters = 1, .kernel_size = {3, -1}, .name = "c"});
      },
      {"Conv2D 'c'", "kernel_size=(3, -1)"});
}

TEST_CASE("Hostile: Conv2D with strides of 0 or less is a ConfigError naming them", "[hostile][config]") {
  require_throws<ConfigError>(
      [] {
        Conv2D({.filters = 1, .strides = {0, 1}, .name = "c"});
      },
      {"Conv2D 'c'", "strides=(0, 1)"});
  require_throws<ConfigError>(
      [] {
        Conv2D({.filters = 1, .strides = {2, -2}, .name = "c"});
      },
      {"Conv2D 'c'", "strides=(2, -2)"});
}

TEST_CASE("Hostile: Conv2D with an unknown padding is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>([] { Conv2D({.filters = 1, .padding = "full", .name = "c"}); },
                              {"Conv2D 'c'", "padding='full'", "'valid' or 'same'"});
  require_throws<ConfigError>([] { Conv2D({.filters = 1, .padding = "SAME", .name = "c"}); },
                              {"Conv2D 'c'", "padding='SAME'"});
}

TEST_CASE("Hostile: Conv2D with an unknown activation or initializer is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>([] { Conv2D({.filters = 1, .activation = "Swish", .name = "c"}); },
                              {"Conv2D 'c'", "'Swish'"});
  require_throws<ConfigError>([] { Conv2D({.filters = 1, .kernel_initializer = "identity", .name = "c"}); },
                              {"Conv2D 'c'", "kernel_initializer", "'identity'"});
}

// ---- BatchNormalization --------------------------------------------------------------------

TEST_CASE("Hostile: BatchNormalization with an epsilon that is not a finite number above 0 is a ConfigError",
          "[hostile][config]") {
  for (float epsilon : {0.0f, -1e-3f, kNaN, kInf}) {
    INFO("epsilon " << epsilon);
    require_throws<ConfigError>([&] { BatchNormalization({.epsilon = epsilon, .name = "bn"}); },
                                {"BatchNormalization 'bn'", fmt::format("epsilon={}", epsilon)});
  }
}

TEST_CASE("Hostile: BatchNormalization with a momentum outside 0 to 1 is a ConfigError", "[hostile][config]") {
  for (float momentum : {-0.1f, 1.5f, kNaN}) {
    INFO("momentum " << momentum);
    require_throws<ConfigError>([&] { BatchNormalization({.momentum = momentum, .name = "bn"}); },
                                {"BatchNormalization 'bn'", fmt::format("momentum={}", momentum)});
  }
}

TEST_CASE("Hostile: BatchNormalization on the batch axis is a ShapeError when it is built", "[hostile][config]") {
  auto bn = BatchNormalization({.axis = 0, .name = "bn"});
  require_throws<ShapeError>([&] { bn->build(Shape{Shape::kNone, 4}); }, {"BatchNormalization 'bn'", "axis=0"});
}

TEST_CASE("Hostile: BatchNormalization with an unknown initializer is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>([] { BatchNormalization({.moving_variance_initializer = "twos", .name = "bn"}); },
                              {"BatchNormalization 'bn'", "'twos'"});
  require_throws<ConfigError>([] { BatchNormalization({.beta_initializer = "", .name = "bn"}); },
                              {"BatchNormalization 'bn'", "unknown initializer ''"});
}

// ---- Activation, ReLU, Softmax -------------------------------------------------------------

TEST_CASE("Hostile: Activation with an unknown or miscased name is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>([] { Activation("leakyrelu", "act"); }, {"Activation 'act'", "'leakyrelu'"});
  require_throws<ConfigError>([] { Activation("ReLU", "act"); }, {"Activation 'act'", "'ReLU'"});
}

TEST_CASE("Hostile: ReLU with a negative or NaN max_value is a ConfigError", "[hostile][config]") {
  for (float max_value : {-1.0f, kNaN}) {
    INFO("max_value " << max_value);
    require_throws<ConfigError>([&] { ReLU({.max_value = max_value, .name = "r"}); },
                                {"ReLU 'r'", fmt::format("max_value={}", max_value)});
  }
}

TEST_CASE("Hostile: ReLU with a negative, NaN or infinite negative_slope is a ConfigError", "[hostile][config]") {
  for (float slope : {-0.5f, kNaN, kInf}) {
    INFO("negative_slope " << slope);
    require_throws<ConfigError>([&] { ReLU({.negative_slope = slope, .name = "r"}); },
                                {"ReLU 'r'", fmt::format("negative_slope={}", slope)});
  }
}

TEST_CASE("Hostile: ReLU with a NaN or infinite threshold is a ConfigError", "[hostile][config]") {
  for (float threshold : {kNaN, -kInf}) {
    INFO("threshold " << threshold);
    require_throws<ConfigError>([&] { ReLU({.threshold = threshold, .name = "r"}); },
                                {"ReLU 'r'", fmt::format("threshold={}", threshold)});
  }
}

TEST_CASE("Hostile: Softmax over the batch axis or an axis before the last is a ConfigError", "[hostile][config]") {
  require_throws<ConfigError>([] { Softmax({.axis = 0, .name = "s"}); }, {"Softmax 's'", "axis=0"});
  require_throws<ConfigError>([] { Softmax({.axis = -2, .name = "s"}); }, {"Softmax 's'", "axis=-2"});
}

// ---- pooling -------------------------------------------------------------------------------

TEST_CASE("Hostile: MaxPooling2D with a pool size of 0 or less is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>(
      [] {
        MaxPooling2D({.pool_size = {0, 2}, .name = "p"});
      },
      {"MaxPooling2D 'p'", "pool_size=(0, 2)"});
  require_throws<ConfigError>(
      [] {
        MaxPooling2D({.pool_size = {2, -1}, .name = "p"});
      },
      {"MaxPooling2D 'p'", "pool_size=(2, -1)"});
}

TEST_CASE("Hostile: MaxPooling2D with strides of 0, negative, or three of them is a ConfigError", "[hostile][config]") {
  require_throws<ConfigError>([] { MaxPooling2D({.strides = {0}, .name = "p"}); }, {"MaxPooling2D 'p'", "strides=(0)"});
  require_throws<ConfigError>(
      [] {
        MaxPooling2D({.strides = {1, -2}, .name = "p"});
      },
      {"MaxPooling2D 'p'", "strides=(1, -2)"});
  require_throws<ConfigError>(
      [] {
        MaxPooling2D({.strides = {1, 2, 3}, .name = "p"});
      },
      {"MaxPooling2D 'p'", "strides=(1, 2, 3)"});
}

TEST_CASE("Hostile: MaxPooling2D with an unknown padding is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>([] { MaxPooling2D({.padding = "causal", .name = "p"}); },
                              {"MaxPooling2D 'p'", "padding='causal'"});
}

TEST_CASE("Hostile: AveragePooling2D with a bad pool size, strides or padding is a ConfigError", "[hostile][config]") {
  require_throws<ConfigError>(
      [] {
        AveragePooling2D({.pool_size = {-1, 2}, .name = "a"});
      },
      {"AveragePooling2D 'a'", "pool_size=(-1, 2)"});
  require_throws<ConfigError>(
      [] {
        AveragePooling2D({.strides = {2, 0}, .name = "a"});
      },
      {"AveragePooling2D 'a'", "strides=(2, 0)"});
  require_throws<ConfigError>([] { AveragePooling2D({.padding = "", .name = "a"}); },
                              {"AveragePooling2D 'a'", "padding=''"});
}

// ---- Dropout, Concatenate, Reshape ---------------------------------------------------------

TEST_CASE("Hostile: Dropout with a rate outside 0 to below 1 is a ConfigError", "[hostile][config]") {
  for (float rate : {-0.1f, 1.0f, 1.5f, kNaN}) {
    INFO("rate " << rate);
    require_throws<ConfigError>([&] { Dropout({.rate = rate, .name = "drop"}); },
                                {"Dropout 'drop'", fmt::format("rate={}", rate)});
  }
}

TEST_CASE("Hostile: Concatenate over the batch axis is a ConfigError", "[hostile][config]") {
  require_throws<ConfigError>([] { Concatenate({.axis = 0, .name = "cat"}); }, {"Concatenate 'cat'", "axis=0"});
}

TEST_CASE("Hostile: Reshape with an entry of 0 or below -1 is a ConfigError naming the target", "[hostile][config]") {
  require_throws<ConfigError>([] { Reshape({4, 0}, "r"); }, {"Reshape 'r'", "target_shape=(4, 0)"});
  require_throws<ConfigError>([] { Reshape({-2}, "r"); }, {"Reshape 'r'", "target_shape=(-2,)"});
}

TEST_CASE("Hostile: Reshape with two inferred entries is a ConfigError naming the target", "[hostile][config]") {
  require_throws<ConfigError>([] { Reshape({-1, 2, -1}, "r"); }, {"Reshape 'r'", "at most one -1", "(-1, 2, -1)"});
}

// ---- optimizers ----------------------------------------------------------------------------

TEST_CASE("Hostile: every optimizer rejects a learning rate that is negative or not finite", "[hostile][config]") {
  for (float lr : {-0.01f, -1e-30f, kNaN, kInf, -kInf}) {
    INFO("learning_rate " << lr);
    const std::vector<std::string> parts = {fmt::format("learning_rate={}", lr), "finite number >= 0"};
    require_throws<ConfigError>([&] { SGD({.learning_rate = lr}); }, parts);
    require_throws<ConfigError>([&] { RMSprop({.learning_rate = lr}); }, parts);
    require_throws<ConfigError>([&] { Adam({.learning_rate = lr}); }, parts);
    require_throws<ConfigError>([&] { AdamW({.learning_rate = lr}); }, parts);
  }
}

TEST_CASE("Hostile: set_learning_rate with a bad value is a ConfigError and keeps the old rate", "[hostile][config]") {
  Adam adam({.learning_rate = 0.01f});
  require_throws<ConfigError>([&] { adam.set_learning_rate(-1.0f); }, {"Adam", "learning_rate=-1"});
  CHECK(adam.learning_rate() == 0.01f);
}

TEST_CASE("Hostile: SGD with a momentum outside 0 to 1 is a ConfigError", "[hostile][config]") {
  for (float momentum : {-0.1f, 1.01f, kNaN}) {
    INFO("momentum " << momentum);
    require_throws<ConfigError>([&] { SGD({.momentum = momentum}); },
                                {"SGD", fmt::format("momentum={}", momentum), "[0, 1]"});
  }
}

TEST_CASE("Hostile: RMSprop with a rho outside 0 to below 1 is a ConfigError", "[hostile][config]") {
  for (float rho : {-0.5f, 1.0f, kNaN}) {
    INFO("rho " << rho);
    require_throws<ConfigError>([&] { RMSprop({.rho = rho}); }, {"RMSprop", fmt::format("rho={}", rho)});
  }
}

TEST_CASE("Hostile: RMSprop with a momentum outside 0 to 1 is a ConfigError", "[hostile][config]") {
  for (float momentum : {-1.0f, 2.0f, kNaN}) {
    INFO("momentum " << momentum);
    require_throws<ConfigError>([&] { RMSprop({.momentum = momentum}); },
                                {"RMSprop", fmt::format("momentum={}", momentum)});
  }
}

TEST_CASE("Hostile: RMSprop, Adam and AdamW reject an epsilon that is not a finite number above 0",
          "[hostile][config]") {
  for (float epsilon : {0.0f, -1e-7f, kNaN, kInf}) {
    INFO("epsilon " << epsilon);
    const std::string value = fmt::format("epsilon={}", epsilon);
    require_throws<ConfigError>([&] { RMSprop({.epsilon = epsilon}); }, {"RMSprop", value});
    require_throws<ConfigError>([&] { Adam({.epsilon = epsilon}); }, {"Adam", value});
    require_throws<ConfigError>([&] { AdamW({.epsilon = epsilon}); }, {"AdamW", value});
  }
}

TEST_CASE("Hostile: Adam and AdamW reject a beta_1 outside 0 to below 1", "[hostile][config]") {
  for (float beta : {-0.1f, 1.0f, kNaN}) {
    INFO("beta_1 " << beta);
    require_throws<ConfigError>([&] { Adam({.beta_1 = beta}); }, {"Adam", fmt::format("beta_1={}", beta)});
    require_throws<ConfigError>([&] { AdamW({.beta_1 = beta}); }, {"AdamW", fmt::format("beta_1={}", beta)});
  }
}

TEST_CASE("Hostile: Adam and AdamW reject a beta_2 outside 0 to below 1", "[hostile][config]") {
  for (float beta : {-0.1f, 1.0f, kNaN}) {
    INFO("beta_2 " << beta);
    require_throws<ConfigError>([&] { Adam({.beta_2 = beta}); }, {"Adam", fmt::format("beta_2={}", beta)});
    require_throws<ConfigError>([&] { AdamW({.beta_2 = beta}); }, {"AdamW", fmt::format("beta_2={}", beta)});
  }
}

TEST_CASE("Hostile: AdamW rejects a weight decay that is negative, NaN or infinite", "[hostile][config]") {
  for (float decay : {-0.004f, kNaN, kInf}) {
    INFO("weight_decay " << decay);
    require_throws<ConfigError>([&] { AdamW({.weight_decay = decay}); },
                                {"AdamW", fmt::format("weight_decay={}", decay)});
  }
}

TEST_CASE("Hostile: an unknown optimizer, loss or metric name is a ConfigError naming it", "[hostile][config]") {
  require_throws<ConfigError>([] { make_optimizer("lamb"); }, {"optimizer", "'lamb'", "'adam'"});
  require_throws<ConfigError>([] { make_loss("hinge"); }, {"loss", "'hinge'", "'mse'"});
  auto model = make_classifier();
  require_throws_unchanged<ConfigError>(*model, [&] { model->compile("adam", "mse", {"auc"}); },
                                        {"Model 'classifier'", "metric 'auc'", "accuracy"});
  require_throws_unchanged<ConfigError>(*model, [&] { model->compile("lamb", "mse"); }, {"'lamb'"});
}

TEST_CASE("Hostile: compile without an optimizer or a loss is a UsageError", "[hostile][config]") {
  auto model = make_classifier();
  require_throws_unchanged<UsageError>(*model, [&] { model->compile(nullptr, std::make_shared<MeanSquaredError>()); },
                                       {"Model 'classifier'", "optimizer and a loss"});
  require_throws_unchanged<UsageError>(*model, [&] { model->compile(std::make_shared<SGD>(), nullptr); },
                                       {"Model 'classifier'", "optimizer and a loss"});
}
