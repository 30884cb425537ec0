#include "layers/concatenate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace minnow {

ConcatenateLayer::ConcatenateLayer(const ConcatenateOptions& options)
    : Layer("Concatenate", options.name), opt_(options) {
  if (opt_.axis == 0)
    throw ConfigError(fmt::format("{}: axis must not be the batch axis, but received axis=0. Use axis=-1 (the last) "
                                  "or another non-batch axis.",
                                  describe()));
}

Shape ConcatenateLayer::build_multi_impl(const std::vector<Shape>& shapes) {
  const long rank = shapes[0].rank();
  if (opt_.axis < -(rank - 1) || opt_.axis >= rank)
    throw ShapeError(fmt::format("{}: axis={} is not a non-batch axis of inputs of shape {} (valid: 1..{} or -1..-{})",
                                 describe(), opt_.axis, shapes[0], rank - 1, rank - 1));
  axis_ = shapes[0].normalize_axis(opt_.axis);
  Shape out = shapes[0];
  out[axis_] = 0;
  for (const Shape& s : shapes) {
    bool fits = s.rank() == rank;
    for (long a = 1; fits && a < rank; ++a) fits = a == axis_ || s[a] == shapes[0][a];
    if (!fits)
      throw ShapeError(fmt::format("{} expects inputs with matching shapes except on the concatenation axis {}, but "
                                   "received shapes {}",
                                   describe(), opt_.axis, fmt::join(shapes, ", ")));
    out[axis_] += s[axis_];
  }
  return out;
}

void ConcatenateLayer::forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode) {
  const long P = y.shape().num_elements() / y.shape().num_elements_from(axis_);
  auto Y = y.matrix(P, y.size() / P);  // (P, A*Q)
  long o = 0;
  for (const Tensor* x : xs) {
    const long cols = x->size() / P;             // a_i*Q
    Y.middleCols(o, cols) = x->matrix(P, cols);  // (F1)
    o += cols;
  }
}

void ConcatenateLayer::backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs) {
  const long P = dy.shape().num_elements() / dy.shape().num_elements_from(axis_);
  const auto dY = dy.matrix(P, dy.size() / P);  // (P, A*Q)
  long o = 0;
  for (Tensor& dx : dxs) {
    const long cols = dx.size() / P;
    dx.matrix(P, cols) = dY.middleCols(o, cols);  // (B1)
    o += cols;
  }
}

LayerRef<ConcatenateLayer> Concatenate(const ConcatenateOptions& options) {
  return std::make_shared<ConcatenateLayer>(options);
}

std::shared_ptr<Layer> ConcatenateLayer::clone() const {
  ConcatenateOptions o = opt_;
  o.name = name();
  return std::make_shared<ConcatenateLayer>(o);
}

}  // namespace minnow
