// TerminateOnNaN (callbacks/terminate_on_nan.h): a diverging fit stops cleanly instead of throwing.
#include "callbacks/scripted.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
// A learning rate of 1e18 on MSE: the first step's weights are ~1e18, the second step's loss overflows.
std::unique_ptr<Model> diverging() { return small_model(1e18f); }
const Tensor kManyX = random_tensor({8, 2}, 3, 1, 2), kManyY = random_tensor({8, 1}, 4, 1, 2);
}  // namespace

TEST_CASE("Without TerminateOnNaN a non-finite loss stops fit with an error, the weights kept", "[callbacks]") {
  auto model = diverging();
  FitOptions opt{.epochs = 3, .batch_size = 2, .shuffle = false, .verbose = 0};
  require_throws<Error>([&] { model->fit(kManyX, kManyY, opt); }, {"Model 'model", "became", "weights from before"});
  for (const Tensor& w : model->get_weights()) CHECK(w.row().allFinite());
}

TEST_CASE("TerminateOnNaN ends training at the first non-finite loss, as Keras, the step undone", "[callbacks]") {
  auto model = diverging();
  TerminateOnNaN nan_stop;
  std::ostringstream out;
  FitOptions opt{.epochs = 3, .batch_size = 2, .shuffle = false, .verbose = 0, .out = &out};
  opt.callbacks = {&nan_stop};
  const History h = model->fit(kManyX, kManyY, opt);
  CHECK(h.history.at("loss").size() == 1);  // the first epoch is finished (its loss nan), no other
  CHECK(std::isnan(h.history.at("loss")[0]));
  CHECK(nan_stop.stop_requested());
  INFO(out.str());
  CHECK(out.str().rfind("Batch ", 0) == 0);
  CHECK(out.str().find(": Invalid loss, terminating training\n") != std::string::npos);
  for (const Tensor& w : model->get_weights()) CHECK(w.row().allFinite());
}
