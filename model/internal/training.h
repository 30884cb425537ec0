// What compile() gives a model, and what its training keeps from one step and one call to the
// next (model/fit.cpp uses it).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/parameter.h"
#include "core/random.h"
#include "model/internal/batch_norm_watch.h"
#include "model/losses.h"
#include "model/metrics.h"
#include "optim/optimizer.h"

namespace minnow {

// One output's part of the loss: total = sum_k weight_k * L_k (fit.h's CompileOptions).
struct OutputLoss {
  std::shared_ptr<Loss> loss;
  double weight = 1;
  std::string prefix;                            // the logs' keys: "" with one output, else "<layer>_"
  std::vector<std::shared_ptr<Metric>> metrics;  // named without the prefix
  Mean mean;                                     // L_k over the batches of a call ("<layer>_loss")
  Tensor grad;                                   // weight_k * dL_k/dy_pred_k of the last training step
  Tensor targets;                                // y_true_k of the current batch
};

struct Training {
  std::shared_ptr<Optimizer> optimizer;
  std::vector<OutputLoss> outputs;      // one per model output
  Mean loss{"loss"};                    // the total loss over the batches of a call
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
