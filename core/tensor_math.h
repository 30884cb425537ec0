// Tensor arithmetic for looking at results: element-wise + - * / with NumPy's broadcasting; with
// core/reduce.h (included), reductions to one number or over axes, and argmax / argmin.
//
//   a + b, a - b, a * b, a / b   element-wise; shapes broadcast as NumPy's (aligned to the right,
//                                an axis of 1 repeats): (N, C) + (C,) adds a row to every row
//   a + s, s * a, ...            with a float s, on every element;  -a negates
// These are for inspecting tensors, not for layers: a layer's math is written out in its own file.
#pragma once

#include "core/reduce.h"
#include "core/tensor.h"

namespace minnow {

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, float s);
Tensor operator-(const Tensor& a, float s);
Tensor operator*(const Tensor& a, float s);
Tensor operator/(const Tensor& a, float s);
Tensor operator+(float s, const Tensor& a);
Tensor operator-(float s, const Tensor& a);
Tensor operator*(float s, const Tensor& a);
Tensor operator/(float s, const Tensor& a);
Tensor operator-(const Tensor& a);

}  // namespace minnow
