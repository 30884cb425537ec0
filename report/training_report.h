// A training report in one HTML file, TensorBoard's essentials without a server: open it in any
// browser, offline (inline SVG and CSS, no script from anywhere else).
//   TrainingReport report(model, {.path = "minnow-out/fashion_mnist/report.html",
//                                 .probe_x = &x_probe, .probe_y = &y_probe});
//   fit_options.callbacks = {&report};          a Callback (model/callback.h): fit calls its hooks,
//   model.fit(x, y, fit_options);               and on_train_end writes the page
// A hand-written training loop calls the hooks itself: report.set_context(model, {.epochs = E,
// .steps = S}), report.on_train_begin({}), on_train_batch_end(batch, logs) after each step,
// on_epoch_end(epoch, logs) after each epoch, and on_train_end({}).
// What it holds:
//   - the model's diagram (diagram/plot_model.h) and its summary;
//   - loss and every metric per epoch, training against validation, per step (raw and smoothed),
//     and the learning rate;
//   - per layer, sampled every `every` steps on one fixed probe batch (tools/trace.h, a training-
//     mode forward and backward that changes no weight): the output's mean, std, min and max,
//     the dead (exactly 0) or saturated fraction, the gradient norm arriving at the output, and
//     each weight's norm and gradient norm;
//   - every BatchNormalization's moving mean and variance, channel by channel, against the probe
//     batch's own statistics, with the updates seen next to the window 1 / (1 - momentum);
//   - histograms of activations and weights at a few points of training.
// Sampling runs the probe batch through the model: Dropout's generator advances, so a run with a
// report draws other dropout masks than one without it (all else is unchanged).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/callback.h"
#include "plot/plot.h"
#include "tools/trace.h"

namespace minnow {

class Model;

struct ReportOptions {
  std::string path = "minnow-out/report.html";
  std::string title{};              // default: "Training report: <model name>"
  const Tensor* probe_x = nullptr;  // the batch traced at every sample (required; a few hundred
  const Tensor* probe_y = nullptr;  // samples is plenty); kept by pointer: it must outlive the report
  long every = 0;                   // trace every `every` steps; 0: about 40 samples over the run
  long snapshots = 4;               // histograms at this many points (the first and last step included)
  long channels = 6;                // BatchNormalization channels drawn per layer
};

// What one sample of the probe batch recorded.
struct ReportSample {
  long step = 0;  // training steps done before it
  Trace trace;
  struct BatchNorm {
    std::string name{};
    std::vector<double> moving_mean{}, moving_variance{}, batch_mean{}, batch_variance{};  // per channel
  };
  std::vector<BatchNorm> batch_norms{};
  std::vector<std::pair<std::string, Histogram>> histograms{};  // snapshots only: "dense (output)"
};

class TrainingReport : public Callback {
 public:
  TrainingReport(Model& model, ReportOptions options);
  ~TrainingReport();
  TrainingReport(const TrainingReport&) = delete;
  TrainingReport& operator=(const TrainingReport&) = delete;

  // The hooks (model/callback.h). on_train_begin plans the samples over params().epochs x
  // params().steps steps (a UsageError when fit trains another model than the report's);
  // every on_train_batch_end is one step; on_train_end writes the file (an IoError if it cannot).
  void on_train_begin(const Logs& logs) override;
  void on_train_batch_end(long batch, const Logs& logs) override;
  void on_epoch_end(long epoch, Logs& logs) override;
  void on_train_end(const Logs& logs) override;

  // The page, as written by on_train_end.
  std::string html() const;
  const std::vector<ReportSample>& samples() const { return samples_; }
  long every() const { return every_; }
  // The wall-clock seconds spent in the hooks so far: what the report costs the training.
  double seconds() const { return seconds_; }

 private:
  void sample(long step, bool snapshot);
  Model& model_;
  ReportOptions options_;
  long every_ = 1, total_steps_ = 0, steps_done_ = 0;
  double seconds_ = 0;
  std::vector<long> snapshot_steps_;
  std::map<std::string, std::vector<double>> step_logs_, epoch_logs_;
  std::vector<double> steps_, epoch_lr_;
  std::vector<ReportSample> samples_;
};

}  // namespace minnow
