// Tensor arithmetic and reductions (core/tensor_math.h, core/reduce.h) against NumPy's results for
// the same arrays, worked out by hand in the comments.
#include "core/tensor_math.h"

#include <cmath>
#include <limits>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
const Tensor kA({2, 3}, {1, -2, 3, 4, 5, -6});
const Tensor kB({3}, {10, 20, 30});
// x[n][h][w]: [[[1, 7], [3, 3]], [[-1, 0], [9, 2]]]
const Tensor kX({2, 2, 2}, {1, 7, 3, 3, -1, 0, 9, 2});
}  // namespace

TEST_CASE("Element-wise arithmetic broadcasts as NumPy: (2, 3) with (3,) and with a float", "[tensor_math]") {
  require_values(kA + kB, {11, 18, 33, 14, 25, 24}, 0);
  require_values(kA - kB, {-9, -22, -27, -6, -15, -36}, 0);
  require_values(kA * kB, {10, -40, 90, 40, 100, -180}, 0);
  require_values(kB / kA, {10, -10, 10, 2.5f, 4, -5}, 0);  // (3,) / (2, 3): the row repeats on the left too
  CHECK((kB / kA).shape().str() == "(2, 3)");
  require_values(kA * 2.0f, {2, -4, 6, 8, 10, -12}, 0);
  require_values(1.0f - kA, {0, 3, -2, -3, -4, 7}, 0);
  require_values(-kA, {-1, 2, -3, -4, -5, 6}, 0);
  require_values(Tensor({2, 1}, {1, 2}) + Tensor({1, 3}, {10, 20, 30}), {11, 21, 31, 12, 22, 32}, 0);  // both grow
}

TEST_CASE("Shapes that do not broadcast are a ShapeError naming both", "[tensor_math][errors]") {
  require_throws<ShapeError>([] { (void)(kA + Tensor({2}, {1, 2})); }, {"(2, 3) + (2,)", "do not broadcast", "axis 1"});
}

TEST_CASE("Reductions over everything and over axes give NumPy's numbers; argmax takes the first tie",
          "[tensor_math]") {
  CHECK(reduce_sum(kA) == 5.0f);
  CHECK(reduce_mean(kA) == Approx(5.0 / 6));
  CHECK(reduce_max(kA) == 5.0f);
  CHECK(reduce_min(kA) == -6.0f);
  require_values(reduce_max(kX, {0, 2}), {7, 9}, 0);            // x.max(axis=(0, 2))
  require_values(reduce_min(kX, {1}), {1, 3, -1, 0}, 0);        // x.min(axis=1)
  require_values(reduce_mean(kX, {0}), {0, 3.5f, 6, 2.5f}, 0);  // x.mean(axis=0)
  CHECK(reduce_mean(kX, {0}, true).shape().str() == "(1, 2, 2)");
  require_values(argmax(kX, 1), {1, 0, 1, 1}, 0);  // np.argmax(x, axis=1)
  require_values(argmin(kX), {0, 0, 0, 1}, 0);     // the last axis; [3, 3] ties go to the first
  require_values(argmax(kX, 0), {0, 0, 1, 0}, 0);
  CHECK(argmax(kX, 0).shape().str() == "(2, 2)");
}

TEST_CASE("A NaN wins a maximum as in NumPy; nothing has no maximum; the mean of nothing is NaN", "[tensor_math]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor t({4}, {1, nan, 3, 2});
  CHECK(std::isnan(reduce_max(t)));
  CHECK(std::isnan(reduce_min(t)));
  CHECK(argmax(t)[0] == 1.0f);
  CHECK(argmin(t)[0] == 1.0f);
  require_throws<ShapeError>([] { (void)reduce_max(Tensor(Shape{0})); }, {"reduce_max", "no values"});
  require_throws<ShapeError>([] { (void)argmax(Tensor(Shape{3, 0})); }, {"argmax", "axis -1", "(3, 0)", "no values"});
  CHECK(std::isnan(reduce_mean(Tensor(Shape{0}))));
  require_throws<ShapeError>([] { (void)argmax(kA, 2); }, {"axis"});
}
