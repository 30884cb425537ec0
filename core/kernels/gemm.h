// gemm: the matrix product behind Dense and Conv2D, C = op(A) op(B) or C += op(A) op(B), where
// op(M) is M or its transpose and every matrix is row-major (core/tensor.h).
//
// gemm_reference is the plain Eigen expression: read it to know what gemm computes. gemm computes
// the same product with Eigen's own blocked kernel (general_matrix_matrix_product, the code behind
// `C.noalias() = A * B`), called so that:
//   - its packing buffers persist per thread: a steady-state training step allocates nothing
//     (Eigen's expression allocates them on every product larger than 128 KB);
//   - minnow chooses how to split the work between threads: along the longer side of C when it
//     is long enough (each element of C is then still one uninterrupted sum over k), otherwise
//     along k in a fixed number of parts added in a fixed order. Split points fall on the kernel's
//     register-block boundaries and the cache blocking along k is the one of the whole product,
//     so the result is bit-identical for any number of threads (tested).
// tests/core/kernels/gemm_test.cpp checks gemm against gemm_reference for every op combination.
#pragma once

#include "core/kernels/matrix.h"

namespace minnow {

// The shape of op(M).
enum class Op { None, Transpose };

// C = op(A) op(B), or C += op(A) op(B) when accumulate is true. C must already have the shape
// of the product. threads = 0 uses num_threads(); 1 keeps the product on the calling thread
// (for use inside a parallel loop).
void gemm(ConstMatrixMap A, Op op_a, ConstMatrixMap B, Op op_b, MatrixMap C, bool accumulate = false, int threads = 0);

// The same with Eigen's expressions.
void gemm_reference(ConstMatrixMap A, Op op_a, ConstMatrixMap B, Op op_b, MatrixMap C, bool accumulate = false);

}  // namespace minnow
