#include "core/ops.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.h"
#include "core/kernels/column_ops.h"
#include "core/reduce.h"

namespace minnow {

// ---- moments ------------------------------------------------------------------------------

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

// ---- batch_normalization_gradient -----------------------------------------------------------

namespace {

// Statistics per channel of the last axis, gamma and beta too: the (rows x C) matrix view.
bool channel_last(const Shape& s, const NormalizationAxes& a) {
  const long r = s.rank();
  if (r < 2 || a.param_axes.size() != 1 || a.param_axes[0] != r - 1 || long(a.axes.size()) != r - 1) return false;
  for (long i = 0; i < r - 1; ++i)
    if (a.axes[size_t(i)] != i) return false;
  return true;
}

// The channel-last path on column_ops' fused kernels: (B1)-(B2) in one pass, then dx in one more.
void channel_last_gradient(const Tensor& dy, const Tensor& x, const Tensor& mean, const Tensor& inv_std,
                           const Tensor* gamma, bool through, const NormalizationGradients& out) {
  const long C = x.shape()[-1], rows = x.size() / std::max<long>(C, 1);
  // Per-channel scratch, one set per channel count: layers of different widths each find theirs
  // at its size, so a steady state allocates nothing.
  thread_local std::map<long, std::array<RowVector, 5>> scratch;
  auto& [mu, k, scale, sum_dy, sum_dy_xhat] = scratch[C];
  mu = mean.row(), k = inv_std.row();
  batch_norm_sums(dy.matrix(), x.matrix(), mu, k, sum_dy, sum_dy_xhat);
  if (out.dbeta) out.dbeta->row() = sum_dy;         // sum dy
  if (out.dgamma) out.dgamma->row() = sum_dy_xhat;  // sum dy x_hat
  if (!out.dx) return;
  // dx = gamma k / m (m dy - sum dy - x_hat sum dy x_hat); held statistics: m = 1, both sums 0.
  const float m = through ? float(rows) : 1.0f;
  if (gamma) scale = gamma->row().cwiseProduct(k) / m;
  else scale = k / m;
  if (!through) sum_dy.setZero(C), sum_dy_xhat.setZero(C);
  batch_norm_input_gradient(dy.matrix(), x.matrix(), mu, k, scale, sum_dy, sum_dy_xhat, m,
                            MatrixMap(out.dx->data(), rows, C));
}

std::vector<long> other_axes(long rank, const std::vector<long>& axes) {
  std::vector<long> rest;
  for (long a = 0; a < rank; ++a)
    if (!std::binary_search(axes.begin(), axes.end(), a)) rest.push_back(a);
  return rest;
}

}  // namespace

void batch_normalization_gradient(const Tensor& dy, const Tensor& x, const Tensor& mean, const Tensor& inv_std,
                                  const Tensor* gamma, const NormalizationAxes& axes,
                                  const NormalizationGradients& out) {
  const Shape& s = x.shape();
  if (channel_last(s, axes)) return channel_last_gradient(dy, x, mean, inv_std, gamma, axes.through_statistics, out);
  const Tensor k = broadcast_to(inv_std, s);
  Tensor x_hat(s), dy_xhat(s);
  x_hat.row() = (x.row() - broadcast_to(mean, s).row()).cwiseProduct(k.row());
  dy_xhat.row() = dy.row().cwiseProduct(x_hat.row());
  const std::vector<long> rest = other_axes(s.rank(), axes.param_axes);
  if (out.dbeta) out.dbeta->row() = reduce_sum(dy, rest).row();         // sum dy
  if (out.dgamma) out.dgamma->row() = reduce_sum(dy_xhat, rest).row();  // sum dy x_hat
  if (!out.dx) return;
  Tensor g = dy;  // g = gamma dy
  if (gamma) g.row() = g.row().cwiseProduct(broadcast_to(*gamma, s).row());
  if (!axes.through_statistics) {
    out.dx->row() = k.row().cwiseProduct(g.row());
    return;
  }
  Tensor g_xhat(s);
  g_xhat.row() = g.row().cwiseProduct(x_hat.row());
  const float m = float(x.size() / std::max<long>(mean.size(), 1));
  const Tensor sum_g = broadcast_to(reduce_sum(g, axes.axes, true), s);
  const Tensor sum_g_xhat = broadcast_to(reduce_sum(g_xhat, axes.axes, true), s);
  out.dx->row() = (k.row().array() / m *
                   (m * g.row().array() - sum_g.row().array() - x_hat.row().array() * sum_g_xhat.row().array()))
                      .matrix();
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
