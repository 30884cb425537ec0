// ModelRunner: the one door into a Model's insides that training uses (Model names it a friend):
// the model's input slot, its forward and backward, and what compile() set. model/fit.cpp's free
// functions are loops over batches; the steps they repeat are here.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "core/random.h"
#include "model/internal/training.h"
#include "model/model.h"
#include "model/progress.h"

namespace minnow {

long samples_of(const Tensor& t);
// 0, 1, ..., n-1, shuffled with rng when asked (Fisher-Yates with our own generator).
std::vector<long> order(long n, bool shuffle, Rng* rng);
// Keras' order for the progress bar: loss, the outputs' losses, the metrics, then the same for val_.
ProgressBar::Values ordered(const Logs& logs);
std::ostream& stream_or_cout(std::ostream* out);

// A call's data: the inputs, the targets (one per output) and the sample weights (none: empty).
struct Data {
  TensorList x, y;
  const Tensor* sample_weight = nullptr;
  long samples() const { return samples_of(x[0]); }
};

class ModelRunner {
 public:
  // `what` names the call, which needs a compiled model; nullptr for predict, which does not.
  ModelRunner(Model& model, const char* what)
      : m_(model), t_(what ? &model.training(what) : nullptr), name_(model.name()) {}

  // Before a call: the model is built, x fits its inputs (`what` names x in the message, as
  // "fit's x"; nullptr: the model's own words).
  void check_x(const TensorList& x, const char* what = nullptr);
  // ... and y has one tensor per output, and every tensor (and the sample weights) as many samples.
  void check_data(const char* what, const Data& d);
  // All finite, the sample weights >= 0, and y fits the losses; messages name the data by `names`.
  struct Names {
    std::string x, y, sample_weight;
  };
  void check_values(const Names& names, const Data& d);
  // The weights a training step changes, gathered once per call.
  void prepare_training();

  struct StepResult {
    double loss;
    long samples;
    std::string diverged{};  // why the step was undone (a non-finite loss or weight); empty: it was not
  };
  // Samples idx[b..e) of the data into the model's input slots, the targets and the weights.
  void gather(const Data& d, const std::vector<long>& idx, long b, long e);
  // forward, loss, backward, optimizer step; a failing step leaves the model as it was. A step
  // whose loss or weights become non-finite is undone and returns a nan loss and the reason,
  // for the caller to throw or (TerminateOnNaN) to stop on.
  StepResult train_step(long epoch, long step);
  // forward and loss in inference mode; updates the metrics.
  StepResult test_step();
  void reset_metrics();
  Logs logs() const;  // the running means since reset_metrics, under Keras' keys

  Training& training() { return *t_; }
  const std::string& name() const { return name_; }
  void require_graph() const { m_.require_graph(); }
  Tensor& input_slot(size_t i) { return m_.exec_.inputs[i]; }
  // Runs the model on its input slots; the outputs last until the next run.
  const std::vector<const Tensor*>& run(Mode mode);

 private:
  void back_up();
  void restore();
  // Keras' regularization losses: the sum of the penalties (core/regularizers.h) of the trainable
  // weights, added to the loss of every training and test step. The weights are gathered at the
  // first step of a call, after the forward that builds a deferred Sequential.
  double penalty();
  // sum_k weight_k L_k of the batch; with grads, each output's weight_k dL_k/dy_pred_k.
  double losses(const std::vector<const Tensor*>& y_pred, bool grads);
  void count(double loss, const std::vector<const Tensor*>& y_pred);  // the running means, the metrics
  Model& m_;
  bool regularized_gathered_ = false;
  Training* t_;
  const std::string& name_;
  Tensor swb_;  // the sample weights of the current batch (empty: none)
  std::vector<double> output_losses_;
  std::vector<const Tensor*> y_pred_, dys_;  // kept: a warm step allocates nothing
};

}  // namespace minnow
