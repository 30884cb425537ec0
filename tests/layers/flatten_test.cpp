#include "layers/flatten.h"

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
