// The target checks the losses and the metrics share (model/losses.cpp defines them).
#pragma once

#include <string_view>

#include "core/tensor.h"

namespace minnow {

// Throws ShapeError unless y_true fits y_pred (equal shapes, or equal after dropping a trailing
// axis of size 1 from one of them). `who` names the caller.
void check_same_shape(std::string_view who, const Tensor& y_pred, const Tensor& y_true);
// Throws ShapeError unless y_true holds one label per row of y_pred (y_pred's shape without its
// last axis, or with it as 1).
void check_sparse_shape(std::string_view who, const Tensor& y_pred, const Tensor& y_true);

}  // namespace minnow
