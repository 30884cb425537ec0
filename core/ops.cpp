#include "core/ops.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace minnow {

// ---- moments ------------------------------------------------------------------------------

void column_sums(ConstMatrixMap a, ConstMatrixMap b, RowVector& sum_a, RowVector& sum_ab) {
  Eigen::RowVectorXd sa = Eigen::RowVectorXd::Zero(a.cols()), sab = Eigen::RowVectorXd::Zero(a.cols());
  for (Eigen::Index r = 0; r < a.rows(); ++r) {
    sa += a.row(r).cast<double>();
    sab += a.row(r).cast<double>().cwiseProduct(b.row(r).cast<double>());
  }
  sum_a = sa.cast<float>();
  sum_ab = sab.cast<float>();
}

namespace {

// Row-major strides of a shape.
std::vector<long> strides_of(const Shape& s) {
  std::vector<long> st(static_cast<size_t>(s.rank()), 1);
  for (long i = s.rank() - 2; i >= 0; --i) st[size_t(i)] = st[size_t(i + 1)] * s[i + 1];
  return st;
}

// For each element of a tensor of shape `full`, the flat index of the element of a tensor of
// shape `part` that it meets under NumPy broadcasting (part aligned to the right; size-1
// axes repeat). Calls f(full_index, part_index) in order.
template <class F>
void for_each_broadcast(const Shape& full, const Shape& part, const std::string& what, F&& f) {
  const long r = full.rank(), pr = part.rank();
  if (pr > r) throw ShapeError(fmt::format("{} of shape {} does not broadcast to shape {}", what, part, full));
  std::vector<long> pstride(size_t(r), 0);
  const std::vector<long> ps = strides_of(part);
  for (long i = 0; i < pr; ++i) {
    const long axis = r - pr + i;
    if (part[i] == full[axis]) pstride[size_t(axis)] = ps[size_t(i)];
    else if (part[i] != 1)
      throw ShapeError(fmt::format("{} of shape {} does not broadcast to shape {}", what, part, full));
  }
  std::vector<long> idx(size_t(r), 0);
  long p = 0;
  const long n = full.num_elements();
  for (long i = 0; i < n; ++i) {
    f(i, p);
    for (long a = r - 1; a >= 0; --a) {  // odometer increment, carrying the part offset along
      p += pstride[size_t(a)];
      if (++idx[size_t(a)] < full[a]) break;
      p -= pstride[size_t(a)] * full[a];
      idx[size_t(a)] = 0;
    }
  }
}

std::vector<bool> reduced_axes(const Shape& s, const std::vector<long>& axes) {
  std::vector<bool> red(size_t(s.rank()), false);
  for (long a : axes) red[size_t(s.normalize_axis(a))] = true;
  return red;
}

}  // namespace

Moments moments(const Tensor& x, const std::vector<long>& axes, bool keepdims) {
  const Shape& s = x.shape();
  const std::vector<bool> red = reduced_axes(s, axes);
  std::vector<long> kept, keep_dims;
  for (long i = 0; i < s.rank(); ++i) {
    keep_dims.push_back(red[size_t(i)] ? 1 : s[i]);
    if (!red[size_t(i)]) kept.push_back(s[i]);
  }
  const Shape out_shape = keepdims ? Shape(keep_dims) : Shape(kept);
  Moments m{Tensor(out_shape), Tensor(out_shape)};

  const bool all_but_last = s.rank() >= 1 && !red.back() && std::count(red.begin(), red.end(), true) == s.rank() - 1;
  if (all_but_last) {  // the fast path: per-column statistics of the (rows x C) view
    RowVector mean, var;
    column_moments(x.matrix(), mean, var);
    m.mean.row() = mean;
    m.variance.row() = var;
    return m;
  }
  // The general path: accumulate each element into its statistic, in double.
  const Shape stat_shape(keep_dims);
  const long count = std::max<long>(1, s.num_elements() / std::max<long>(1, stat_shape.num_elements()));
  std::vector<double> sum(size_t(stat_shape.num_elements()), 0.0), sq(sum.size(), 0.0);
  for_each_broadcast(s, stat_shape, "moments", [&](long i, long p) { sum[size_t(p)] += x[i]; });
  for (double& v : sum) v /= double(count);
  for_each_broadcast(s, stat_shape, "moments", [&](long i, long p) {
    const double d = x[i] - sum[size_t(p)];
    sq[size_t(p)] += d * d;
  });
  for (size_t j = 0; j < sum.size(); ++j) {
    m.mean[long(j)] = float(sum[j]);
    m.variance[long(j)] = float(sq[j] / double(count));
  }
  return m;
}

// ---- batch_normalization ------------------------------------------------------------------

void batch_normalization(const Tensor& x, const Tensor& mean, const Tensor& variance, const Tensor* offset,
                         const Tensor* scale, float epsilon, Tensor& y) {
  y.resize(x.shape());
  const long C = x.shape().rank() ? x.shape()[-1] : 1;
  auto is_channel_vector = [C](const Tensor* t) {
    return t == nullptr || (t->size() == C && (t->shape().rank() == 1 || t->shape()[-1] == C));
  };
  if (is_channel_vector(&mean) && is_channel_vector(&variance) && is_channel_vector(offset) &&
      is_channel_vector(scale)) {
    // Fast path: y = x * a + b per column, a = scale / sqrt(var + eps), b = offset - mean * a.
    RowVector a = (variance.row().array() + epsilon).rsqrt().matrix();
    if (scale) a = a.cwiseProduct(scale->row());
    RowVector b = -mean.row().cwiseProduct(a);
    if (offset) b += offset->row();
    y.matrix() = (x.matrix().array().rowwise() * a.array()).rowwise() + b.array();
    return;
  }
  // General path: every statistic broadcast element by element.
  const Shape& s = x.shape();
  std::vector<float> mu(size_t(x.size())), inv(size_t(x.size())), sc(size_t(x.size()), 1.f), off(size_t(x.size()), 0.f);
  for_each_broadcast(s, mean.shape(), "mean", [&](long i, long p) { mu[size_t(i)] = mean[p]; });
  for_each_broadcast(s, variance.shape(), "variance",
                     [&](long i, long p) { inv[size_t(i)] = 1.0f / std::sqrt(variance[p] + epsilon); });
  if (scale) for_each_broadcast(s, scale->shape(), "scale", [&](long i, long p) { sc[size_t(i)] = (*scale)[p]; });
  if (offset) for_each_broadcast(s, offset->shape(), "offset", [&](long i, long p) { off[size_t(i)] = (*offset)[p]; });
  for (long i = 0; i < x.size(); ++i) {
    const size_t k = size_t(i);
    y[i] = (x[i] - mu[k]) * inv[k] * sc[k] + off[k];
  }
}

Tensor batch_normalization(const Tensor& x, const Tensor& mean, const Tensor& variance, const Tensor* offset,
                           const Tensor* scale, float epsilon) {
  Tensor y;
  batch_normalization(x, mean, variance, offset, scale, epsilon, y);
  return y;
}

// ---- Size2D, logsumexp ---------------------------------------------------------------------

Size2D::Size2D(long n) : std::array<long, 2>{n, n} {}
Size2D::Size2D(long rows, long cols) : std::array<long, 2>{rows, cols} {}

namespace {
// log sum_j exp(x_j) of one row, in double: m + log sum_j exp(x_j - m), m = max_j x_j.
double row_logsumexp(const Eigen::Ref<const RowVector>& row) {
  const double m = row.size() == 0 ? -std::numeric_limits<double>::infinity() : double(row.maxCoeff());
  if (!std::isfinite(m)) return m;  // an empty row, or a +-inf / NaN maximum: the sum is that maximum
  double sum = 0;
  for (long k = 0; k < row.size(); ++k) sum += std::exp(double(row[k]) - m);
  return m + std::log(std::max(sum, 1.0));  // sum >= 1: the maximum's own term is exp(0); NaN stays NaN
}

void require_axis(const Tensor& x, const char* who) {
  if (x.shape().rank() == 0)
    throw ShapeError(fmt::format("{}: x must have at least one axis, but received a scalar", who));
}
}  // namespace

Tensor logsumexp(const Tensor& x) {
  require_axis(x, "logsumexp");
  const ConstMatrixMap X = x.matrix();  // (rows, C)
  Tensor out(Shape(std::vector<long>(x.shape().dims().begin(), x.shape().dims().end() - 1)));
  for (long r = 0; r < X.rows(); ++r) out[r] = float(row_logsumexp(X.row(r)));
  return out;
}

Tensor log_softmax(const Tensor& x) {
  require_axis(x, "log_softmax");
  Tensor y(x.shape());
  const ConstMatrixMap X = x.matrix();
  MatrixMap Y = y.matrix();
  for (long r = 0; r < X.rows(); ++r) {
    const double lse = row_logsumexp(X.row(r));
    for (long k = 0; k < X.cols(); ++k) Y(r, k) = float(double(X(r, k)) - lse);
  }
  return y;
}

}  // namespace minnow

namespace minnow {

void channel_sums(const Tensor& a, const Tensor& b, long axis, RowVector& sum_a, RowVector& sum_ab) {
  const Shape& s = a.shape();
  const long ax = s.normalize_axis(axis);
  if (ax == s.rank() - 1) return column_sums(a.matrix(), b.matrix(), sum_a, sum_ab);
  // General axis: the data is (outer, C, inner) and element i belongs to channel (i / inner) % C.
  const long C = s[ax], inner = s.num_elements_from(ax + 1);
  std::vector<double> sa(size_t(C), 0.0), sab(size_t(C), 0.0);
  for (long i = 0; i < a.size(); ++i) {
    const size_t c = size_t((i / inner) % C);
    sa[c] += a[i];
    sab[c] += double(a[i]) * double(b[i]);
  }
  sum_a.resize(C);
  sum_ab.resize(C);
  for (long c = 0; c < C; ++c) sum_a[c] = float(sa[size_t(c)]), sum_ab[c] = float(sab[size_t(c)]);
}

}  // namespace minnow
