#include "core/tensor_math.h"

#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {

// NumPy's broadcast shape of a and b: aligned to the right, each pair of sizes equal or one of them 1.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op) {
  const long r = std::max(a.rank(), b.rank());
  std::vector<long> dims(static_cast<size_t>(r));
  for (long i = 0; i < r; ++i) {
    const long da = i < r - a.rank() ? 1 : a[i - (r - a.rank())], db = i < r - b.rank() ? 1 : b[i - (r - b.rank())];
    if (da != db && da != 1 && db != 1)
      throw ShapeError(
          fmt::format("{} {} {}: the shapes do not broadcast (axis {} is {} and {})", a, op, b, i, da, db));
    dims[size_t(i)] = da == 1 ? db : da;
  }
  return Shape(dims);
}

Tensor elementwise(const Tensor& a, const Tensor& b, const char* op, const std::function<float(float, float)>& f) {
  const Shape s = broadcast_shape(a.shape(), b.shape(), op);
  const Tensor A = a.shape() == s ? a : broadcast_to(a, s), B = b.shape() == s ? b : broadcast_to(b, s);
  Tensor out(s);
  for (long i = 0; i < out.size(); ++i) out[i] = f(A[i], B[i]);
  return out;
}

Tensor map(const Tensor& a, const std::function<float(float)>& f) {
  Tensor out(a.shape());
  for (long i = 0; i < a.size(); ++i) out[i] = f(a[i]);
  return out;
}

}  // namespace

Tensor operator+(const Tensor& a, const Tensor& b) { return elementwise(a, b, "+", std::plus<>()); }
Tensor operator-(const Tensor& a, const Tensor& b) { return elementwise(a, b, "-", std::minus<>()); }
Tensor operator*(const Tensor& a, const Tensor& b) { return elementwise(a, b, "*", std::multiplies<>()); }
Tensor operator/(const Tensor& a, const Tensor& b) { return elementwise(a, b, "/", std::divides<>()); }
Tensor operator+(const Tensor& a, float s) {
  return map(a, [s](float v) { return v + s; });
}
Tensor operator-(const Tensor& a, float s) {
  return map(a, [s](float v) { return v - s; });
}
Tensor operator*(const Tensor& a, float s) {
  return map(a, [s](float v) { return v * s; });
}
Tensor operator/(const Tensor& a, float s) {
  return map(a, [s](float v) { return v / s; });
}
Tensor operator+(float s, const Tensor& a) {
  return map(a, [s](float v) { return s + v; });
}
Tensor operator-(float s, const Tensor& a) {
  return map(a, [s](float v) { return s - v; });
}
Tensor operator*(float s, const Tensor& a) {
  return map(a, [s](float v) { return s * v; });
}
Tensor operator/(float s, const Tensor& a) {
  return map(a, [s](float v) { return s / v; });
}
Tensor operator-(const Tensor& a) {
  return map(a, [](float v) { return -v; });
}

}  // namespace minnow
