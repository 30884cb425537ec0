// The Eigen types every floor speaks: a row-major float matrix, a row vector, and views (maps) of
// memory owned elsewhere (a Tensor's buffer), and where an NHWC element sits in that memory. The
// kernels work on these, never on Tensor itself.
#pragma once

#include <Eigen/Core>

namespace minnow {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;
using RowVector = Eigen::RowVectorXf;
using RowVectorMap = Eigen::Map<RowVector>;
using ConstRowVectorMap = Eigen::Map<const RowVector>;

// Offset of element (n, h, w, c) in an NHWC tensor of height H, width W and C channels.
inline long offset_nhwc(long n, long h, long w, long c, long H, long W, long C) {
  return ((n * H + h) * W + w) * C + c;
}

}  // namespace minnow
