// dL/d(tensor) for every tensor (slot) of a model's graph during backward. A tensor read by one
// layer has that layer's dx as its gradient, without a copy; a tensor read by several layers (a
// fan-out, as in a residual block) gets the sum of their dx, in a buffer of its own:
//     dL/dt = sum over the layers l that read t of dL/dt through l
#pragma once

#include <vector>

#include "core/tensor.h"

namespace minnow {

class GradientSum {
 public:
  // Before a backward: no slot has a gradient yet.
  void reset(size_t slots);
  // One more dL/d(slot); g must stay alive until the backward ends (a layer's dx does).
  void add(int slot, const Tensor& g);
  bool has(int slot) const { return of_[size_t(slot)] != nullptr; }
  const Tensor& get(int slot) const { return *of_[size_t(slot)]; }
  // The slot's gradient in the slot's own buffer (zeros of `shape` when nothing reached it), for
  // a caller that keeps it after the layers' next backward.
  const Tensor& own(int slot, const Shape& shape);

 private:
  std::vector<Tensor> sums_;       // per slot: the buffer for a sum (or an owned copy)
  std::vector<const Tensor*> of_;  // per slot: where its gradient is (a layer's dx, or sums_)
};

}  // namespace minnow
