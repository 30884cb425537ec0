// LearningRateScheduler (callbacks/learning_rate_scheduler.h), the rate worked out by hand.
#include "callbacks/scripted.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("LearningRateScheduler sets the rate before each epoch, and History records it as lr", "[callbacks]") {
  auto in = Input({2});
  auto d = Dense(1);
  Model model(in, d(in));
  d->weight("kernel").value = Tensor({2, 1}, {1, 1});
  model.compile(std::make_shared<SGD>(SGDOptions{.learning_rate = 0.5f}), std::make_shared<MeanSquaredError>());
  std::vector<long> epochs_seen;
  LearningRateScheduler halve(
      [&](long epoch, double lr) {
        epochs_seen.push_back(epoch);
        return epoch == 0 ? lr : lr / 2;
      },
      1);
  std::ostringstream out;
  FitOptions opt{.epochs = 2, .batch_size = 2, .shuffle = false, .verbose = 0, .out = &out};
  opt.callbacks = {&halve};
  const History h = model.fit(kX, kY, opt);
  CHECK(epochs_seen == std::vector<long>{0, 1});
  CHECK(h.history.at("lr") == std::vector<double>{0.5, 0.25});
  CHECK(out.str() == "\nEpoch 1: LearningRateScheduler setting learning rate to 0.5.\n"
                     "\nEpoch 2: LearningRateScheduler setting learning rate to 0.25.\n");
  // Epoch 0 at 0.5: W = [1.5, 0.5] (as in the train_on_batch test). Epoch 1 at 0.25: errors
  // [-0.5, 0.5], dW = [-0.5, 0.5], W <- W - 0.25 dW = [1.625, 0.375]; the bias gradient is 0.
  require_values(d->weight("kernel").value, {1.625f, 0.375f});

  // A rate that is not finite and > 0 stops fit before that epoch, naming it; epoch 0 (at 0.25)
  // ran: errors [-0.375, 0.375], W <- [1.625, 0.375] - 0.25 [-0.375, 0.375].
  LearningRateScheduler zero([](long epoch, double lr) { return epoch == 1 ? 0.0 : lr; });
  opt.callbacks = {&zero};
  require_throws<ConfigError>([&] { model.fit(kX, kY, opt); }, {"LearningRateScheduler", "returned 0 for epoch 1"});
  require_values(d->weight("kernel").value, {1.71875f, 0.28125f});
}
