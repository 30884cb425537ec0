#include "core/reduce.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {

// Calls f(i, p) for each element i of a tensor of shape `full`, p being the flat index of the
// element of a tensor of shape `part` (aligned to the right, size-1 axes repeating) it meets.
template <class F>
void for_each_pair(const Shape& full, const Shape& part, F&& f) {
  const long r = full.rank(), pr = part.rank();
  if (pr > r) throw ShapeError(fmt::format("a tensor of shape {} does not broadcast to shape {}", part, full));
  std::vector<long> stride(size_t(r), 0);
  long s = 1;
  for (long i = pr - 1; i >= 0; --i) {
    const long axis = r - pr + i;
    if (part[i] == full[axis]) stride[size_t(axis)] = s;
    else if (part[i] != 1)
      throw ShapeError(fmt::format("a tensor of shape {} does not broadcast to shape {}", part, full));
    s *= part[i];
  }
  std::vector<long> idx(size_t(r), 0);
  long p = 0;
  for (long i = 0, n = full.num_elements(); i < n; ++i) {
    f(i, p);
    for (long a = r - 1; a >= 0; --a) {  // odometer, carrying the part's offset along
      p += stride[size_t(a)];
      if (++idx[size_t(a)] < full[a]) break;
      p -= stride[size_t(a)] * full[a];
      idx[size_t(a)] = 0;
    }
  }
}

}  // namespace

namespace {

// x's shape with `axes` set to 1 (the statistic's shape with keepdims) and without them.
std::pair<Shape, Shape> reduced_shapes(const Shape& s, const std::vector<long>& axes) {
  std::vector<bool> red(size_t(s.rank()), false);
  for (long a : axes) red[size_t(s.normalize_axis(a))] = true;
  std::vector<long> keep, kept;
  for (long i = 0; i < s.rank(); ++i) {
    keep.push_back(red[size_t(i)] ? 1 : s[i]);
    if (!red[size_t(i)]) kept.push_back(s[i]);
  }
  return {Shape(keep), Shape(kept)};
}

// The largest (sign 1) or smallest (sign -1) value over `axes`; a NaN wins, as np.max.
Tensor extreme(const Tensor& x, const std::vector<long>& axes, bool keepdims, float sign, const char* who) {
  const auto [stat, kept] = reduced_shapes(x.shape(), axes);
  if (x.empty()) throw ShapeError(fmt::format("{} of {}: a tensor with no values has none", who, x.shape()));
  std::vector<float> best(size_t(stat.num_elements()), 0.0f);
  std::vector<bool> seen(best.size(), false);
  for_each_pair(x.shape(), stat, [&](long i, long p) {
    const float v = x[i];
    float& b = best[size_t(p)];
    if (!seen[size_t(p)] || std::isnan(v) || (!std::isnan(b) && sign * v > sign * b)) b = v;
    seen[size_t(p)] = true;
  });
  return Tensor(keepdims ? stat : kept, best);
}

// The first index along `axis` of the largest (sign 1) or smallest (sign -1) value; a NaN wins.
Tensor arg_extreme(const Tensor& x, long axis, float sign, const char* who) {
  const Shape& s = x.shape();
  const long a = s.normalize_axis(axis), K = s[a];
  if (K == 0) throw ShapeError(fmt::format("{} along axis {} of {}: that axis holds no values", who, axis, s));
  const long outer = s.num_elements() / (K * s.num_elements_from(a + 1)), inner = s.num_elements_from(a + 1);
  Tensor out(reduced_shapes(s, {a}).second);
  for (long o = 0; o < outer; ++o)
    for (long i = 0; i < inner; ++i) {
      long best = 0;
      for (long k = 1; k < K; ++k) {
        const float v = x[(o * K + k) * inner + i], b = x[(o * K + best) * inner + i];
        if (!std::isnan(b) && (std::isnan(v) || sign * v > sign * b)) best = k;
      }
      out[o * inner + i] = float(best);
    }
  return out;
}

// x as one axis of x.size() values (a copy: inspection is not the hot path).
Tensor flat(const Tensor& x) {
  return Tensor(Shape{x.size()}, std::vector<float>(x.values().begin(), x.values().end()));
}

}  // namespace

Tensor reduce_sum(const Tensor& x, const std::vector<long>& axes, bool keepdims) {
  const auto [stat, kept] = reduced_shapes(x.shape(), axes);
  std::vector<double> sum(size_t(stat.num_elements()), 0.0);
  for_each_pair(x.shape(), stat, [&](long i, long p) { sum[size_t(p)] += x[i]; });
  Tensor out(keepdims ? stat : kept);
  for (size_t j = 0; j < sum.size(); ++j) out[long(j)] = float(sum[j]);
  return out;
}

Tensor reduce_mean(const Tensor& x, const std::vector<long>& axes, bool keepdims) {
  Tensor sum = reduce_sum(x, axes, keepdims);
  const double count = sum.empty() ? 0.0 : double(x.size()) / double(sum.size());
  for (float& v : sum.values()) v = float(double(v) / count);  // 0 / 0 = NaN for no values
  return sum;
}

Tensor reduce_max(const Tensor& x, const std::vector<long>& axes, bool keepdims) {
  return extreme(x, axes, keepdims, 1.0f, "reduce_max");
}

Tensor reduce_min(const Tensor& x, const std::vector<long>& axes, bool keepdims) {
  return extreme(x, axes, keepdims, -1.0f, "reduce_min");
}

Tensor argmax(const Tensor& x, long axis) { return arg_extreme(x, axis, 1.0f, "argmax"); }
Tensor argmin(const Tensor& x, long axis) { return arg_extreme(x, axis, -1.0f, "argmin"); }

float reduce_sum(const Tensor& x) {
  double sum = 0;
  for (const float v : x.values()) sum += v;
  return float(sum);
}

float reduce_mean(const Tensor& x) {
  double sum = 0;
  for (const float v : x.values()) sum += v;
  return float(sum / double(x.size()));  // 0 / 0: NaN for no values, as np.mean
}

float reduce_max(const Tensor& x) { return reduce_max(flat(x), {0})[0]; }  // ShapeError with no values
float reduce_min(const Tensor& x) { return reduce_min(flat(x), {0})[0]; }

Tensor broadcast_to(const Tensor& t, const Shape& shape) {
  Tensor out(shape);
  for_each_pair(shape, t.shape(), [&](long i, long p) { out[i] = t[p]; });
  return out;
}

}  // namespace minnow
