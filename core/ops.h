// Low-level ops with the meaning of their TensorFlow namesakes; the lowering of a convolution to
// a matrix product (core/kernels/im2col.h) comes with them. The layers are built from these, so
// each piece of math is written once.
//
//   moments(x, axes)        mean_j = (1/m) sum_i x_ij,  var_j = (1/m) sum_i (x_ij - mean_j)^2
//                           over the m values that the reduced `axes` span (tf.nn.moments; the
//                           variance is the biased one, divided by m, not m - 1)
//   batch_normalization(x, mean, variance, offset, scale, epsilon)
//                           y = scale * (x - mean) / sqrt(variance + epsilon) + offset
//                           (tf.nn.batch_normalization; mean, variance, offset and scale
//                           broadcast against x as NumPy does; offset and scale may be absent)
//   logsumexp(x)            l = m + log sum_j exp(x_j - m),  m = max_j x_j, over the last axis
//                           (tf.math.reduce_logsumexp(x, axis=-1), torch.logsumexp(x, -1))
//   log_softmax(x)          y_k = x_k - logsumexp(x), over the last axis (tf.nn.log_softmax,
//                           torch.log_softmax(x, -1)): finite where log(softmax(x)) gives -inf
#pragma once

#include <array>
#include <vector>

#include "core/kernels/column_ops.h"
#include "core/kernels/im2col.h"
#include "core/tensor.h"

namespace minnow {

struct Moments {
  Tensor mean;
  Tensor variance;
};

// Mean and biased variance of x over `axes` (negative axes count from the end). With keepdims
// the reduced axes stay as size 1, otherwise they are removed (tf.nn.moments' default).
Moments moments(const Tensor& x, const std::vector<long>& axes, bool keepdims = false);

// (x - mean) / sqrt(variance + epsilon) * scale + offset, broadcasting the four statistics
// against x. Pass nullptr for an absent offset (0) or scale (1).
Tensor batch_normalization(const Tensor& x, const Tensor& mean, const Tensor& variance, const Tensor* offset,
                           const Tensor* scale, float epsilon);
// The same, writing into y (resized to x's shape; no allocation when y already has the size).
void batch_normalization(const Tensor& x, const Tensor& mean, const Tensor& variance, const Tensor* offset,
                         const Tensor* scale, float epsilon, Tensor& y);

// log sum_j exp(x_j) over the last axis, shifted by the maximum so that no exp overflows: a
// tensor of x's shape without its last axis ((N,) for (N, C)). Sums in double.
Tensor logsumexp(const Tensor& x);
// x_k - logsumexp(x) over the last axis: the log of softmax, computed without taking a log of
// a rounded-to-zero probability. Same shape as x.
Tensor log_softmax(const Tensor& x);

// The gradients of batch_normalization with offset beta and scale gamma, as the normalization
// layers use it: mean and inv_std = 1/sqrt(variance + epsilon) (x's rank, size 1 on the `axes`,
// as moments(..., keepdims) gives them), gamma and beta of x's rank with size 1 off `param_axes`.
//   dbeta  = sum dy,  dgamma = sum dy * x_hat          over every axis but param_axes
//   dx = inv_std / m * (m g - sum g - x_hat sum g x_hat),  g = gamma * dy, sums over `axes` (m values)
//   dx = inv_std * g                                    when mean and inv_std are held constant
// x_hat = (x - mean) * inv_std is recomputed from x. With the channel axis last and statistics
// per channel (BatchNormalization's usual case) the passes are column_ops' fused kernels.
struct NormalizationAxes {
  std::vector<long> axes;          // the statistics' axes (sorted, non-negative)
  std::vector<long> param_axes;    // gamma and beta's axes (sorted, non-negative)
  bool through_statistics = true;  // false: mean and inv_std are constants (moving statistics)
};
// The wanted gradients (nullptr: not wanted). dgamma and dbeta are written through row(), so any
// tensor of gamma's size (the weight's own gradient) takes them; dx must have x's size (any shape).
struct NormalizationGradients {
  Tensor* dx = nullptr;
  Tensor* dgamma = nullptr;
  Tensor* dbeta = nullptr;
};
void batch_normalization_gradient(const Tensor& dy, const Tensor& x, const Tensor& mean, const Tensor& inv_std,
                                  const Tensor* gamma, const NormalizationAxes& axes,
                                  const NormalizationGradients& out);

// Two sizes (rows, cols) of a 2-D window or stride, as Keras takes them: one number for a square
// (kernel_size = 3 is 3 x 3) or a pair ({3, 5}). An std::array underneath, so [0] and [1] read it.
struct Size2D : std::array<long, 2> {
  Size2D(long n);  // NOLINT: implicit on purpose, as Keras' int
  Size2D(long rows, long cols);
};

}  // namespace minnow
