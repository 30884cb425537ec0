// Helpers for the hostile-input suite (tests/hostile/): small models with named layers, whose
// weights and moving statistics are away from their initial values, so that a failing call that
// touched any of them would show in a byte-for-byte snapshot (test_util.h: snapshot_weights,
// require_throws_unchanged).
//
// Every test in this folder is one hostile input: it asserts the exception type, that the message
// names the layer, model or file and the offending value, and, where a model is involved, that the
// model's weights and moving statistics are byte-identical after the failing call.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "test_util.h"

namespace minnow::testing {

// Input(4) -> Dense(8, relu) 'hidden' -> BatchNormalization 'bn' -> Dense(3) 'logits', named
// 'classifier', compiled with SGD(0.1) and sparse categorical crossentropy from logits, plus
// accuracy. Two training steps have moved every weight and both moving statistics.
inline std::unique_ptr<Model> make_classifier() {
  clear_session();
  auto in = Input({4}, "features");
  auto h = Dense({.units = 8, .activation = "relu", .kernel_initializer = {"glorot_uniform", 1}, .name = "hidden"})(in);
  auto bn = BatchNormalization({.name = "bn"})(h);
  auto out = Dense({.units = 3, .kernel_initializer = {"glorot_uniform", 2}, .name = "logits"})(bn);
  auto model = std::make_unique<Model>(in, out, "classifier");
  model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.1f}),
                 std::make_shared<SparseCategoricalCrossentropy>(/*from_logits=*/true), {"accuracy"});
  const Tensor x = random_tensor({8, 4}, 3, 0.0f, 2.0f);
  const Tensor y({8}, {0, 1, 2, 0, 1, 2, 0, 1});
  for (int i = 0; i < 2; ++i) model->train_on_batch(x, y);
  return model;
}

// n samples of 4 features for make_classifier, and n labels in [0, 3).
inline Tensor classifier_x(long n, std::uint64_t seed = 10) { return random_tensor({n, 4}, seed, 0.0f, 2.0f); }
inline Tensor classifier_y(long n) {
  Tensor y({n});
  for (long i = 0; i < n; ++i) y[i] = float(i % 3);
  return y;
}

// Two inputs 'left' (None, 3) and 'right' (None, 3), each through its own BatchNormalization
// ('bn_left', 'bn_right'), added, then Dense(2) 'head': a model named 'two_inputs' whose moving
// statistics move with any training forward.
inline std::unique_ptr<Model> make_two_input_model() {
  clear_session();
  auto left = Input({3}, "left");
  auto right = Input({3}, "right");
  auto a = BatchNormalization({.name = "bn_left"})(left);
  auto b = BatchNormalization({.name = "bn_right"})(right);
  auto sum = Add("add")({a, b});
  auto out = Dense({.units = 2, .kernel_initializer = {"glorot_uniform", 4}, .name = "head"})(sum);
  auto model =
      std::make_unique<Model>(std::vector<SymbolicTensor>{left, right}, std::vector<SymbolicTensor>{out}, "two_inputs");
  const Tensor x1 = random_tensor({4, 3}, 5), x2 = random_tensor({4, 3}, 6);
  model->forward({&x1, &x2}, Mode::Training);
  return model;
}

// True when every weight of the model is finite.
inline bool all_weights_finite(const Model& model) {
  for (const Parameter* p : model.weights())
    for (float v : p->value.values())
      if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace minnow::testing
