// fit's two BatchNormalization warnings, and what they need to remember between training calls.
//
// (F4) moves the moving statistics a fraction w of the way to each batch's statistics (w = 1 -
// momentum in Keras' meaning, momentum in PyTorch's), so after k updates the initial values
// (mean 0, variance 1) still weigh (1 - w)^k. When training ends before about 3 / w updates,
// inference normalizes with statistics that are mostly the initial ones: fit says so. And a
// training batch of one sample gives every channel zero variance: fit says that once per call.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace minnow {

class BatchNormalizationLayer;
class Layer;
class Model;

class BatchNormWatch {
 public:
  // Before training: finds the model's BatchNormalizations and whether their moving statistics
  // still hold the initial values or this watch's last count (else they were loaded, set by hand
  // or trained elsewhere, and nothing is said about them).
  void track(const Model& model);
  // After each training step.
  void count_updates();
  // After training: the moving means as this model's training left them.
  void remember();
  // The warning for a training batch of one sample ("" when no tracked layer is affected).
  std::string one_sample_warning(long epoch, long step, long steps) const;
  // The warning after fit when moving statistics have seen too few updates ("" when none has).
  std::string late_warning() const;

 private:
  struct MovingStatistics {
    long updates = 0;
    bool known = true;
    Tensor last_mean;
  };
  std::map<const Layer*, MovingStatistics> history_;
  std::vector<std::pair<BatchNormalizationLayer*, MovingStatistics*>> tracked_;  // the current model's
};

}  // namespace minnow
