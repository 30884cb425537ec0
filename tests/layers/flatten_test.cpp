#include "layers/flatten.h"

#include <algorithm>

#include "minnow.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("Flatten keeps the NHWC order: index (h*W + w)*C + c", "[flatten]") {
  Tensor x({2, 2, 2, 3});
  for (long i = 0; i < x.size(); ++i) x[i] = float(i);
  auto f = Flatten();
  const Tensor& y = f->forward(x, Mode::Training);
  REQUIRE(y.shape() == Shape{2, 12});
  CHECK(y.at({1, 0}) == x.at({1, 0, 0, 0}));
  CHECK(y.at({0, (1 * 2 + 1) * 3 + 2}) == x.at({0, 1, 1, 2}));
  const Tensor& dx = f->backward(y);
  CHECK(dx.shape() == x.shape());
  CHECK(dx.row() == x.row());
}

TEST_CASE("Flatten has no parameters and gradients that are the identity", "[flatten][gradient]") {
  clear_session();
  auto f = Flatten();
  f->build(Shape{Shape::kNone, 100, 200, 30});
  CHECK(f->name() == "flatten");
  CHECK(f->output_shape().str() == "(None, 600000)");
  CHECK(f->count_params() == 0);
  auto g = Flatten();
  require_gradients(check_layer_gradients(*g, {random_tensor({2, 3, 2, 2}, 1)}, Mode::Inference));
  require_throws<ShapeError>(
      [&] {
        g->forward(Tensor({2, 3, 2, 3}), Mode::Inference);
      },
      {"Flatten 'flatten_1'", "(None, 3, 2, 2)"});
}

TEST_CASE("Flatten's output and input gradient are views: no copy, right under batch size changes", "[flatten]") {
  // A model Conv-free but with a layer before Flatten, so that Flatten views that layer's output
  // buffer; batches of 6, 2 and 6 again (the last partial batch of an epoch, then a full one).
  auto in = Input({2, 2, 3});
  auto h = ReLU()(in);
  Model model(in, Dense(4)(Flatten()(h)));
  Layer& relu = *model.layers()[1];
  Layer& flatten = *model.layers()[2];
  for (long batch : {6L, 2L, 6L}) {
    INFO("batch " << batch);
    const Tensor x = random_tensor({batch, 2, 2, 3}, std::uint64_t(batch));
    const Tensor& y = model.forward(x, Mode::Training);
    CHECK(flatten.output().data() == relu.output().data());  // a view of ReLU's output
    CHECK(flatten.output().shape() == Shape{batch, 12});
    for (long i = 0; i < x.size(); ++i) REQUIRE(flatten.output()[i] == std::max(x[i], 0.0f));
    model.backward(random_tensor(y.shape(), 9));
    const Layer& dense = *model.layers()[3];
    CHECK(flatten.input_gradients()[0].data() == dense.input_gradients()[0].data());
    CHECK(flatten.input_gradients()[0].shape() == Shape{batch, 2, 2, 3});
  }
}
