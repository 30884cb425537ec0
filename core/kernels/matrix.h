// The Eigen types every floor speaks: a row-major float matrix, a row vector, and views (maps) of
// memory owned elsewhere (a Tensor's buffer). The kernels work on these, never on Tensor itself.
#pragma once

#include <Eigen/Core>

namespace minnow {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;
using RowVector = Eigen::RowVectorXf;
using RowVectorMap = Eigen::Map<RowVector>;
using ConstRowVectorMap = Eigen::Map<const RowVector>;

}  // namespace minnow
