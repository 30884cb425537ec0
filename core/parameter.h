// Parameter: one weight of a layer, with its Keras name, value, gradient and trainable flag.
//
// The gradient sits beside the value (Caffe's data/diff). Non-trainable state, such as
// BatchNormalization's moving statistics, is a Parameter too, so it is counted, listed,
// saved and loaded like any weight; it simply never gets a gradient.
//
// A weight's shape is fixed when its layer creates it: the layer's math reads exactly that
// many values. So the value is a WeightValue, not a bare Tensor: its elements can be read and
// written in place (optimizers, moving statistics, a learner setting numbers by hand), and it
// can be replaced by a whole tensor of the same shape, but never by one of another shape:
//   layer.weight("bias").value = Tensor({8}, ...);   // fine: the bias has shape (8,)
//   layer.weight("bias").value = Tensor({2}, ...);   // ShapeError, the bias is unchanged
#pragma once

#include <span>
#include <string>
#include <utility>

#include "core/regularizers.h"
#include "core/tensor.h"

namespace minnow {

class WeightValue {
 public:
  WeightValue() = default;
  WeightValue(const WeightValue&) = default;
  // A value made from a tensor has that tensor's shape, fixed (Parameter{.value = Tensor(...)}).
  WeightValue(Tensor t) : t_(std::move(t)), fixed_(true) {}  // NOLINT: implicit on purpose
  // Replaces the value, element for element. Once the shape is fixed (every weight of a layer),
  // a tensor of another shape throws ShapeError naming the weight and both shapes.
  WeightValue& operator=(const Tensor& t);
  WeightValue& operator=(const WeightValue& other) { return *this = other.tensor(); }

  // The value as a read-only Tensor (also implicitly, wherever a const Tensor& is wanted).
  const Tensor& tensor() const { return t_; }
  operator const Tensor&() const { return t_; }  // NOLINT: implicit on purpose

  const Shape& shape() const { return t_.shape(); }
  long size() const { return t_.size(); }
  bool empty() const { return t_.empty(); }
  const float* data() const { return t_.data(); }
  std::span<const float> values() const { return t_.values(); }
  float operator[](long i) const { return t_[i]; }
  float at(std::initializer_list<long> index) const { return t_.at(index); }
  ConstMatrixMap matrix() const { return t_.matrix(); }
  ConstMatrixMap matrix(long rows, long cols) const { return t_.matrix(rows, cols); }
  ConstRowVectorMap row() const { return t_.row(); }

  // Writing in place: the elements change, the shape cannot.
  float* data() { return t_.data(); }
  std::span<float> values() { return t_.values(); }
  float& operator[](long i) { return t_[i]; }
  float& at(std::initializer_list<long> index) { return t_.at(index); }
  MatrixMap matrix() { return t_.matrix(); }
  MatrixMap matrix(long rows, long cols) { return t_.matrix(rows, cols); }
  RowVectorMap row() { return t_.row(); }
  void fill(float value) { t_.fill(value); }

  // Fixes the shape to t's and names the weight for messages ("Dense 'dense', weight 'bias'").
  // Layer::add_weight calls it once; a Parameter made by hand is fixed by its first assignment.
  void create(Tensor t, std::string label) {
    t_ = std::move(t);
    label_ = std::move(label);
    fixed_ = true;
  }

 private:
  Tensor t_;
  std::string label_;
  bool fixed_ = false;
};

struct Parameter {
  std::string name;  // Keras weight name: kernel, bias, gamma, beta, moving_mean, moving_variance
  WeightValue value;
  Tensor grad;                      // same shape as value for trainable weights; dL/dvalue of the last backward
  bool trainable_by_design = true;  // false for what is never trained (moving statistics; BatchNorm's
                                    // gamma and beta with train_gamma_beta = Never)
  bool frozen = false;              // set by Layer::set_trainable(false)
  std::string layer_name{};         // the layer that owns it ("dense"); empty for one made by hand
  Regularizer regularizer{};        // its penalty, added to the loss in training (core/regularizers.h)

  // Keras' rule: a weight is trainable when it was created trainable and its layer is not frozen.
  bool trainable() const { return trainable_by_design && !frozen; }
  long size() const { return value.size(); }
  // tf.keras 2.x's weight.name, which says whose weight it is: "dense/kernel:0".
  std::string full_name() const { return layer_name.empty() ? name : layer_name + "/" + name + ":0"; }
};

}  // namespace minnow
