// Tensor slices as a learner types them: a tensor's name with an optional NumPy-style slice,
//   "dense/kernel"              the whole tensor
//   "dense/kernel[0:3, 0:4]"    rows 0..2 and columns 0..3 (stop excluded, as NumPy)
//   "conv2d/output[0, :, :, 5]" sample 0, every row and column, channel 5 (an index drops its axis)
// Per axis: "a:b", "a:", ":b", ":", or an index "a"; a negative number counts from the end,
// stops beyond the axis are clipped to it (NumPy's rules); axes not named are taken whole.
// Errors are UsageErrors naming the expression, the axis and the tensor's shape.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/shape.h"
#include "core/tensor.h"

namespace minnow {

// One axis of a slice as written: an index (start only) or a range start:stop.
struct SliceAxis {
  std::optional<long> start, stop;
  bool index = false;  // "a": one position, the axis is dropped from the result
};

struct TensorRef {
  std::string name;             // "dense/kernel"
  std::string slice_text;       // "[0:3, 0:4]", or empty
  std::vector<SliceAxis> axes;  // empty without brackets
};

// One axis resolved against a shape: positions [start, stop), stop >= start.
struct AxisRange {
  long start = 0, stop = 0;
  bool keep_axis = true;  // false for an index
};

// Parses "name" or "name[...]". Throws UsageError for a malformed expression, naming it.
TensorRef parse_tensor_ref(const std::string& text_as_typed);
// The ranges of `axes` on a tensor of `shape`; `what` names the tensor in messages.
std::vector<AxisRange> resolve_slice(const std::vector<SliceAxis>& axes, const Shape& shape, const std::string& what);
// A copy of the selected values; index axes are dropped (a scalar result has shape (1,)).
Tensor slice_tensor(const Tensor& t, const std::vector<AxisRange>& ranges);
// The values laid out: one line for rank 0-1, a grid of rows for rank 2, and for higher ranks
// one grid per leading index, titled "[i, j, :, :]". At most max_values numbers are printed.
std::string format_values(const Tensor& t, long max_values = 240);

}  // namespace minnow
