// Folding BatchNormalization into the layer before it, for inference.
//
// In inference a BatchNormalization is an affine map per channel c (equation (I1) of
// layers/batch_normalization.h):
//     y_c = s_c * (z_c - moving_mean_c) + beta_c,     s_c = gamma_c / sqrt(moving_variance_c + epsilon)
// and when z = x W + b comes from a Dense or Conv2D with a linear activation, the two maps
// compose into one layer of the same kind:
//     (FB1)  W'[:, c] = W[:, c] * s_c                 (Conv2D: W as its (kh*kw*in, filters) matrix)
//     (FB2)  b'_c     = (b_c - moving_mean_c) * s_c + beta_c
// (b = 0 for use_bias=false, gamma = 1 for scale=false, beta = 0 for center=false). The folded
// layer always has a bias. The BatchNormalization disappears, and with it one pass over the data.
//
// A BatchNormalization folds when (following_batch_norm, model/graph_queries.h): it normalizes the last axis, it
// is the only consumer of a Dense or Conv2D (which is not itself a model output), and that
// layer's activation is linear; and it normalizes with its moving statistics in inference (not
// normalize_with=BatchStatistics). fold_batch_norm refuses, with a UsageError naming the layer, any
// BatchNormalization that does not fold; every other layer is copied with its weights.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/model.h"

namespace minnow {

struct FoldResult {
  std::unique_ptr<Model> model;    // the folded model (a Sequential when the original is one)
  double max_abs_diff = 0;         // max |original(x) - folded(x)| on the check batch, both in inference mode
  double max_abs_output = 0;       // max |original(x)|, the scale that max_abs_diff is small against
  std::vector<std::string> folds;  // "batch_normalization -> dense", one per folded layer
};

// A new inference model with every BatchNormalization folded into the Dense / Conv2D before it
// (FB1, FB2), checked on `check_batch` against `model` in inference mode. The original is not
// changed (its last forward output is). Layers keep their names; the model is "<name>_folded".
FoldResult fold_batch_norm(Model& model, const Tensor& check_batch);

}  // namespace minnow
