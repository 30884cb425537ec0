#include "core/kernels/convolution.h"

#include <vector>

#include "core/kernels/column_ops.h"

namespace minnow {

namespace {

// The weight gradient is summed over at most this many groups of chunks, whatever the threads.
constexpr long kGroups = 16;

bool is_pointwise(const WindowGeometry& g) { return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1; }

}  // namespace

long conv2d_chunk_rows(long patch) { return std::max<long>(16, 65536 / patch / 16 * 16); }

ConstMatrixMap conv2d_patches(const float* x, const WindowGeometry& g, long r0, long r1, float* scratch) {
  if (is_pointwise(g)) return {x + r0 * g.C, r1 - r0, g.C};
  im2col(x, g, scratch, r0, r1);
  return {scratch, r1 - r0, g.KH * g.KW * g.C};
}

void conv2d_weight_gradient(const float* x, const WindowGeometry& g, ConstMatrixMap dZ, float* dK, float* db) {
  if (dK == nullptr && db == nullptr) return;
  const long rows = dZ.rows(), F = dZ.cols(), patch = g.KH * g.KW * g.C;
  const long chunk = conv2d_chunk_rows(patch), chunks = (rows + chunk - 1) / chunk, groups = std::min(kGroups, chunks);
  const long part = patch * F + F;  // one group's dK and db
  // std::vector keeps its capacity when it shrinks: convolutions of several sizes reallocate nothing.
  thread_local std::vector<float> partials, sums;
  partials.resize(size_t(groups * part));
  sums.assign(size_t(part), 0.0f);
  float* P = partials.data();
  parallel_for_scratch(groups, threads_for_macs(rows * patch * F), chunk * patch, [&](long gi, float* scratch) {
    MatrixMap dK_g(P + gi * part, patch, F);
    RowVectorMap db_g(P + gi * part + patch * F, F);
    dK_g.setZero(), db_g.setZero();
    for (long i = gi * chunks / groups; i < (gi + 1) * chunks / groups; ++i) {
      const long r0 = i * chunk, r1 = std::min(rows, r0 + chunk);
      const ConstMatrixMap dZ_c(dZ.data() + r0 * F, r1 - r0, F);
      gemm(conv2d_patches(x, g, r0, r1, scratch), Op::Transpose, dZ_c, Op::None, dK_g, /*accumulate=*/true, 1);
      add_rows(dZ_c, db_g);
    }
  });
  add_rows(ConstMatrixMap(P, groups, part), RowVectorMap(sums.data(), part));  // the groups in order
  if (dK) std::copy(sums.data(), sums.data() + patch * F, dK);
  if (db) std::copy(sums.data() + patch * F, sums.data() + part, db);
}

void conv2d_input_gradient(ConstMatrixMap dZ, const WindowGeometry& g, ConstMatrixMap K, float* dx) {
  const long patch = K.rows(), F = K.cols(), pixels = g.OH * g.OW, image = g.H * g.W * g.C;
  if (is_pointwise(g)) return gemm(dZ, Op::None, K, Op::Transpose, MatrixMap(dx, g.N * pixels, g.C));
  const long chunk = conv2d_chunk_rows(patch);
  parallel_for_scratch(g.N, threads_for_macs(g.N * pixels * patch * F), chunk * patch, [&](long n, float* dX) {
    std::fill(dx + n * image, dx + (n + 1) * image, 0.0f);
    for (long r0 = n * pixels; r0 < (n + 1) * pixels; r0 += chunk) {
      const long r1 = std::min((n + 1) * pixels, r0 + chunk);
      gemm(ConstMatrixMap(dZ.data() + r0 * F, r1 - r0, F), Op::None, K, Op::Transpose, MatrixMap(dX, r1 - r0, patch),
           false, 1);
      col2im_add(dX, g, dx, r0, r1);
    }
  });
}

void conv2d_input_gradient_turned(ConstMatrixMap dZ, const WindowGeometry& g, ConstMatrixMap K, float* dx) {
  const long F = K.cols(), C = g.C, patch = g.KH * g.KW * F, rows = g.N * g.H * g.W;
  WindowGeometry t = g;  // the turned convolution: input dZ, output dx
  t.H = g.OH, t.W = g.OW, t.C = F, t.OH = g.H, t.OW = g.W;
  t.pad_top = g.KH - 1 - g.pad_top, t.pad_left = g.KW - 1 - g.pad_left;
  thread_local std::vector<float> turned;  // K' (KH*KW*F, C); a vector keeps its capacity
  turned.resize(size_t(patch * C));
  MatrixMap Kt(turned.data(), patch, C);  // a view: the threads share the calling thread's K'
  for (long kh = 0; kh < g.KH; ++kh)
    for (long kw = 0; kw < g.KW; ++kw)
      for (long c = 0; c < C; ++c)
        for (long f = 0; f < F; ++f)
          Kt((kh * g.KW + kw) * F + f, c) = K(((g.KH - 1 - kh) * g.KW + (g.KW - 1 - kw)) * C + c, f);
  const long chunk = conv2d_chunk_rows(patch), chunks = (rows + chunk - 1) / chunk;
  parallel_for_scratch(chunks, threads_for_macs(rows * patch * C), chunk * patch, [&](long i, float* X) {
    const long r0 = i * chunk, r1 = std::min(rows, r0 + chunk);
    im2col(dZ.data(), t, X, r0, r1);
    gemm(ConstMatrixMap(X, r1 - r0, patch), Op::None, ConstMatrixMap(Kt.data(), patch, C), Op::None,
         MatrixMap(dx + r0 * C, r1 - r0, C), false, 1);
  });
}

}  // namespace minnow
