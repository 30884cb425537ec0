// Reshape: gives each sample a new shape with the same number of values. No weights, no math.
//
// Shapes: x (N, d_1, ..., d_r) -> y (N, t_1, ..., t_s), d_1*...*d_r = t_1*...*t_s.
// target_shape = (t_1, ..., t_s) excludes the batch axis, as in Keras. At most one entry may
// be -1: it is inferred as (d_1*...*d_r) / (the product of the other entries).
//   (F1)  y = x, relabelled: row-major (NHWC) order is kept, as NumPy's / TF's reshape
//   (B1)  dx = dy, relabelled back to x's shape
// y is a view of x and dx a view of dy (the same buffer under another shape, as torch.flatten and
// reshape return views): nothing is copied, and a write into one is seen in the other.
// Reference: tf.keras.layers.Reshape.
#pragma once

#include <vector>

#include "core/layer.h"

namespace minnow {

class ReshapeLayer : public Layer {
 public:
  // Throws ConfigError for an entry that is neither positive nor -1, or for two -1 entries.
  explicit ReshapeLayer(std::vector<long> target_shape, const std::string& name = "");
  std::shared_ptr<Layer> clone() const override;
  const std::vector<long>& target_shape() const { return target_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  bool views_input() const override { return true; }
  Shape y_shape_, x_shape_;  // the output's and the input's shape for the last batch size

  std::vector<long> target_;  // as given, possibly with one -1
};

LayerRef<ReshapeLayer> Reshape(std::vector<long> target_shape, const std::string& name = "");

}  // namespace minnow
