// tools/tensor_slice.h: "name[a:b, c]" parsed, resolved with NumPy's rules, copied and printed.
#include "tools/tensor_slice.h"

#include "test_util.h"

using namespace minnow;

namespace {

Tensor counting(const Shape& shape) {
  Tensor t(shape);
  for (long i = 0; i < t.size(); ++i) t[i] = float(i);
  return t;
}

std::string error_of(const std::string& expression, const Shape& shape) {
  try {
    const TensorRef ref = parse_tensor_ref(expression);
    resolve_slice(ref.axes, shape, "p " + expression);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("A tensor name with a slice is parsed axis by axis", "[tools][stepper]") {
  const TensorRef ref = parse_tensor_ref("  dense/kernel[0:3, 0:4] ");
  CHECK(ref.name == "dense/kernel");
  CHECK(ref.slice_text == "[0:3, 0:4]");
  REQUIRE(ref.axes.size() == 2);
  CHECK((*ref.axes[0].start == 0 && *ref.axes[0].stop == 3 && !ref.axes[0].index));
  const TensorRef mixed = parse_tensor_ref("conv2d/output[-1, :, 2:, :-1]");
  REQUIRE(mixed.axes.size() == 4);
  CHECK((mixed.axes[0].index && *mixed.axes[0].start == -1));
  CHECK((!mixed.axes[1].start && !mixed.axes[1].stop));
  CHECK((*mixed.axes[2].start == 2 && !mixed.axes[2].stop));
  CHECK((!mixed.axes[3].start && *mixed.axes[3].stop == -1));
  CHECK(parse_tensor_ref("x").axes.empty());
}

TEST_CASE("Slices follow NumPy: stops clipped, negatives from the end, an index drops its axis", "[tools][stepper]") {
  const Tensor t = counting({3, 4});
  const auto ranges = resolve_slice(parse_tensor_ref("t[1:9, -2:]").axes, t.shape(), "t");
  const Tensor s = slice_tensor(t, ranges);
  CHECK(s.shape() == Shape{2, 2});
  testing::require_values(s, {6, 7, 10, 11});
  const Tensor row = slice_tensor(t, resolve_slice(parse_tensor_ref("t[-1]").axes, t.shape(), "t"));
  CHECK(row.shape() == Shape{4});
  testing::require_values(row, {8, 9, 10, 11});
  const Tensor one = slice_tensor(t, resolve_slice(parse_tensor_ref("t[2, 3]").axes, t.shape(), "t"));
  testing::require_values(one, {11});
  const Tensor empty = slice_tensor(t, resolve_slice(parse_tensor_ref("t[2:1]").axes, t.shape(), "t"));
  CHECK(empty.shape() == Shape{0, 4});
  const Tensor image = counting({2, 3, 3, 2});
  const Tensor channel = slice_tensor(image, resolve_slice(parse_tensor_ref("i[1, :, :, 1]").axes, image.shape(), "i"));
  CHECK(channel.shape() == Shape{3, 3});
  CHECK(channel[0] == 19.0f);  // (1, 0, 0, 1) = 18 + 1
}

TEST_CASE("Bad slices are errors naming the expression, the axis and the shape", "[tools][stepper]") {
  CHECK_THAT(error_of("k[0:3, 0:4, 1]", Shape{30, 50}),
             Catch::Contains("names 3 axes, but the tensor has shape (30, 50)"));
  CHECK_THAT(error_of("k[30]", Shape{30, 50}), Catch::Contains("index 30 is out of range for axis 0 of size 30"));
  CHECK_THAT(error_of("k[a:3]", Shape{30}), Catch::Contains("'a' is not an integer"));
  CHECK_THAT(error_of("k[0:3", Shape{30}), Catch::Contains("one pair of brackets at the end"));
  CHECK_THAT(error_of("k[0:4:2]", Shape{30}), Catch::Contains("with a step"));
  CHECK_THAT(error_of("k[, 1]", Shape{30, 2}), Catch::Contains("an empty axis"));
  CHECK_THAT(error_of("[0]", Shape{30}), Catch::Contains("no tensor name"));
}

TEST_CASE("Values are printed as a row, a grid, or one grid per leading index", "[tools][stepper]") {
  CHECK(format_values(counting({3})) == "     0.0000    1.0000    2.0000\n");
  CHECK(format_values(counting({2, 2})) == "     0.0000    1.0000\n     2.0000    3.0000\n");
  CHECK(format_values(counting({2, 1, 2})) == "[0, :, :]\n     0.0000    1.0000\n[1, :, :]\n     2.0000    3.0000\n");
  CHECK_THAT(format_values(counting({10, 10}), 12), Catch::Contains("12 of 100 values shown"));
}
