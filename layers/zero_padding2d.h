// ZeroPadding2D: a border of zeros around each image.
//
// Shapes: x (N, H, W, C) -> y (N, top + H + bottom, left + W + right, C).
// Forward (training and inference alike)
//   (F1)  y[n, top + h, left + w, c] = x[n,h,w,c];   y = 0 on the border
// Backward, given dy
//   (B1)  dx[n,h,w,c] = dy[n, top + h, left + w, c]  the border's gradient goes nowhere
// Seen as matrices X (N*H*W, C) and Y (N*OH*OW, C), image row (n, h) of x is W consecutive rows
// of X, copied as a block to W consecutive rows of Y.
// No weights, no cache.
// Reference: keras.layers.ZeroPadding2D (channels_last). Keras' padding = p (int), (h, w), or
// ((top, bottom), (left, right)) are ZeroPadding2D(p), ZeroPadding2D({h, w}) and
// ZeroPadding2D({{top, bottom}, {left, right}}).
#pragma once

#include "core/layer.h"
#include "core/ops.h"

namespace minnow {

// Keras' three forms of padding: p, (h, w) (h rows above and below, w columns left and right),
// ((top, bottom), (left, right)).
struct Padding2D {
  Size2D rows;                             // (top, bottom)
  Size2D cols;                             // (left, right)
  Padding2D(long p) : rows(p), cols(p) {}  // NOLINT: implicit, as Keras' int
  Padding2D(long h, long w) : rows(h), cols(w) {}
  Padding2D(Size2D top_bottom, Size2D left_right) : rows(top_bottom), cols(left_right) {}
};

class ZeroPadding2DLayer : public Layer {
 public:
  explicit ZeroPadding2DLayer(const Padding2D& padding = 1, const std::string& name = "");
  std::shared_ptr<Layer> clone() const override;
  const Padding2D& padding() const { return pad_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  Padding2D pad_;
};

LayerRef<ZeroPadding2DLayer> ZeroPadding2D(const Padding2D& padding = 1, const std::string& name = "");

}  // namespace minnow
