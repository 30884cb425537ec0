// The teaching models examples/step.cpp steps through, each compiled with the loss and the
// optimizer it trains with, and a seeded source of batches (tools/stepper.h):
//   tabular  the thread's tabular model (examples/seed_models.h); SGD(0.01), mean squared error
//            against N(0, 1) targets
//   image    the thread's image model; SGD(0.01), sparse categorical cross-entropy on its
//            10 logits (from_logits)
//   bn_mlp   the BatchNorm paper's MLP with BN (examples/bn_paper_mlp.h); SGD(0.5), sparse
//            categorical cross-entropy
//   cnn      the Fashion-MNIST CNN (examples/fashion_mnist_cnn.h); Adam(1e-3), sparse
//            categorical cross-entropy
// The weights come from the session seed (set_random_seed), so a seed gives the same model.
// Batch k: for bn_mlp and cnn, images k*B .. k*B + B - 1 of Fashion-MNIST's training set when it
// is installed in data_dir; otherwise (and for tabular, image) synthetic: x ~ N(0, 1), and targets
// ~ N(0, 1) or class labels drawn uniformly, from the seed 1000 * seed + k.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "examples/bn_paper_mlp.h"
#include "examples/fashion_mnist_cnn.h"
#include "examples/seed_models.h"
#include "minnow.h"

namespace minnow::examples {

inline const char* const kStepModels = "tabular, image, bn_mlp, cnn";

struct StepModel {
  std::unique_ptr<Model> model;
  BatchSource batches;
  std::string data;  // where the batches come from, in words
};

// x ~ N(0, 1) shaped like the model's input, and class labels (sparse) or N(0, 1) targets.
inline BatchSource synthetic_batches(const Model& model, long batch, bool sparse, std::uint64_t seed) {
  const Shape x_shape = model.inputs()[0].shape().with_batch(batch);
  const Shape out = model.outputs()[0].shape().with_batch(batch);
  return [=](long k) {
    Rng rng(1000 * seed + std::uint64_t(k));
    StepperBatch b{Tensor(x_shape), Tensor(sparse ? Shape{batch} : out)};
    for (float& v : b.x.values()) v = rng.normal();
    for (float& v : b.y.values()) v = sparse ? float(rng.below(std::uint64_t(out[-1]))) : rng.normal();
    return b;
  };
}

// Fashion-MNIST's training images in order, B at a time (wrapping round the first 100 batches).
inline BatchSource fashion_mnist_batches(const std::string& dir, long batch) {
  auto data = std::make_shared<Dataset>(load_mnist(dir, "train", 100 * batch));
  return [data, batch](long k) {
    const long n = data->labels.size(), per_image = data->images.size() / n;
    StepperBatch b{Tensor({batch, 28, 28, 1}), Tensor({batch})};
    for (long i = 0; i < batch; ++i) {
      const long src = (k * batch + i) % n;
      for (long j = 0; j < per_image; ++j) b.x[i * per_image + j] = data->images[src * per_image + j];
      b.y[i] = data->labels[src];
    }
    return b;
  };
}

inline bool fashion_mnist_present(const std::string& dir) {
  const std::filesystem::path labels = std::filesystem::path(dir) / "train-labels-idx1-ubyte";
  return std::filesystem::exists(labels) || std::filesystem::exists(labels.string() + ".gz");
}

inline StepModel make_step_model(const std::string& name, long batch, std::uint64_t seed, const std::string& data_dir) {
  clear_session();
  set_random_seed(seed);
  StepModel s;
  bool sparse = true, images = false;
  if (name == "tabular" || name == "image") {
    s.model = (name == "tabular" ? seed_tabular_model() : seed_image_model()).model;
    sparse = name == "image";
    std::shared_ptr<Loss> loss = sparse ? std::shared_ptr<Loss>(std::make_shared<SparseCategoricalCrossentropy>(true))
                                        : std::make_shared<MeanSquaredError>();
    s.model->compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.01f}), loss);
  } else if (name == "bn_mlp") {
    s.model = build_bn_paper_mlp(true, 0.5f).model;
    images = true;
  } else if (name == "cnn") {
    auto cnn = std::make_unique<Sequential>();
    add_fashion_mnist_cnn(*cnn);
    cnn->compile(std::make_shared<Adam>(AdamOptions{.learning_rate = 1e-3f}),
                 std::make_shared<SparseCategoricalCrossentropy>());
    s.model = std::move(cnn);
    images = true;
  } else {
    throw ConfigError(fmt::format("--model '{}' is not one of the teaching models ({})", name, kStepModels));
  }
  if (images && fashion_mnist_present(data_dir)) {
    s.batches = fashion_mnist_batches(data_dir, batch);
    s.data = fmt::format("Fashion-MNIST's training images from {}", data_dir);
  } else {
    s.batches = synthetic_batches(*s.model, batch, sparse, seed);
    s.data = fmt::format("synthetic batches, x ~ N(0, 1), {} (seed {})", sparse ? "class labels" : "targets ~ N(0, 1)",
                         seed);
  }
  return s;
}

}  // namespace minnow::examples
