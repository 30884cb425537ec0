#include "core/kernels/gemm.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kernels/threading.h"

namespace minnow {

namespace {

using Index = Eigen::Index;
namespace ei = Eigen::internal;
using Traits = ei::gebp_traits<float, float>;
using Buffer = std::vector<float, Eigen::aligned_allocator<float>>;

// Below this many multiply-adds a product stays on one thread.
constexpr double kParallelMinMacs = double(1 << 23);
// A product whose output is too small to split is split along k into this many parts at most,
// each at least kMinDepthPart deep. The count depends on k only, never on the thread count.
constexpr Index kMaxDepthParts = 8;
constexpr Index kMinDepthPart = 2048;
// C with fewer columns than this (and many rows) is computed column-major, then transposed.
constexpr Index kFewColumns = 8;

void grow(Buffer& b, Index n) {
  if (Index(b.size()) < n) b.resize(size_t(n));
}

// Eigen's packing buffers for one thread, kept from one product to the next.
class Blocking : public ei::level3_blocking<float, float> {
 public:
  void prepare(Index kc, Index mc, Index nc) {
    m_kc = kc, m_mc = mc, m_nc = nc;
    grow(a_, kc * mc);
    grow(b_, kc * nc);
    m_blockA = a_.data();
    m_blockB = b_.data();
  }

 private:
  Buffer a_, b_;
};

Blocking& thread_blocking() {
  thread_local Blocking blocking;
  return blocking;
}

Buffer& thread_partials() {
  thread_local Buffer partials;
  return partials;
}

// An operand of the column-major product C' = L R that gemm computes (C' = C^T).
struct Operand {
  const float* data;
  Index stride;
  bool row_major;
  const float* at(Index r, Index c) const { return row_major ? data + r * stride + c : data + c * stride + r; }
};

template <int LhsOrder, int RhsOrder>
void kernel(Index rows, Index cols, Index depth, const Operand& l, const Operand& r, float* c, Index ldc, Index kc) {
  Index k = kc, m = rows, n = cols;  // kc: the depth blocking of the whole product, so that every
  ei::computeProductBlockingSizes<float, float, 1, Index>(k, m, n, 1);  // part sums over k in the same blocks
  Blocking& blocking = thread_blocking();
  blocking.prepare(kc, m, n);
  ei::general_matrix_matrix_product<Index, float, LhsOrder, false, float, RhsOrder, false, Eigen::ColMajor, 1>::run(
      rows, cols, depth, l.data, l.stride, r.data, r.stride, c, 1, ldc, 1.0f, blocking, nullptr);
}

// C'(rows x cols, column-major, leading dimension ldc) += L(rows x depth) R(depth x cols), on this thread.
void product(Index rows, Index cols, Index depth, const Operand& l, const Operand& r, float* c, Index ldc, Index kc) {
  if (rows == 0 || cols == 0 || depth == 0) return;
  constexpr int RM = Eigen::RowMajor, CM = Eigen::ColMajor;
  if (l.row_major && r.row_major) kernel<RM, RM>(rows, cols, depth, l, r, c, ldc, kc);
  else if (l.row_major) kernel<RM, CM>(rows, cols, depth, l, r, c, ldc, kc);
  else if (r.row_major) kernel<CM, RM>(rows, cols, depth, l, r, c, ldc, kc);
  else kernel<CM, CM>(rows, cols, depth, l, r, c, ldc, kc);
}

// Zeroes rows [r0, r1) of columns [c0, c1) of a column-major matrix.
void zero(float* c, Index ldc, Index r0, Index r1, Index c0, Index c1) {
  for (Index j = c0; j < c1; ++j) std::fill(c + j * ldc + r0, c + j * ldc + r1, 0.0f);
}

// [begin, end) of part i when n is cut into parts of `chunk`.
std::pair<Index, Index> part(Index i, Index chunk, Index n) {
  return {std::min(n, i * chunk), std::min(n, (i + 1) * chunk)};
}

Index round_up(Index x, Index m) { return (x + m - 1) / m * m; }

// C (m x n) = A^T B for A (k x m), B (k x n), all row-major, when k and n are small and m is
// large (Dense's dW = x^T dz over a wide input): Eigen's kernel would run with only n rows in its
// vector direction. Here blocks of 64 columns of A are the vector direction instead: each block
// of C is sum_r A[r, i0:i0+64]^T B[r, :], built in a small column-major tile, then transposed out.
constexpr Index kTile = 64, kWideColumns = 16;
// NOLINTNEXTLINE(readability-non-const-parameter): C is written, inside the parallel lambda
void wide_at_b(const float* A, const float* B, float* C, Index m, Index n, Index k, bool accumulate) {
  const Index blocks = (m + kTile - 1) / kTile;
  parallel_for(blocks, threads_for(m * (n + k)), [&](Index blk) {
    const Index i0 = blk * kTile, w = std::min(kTile, m - i0);
    alignas(64) float tile[kWideColumns * kTile];  // tile[j * kTile + i] = C(i0 + i, j)
    std::fill(tile, tile + n * kTile, 0.0f);
    for (Index r = 0; r < k; ++r) {
      const float* a = A + r * m + i0;
      for (Index j = 0; j < n; ++j) {
        const float b = B[r * n + j];
        float* t = tile + j * kTile;
        for (Index i = 0; i < w; ++i) t[i] += a[i] * b;
      }
    }
    for (Index i = 0; i < w; ++i)
      for (Index j = 0; j < n; ++j) {
        float& c = C[(i0 + i) * n + j];
        c = accumulate ? c + tile[j * kTile + i] : tile[j * kTile + i];
      }
  });
}

// The three ways gemm splits a product between T threads. A, B are op(A) (m x k), op(B) (k x n)
// given as operands; l = op(B)^T (n x k) and r = op(A)^T (k x m) are the factors of C' = C^T, whose
// column-major storage is C's row-major storage (c, m x n, leading dimension n).

// Very few columns in C: Eigen's kernel vectorizes along the rows of the column-major result, so
// compute C itself column-major (rows m) into a per-thread buffer and transpose it into place.
void gemm_few_columns(const Operand& p, const Operand& q, float* c, Index m, Index n, Index k, bool accumulate, int T) {
  Index pk = k, pm = m, pn = n;
  ei::computeProductBlockingSizes<float, float, 1, Index>(pk, pm, pn, 1);
  const Index mr = Traits::mr;
  const Index parts = T > 1 && m >= 2 * mr * T ? T : 1;
  const Index chunk = round_up((m + parts - 1) / parts, mr);
  parallel_for(parts, T, [&](Index i) {
    const auto [r0, r1] = part(i, chunk, m);
    Buffer& d = thread_partials();
    grow(d, (r1 - r0) * n);
    std::fill(d.begin(), d.begin() + (r1 - r0) * n, 0.0f);
    product(r1 - r0, n, k, {p.at(r0, 0), p.stride, p.row_major}, q, d.data(), r1 - r0, pk);
    for (Index row = r0; row < r1; ++row)
      for (Index j = 0; j < n; ++j) {
        const float v = d[size_t(j * (r1 - r0) + row - r0)];
        c[row * n + j] = accumulate ? c[row * n + j] + v : v;
      }
  });
}

// The usual case: C' (rows x cols) cut into blocks of rows or of columns, one per thread.
void gemm_split_output(const Operand& l, const Operand& r, float* c, Index rows, Index cols, Index k, Index kc,
                       bool accumulate, int T) {
  const Index mr = Traits::mr, nr = Traits::nr, ldc = rows;
  const bool split_rows = T > 1 && rows >= cols && rows >= 2 * mr * T;  // C' rows = C's columns
  const bool split_cols = T > 1 && !split_rows && cols >= 2 * nr * T;   // C' columns = C's rows
  const Index parts = split_rows || split_cols ? T : 1;
  const Index chunk = split_rows ? round_up((rows + T - 1) / T, mr) : round_up((cols + parts - 1) / parts, nr);
  parallel_for(parts, T, [&](Index p) {
    const auto [r0, r1] = split_rows ? part(p, chunk, rows) : std::pair<Index, Index>{0, rows};
    const auto [c0, c1] = split_rows ? std::pair<Index, Index>{0, cols} : part(p, chunk, cols);
    if (!accumulate) zero(c, ldc, r0, r1, c0, c1);
    product(r1 - r0, c1 - c0, k, {l.at(r0, 0), l.stride, l.row_major}, {r.at(0, c0), r.stride, r.row_major},
            c + c0 * ldc + r0, ldc, kc);
  });
}

// A small C with a long k: fixed parts of k (their number depends on the shape only) into partial
// products, added in order, so the result does not depend on T.
void gemm_split_depth(const Operand& l, const Operand& r, float* c, Index rows, Index cols, Index k, Index kc,
                      bool accumulate, int T) {
  const Index parts = std::clamp<Index>(k / kMinDepthPart, 1, kMaxDepthParts);
  const Index chunk = round_up((k + parts - 1) / parts, 16), size = rows * cols;
  Buffer& partials = thread_partials();
  grow(partials, parts * size);
  float* P = partials.data();
  parallel_for(parts, T, [&](Index p) {
    const auto [k0, k1] = part(p, chunk, k);
    std::fill(P + p * size, P + (p + 1) * size, 0.0f);
    product(rows, cols, k1 - k0, {l.at(0, k0), l.stride, l.row_major}, {r.at(k0, 0), r.stride, r.row_major},
            P + p * size, rows, kc);
  });
  for (Index p = 1; p < parts; ++p)
    for (Index i = 0; i < size; ++i) P[i] += P[p * size + i];
  for (Index i = 0; i < size; ++i) c[i] = accumulate ? c[i] + P[i] : P[i];
}

}  // namespace

void gemm(ConstMatrixMap A, Op op_a, ConstMatrixMap B, Op op_b, MatrixMap C, bool accumulate, int threads) {
  const Index m = C.rows(), n = C.cols();
  const Index k = op_a == Op::None ? A.cols() : A.rows();
  const Index a_rows = op_a == Op::None ? A.rows() : A.cols();
  const Index b_rows = op_b == Op::None ? B.rows() : B.cols(), b_cols = op_b == Op::None ? B.cols() : B.rows();
  if (a_rows != m || b_rows != k || b_cols != n)
    throw ShapeError(fmt::format("gemm: op(A) is {}x{}, op(B) is {}x{} and C is {}x{}; they do not multiply", a_rows, k,
                                 b_rows, b_cols, m, n));
  // Eigen's kernel writes column-major results: compute C' = C^T (n x m) = op(B)^T op(A)^T, whose
  // column-major storage is C's row-major storage.
  const Operand l{B.data(), B.cols(), op_b == Op::Transpose};  // op(B)^T (n x k)
  const Operand r{A.data(), A.cols(), op_a == Op::Transpose};  // op(A)^T (k x m)
  const Index rows = n, cols = m;
  Index kc = k, mc = rows, nc = cols;
  ei::computeProductBlockingSizes<float, float, 1, Index>(kc, mc, nc, 1);

  const Index mr = Traits::mr, nr = Traits::nr;
  const double macs = double(m) * double(n) * double(k);
  const bool split_depth = macs >= kParallelMinMacs && k >= 2 * kMinDepthPart && rows < 4 * mr && cols < 4 * nr;
  int T = threads > 0 ? threads : num_threads();
  if (macs < kParallelMinMacs || omp_in_parallel()) T = 1;
  if (op_a == Op::Transpose && op_b == Op::None && n <= kWideColumns && k <= 64 && m >= 16 * kTile)
    return wide_at_b(A.data(), B.data(), C.data(), m, n, k, accumulate);
  if (split_depth) return gemm_split_depth(l, r, C.data(), rows, cols, k, kc, accumulate, T);
  if (n < kFewColumns && m >= 2 * mr) {
    const Operand p{A.data(), A.cols(), op_a == Op::None};  // op(A) (m x k)
    const Operand q{B.data(), B.cols(), op_b == Op::None};  // op(B) (k x n)
    return gemm_few_columns(p, q, C.data(), m, n, k, accumulate, T);
  }
  gemm_split_output(l, r, C.data(), rows, cols, k, kc, accumulate, T);
}

void gemm_reference(ConstMatrixMap A, Op op_a, ConstMatrixMap B, Op op_b, MatrixMap C, bool accumulate) {
  const bool ta = op_a == Op::Transpose, tb = op_b == Op::Transpose;
  Matrix product;
  if (!ta && !tb) product = A * B;
  else if (!ta) product = A * B.transpose();
  else if (!tb) product = A.transpose() * B;
  else product = A.transpose() * B.transpose();
  if (accumulate) C += product;
  else C = product;
}

}  // namespace minnow
