#include "layers/input_layer.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Stepping through model.layers() by hand runs the InputLayer as a pass-through", "[input]") {
  clear_session();
  auto inputs = Input({3});
  auto h = Dense({.units = 2, .kernel_initializer = {"glorot_uniform", 3}, .name = "hidden"})(inputs);
  Model model(inputs, ReLU()(BatchNormalization()(h)));
  const Tensor batch = random_tensor({4, 3}, 9);
  // Layer by layer gives exactly what the model gives.
  Tensor x = batch;
  for (const auto& layer : model.layers()) x = layer->forward(x, Mode::Inference);
  const Tensor& whole = model.forward(batch, Mode::Inference);
  REQUIRE(x.shape() == whole.shape());
  for (long i = 0; i < x.size(); ++i) CHECK(x[i] == whole[i]);
  // The InputLayer's forward is y = x and its backward dx = dy.
  Layer& in = *model.layers().front();
  CHECK(in.class_name() == "InputLayer");
  const Tensor& y = in.forward(batch, Mode::Training);
  for (long i = 0; i < y.size(); ++i) CHECK(y[i] == batch[i]);
  const Tensor dy = random_tensor({4, 3}, 10);
  const Tensor& dx = in.backward(dy);
  REQUIRE(dx.shape() == dy.shape());
  for (long i = 0; i < dx.size(); ++i) CHECK(dx[i] == dy[i]);
  // A batch of another sample shape is refused, naming the layer and both shapes.
  require_throws<ShapeError>(
      [&] {
        in.forward(Tensor({4, 5}), Mode::Inference);
      },
      {"InputLayer 'input_1'", "(None, 3)", "(4, 5)"});
  const Tensor a({2, 3}), b({2, 3});
  require_throws<UsageError>([&] { in.forward({&a, &b}, Mode::Inference); }, {"InputLayer 'input_1'", "2 inputs"});
}
