// Per-column kernels of BatchNormalization on an (rows x C) matrix (NHWC data, channel last):
// the fast paths behind ops.h's moments and batch_normalization_gradient, and BatchNormalization's forward.
//
//   column_moments     (F1)  mean_c = (1/m) sum_r x_rc,  var_c = (1/m) sum_r (x_rc - mean_c)^2
//   normalize_columns  (F2)  x_hat = (x - mean_c) * inv_std_c,  (F3) y = x_hat * gamma_c + beta_c
//   batch_norm_sums    (B1)  sum_r dy_rc,  (B2) sum_r dy_rc * x_hat_rc
//   batch_norm_input_gradient
//                      (B3)  dx = scale_c * (m * dy - sum_dy_c - x_hat * sum_dy_xhat_c)
// x_hat is never stored: the kernels recompute it from x, mean and inv_std where they need it,
// which costs less than writing and reading it back.
//
// Each has a *_reference twin: the formula in the plainest loop, which the tests compare with.
// The fast versions run on all threads, touch the data in one pass each, and walk the rows k at a
// time (k rows = about 64 values) so that even 3 columns make long vector loops. Sums are taken in
// double over fixed blocks of rows whose partial sums are added in a fixed order: the results do
// not depend on the number of threads. column_moments sums x - x_0c (x_0c the first row) so that a
// large mean does not cancel the variance's digits in one pass.
#pragma once

#include "core/kernels/matrix.h"

namespace minnow {

// sum += the rows of m, one row after the other. Eigen's colwise().sum() would vectorize down
// the columns in an order that depends on where the data sits in memory; this order does not.
void add_rows(ConstMatrixMap m, RowVectorMap sum);

void column_moments(ConstMatrixMap x, RowVector& mean, RowVector& variance);
void column_moments_reference(ConstMatrixMap x, RowVector& mean, RowVector& variance);

void normalize_columns(ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std, const RowVector& gamma,
                       const RowVector& beta, MatrixMap y);
void normalize_columns_reference(ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std,
                                 const RowVector& gamma, const RowVector& beta, MatrixMap y);

void batch_norm_sums(ConstMatrixMap dy, ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std,
                     RowVector& sum_dy, RowVector& sum_dy_xhat);
void batch_norm_sums_reference(ConstMatrixMap dy, ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std,
                               RowVector& sum_dy, RowVector& sum_dy_xhat);

void batch_norm_input_gradient(ConstMatrixMap dy, ConstMatrixMap x, const RowVector& mean, const RowVector& inv_std,
                               const RowVector& scale, const RowVector& sum_dy, const RowVector& sum_dy_xhat, float m,
                               MatrixMap dx);
void batch_norm_input_gradient_reference(ConstMatrixMap dy, ConstMatrixMap x, const RowVector& mean,
                                         const RowVector& inv_std, const RowVector& scale, const RowVector& sum_dy,
                                         const RowVector& sum_dy_xhat, float m, MatrixMap dx);

}  // namespace minnow
