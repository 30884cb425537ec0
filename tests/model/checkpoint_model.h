// The model and data of the checkpoint tests, shared by checkpoint_test.cpp and the program it
// runs twice (checkpoint_resume.cpp): Dense -> BatchNormalization -> Dropout -> Dense, with named
// layers, built right after set_random_seed so that every build starts from the same weights and
// the same Dropout generator, in any process.
#pragma once

#include <memory>
#include <string>

#include "minnow.h"

namespace minnow::testing {

// optimizer: "adam", "sgd" (momentum, Nesterov) or "plain" (SGD without momentum: no state).
inline std::unique_ptr<Model> checkpoint_model(const std::string& optimizer, long hidden = 16, float rate = 0.3f) {
  clear_session();
  set_random_seed(11);
  auto in = Input({6});
  SymbolicTensor x = Dense({.units = hidden, .activation = "relu", .name = "hidden"})(in);
  x = BatchNormalization({.momentum = 0.2f, .name = "norm"})(x);  // 0.2: no warning about few steps
  x = Dropout({.rate = rate, .name = "drop"})(x);
  x = Dense({.units = 3, .activation = "softmax", .name = "out"})(x);
  auto model = std::make_unique<Model>(in, x, "classifier");
  std::shared_ptr<Optimizer> opt;
  if (optimizer == "adam") opt = std::make_shared<Adam>(AdamOptions{.learning_rate = 0.01f});
  else if (optimizer == "sgd")
    opt = std::make_shared<SGD>(SGDOptions{.learning_rate = 0.05f, .momentum = 0.9f, .nesterov = true});
  else opt = std::make_shared<SGD>(SGDOptions{.learning_rate = 0.05f});
  model->compile(opt, std::make_shared<SparseCategoricalCrossentropy>(), {"accuracy"});
  return model;
}

// 60 samples of 6 features (normal) and 3 classes (the largest of three sums of features).
inline void checkpoint_data(Tensor& x, Tensor& y) {
  x = Tensor({60, 6});
  y = Tensor({60});
  Rng rng(3);
  for (float& v : x.values()) v = rng.normal();
  for (long i = 0; i < 60; ++i) {
    const float a = x[i * 6] + x[i * 6 + 1], b = x[i * 6 + 2] - x[i * 6 + 3], c = x[i * 6 + 4] * x[i * 6 + 5];
    y[i] = a >= b && a >= c ? 0.0f : (b >= c ? 1.0f : 2.0f);
  }
}

// fit's options of every run: 60 samples in batches of 16 (the last one of 12), shuffled.
inline FitOptions checkpoint_fit(long epochs, long initial_epoch = 0) {
  return {.epochs = epochs, .initial_epoch = initial_epoch, .batch_size = 16, .seed = 5, .verbose = 0};
}

}  // namespace minnow::testing
