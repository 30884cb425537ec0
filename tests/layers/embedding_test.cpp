// Embedding against Keras (TF.js 4.22): tests/reference/make_keras_layers15_reference.js.
#include "layers/embedding.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
const char* const kRef = "keras_layers15_reference.txt";
}

TEST_CASE("Embedding matches Keras: each index picks its row of the table", "[embedding][reference]") {
  auto e = Embedding(5, 3);
  e->build(Shape{Shape::kNone, 3});
  e->set_weights({Tensor({5, 3}, reference_record(kRef, "embedding.table"))});
  const Tensor& y = e->forward(Tensor({2, 3}, reference_record(kRef, "embedding.ids")), Mode::Inference);
  CHECK(y.shape().str() == "(2, 3, 3)");
  require_close(y, reference_record(kRef, "embedding.y"), "Embedding y");
}

TEST_CASE("Embedding's backward adds each position's gradient to its token's row", "[embedding]") {
  auto e = Embedding(3, 2);
  e->build(Shape{Shape::kNone, 3});
  e->set_weights({Tensor({3, 2}, {1, 2, 3, 4, 5, 6})});
  require_values(e->forward(Tensor({1, 3}, {2, 0, 2}), Mode::Training), {5, 6, 1, 2, 5, 6});
  require_values(e->backward(Tensor({1, 3, 2}, {1, 10, 2, 20, 3, 30})), {0, 0, 0});  // indices: no gradient
  require_values(e->weight("embeddings").grad, {2, 20, 0, 0, 4, 40});                // token 2 twice: 1 + 3, 10 + 30
}

TEST_CASE("Embedding gradients match finite differences", "[embedding][gradient]") {
  // Indices midway between whole numbers (cut toward zero: 3.5 is token 3), so that no step of
  // the checker moves one to another row: y is flat in x there, and (B2)'s dx = 0 is checked too.
  const Tensor ids({2, 4}, {0.5f, 3.5f, 3.5f, 1.5f, 2.5f, 0.5f, 4.5f, 4.5f});
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    auto e = Embedding({.input_dim = 5, .output_dim = 3, .embeddings_initializer = Initializer("random_uniform", 7)});
    require_gradients(check_layer_gradients(*e, {ids}, mode));
  }
}

TEST_CASE("Embedding counts input_dim * output_dim parameters as Keras and checks its arguments and indices",
          "[embedding][errors]") {
  clear_session();
  auto e = Embedding(5, 3);
  e->build(Shape{Shape::kNone, 4});
  const std::vector<float> keras = reference_record(kRef, "embedding.summary");  // (None, 4, 3), 15
  CHECK(e->name() == "embedding");
  CHECK(e->output_shape().dims() == std::vector<long>{long(keras[0]), long(keras[1]), long(keras[2])});
  CHECK(e->count_params() == long(keras[3]));
  CHECK(e->clone()->name() == "embedding");
  require_throws<ConfigError>([] { Embedding({.input_dim = 0, .output_dim = 3, .name = "e0"}); },
                              {"Embedding 'e0'", "input_dim=0"});
  require_throws<ShapeError>(
      [&] {
        e->forward(Tensor({1, 4}, {0, 1, 5, 2}), Mode::Inference);
      },
      {"Embedding 'embedding'", "token indices", "4", "5"});
  require_throws<ShapeError>(
      [&] {
        e->forward(Tensor({1, 4}, {0, -1, 2, 2}), Mode::Inference);
      },
      {"Embedding 'embedding'", "-1"});
  e->set_weights({Tensor({5, 3}, reference_record(kRef, "embedding.table"))});
  const Tensor cut = e->forward(Tensor({1, 4}, {0.9f, 1.5f, 4.99f, 2}), Mode::Inference);
  const Tensor whole = e->forward(Tensor({1, 4}, {0, 1, 4, 2}), Mode::Inference);
  require_values(cut, {whole.values().begin(), whole.values().end()}, 0.0f);  // toward zero, as Keras' cast
}
