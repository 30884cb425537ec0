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
void check_pair(const std::string& model, const char* what, const Tensor& x, const Tensor& y);
// 0, 1, ..., n-1, shuffled with rng when asked (Fisher-Yates with our own generator).
std::vector<long> order(long n, bool shuffle, Rng* rng);
// Keras' order for the progress bar: loss, the metrics, val_loss, the validation metrics.
ProgressBar::Values ordered(const Logs& logs);
std::ostream& stream_or_cout(std::ostream* out);

class ModelRunner {
 public:
  // `what` names the call, which needs a compiled model; nullptr for predict, which does not.
  ModelRunner(Model& model, const char* what)
      : m_(model), t_(what ? &model.training(what) : nullptr), name_(model.name()) {}

  // Before a call: the model is built, has one input, and x's samples fit it (`what` names x in
  // the message, as "fit's x"; nullptr: the model's own words).
  void check_x(const Tensor& x, const char* what = nullptr);
  // ... and y has as many samples.
  void check_data(const char* what, const Tensor& x, const Tensor& y);
  // Both finite, and y fits the loss.
  void check_values(const std::string& x_what, const Tensor& x, const std::string& y_what, const Tensor& y);
  // The weights a training step changes, gathered once per call.
  void prepare_training();

  struct StepResult {
    double loss;
    long samples;
    std::string diverged{};  // why the step was undone (a non-finite loss or weight); empty: it was not
  };
  // Samples idx[b..e) of x into the model's input slot, and y's into the batch's targets.
  void gather(const Tensor& x, const Tensor& y, const std::vector<long>& idx, long b, long e);
  // forward, loss, backward, optimizer step; a failing step leaves the model as it was. A step
  // whose loss or weights become non-finite is undone and returns a nan loss and the reason,
  // for the caller to throw or (TerminateOnNaN) to stop on.
  StepResult train_step(long epoch, long step);
  // forward and loss in inference mode; updates the metrics.
  StepResult test_step();
  void reset_metrics();
  Logs logs(double loss_mean) const;

  Training& training() { return *t_; }
  const std::string& name() const { return name_; }
  void require_graph() const { m_.require_graph(); }
  Tensor& input_slot() { return m_.exec_.inputs[0]; }
  const Tensor& run(Mode mode) { return m_.run(mode); }

 private:
  void back_up();
  void restore();
  // Keras' regularization losses: the sum of the penalties (core/regularizers.h) of the trainable
  // weights, added to the loss of every training and test step. The weights are gathered at the
  // first step of a call, after the forward that builds a deferred Sequential.
  double penalty();
  Model& m_;
  bool regularized_gathered_ = false;
  Training* t_;
  const std::string& name_;
  Tensor yb_;  // the targets of the current batch
};

}  // namespace minnow
