// tools/stepper.h: the step a key at a time gives what Model::forward / backward, the trace and
// train_on_batch give, and a learner's mistakes are messages, not crashes.
#include "tools/stepper.h"

#include "examples/seed_models.h"
#include "test_util.h"

using namespace minnow;

namespace {

// The thread's tabular model, built from the session seed `seed` and compiled with `optimizer`.
std::unique_ptr<Model> tabular(const std::string& optimizer = "sgd", std::uint64_t seed = 7) {
  clear_session();
  set_random_seed(seed);
  auto m = examples::seed_tabular_model().model;
  m->compile(optimizer, "mse");
  return m;
}

StepperBatch batch_of(long k) {
  return {testing::random_tensor({6, 30}, 100 + std::uint64_t(k), -2.0f, 3.0f),
          testing::random_tensor({6, 5}, 200 + std::uint64_t(k))};
}

void run_keys(Stepper& s, const std::string& keys) {
  for (const std::string& c : split_keys(keys)) {
    INFO(c);
    const std::string out = s.run(c);
    INFO(out);
    REQUIRE(out.rfind("error", 0) == std::string::npos);
  }
}

void require_equal(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  for (long i = 0; i < a.size(); ++i) REQUIRE(a[i] == Approx(b[i]).margin(1e-6));
}

}  // namespace

TEST_CASE("Key scripts split into keys, and p takes the rest up to ';'", "[tools][stepper]") {
  const std::vector<std::string> expected = {"f", "f", "b", "p dense/kernel[0:3, 0:4]", "l", "q"};
  CHECK(split_keys("ff b p dense/kernel[0:3, 0:4]; l q") == expected);
  CHECK(split_keys("p x") == std::vector<std::string>{"p x"});
  CHECK(split_keys("p ;f") == std::vector<std::string>{"p", "f"});
}

TEST_CASE("Stepping forward and backward gives Model::forward's outputs and Model::backward's gradients",
          "[tools][stepper]") {
  auto stepped = tabular(), reference = tabular();
  Stepper s(*stepped, batch_of);
  run_keys(s, "fff l bbb");
  const StepperBatch b = batch_of(0);
  const Tensor& y_pred = reference->forward(b.x, Mode::Training);
  for (size_t i = 1; i < s.layers().size(); ++i)
    require_equal(s.layers()[i]->output(), reference->layers()[i]->output());
  Tensor dy;
  CHECK(*s.loss() == Approx(reference->loss().compute(y_pred, b.y, &dy)).epsilon(1e-12));
  const Tensor dx = reference->backward(dy);
  require_equal(s.output_grad(*s.layers()[0]), dx);  // dL/dx of the batch
  const std::vector<Parameter*> mine = stepped->weights(), theirs = reference->weights();
  for (size_t k = 0; k < mine.size(); ++k) {
    INFO(mine[k]->full_name());
    require_equal(mine[k]->value, theirs[k]->value);  // the moving statistics moved alike
    if (mine[k]->trainable()) require_equal(mine[k]->grad, theirs[k]->grad);
  }
}

TEST_CASE("The stepper's loss and gradient norms are the trace's", "[tools][stepper]") {
  auto stepped = tabular(), traced = tabular();
  Stepper s(*stepped, batch_of);
  run_keys(s, "fffl bbb");
  const StepperBatch b = batch_of(0);
  const Trace t = trace_step(*traced, b.x, b.y, traced->loss(), Mode::Training);
  CHECK(*s.loss() == Approx(*t.loss).epsilon(1e-12));
  for (size_t i = 0; i < t.layers.size(); ++i) {
    INFO(t.layers[i].name);
    CHECK(l2_norm(s.output_grad(*s.layers()[i])) == Approx(*t.layers[i].output_grad_norm).epsilon(1e-6));
    CHECK(tensor_stats(i == 0 ? b.x : s.layers()[i]->output()).mean == Approx(t.layers[i].output.mean).margin(1e-9));
  }
}

TEST_CASE("The optimizer's update is one train_on_batch step's change of every weight", "[tools][stepper]") {
  for (const char* optimizer : {"sgd", "adam"}) {
    INFO(optimizer);
    auto stepped = tabular(optimizer), trained = tabular(optimizer);
    Stepper s(*stepped, batch_of);
    run_keys(s, "fff l bbb oooooo");  // 6 trainable weights, one per o: kernel, bias, gamma, beta, kernel, bias
    CHECK(s.run("o").find("error: o: all") != std::string::npos);
    const StepperBatch b = batch_of(0);
    trained->train_on_batch(b.x, b.y);
    const std::vector<Parameter*> mine = stepped->weights(), theirs = trained->weights();
    for (size_t k = 0; k < mine.size(); ++k) {
      INFO(mine[k]->full_name());
      require_equal(mine[k]->value, theirs[k]->value);
    }
    CHECK(stepped->optimizer().iterations() == 1);
  }
}

TEST_CASE("s shows BatchNormalization's batch statistics and the moving statistics they moved", "[tools][stepper]") {
  auto model = tabular();
  Stepper s(*model, batch_of);
  CHECK(s.run("s").find("error: s: no BatchNormalization has run forward") != std::string::npos);
  run_keys(s, "ff");
  const std::string out = s.run("s");
  INFO(out);
  const Moments m = moments(s.layers()[1]->output(), {0});  // the BN's input: Dense(50)'s output
  CHECK(out.find(fmt::format("{:.4f}", m.mean[0])) != std::string::npos);
  CHECK(out.find(fmt::format("{:.4f}", m.variance[0])) != std::string::npos);
  const Tensor& moving = s.layers()[2]->weight("moving_mean").value;
  CHECK(moving[0] == Approx(0.01 * m.mean[0]).margin(1e-6));  // (F4) with momentum 0.99
  CHECK(out.find("50 channels in all") != std::string::npos);
}

TEST_CASE("A learner's mistakes are messages naming the command, the tensor and the shape", "[tools][stepper]") {
  auto model = tabular();
  Stepper s(*model, batch_of);
  CHECK_THAT(s.run("b"), Catch::StartsWith("error: b: no loss yet: the forward pass is at layer 0 of 3"));
  CHECK_THAT(s.run("l"), Catch::StartsWith("error: l: the loss needs the model's output, but only 0 of 3"));
  CHECK_THAT(s.run("o"), Catch::StartsWith("error: o: the optimizer needs every weight's gradient"));
  CHECK_THAT(s.run("e"), Catch::StartsWith("error: e: nothing has run"));
  CHECK_THAT(s.run("z"), Catch::Contains("unknown key 'z'"));
  CHECK_THAT(s.run("fx"), Catch::Contains("only p takes an argument"));
  CHECK_THAT(s.run("p"), Catch::Contains("p: which tensor?"));
  CHECK_THAT(s.run("p nope"), Catch::Contains("no tensor 'nope'"));
  CHECK_THAT(s.run("p dense/output"), Catch::Contains("dense has not run forward in this pass"));
  CHECK_THAT(s.run("p densex/kernel"), Catch::Contains("has no layer 'densex' (its layers: input_1, dense,"));
  CHECK_THAT(s.run("p dense/kernal"),
             Catch::Contains("has no tensor 'kernal' (it has output, grad, dx, kernel, bias)"));
  CHECK_THAT(s.run("p dense/kernel[0:3, 0:4, 0]"), Catch::Contains("names 3 axes, but the tensor has shape (30, 50)"));
  CHECK_THAT(s.run("p dense/kernel.grad"), Catch::Contains("dense has not run backward"));
  CHECK_THAT(s.run("p dense/kernel[0:3, 0:4]"), Catch::Contains("dense/kernel[0:3, 0:4] (3, 4)"));
  run_keys(s, "fff");
  CHECK_THAT(s.run("f"), Catch::StartsWith("error: f: all 3 layers have run forward on this batch; next: l"));
  CHECK_THAT(s.run("p batch_normalization/moving_mean.grad"), Catch::Contains("has not run backward"));
  run_keys(s, "l b");
  CHECK_THAT(s.run("l"), Catch::StartsWith("error: l: the loss of this batch is computed"));
  CHECK_THAT(s.run("p dense_1/kernel.grad[0]"), Catch::Contains("dense_1/kernel.grad[0] (5,)"));
  CHECK_THAT(s.run("q"), Catch::Contains("bye"));
  CHECK(s.quit());
}

TEST_CASE("n takes the next batch and m toggles the mode, both starting the pass over", "[tools][stepper]") {
  auto model = tabular();
  Stepper s(*model, batch_of);
  run_keys(s, "ff");
  CHECK(s.run("m").find("mode: inference") != std::string::npos);
  CHECK((s.mode() == Mode::Inference && s.forward_done() == 1));
  const Tensor moving = s.layers()[2]->weight("moving_mean").value;
  run_keys(s, "fff l bbb");
  require_equal(s.layers()[2]->weight("moving_mean").value, moving);  // inference never moves them
  CHECK_THAT(s.run("e"), Catch::StartsWith("backward of dense (Dense)   [layers/dense.h]"));
  run_keys(s, "n");
  CHECK((s.batch_index() == 1 && s.forward_done() == 1 && !s.loss()));
  require_equal(s.batch().x, batch_of(1).x);
  CHECK(s.run("g").find(" ->        dense                    Dense") != std::string::npos);
}
