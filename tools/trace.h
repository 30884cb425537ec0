// Trace: what one forward (and backward) pass did, layer by layer, as data and as a table.
//
//   Trace t = trace_step(model, x, y, SparseCategoricalCrossentropy(), Mode::Training);
//   fmt::print("{}", t.table());
//
// For every layer of the model (an InputLayer's "output" is the batch x itself), a trace holds
//   - the shape of its output for this batch and the output's statistics: mean, standard
//     deviation, min, max, and the fraction of values that are exactly 0 (dead ReLU units);
//   - for a sigmoid or tanh output (an Activation layer, or a Dense / Conv2D with that
//     activation) the fraction of SATURATED units: values within kSaturationMargin = 0.01 of an
//     asymptote, i.e. sigmoid y < 0.01 or y > 0.99 (|pre-activation| > ln 99 = 4.6), tanh
//     |y| > 0.99 (|pre-activation| > 2.65). There the derivative is below 4% (sigmoid) or 2%
//     (tanh) of its peak, so almost no gradient flows back through that unit;
//   - after a backward (trace_step), the L2 norm of dL/dy, the gradient arriving at its output
//     (summed over the layers it feeds, as Model::backward sums it);
//   - for each of its weights, the same statistics of the weight's values and, after a
//     backward, the L2 norm of dL/dw for trainable weights.
// Statistics are computed in double over every value of the tensor (all samples, all
// positions); the standard deviation is the population one (divide by n), as NumPy's std.
//
// Side effects: trace_step runs forward, the loss and backward, and never an optimizer step.
// A training-mode forward updates BatchNormalization's moving statistics; trace_step and
// trace_forward restore every non-trainable weight afterwards, so tracing does not change the
// model's weights. Weight gradients (Parameter::grad) and the layers' cached outputs are those
// of the traced batch afterwards, as after any backward.
// Only models with one input and one output can be traced.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/mode.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace minnow {

class Layer;
class Loss;
class Model;
struct Parameter;

inline constexpr double kSaturationMargin = 0.01;

struct TensorStats {
  long size = 0;
  double mean = 0, stddev = 0, min = 0, max = 0;
  double zero_fraction = 0;  // the fraction of values exactly equal to 0
};

struct WeightTrace {
  std::string name;  // Keras' weight name: kernel, bias, gamma, beta, moving_mean, moving_variance
  Shape shape;
  bool trainable = true;
  TensorStats value;
  std::optional<double> grad_norm;  // ||dL/dw||, after a backward, trainable weights only
};

struct LayerTrace {
  std::string name, class_name;
  Shape output_shape;  // the real shape of this batch's output
  TensorStats output;
  std::optional<double> saturated_fraction;  // sigmoid and tanh outputs only
  std::optional<double> output_grad_norm;    // ||dL/dy||, after a backward
  std::vector<WeightTrace> weights;
};

struct Trace {
  std::string model_name;
  Mode mode = Mode::Inference;
  long batch_size = 0;
  std::string loss_name;       // empty for a forward-only trace
  std::optional<double> loss;  // the batch's loss, trace_step only
  std::vector<LayerTrace> layers;

  // The whole table: header(), every layer's rows(i), legend().
  std::string table() const;
  // Title line and column heads, for printing one layer at a time.
  std::string header() const;
  // Layer i's row and one indented row per weight.
  std::string rows(size_t i) const;
  // What the columns mean.
  std::string legend() const;
};

// Runs model.forward(x, mode) and collects every layer's output statistics.
Trace trace_forward(Model& model, const Tensor& x, Mode mode);
// Runs forward(x, mode), the loss against y and backward, and collects the output statistics
// and the gradient norms. No optimizer step.
Trace trace_step(Model& model, const Tensor& x, const Tensor& y, const Loss& loss, Mode mode);

// Statistics of every value of t (in double).
TensorStats tensor_stats(const Tensor& t);
// sqrt(sum of squares), in double.
double l2_norm(const Tensor& t);
// The fraction of t's values within kSaturationMargin of an asymptote of the sigmoid (when
// tanh = false: y < 0.01 or y > 0.99) or of tanh (tanh = true: |y| > 0.99).
double saturated_fraction(const Tensor& t, bool tanh);

// Keeps a copy of every non-trainable weight of a model (BatchNormalization's moving
// statistics) and puts it back when it goes out of scope: a training-mode forward run only to
// look at a model then changes nothing.
class KeepNonTrainableWeights {
 public:
  explicit KeepNonTrainableWeights(const Model& model);
  ~KeepNonTrainableWeights();
  KeepNonTrainableWeights(const KeepNonTrainableWeights&) = delete;
  KeepNonTrainableWeights& operator=(const KeepNonTrainableWeights&) = delete;

 private:
  std::vector<std::pair<Parameter*, Tensor>> saved_;
};

}  // namespace minnow
