// Shared layers: one layer called more than once in a model (a siamese network), as Keras'
// functional API allows. One forward cache per call (call instances), the weights once, their
// gradients summed over the calls, the moving statistics updated by every training call.
#include <cmath>
#include <memory>

#include "diagram/plot_model.h"
#include "io/io_test_util.h"
#include "layers/add.h"
#include "layers/batch_normalization.h"
#include "layers/concatenate.h"
#include "layers/dense.h"
#include "layers/global_average_pooling2d.h"
#include "layers/input_layer.h"
#include "layers/subtract.h"
#include "model/graph_queries.h"
#include "model/summary.h"
#include "model/weights_io.h"
#include "test_util.h"
#include "tools/gradient_check.h"
#include "tools/trace.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// 0.5 * sum(y^2): dL/dy = y.
double half_square(const Tensor& y, Tensor& grad) {
  grad = y;
  double l = 0;
  for (long i = 0; i < y.size(); ++i) l += 0.5 * double(y[i]) * double(y[i]);
  return l;
}

struct Siamese {
  SymbolicTensor left, right;
  std::shared_ptr<Model> model;
};

// Two inputs, one shared Dense (optionally followed by a shared BatchNormalization), their
// difference, a Dense head: the classic siamese layout.
Siamese siamese(bool with_batch_norm) {
  clear_session();
  set_random_seed(5);
  Siamese s{Input({5}), Input({5}), nullptr};
  auto encoder = Dense(DenseOptions{.units = 4, .activation = "tanh"});
  auto bn = BatchNormalization({.momentum = 0.9f});
  auto branch = [&](const SymbolicTensor& x) { return with_batch_norm ? bn(encoder(x)) : encoder(x); };
  auto diff = Subtract()({branch(s.left), branch(s.right)});
  s.model = std::make_shared<Model>(std::vector<SymbolicTensor>{s.left, s.right},
                                    std::vector<SymbolicTensor>{Dense(1)(diff)}, "siamese");
  return s;
}

std::vector<const Tensor*> pointers(const std::vector<Tensor>& ts) {
  std::vector<const Tensor*> out;
  for (const Tensor& t : ts) out.push_back(&t);
  return out;
}

}  // namespace

TEST_CASE("Shared layers: a siamese network lists the shared layer once and runs it twice", "[model][shared]") {
  Siamese s = siamese(false);
  Model& m = *s.model;
  REQUIRE(m.layers().size() == 5);  // input_1, input_2, dense, subtract, dense_1
  Layer& dense = m.get_layer("dense");
  CHECK(m.nodes_of(dense).size() == 2);
  CHECK(&m.node_of(dense) == m.nodes_of(dense).front());
  CHECK(shared_layer(m) == &dense);
  // Keras' count_params counts a shared weight once: 5*4 + 4 + 4*1 + 1 = 29 (two Dense(4) would be 53).
  CHECK(m.count_params() == 29);
  CHECK(m.weights().size() == 4);
  CHECK(m.get_weights().size() == 4);
  // Both calls see the same weights: equal inputs give a zero difference, whatever the weights.
  const Tensor x = random_tensor({3, 5}, 1);
  const Tensor& y = *m.forward(std::vector<const Tensor*>{&x, &x}, Mode::Inference).at(0);
  const float bias = m.get_layer("dense_1").weight("bias").value[0];
  for (long i = 0; i < y.size(); ++i) CHECK(y[i] == bias);
}

TEST_CASE("Shared layers: the siamese gradients pass the finite-difference check in both modes", "[model][shared]") {
  for (bool with_bn : {false, true})
    for (Mode mode : {Mode::Inference, Mode::Training}) {
      INFO("batch norm " << with_bn << ", mode " << (mode == Mode::Training ? "training" : "inference"));
      Siamese s = siamese(with_bn);
      const std::vector<Tensor> xs = {random_tensor({6, 5}, 2), random_tensor({6, 5}, 3)};
      const GradientCheckResult r = check_model_gradients(*s.model, xs, half_square, mode);
      INFO(r.report());
      REQUIRE(r.entries.size() == 2 + 2 + (with_bn ? 2 : 0) + 2);  // 2 inputs, dense, [bn,] dense_1
      require_gradients(r);
    }
}

TEST_CASE("Shared layers: the shared weights' gradient is the sum of the two calls' gradients", "[model][shared]") {
  Siamese s = siamese(false);
  Model& shared = *s.model;
  // The same network with two single-use encoders holding the same weights.
  auto a = Input({5}), b = Input({5});
  auto enc1 = Dense(DenseOptions{.units = 4, .activation = "tanh", .name = "enc1"});
  auto enc2 = Dense(DenseOptions{.units = 4, .activation = "tanh", .name = "enc2"});
  auto head = Dense(DenseOptions{.units = 1, .name = "head"});
  Model twin({a, b}, {head(Subtract()({enc1(a), enc2(b)}))}, "twin");
  Layer& dense = shared.get_layer("dense");
  enc1->set_weights(dense.get_weights());
  enc2->set_weights(dense.get_weights());
  head->set_weights(shared.get_layer("dense_1").get_weights());

  const std::vector<Tensor> xs = {random_tensor({7, 5}, 4), random_tensor({7, 5}, 5)};
  const Tensor y_shared = *shared.forward(pointers(xs), Mode::Training).at(0);
  const Tensor y_twin = *twin.forward(pointers(xs), Mode::Training).at(0);
  REQUIRE(y_shared.shape() == y_twin.shape());
  for (long i = 0; i < y_shared.size(); ++i) CHECK(y_shared[i] == y_twin[i]);
  const Tensor dy = random_tensor(y_shared.shape(), 6);
  const std::vector<const Tensor*> dx_shared = shared.backward(std::vector<const Tensor*>{&dy});
  const std::vector<const Tensor*> dx_twin = twin.backward(std::vector<const Tensor*>{&dy});
  for (const char* w : {"kernel", "bias"}) {
    INFO(w);
    const Tensor& sum = dense.weight(w).grad;
    const Tensor& g1 = enc1->weight(w).grad;
    const Tensor& g2 = enc2->weight(w).grad;
    for (long i = 0; i < sum.size(); ++i) CHECK(sum[i] == Approx(g1[i] + g2[i]).margin(1e-6));
  }
  for (size_t k = 0; k < 2; ++k)
    for (long i = 0; i < dx_shared[k]->size(); ++i) CHECK((*dx_shared[k])[i] == Approx((*dx_twin[k])[i]).margin(1e-6));
}

TEST_CASE("Shared layers: a shared BatchNormalization updates its moving statistics on every training call",
          "[model][shared]") {
  clear_session();
  auto a = Input({3}), b = Input({3});
  auto bn = BatchNormalization({.momentum = 0.9f});
  Model m({a, b}, {Subtract()({bn(a), bn(b)})}, "bn_twice");
  CHECK(m.count_params() == 12);  // gamma, beta, moving mean and variance of 3 channels, once
  const std::vector<Tensor> xs = {random_tensor({4, 3}, 7, -2.0f, 3.0f), random_tensor({4, 3}, 8, 0.0f, 5.0f)};
  m.forward(pointers(xs), Mode::Training);
  // Two successive Keras updates, call a first (the order the model runs its calls):
  //   moving = 0.9 * moving + 0.1 * batch   (batch mean; biased batch variance)
  for (long c = 0; c < 3; ++c) {
    double mean = 0, var = 1;  // the initial moving statistics
    for (const Tensor& x : xs) {
      double mu = 0, v = 0;
      for (long i = 0; i < 4; ++i) mu += x.at({i, c}) / 4.0;
      for (long i = 0; i < 4; ++i) v += (x.at({i, c}) - mu) * (x.at({i, c}) - mu) / 4.0;
      mean = 0.9 * mean + 0.1 * mu;
      var = 0.9 * var + 0.1 * v;
    }
    CHECK(bn->weight("moving_mean").value[c] == Approx(mean).margin(1e-5));
    CHECK(bn->weight("moving_variance").value[c] == Approx(var).margin(1e-5));
  }
  // Frozen (set_trainable on the layer), every call runs in inference mode: nothing moves.
  bn->set_trainable(false);
  const std::vector<float> before(bn->weight("moving_mean").value.values().begin(),
                                  bn->weight("moving_mean").value.values().end());
  const Tensor& y = *m.forward(pointers(xs), Mode::Training).at(0);
  for (long c = 0; c < 3; ++c) CHECK(bn->weight("moving_mean").value[c] == before[size_t(c)]);
  // Inference on both calls: y = (a - b) * gamma / sqrt(var + eps), with the moving statistics.
  const float k = 1.0f / std::sqrt(bn->weight("moving_variance").value[0] + 1e-3f);
  CHECK(y.at({0, 0}) == Approx((xs[0].at({0, 0}) - xs[1].at({0, 0})) * k).margin(1e-5));
  CHECK(m.trainable_weights().empty());
}

TEST_CASE("Shared layers: a layer called at two depths, one call feeding on another layer's output",
          "[model][shared]") {
  clear_session();
  auto in = Input({4});
  auto d = Dense(DenseOptions{.units = 4, .activation = "tanh", .name = "shared"});
  auto pre = Dense(DenseOptions{.units = 4, .name = "pre"});
  Model m(in, Add()({d(in), d(pre(in))}), "two_depths");
  // Keras' depths: a layer sits at its deepest call, so 'shared' comes after 'pre'.
  std::vector<std::string> names;
  for (const auto& l : m.layers()) names.push_back(l->name());
  CHECK(names == std::vector<std::string>{"input_1", "pre", "shared", "add"});
  for (Mode mode : {Mode::Inference, Mode::Training}) {
    const GradientCheckResult r = check_model_gradients(m, random_tensor({5, 4}, 9), half_square, mode);
    INFO(r.report());
    require_gradients(r);
  }
}

TEST_CASE("Shared layers: a call on another input shape is a clear error, as Keras' for a Dense",
          "[model][shared][errors]") {
  clear_session();
  auto d = Dense(3);
  d(Input({4}));
  require_throws<ShapeError>([&] { d(Input({5})); }, {"Dense 'dense'", "(None, 4)", "(None, 5)"});
  // Keras accepts a GlobalAveragePooling2D on images of other sizes; minnow builds a layer for
  // one input shape, so a call on another shape is refused clearly instead.
  auto pool = GlobalAveragePooling2D();
  pool(Input({4, 4, 2}));
  require_throws<ShapeError>([&] { pool(Input({6, 6, 2})); }, {"global_average_pooling2d", "(None, 6, 6, 2)"});
}

TEST_CASE("Shared layers: a layer shared with another model still refuses a stale backward", "[model][shared]") {
  Siamese s = siamese(false);
  const std::shared_ptr<Layer>& dense = s.model->layers()[2];
  REQUIRE(dense->name() == "dense");
  Model alone(s.left, SymbolicTensor{dense, 0, 0}, "alone");  // dense's first call, alone
  const std::vector<Tensor> xs = {random_tensor({2, 5}, 1), random_tensor({2, 5}, 2)};
  const Tensor dy = Tensor({2, 1}, 1.0f);
  s.model->forward(pointers(xs), Mode::Training);
  alone.forward(xs[0], Mode::Training);
  require_throws<UsageError>([&] { s.model->backward(std::vector<const Tensor*>{&dy}); },
                             {"Model 'siamese'", "Dense 'dense'", "another forward"});
}

TEST_CASE("Shared layers: summaries list the shared layer once with every call's connections",
          "[model][shared][summary]") {
  Siamese s = siamese(false);
  // tests/golden/siamese_shared_dense.txt was written by Keras 2's print_summary rules
  // (layer_utils.print_layer_summary_with_connections, columns ending at 32, 53, 65, 98):
  //   input_1, input_2    [(None, 5)], 0 params, no connections
  //   dense               the layer's output_shape (the same for both calls), 5*4 + 4 = 24 params
  //                       counted once; its first node's input on its row, the second node's on
  //                       the next row ("input_2[0][0]"), as Keras lists connections[1:]
  //   subtract            its inputs are dense's two calls: dense[0][0] and dense[1][0]
  //   dense_1             4*1 + 1 = 5
  //   totals              model.count_params(): the shared weights once, 29
  CHECK(s.model->summary() == read_test_file("golden/siamese_shared_dense.txt"));
  const std::string k3 = s.model->summary(SummaryOptions{.style = SummaryStyle::Keras3});
  INFO(k3);
  // Keras 3 joins every call's connections in one cell (rich wraps it at the column's width).
  CHECK(k3.find("│ dense (Dense)       │ (None, 4)         │         24 │ input_1[0][0],    │\n"
                "│                     │                   │            │ input_2[0][0]     │\n") != std::string::npos);
  CHECK(
      k3.find("│ dense[0][0],      │\n│                     │                   │            │ dense[1][0]       │") !=
      std::string::npos);
  CHECK(k3.find(" Total params: 29 ") != std::string::npos);
  const std::string torch = s.model->summary(SummaryOptions{.style = SummaryStyle::Torchinfo});
  INFO(torch);  // torchinfo: a row per call, the further ones "(recursive)"; parameters once, mult-adds per call
  CHECK(
      torch.find("├─Dense: 1-1                             [1, 4]                    24                        24\n"
                 "├─Dense: 1-2                             [1, 4]                    (recursive)               24\n") !=
      std::string::npos);
  CHECK(torch.find("Total params: 29\n") != std::string::npos);
  CHECK(torch.find("Total mult-adds (M): 0.00\n") != std::string::npos);
  // plot_model: one box for the shared layer, an edge from each input.
  const std::string dot = to_dot(*s.model);
  CHECK(dot.find("\"input_1\" -> \"dense\"") != std::string::npos);
  CHECK(dot.find("\"input_2\" -> \"dense\"") != std::string::npos);
  CHECK(dot.find("\"dense\" -> \"subtract\";\n  \"subtract\"") != std::string::npos);  // one edge, not two
}

TEST_CASE("Shared layers: the tools that walk one call per layer refuse a shared layer clearly",
          "[model][shared][errors]") {
  Siamese s = siamese(false);
  require_throws<UsageError>([&] { refuse_shared_layers(*s.model, "trace_forward"); },
                             {"trace_forward", "Dense 'dense'", "2 times", "'siamese'"});
  clear_session();
  auto in = Input({3});
  auto d = Dense(3);
  Model m(in, Add()({d(in), d(in)}), "twice");
  require_throws<UsageError>(
      [&] {
        trace_forward(m, random_tensor({2, 3}, 1), Mode::Inference);
      },
      {"trace_forward", "Dense 'dense'", "'twice'"});
}

namespace {

// One input, two projections, one shared Dense on both, a head: a model fit() can train.
std::unique_ptr<Model> shared_fit_model(std::uint64_t seed) {
  clear_session();
  set_random_seed(seed);
  auto in = Input({6}, "x");
  auto left = Dense(DenseOptions{.units = 4, .name = "left"})(in);
  auto right = Dense(DenseOptions{.units = 4, .name = "right"})(in);
  auto shared = Dense(DenseOptions{.units = 3, .activation = "tanh", .name = "shared"});
  auto out = Dense(DenseOptions{.units = 1, .name = "out"})(Concatenate()({shared(left), shared(right)}));
  return std::make_unique<Model>(in, out, "shared_fit");
}

Tensor shared_fit_targets(const Tensor& x) {
  Tensor y({x.shape()[0], 1});
  for (long i = 0; i < x.shape()[0]; ++i) y[i] = std::tanh(x.at({i, 0}) - 0.5f * x.at({i, 3}));
  return y;
}

}  // namespace

TEST_CASE("Shared layers: fit trains a model with a shared layer, and its weights save and load",
          "[model][shared][fit]") {
  auto build = shared_fit_model;
  auto model = build(1);
  const Tensor x = random_tensor({64, 6}, 10);
  const Tensor y = shared_fit_targets(x);
  model->compile("adam", "mse");
  const History h = model->fit(x, y, {.epochs = 40, .batch_size = 16, .verbose = 0});
  CHECK(h.history.at("loss").back() < 0.5 * h.history.at("loss").front());

  TempDir dir;
  save_weights(*model, dir.file("shared.npz"));
  auto loaded = build(2);
  REQUIRE(snapshot_weights(*loaded) != snapshot_weights(*model));
  load_weights(*loaded, dir.file("shared.npz"));
  CHECK(snapshot_weights(*loaded) == snapshot_weights(*model));
  const Tensor expected = model->predict(x);
  const Tensor got = loaded->predict(x);
  for (long i = 0; i < got.size(); ++i) CHECK(got[i] == expected[i]);
}

TEST_CASE("Shared layers: a checkpoint of a model with a shared layer resumes training exactly",
          "[model][shared][fit]") {
  const Tensor x = random_tensor({32, 6}, 11);
  const Tensor y = shared_fit_targets(x);
  auto in_one_go = shared_fit_model(3);
  in_one_go->compile("adam", "mse");
  in_one_go->fit(x, y, {.epochs = 4, .batch_size = 8, .seed = 2, .verbose = 0});

  TempDir dir;
  auto first = shared_fit_model(3);
  first->compile("adam", "mse");
  first->fit(x, y, {.epochs = 2, .batch_size = 8, .seed = 2, .verbose = 0});
  first->save_checkpoint(dir.file("ckpt.npz"));
  auto resumed = shared_fit_model(4);  // other initial weights: all come from the checkpoint
  resumed->compile("adam", "mse");
  const long done = resumed->load_checkpoint(dir.file("ckpt.npz"));
  CHECK(done == 2);
  resumed->fit(x, y, {.epochs = 4, .initial_epoch = done, .batch_size = 8, .seed = 2, .verbose = 0});
  CHECK(snapshot_weights(*resumed) == snapshot_weights(*in_one_go));
}
