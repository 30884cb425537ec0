#include "core/kernels/column_ops.h"

#include <algorithm>
#include <vector>

#include "core/kernels/threading.h"

namespace minnow {

namespace {

// How the fast kernels walk an (rows x C) matrix: in blocks of rows (each block a multiple of k
// rows but the last), and inside a block in "wide rows" of k rows, W = k*C consecutive values.
// Everything here depends on rows and C only, never on the number of threads.
struct Walk {
  long rows, C, k, W, block_rows, blocks;
  Walk(long rows_, long C_) : rows(rows_), C(std::max<long>(C_, 1)) {
    k = std::max<long>(1, 64 / C);
    W = k * C;
    block_rows = k * std::max<long>(1, 16384 / W);
    blocks = std::max<long>(1, (rows + block_rows - 1) / block_rows);
  }
  long begin(long b) const { return b * block_rows; }
  long end(long b) const { return std::min(rows, (b + 1) * block_rows); }
};

// f(b, r0, r1, width) for each stretch of rows [r0, r1) of block b that is walked `width` values at
// a time: the wide rows (width W), then the block's leftover rows one by one (width C).
template <class F>
void for_each_stretch(const Walk& w, F&& f) {
  const int T = threads_for(w.rows * w.C);
  parallel_for(w.blocks, T, [&](long b) {
    const long r0 = w.begin(b), r1 = w.end(b), wide_end = r0 + (r1 - r0) / w.k * w.k;
    f(b, r0, wide_end, w.W, w.k);
    f(b, wide_end, r1, w.C, 1);
  });
}

// A per-column vector repeated k times (W values) into `out`; returns out's data.
template <class T, class V>
const T* tile(const V& v, long k, std::vector<T>& out) {
  const long C = v.size();
  out.resize(size_t(k * C));
  for (long i = 0; i < k * C; ++i) out[size_t(i)] = T(v[i % C]);
  return out.data();
}

// Column c's total of the blocks' partial sums (W values each, `stride` apart), added in order.
double fold(const double* partial, const Walk& w, long stride, long c) {
  double s = 0;
  for (long b = 0; b < w.blocks; ++b)
    for (long i = 0; i < w.k; ++i) s += partial[b * stride + i * w.C + c];
  return s;
}

}  // namespace

void add_rows(ConstMatrixMap m, RowVectorMap sum) {
  for (long r = 0; r < m.rows(); ++r) sum += m.row(r);
}

// ---- (F1) --------------------------------------------------------------------------------------

void column_moments(ConstMatrixMap x, RowVector& mean, RowVector& variance) {
  const long rows = x.rows(), C = x.cols();
  mean.setZero(C), variance.setZero(C);
  if (rows == 0 || C == 0) return;
  const Walk w(rows, C);
  thread_local std::vector<double> partial, shift_tiled;
  partial.assign(size_t(w.blocks * 2 * w.W), 0.0);
  double* P = partial.data();
  const double* shift = tile<double>(x.row(0), w.k, shift_tiled);
  const float* X = x.data();
  for_each_stretch(w, [&](long b, long r0, long r1, long width, long step) {
    double *s1 = P + b * 2 * w.W, *s2 = s1 + w.W;
    for (long r = r0; r < r1; r += step)
      for (long j = 0; j < width; ++j) {
        const double d = double(X[r * C + j]) - shift[j];
        s1[j] += d, s2[j] += d * d;
      }
  });
  for (long c = 0; c < C; ++c) {
    const double d = fold(P, w, 2 * w.W, c) / double(rows);         // mean of x - shift
    const double sq = fold(P + w.W, w, 2 * w.W, c) / double(rows);  // mean of its square
    mean[c] = float(double(x(0, c)) + d);
    variance[c] = float(std::max(0.0, sq - d * d));
  }
}

void column_moments_reference(ConstMatrixMap x, RowVector& mean, RowVector& variance) {
  const long rows = x.rows(), C = x.cols();
  mean.setZero(C), variance.setZero(C);
  for (long c = 0; c < C; ++c) {
    double s = 0, sq = 0;
    for (long r = 0; r < rows; ++r) s += x(r, c);
    const double mu = s / double(std::max<long>(rows, 1));
    for (long r = 0; r < rows; ++r) sq += (x(r, c) - mu) * (x(r, c) - mu);
    mean[c] = float(mu), variance[c] = float(sq / double(std::max<long>(rows, 1)));
  }
}

// ---- (F2)-(F3) ---------------------------------------------------------------------------------

void normalize_columns(ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std, const RowVector& gamma,
                       const RowVector& beta, MatrixMap y) {
  const long C = x.cols();
  const Walk w(x.rows(), C);
  // y = x * a + b with a = gamma * inv_std, b = beta - mean * a: one multiply-add per value.
  thread_local std::vector<float> a_tiled, b_tiled;
  const auto a = gamma.cwiseProduct(inv_std);  // (C,)
  const float* A = tile<float>(a, w.k, a_tiled);
  const float* B = tile<float>(beta - mean.cwiseProduct(a), w.k, b_tiled);
  const float* X = x.data();
  float* Y = y.data();
  for_each_stretch(w, [&](long, long r0, long r1, long width, long step) {
    for (long r = r0; r < r1; r += step)
      for (long j = 0; j < width; ++j) Y[r * C + j] = X[r * C + j] * A[j] + B[j];
  });
}

void normalize_columns_reference(ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std,
                                 const RowVector& gamma, const RowVector& beta, MatrixMap y) {
  for (long r = 0; r < x.rows(); ++r)
    for (long c = 0; c < x.cols(); ++c) y(r, c) = (x(r, c) - mean[c]) * inv_std[c] * gamma[c] + beta[c];
}

// ---- (B1)-(B2) ---------------------------------------------------------------------------------

void batch_norm_sums(ConstMatrixMap dy, ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std,
                     RowVector& sum_dy, RowVector& sum_dy_xhat) {
  const long rows = x.rows(), C = x.cols();
  const Walk w(rows, C);
  thread_local std::vector<double> partial, mean_tiled;
  partial.assign(size_t(w.blocks * 2 * w.W), 0.0);
  double* P = partial.data();
  const double* M = tile<double>(mean, w.k, mean_tiled);
  const float *X = x.data(), *D = dy.data();
  for_each_stretch(w, [&](long b, long r0, long r1, long width, long step) {
    double *s1 = P + b * 2 * w.W, *s2 = s1 + w.W;
    for (long r = r0; r < r1; r += step)
      for (long j = 0; j < width; ++j) {
        const double d = D[r * C + j];
        s1[j] += d, s2[j] += d * (double(X[r * C + j]) - M[j]);
      }
  });
  sum_dy.resize(C), sum_dy_xhat.resize(C);
  for (long c = 0; c < C; ++c) {
    sum_dy[c] = float(fold(P, w, 2 * w.W, c));
    sum_dy_xhat[c] = float(fold(P + w.W, w, 2 * w.W, c) * inv_std[c]);  // x_hat = (x - mean) * inv_std
  }
}

void batch_norm_sums_reference(ConstMatrixMap dy, ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std,
                               RowVector& sum_dy, RowVector& sum_dy_xhat) {
  sum_dy.setZero(x.cols()), sum_dy_xhat.setZero(x.cols());
  for (long c = 0; c < x.cols(); ++c) {
    double s = 0, sx = 0;
    for (long r = 0; r < x.rows(); ++r) s += dy(r, c), sx += double(dy(r, c)) * (x(r, c) - mean[c]) * inv_std[c];
    sum_dy[c] = float(s), sum_dy_xhat[c] = float(sx);
  }
}

// ---- (B3) --------------------------------------------------------------------------------------

void batch_norm_input_gradient(ConstMatrixMap dy, ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std,
                               const RowVector& scale, const RowVector& sum_dy, const RowVector& sum_dy_xhat, float m,
                               MatrixMap dx) {
  const long C = x.cols();
  const Walk w(x.rows(), C);
  // dx = scale * (m dy - sum_dy - (x - mean) inv_std sum_dy_xhat) = p dy + q x + o per column.
  thread_local std::vector<float> p_tiled, q_tiled, o_tiled;
  const auto q = -scale.cwiseProduct(inv_std).cwiseProduct(sum_dy_xhat);
  const float* Pm = tile<float>(scale * m, w.k, p_tiled);
  const float* Q = tile<float>(q, w.k, q_tiled);
  const float* O = tile<float>(-scale.cwiseProduct(sum_dy) - mean.cwiseProduct(q), w.k, o_tiled);
  const float *X = x.data(), *D = dy.data();
  float* DX = dx.data();
  for_each_stretch(w, [&](long, long r0, long r1, long width, long step) {
    for (long r = r0; r < r1; r += step)
      for (long j = 0; j < width; ++j) DX[r * C + j] = Pm[j] * D[r * C + j] + Q[j] * X[r * C + j] + O[j];
  });
}

void batch_norm_input_gradient_reference(ConstMatrixMap dy, ConstMatrixMap x, const RowVector& mean,
                                         const RowVector& inv_std, const RowVector& scale, const RowVector& sum_dy,
                                         const RowVector& sum_dy_xhat, float m, MatrixMap dx) {
  for (long r = 0; r < x.rows(); ++r)
    for (long c = 0; c < x.cols(); ++c) {
      const float x_hat = (x(r, c) - mean[c]) * inv_std[c];
      dx(r, c) = scale[c] * (m * dy(r, c) - sum_dy[c] - x_hat * sum_dy_xhat[c]);
    }
}

}  // namespace minnow
