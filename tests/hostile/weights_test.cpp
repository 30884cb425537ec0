// Hostile: a weight given a value of the wrong shape, by every way a user can put a tensor into a
// weight. Before weights were shape-locked, the first of these overflowed the heap in predict
// (AddressSanitizer: heap-buffer-overflow READ); now each is a ShapeError naming the layer, the
// weight and both shapes, and the model is byte-identical afterwards. The suite runs under the
// asan build too (scripts/test.sh), so a regression there is a sanitizer report, not a wrong number.
#include "hostile_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// The reproduction: Input(4) -> Dense(8) -> Dense(3, softmax).
std::unique_ptr<Sequential> make_reproduction() {
  clear_session();
  auto m = std::make_unique<Sequential>();
  m->add(Input({4}));
  m->add(Dense(8));
  m->add(Dense(3, "softmax"));
  return m;
}

}  // namespace

TEST_CASE("Hostile: assigning a bias of the wrong shape is a ShapeError, and predict still reads the right one") {
  auto m = make_reproduction();
  const Tensor x({4, 4}, 1.0f);
  const Tensor before = m->predict(x);
  require_throws_unchanged<ShapeError>(*m,
                                       [&] {
                                         m->get_layer("dense_1").weight("bias").value = Tensor({2}, {100.f, 100.f});
                                       },
                                       {"Dense 'dense_1'", "weight 'bias'", "(3,)", "(2,)", "unchanged"});
  const Tensor after = m->predict(x);
  REQUIRE(after.shape() == before.shape());
  for (long i = 0; i < after.size(); ++i) REQUIRE(after[i] == before[i]);
  // A value of the right shape goes in, element for element.
  m->get_layer("dense_1").weight("bias").value = Tensor({3}, {1.f, 2.f, 3.f});
  CHECK(m->get_layer("dense_1").weight("bias").value[2] == 3.f);
}

TEST_CASE("Hostile: BatchNormalization's gamma and moving_variance refuse a value of shape (1,)") {
  auto model = make_classifier();
  Layer& bn = model->get_layer("bn");
  for (const char* name : {"gamma", "beta", "moving_mean", "moving_variance"}) {
    INFO(name);
    require_throws_unchanged<ShapeError>(
        *model, [&] { bn.weight(name).value = Tensor({1}, {2.0f}); },
        {"BatchNormalization 'bn'", std::string("weight '") + name + "'", "(8,)", "(1,)"});
  }
  // predict, fit and save_weights still run with the model's own (8,) statistics.
  CHECK(model->predict(classifier_x(5)).shape() == Shape({5, 3}));
}

TEST_CASE("Hostile: copying a whole Parameter or WeightValue of another shape is refused too") {
  auto model = make_classifier();
  Parameter stranger{.name = "bias",
                     .value = Tensor({2}, {1.f, 2.f}),
                     .grad = {},
                     .trainable_by_design = true,
                     .frozen = false,
                     .layer_name = {}};
  Parameter& bias = model->get_layer("logits").weight("bias");
  require_throws_unchanged<ShapeError>(*model, [&] { bias = stranger; },
                                       {"Dense 'logits'", "weight 'bias'", "(3,)", "(2,)"});
  require_throws_unchanged<ShapeError>(*model, [&] { bias.value = stranger.value; },
                                       {"Dense 'logits'", "weight 'bias'", "(3,)", "(2,)"});
  require_throws_unchanged<ShapeError>(*model, [&] { bias.value = model->get_layer("hidden").weight("kernel").value; },
                                       {"Dense 'logits'", "weight 'bias'", "(3,)", "(4, 8)"});
}

TEST_CASE("Hostile: set_weights checks the count and every shape before it changes anything") {
  auto model = make_classifier();
  Layer& hidden = model->get_layer("hidden");
  std::vector<Tensor> w = hidden.get_weights();
  REQUIRE(w.size() == 2);
  REQUIRE(w[0].shape() == Shape({4, 8}));
  // The kernel is right, the bias is not: neither changes.
  w[0].fill(7.0f);
  require_throws_unchanged<ShapeError>(*model,
                                       [&] {
                                         hidden.set_weights({w[0], Tensor({2})});
                                       },
                                       {"Dense 'hidden'", "weight 'bias'", "(8,)", "(2,)", "no weight was changed"});
  require_throws_unchanged<ShapeError>(*model, [&] { hidden.set_weights({w[0]}); },
                                       {"Dense 'hidden'", "1 arrays", "2 weights", "kernel, bias"});
  hidden.set_weights(w);
  CHECK(hidden.weight("kernel").value[0] == 7.0f);

  std::vector<Tensor> all = model->get_weights();
  REQUIRE(all.size() == model->weights().size());
  all.back() = Tensor({1});  // logits/bias of shape (3,)
  require_throws_unchanged<ShapeError>(*model, [&] { model->set_weights(all); },
                                       {"classifier", "logits/bias:0", "(3,)", "(1,)"});
  all.pop_back();
  require_throws_unchanged<ShapeError>(*model, [&] { model->set_weights(all); },
                                       {"classifier", "received 7 arrays", "has 8 weights"});
}

TEST_CASE("Hostile: a weight's full name says which layer it belongs to, as tf.keras' weight.name") {
  auto model = make_classifier();
  std::vector<std::string> names;
  for (const Parameter* p : model->trainable_weights()) names.push_back(p->full_name());
  CHECK(names == std::vector<std::string>{"hidden/kernel:0", "hidden/bias:0", "bn/gamma:0", "bn/beta:0",
                                          "logits/kernel:0", "logits/bias:0"});
  CHECK(model->get_layer("bn").weight("moving_variance").full_name() == "bn/moving_variance:0");
}

TEST_CASE("Hostile: a weight or tensor larger than the machine is an AllocationError naming it and its bytes") {
  clear_session();
  // 2^20 x 2^20 floats = 4 TiB: refused before any allocation, naming the layer and the weight.
  auto inputs = Input({1L << 20});
  require_throws<AllocationError>([&] { Dense({.units = 1L << 20, .name = "huge"})(inputs); },
                                  {"Dense 'huge'", "weight 'kernel'", "(1048576, 1048576)", "4398046511104 bytes",
                                   "4.0 TiB", "more than this machine's memory"});
  require_throws<AllocationError>([] { Tensor t(Shape({1L << 40})); }, {"(1099511627776,)", "4.0 TiB"});
  require_throws<AllocationError>([] { Tensor t(Shape({1L << 40, 1L << 40})); }, {"does not even fit"});
  Tensor t({2, 2});
  require_throws<AllocationError>([&] { t.resize({1L << 40, 4}); }, {"(1099511627776, 4)"});
  CHECK(t.shape() == Shape({2, 2}));  // unchanged
  CHECK(machine_memory_bytes() > (1L << 28));
}
