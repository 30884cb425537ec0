// Parameter: one weight of a layer, with its Keras name, value, gradient and trainable flag.
//
// The gradient sits beside the value (Caffe's data/diff). Non-trainable state, such as
// BatchNormalization's moving statistics, is a Parameter too, so it is counted, listed,
// saved and loaded like any weight; it simply never gets a gradient.
#pragma once

#include <string>

#include "core/tensor.h"

namespace minnow {

struct Parameter {
  std::string name;  // Keras weight name: kernel, bias, gamma, beta, moving_mean, moving_variance
  Tensor value;
  Tensor grad;                      // same shape as value for trainable weights; dL/dvalue of the last backward
  bool trainable_by_design = true;  // false for what is never trained (moving statistics; BatchNorm's
                                    // gamma and beta with train_gamma_beta = Never)
  bool frozen = false;              // set by Layer::set_trainable(false)

  // Keras' rule: a weight is trainable when it was created trainable and its layer is not frozen.
  bool trainable() const { return trainable_by_design && !frozen; }
  long size() const { return value.size(); }
};

}  // namespace minnow
