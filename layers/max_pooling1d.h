// MaxPooling1D: the largest value of each channel in each window of a sequence.
//
// Shapes: x (N, L, C) -> y (N, OL, C). A window of P steps moves by S (Keras' strides=None: S = P)
// over each channel on its own. OL and the padding follow TensorFlow's rules (core/kernels/im2col.h:
// window_geometry, on a sequence seen as an image of height 1):
//   valid:  OL = floor((L - P) / S) + 1                 no padding; needs P <= L
//   same:   OL = ceil(L / S),  pad_total = max((OL - 1)*S + P - L, 0), pad_left = pad_total / 2
//           (the odd extra step goes to the right)
// Window o spans steps o*S - pad_left + [0, P); its cells outside [0, L) are padding.
// For every n, o and c:
// Forward (training and inference alike)
//   (F1)  y[n,o,c] = max of x[n,l,c] over the real steps l of window o; padding counts as -inf,
//         so it never wins (every window holds at least one real step)
//   (F2)  a[n,o,c] = the flat index in x of the step that won; ties go to the first (leftmost)
// Backward, given dy (N, OL, C)
//   (B1)  dx = 0, then dx[a[n,o,c]] += dy[n,o,c]: each window's gradient goes to its maximum.
//         When S < P, windows overlap and one step may collect several
// No weights. Cache: a, the argmax indices (N*OL*C of them).
// Reference: tf.keras.layers.MaxPooling1D (channels_last).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/layer.h"
#include "core/ops.h"

namespace minnow {

struct Pooling1DOptions {
  long pool_size = 2;
  std::optional<long> strides = {};  // Keras' strides=None: pool_size
  std::string padding = "valid";     // "valid" or "same"
  std::string name = "";
};

class MaxPooling1DLayer : public Layer {
 public:
  explicit MaxPooling1DLayer(const Pooling1DOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const Pooling1DOptions& options() const { return opt_; }
  // The stride in use: options().strides, or pool_size when it is not given.
  long strides() const { return opt_.strides.value_or(opt_.pool_size); }
  // (F2) of the last forward: the flat index in x of each output's maximum.
  const std::vector<long>& argmax() const { return argmax_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;

  Pooling1DOptions opt_;
  WindowGeometry g_;          // the image (N, 1, L, C), window (1, P), stride (1, S)
  std::vector<long> argmax_;  // (F2), in y's order
};

LayerRef<MaxPooling1DLayer> MaxPooling1D(const Pooling1DOptions& options = {});

}  // namespace minnow
