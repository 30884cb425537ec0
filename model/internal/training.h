// What compile() gives a model, and what its training keeps from one step and one call to the
// next (model/fit.cpp uses it).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/parameter.h"
#include "core/random.h"
#include "model/internal/batch_norm_watch.h"
#include "model/losses.h"
#include "model/metrics.h"
#include "optim/optimizer.h"

namespace minnow {

struct Training {
  std::shared_ptr<Optimizer> optimizer;
  std::shared_ptr<Loss> loss;
  std::vector<std::shared_ptr<Metric>> metrics;
  Tensor loss_grad;                     // dL/dy of the last training step
  std::vector<Parameter*> params;       // the trainable weights, fixed for one fit() call
  std::vector<Tensor> params_backup;    // their values before the current step
  std::vector<Parameter*> moving;       // non-trainable weights a forward may change
  std::vector<Tensor> moving_backup;    // their values before the current step
  BatchNormWatch batch_norms;           // fit's BatchNormalization warnings
  std::vector<Parameter*> regularized;  // the trainable weights with a regularizer, gathered per call
  // What a resumed fit continues from (fit's initial_epoch; model/checkpoint.h saves both): the
  // epochs done (the index of the last epoch fit finished) and fit's shuffling generator as it
  // stood then, ready to draw the next epoch's order; none before the first fit.
  long epoch = 0;
  std::optional<Rng> shuffle;
};

}  // namespace minnow
