// Pooling2D: what MaxPooling2D and AveragePooling2D share, as Keras' Pooling2D base class: the
// options, their checks and the window geometry. Each pooling's math is in its own files.
//
// Shapes: x (N, H, W, C) -> y (N, OH, OW, C). A (PH, PW) window moves by (SH, SW) over each channel
// on its own. OH, OW and the padding follow TensorFlow's rules (core/ops.h, window_geometry):
//   valid:  OH = floor((H - PH) / SH) + 1                   no padding; needs PH <= H
//   same:   OH = ceil(H / SH),  pad_total = max((OH - 1)*SH + PH - H, 0),
//           pad_top = pad_total / 2 (the odd extra row goes to the bottom); likewise for W.
// Window (oh, ow) spans rows oh*SH - pad_top + [0, PH) and columns ow*SW - pad_left + [0, PW).
// The cells of a window that fall outside the input are padding. TF's rule keeps pad_top <= (PH-1)/2
// and (OH-1)*SH < H, so every window holds at least one real cell.
// Reference: tf.keras.layers.MaxPooling2D / AveragePooling2D (channels_last).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/layer.h"
#include "core/ops.h"

namespace minnow {

struct Pooling2DOptions {
  Size2D pool_size = 2;            // 3 means 3 x 3, as in Keras
  std::vector<long> strides = {};  // Keras' strides=None: {} takes pool_size; {s} means {s, s}
  std::string padding = "valid";   // "valid" or "same"
  std::string name = "";
};

class Pooling2DLayer : public Layer {
 public:
  const Pooling2DOptions& options() const { return opt_; }
  // The strides in use: options().strides resolved against pool_size.
  std::array<long, 2> strides() const { return strides_; }

 protected:
  // Checks the options; throws ConfigError naming the layer, the argument and the value.
  Pooling2DLayer(const std::string& class_name, const Pooling2DOptions& options);

  // The real (non-padding) rows [h0, h1) and columns [w0, w1) under window (oh, ow).
  struct Window {
    long h0, h1, w0, w1;
    long cells() const { return (h1 - h0) * (w1 - w0); }
  };
  Window window(long oh, long ow) const;

  WindowGeometry g_;  // set by build; g_.N by each forward

 private:
  Shape build_impl(const Shape& input_shape) override;

  Pooling2DOptions opt_;
  std::array<long, 2> strides_ = {1, 1};
};

}  // namespace minnow
