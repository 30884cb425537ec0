// The passes of a 2-D convolution as matrix products over chunks of im2col rows: what Conv2D
// (layers/conv2d.h, whose equation tags these carry) calls. Shapes as there: x (N, H, W, C),
// K (KH*KW*C, F), dZ and y (N*OH*OW, F), X = im2col(x) (N*OH*OW, KH*KW*C).
//
//   conv2d_forward                 (F1)-(F2)  Z = X K, then epilogue(Z's rows) (bias, activation)
//   conv2d_weight_gradient         (B2)-(B3)  dK = X^T dZ,  db = column sums of dZ
//   conv2d_input_gradient          (B4)-(B5)  dx = col2im(dZ K^T)
//   conv2d_input_gradient_turned   (B4')      the same for stride 1, as one convolution of dZ
//
// X is (KH*KW) times larger than x, so it is never stored whole: each pass takes it in chunks of
// rows small enough to stay in cache (a 1x1 kernel with stride 1 needs no im2col at all: X is x).
// The chunks run on all threads, each thread im2col'ing into its own scratch (parallel_for_scratch).
// The weight gradient sums at most 16 groups of chunks, a number fixed whatever the threads, and
// adds the groups' partial sums in order: it does not depend on the number of threads.
#pragma once

#include <algorithm>

#include "core/kernels/gemm.h"
#include "core/kernels/im2col.h"
#include "core/kernels/matrix.h"
#include "core/kernels/threading.h"

namespace minnow {

// Rows of X per chunk: about 64K floats (256 KB), so a chunk and its rows of Z stay in cache.
long conv2d_chunk_rows(long patch);

// Rows [r0, r1) of X = im2col(x): a view of x itself for a 1x1 kernel with stride 1, else
// im2col'ed into scratch ((r1 - r0) * KH*KW*C floats).
ConstMatrixMap conv2d_patches(const float* x, const WindowGeometry& g, long r0, long r1, float* scratch);

// (F1)-(F2): y = X K chunk by chunk, calling epilogue(Z) on each chunk's rows Z (a MatrixMap of
// y) while they are in cache. epilogue runs on several threads at once, on disjoint rows.
template <class Epilogue>
void conv2d_forward(const float* x, const WindowGeometry& g, ConstMatrixMap K, float* y, Epilogue&& epilogue) {
  const long rows = g.N * g.OH * g.OW, patch = K.rows(), F = K.cols();
  const long chunk = conv2d_chunk_rows(patch), chunks = (rows + chunk - 1) / chunk;
  parallel_for_scratch(chunks, threads_for_macs(rows * patch * F), chunk * patch, [&](long i, float* scratch) {
    const long r0 = i * chunk, r1 = std::min(rows, r0 + chunk);
    MatrixMap Z(y + r0 * F, r1 - r0, F);
    gemm(conv2d_patches(x, g, r0, r1, scratch), Op::None, K, Op::None, Z, false, 1);
    epilogue(Z);
  });
}

// (B2)-(B3): dK = X^T dZ into dK (KH*KW*C x F floats) and db = column sums of dZ into db (F);
// either may be nullptr (not wanted). dZ is (N*OH*OW, F).
void conv2d_weight_gradient(const float* x, const WindowGeometry& g, ConstMatrixMap dZ, float* dK, float* db);

// (B4)-(B5): dx = col2im(dZ K^T), dx (N, H, W, C) overwritten; one image per thread at a time, so
// that overlapping windows never add into dx concurrently. For a 1x1 kernel with stride 1 it is
// the one product dx = dZ K^T.
void conv2d_input_gradient(ConstMatrixMap dZ, const WindowGeometry& g, ConstMatrixMap K, float* dx);

// (B4') for stride 1: dx = im2col'(dZ) K', the convolution of dZ (N, OH, OW, F) with the kernel
// turned by 180 degrees and its channel axes swapped, K'[kh, kw, f, c] = K[KH-1-kh, KW-1-kw, c, f],
// padded by KH-1-pad_top rows above and KW-1-pad_left columns left so that it is (N, H, W, C).
// Written straight into dx in chunks: no col2im, no overlapping writes.
void conv2d_input_gradient_turned(ConstMatrixMap dZ, const WindowGeometry& g, ConstMatrixMap K, float* dx);

}  // namespace minnow
