// A gradient checker: compares a layer's (or a model's) analytic gradients with central
// finite differences, for the input(s) and every trainable weight.
//
// For a layer the scalar checked is the projection L = sum(G * y) with a fixed random G, so
// dL/dy = G is what backward receives. For a model it is the loss given as a function.
// Each element v of each checked tensor is perturbed in turn:
//     numeric = (L(v + h) - L(v - h)) / (2 h),    h = step * max(1, |v|)
// and compared with the analytic gradient from backward:
//     error = |analytic - numeric| / max(|analytic|, |numeric|, floor)
// The report gives, per tensor, the worst error and where it is. Weight gradients are
// pre-filled with NaN, so an element that backward never writes shows up as an error.
// Everything the forward passes change (BatchNorm's moving statistics) is restored afterwards.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/layer.h"
#include "model/model.h"

namespace minnow {

struct GradientCheckOptions {
  double step = 1e-2;          // h relative to max(1, |v|): float32 rounding in L wants it this large
  double floor = 1e-2;         // smallest denominator of the relative error
  std::uint64_t seed = 1234;   // for the projection G
  long max_elements = 100000;  // check at most this many elements per tensor (spread evenly)
};

struct GradientCheckEntry {
  std::string tensor;  // "input", "input 1", or "<layer>/<weight>"
  double worst_error = 0;
  long index = -1;  // flat index of the worst element
  double analytic = 0, numeric = 0;
};

struct GradientCheckResult {
  std::vector<GradientCheckEntry> entries;
  double worst_error() const;
  std::string report() const;  // one line per tensor
};

// Checks `layer` on `inputs` in `mode`. The layer is built from the inputs if needed.
GradientCheckResult check_layer_gradients(Layer& layer, const std::vector<Tensor>& inputs, Mode mode,
                                          const GradientCheckOptions& options = {});

// A loss as a function: returns the loss for the prediction y and writes dL/dy into grad.
using LossFunction = std::function<double(const Tensor& y, Tensor& grad)>;

// Checks a whole model with a loss on the batch x, in `mode`; the loss is taken on output 0.
GradientCheckResult check_model_gradients(Model& model, const Tensor& x, const LossFunction& loss, Mode mode,
                                          const GradientCheckOptions& options = {});
// The same for a model with several inputs (entries "input 0", "input 1", ...).
GradientCheckResult check_model_gradients(Model& model, const std::vector<Tensor>& xs, const LossFunction& loss,
                                          Mode mode, const GradientCheckOptions& options = {});

}  // namespace minnow
