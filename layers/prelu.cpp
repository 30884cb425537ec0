#include "layers/prelu.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace minnow {

PReLULayer::PReLULayer(const PReLUOptions& options) : Layer("PReLU", options.name), opt_(options) {
  check_initializer(opt_.alpha_initializer, describe() + ": alpha_initializer");
  for (int axis : opt_.shared_axes)
    if (axis < 1)
      throw ConfigError(fmt::format("{}: shared_axes must be axes 1 or more (0 is the batch), but received "
                                    "shared_axes=[{}]",
                                    describe(), fmt::join(opt_.shared_axes, ", ")));
}

Shape PReLULayer::build_impl(const Shape& in) {
  std::vector<long> dims(in.dims().begin() + 1, in.dims().end());  // alpha: x's shape without N
  for (int axis : opt_.shared_axes) {
    if (axis >= in.rank())
      throw ShapeError(fmt::format("{}: shared_axes=[{}] names axis {}, but the input {} has axes 1 to {}", describe(),
                                   fmt::join(opt_.shared_axes, ", "), axis, in, in.rank() - 1));
    dims[size_t(axis - 1)] = 1;
  }
  alpha_ = &add_weight("alpha", Shape(dims), opt_.alpha_initializer, true);
  // Position i within a sample, as a multi-index over the sample's axes, maps to the alpha entry
  // with every shared axis at 0: walk the positions in row-major order, building both at once.
  const long size = in.num_elements_from(1);
  alpha_index_.assign(size_t(size), 0);
  for (long i = 0; i < size; ++i) {
    long rest = i, a = 0, a_stride = 1;
    for (long axis = in.rank() - 1; axis >= 1; --axis) {
      const long d = in[axis], k = rest % d;
      rest /= d;
      if (dims[size_t(axis - 1)] != 1) a += k * a_stride;
      a_stride *= dims[size_t(axis - 1)];
    }
    alpha_index_[size_t(i)] = a;
  }
  return in;
}

void PReLULayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  const long P = long(alpha_index_.size());
  const Tensor& alpha = alpha_->value;
  for (long j = 0; j < x.size(); ++j) {
    const float a = alpha[alpha_index_[size_t(j % P)]];
    y[j] = x[j] > 0 ? x[j] : a * x[j];  // (F1)
  }
}

void PReLULayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const long P = long(alpha_index_.size());
  const Tensor& x = input();
  const Tensor& alpha = alpha_->value;
  if (alpha_->trainable()) alpha_->grad.fill(0);
  for (long j = 0; j < dy.size(); ++j) {
    const long a = alpha_index_[size_t(j % P)];
    if (alpha_->trainable()) alpha_->grad[a] += dy[j] * std::min(x[j], 0.0f);  // (B2)
    dx[j] = x[j] > 0 ? dy[j] : alpha[a] * dy[j];                               // (B1)
  }
}

LayerRef<PReLULayer> PReLU(const PReLUOptions& options) { return std::make_shared<PReLULayer>(options); }

std::shared_ptr<Layer> PReLULayer::clone() const {
  PReLUOptions o = opt_;
  o.name = name();
  return std::make_shared<PReLULayer>(o);
}

}  // namespace minnow
