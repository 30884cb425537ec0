// Reductions and broadcasts over arbitrary axes: the two small tools the backward passes of
// LayerNormalization and GroupNormalization need beside ops.h's moments / batch_normalization.
//
//   reduce_sum(x, axes)          s_j = sum_i x_ij over the reduced `axes` (tf.reduce_sum)
//   broadcast_to(t, shape)       t repeated along its size-1 axes (np.broadcast_to; t is
//                                aligned to the right as NumPy does)
//   reduce_mean / reduce_max / reduce_min(x, axes)   the same over `axes` (tf.reduce_*)
//   reduce_sum(x), reduce_mean(x), reduce_max(x), reduce_min(x)   over every value: one float
//   argmax(x, axis), argmin(x, axis)   the index of the largest / smallest value along `axis`
//                                (default the last), the first on ties (np.argmax); x's shape
//                                without that axis, the indices held as floats
// Sums and means accumulate in double, in a fixed order. A maximum, minimum or arg of zero values
// is a ShapeError (NumPy raises too); a NaN wins every comparison (propagates, as np.max).
#pragma once

#include <vector>

#include "core/tensor.h"

namespace minnow {

// Sum of x over `axes` (negative axes count from the end); with keepdims the reduced axes stay
// as size 1, otherwise they are removed.
Tensor reduce_sum(const Tensor& x, const std::vector<long>& axes, bool keepdims = false);

Tensor reduce_mean(const Tensor& x, const std::vector<long>& axes, bool keepdims = false);
Tensor reduce_max(const Tensor& x, const std::vector<long>& axes, bool keepdims = false);
Tensor reduce_min(const Tensor& x, const std::vector<long>& axes, bool keepdims = false);
float reduce_sum(const Tensor& x);
float reduce_mean(const Tensor& x);
float reduce_max(const Tensor& x);
float reduce_min(const Tensor& x);
Tensor argmax(const Tensor& x, long axis = -1);
Tensor argmin(const Tensor& x, long axis = -1);

// t expanded to `shape` under NumPy broadcasting; throws ShapeError when it does not broadcast.
Tensor broadcast_to(const Tensor& t, const Shape& shape);

}  // namespace minnow
