// TrainingReport: what it records while a model trains (the page itself: report_html.cpp).
#include "report/training_report.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "layers/batch_normalization.h"
#include "model/model.h"
#include "optim/optimizer.h"

namespace minnow {

namespace {

// Per-channel mean and (population) variance of x over every axis but `axis` (negative: from the end).
void channel_moments(const Tensor& x, long axis, std::vector<double>& mean, std::vector<double>& variance) {
  const Shape& s = x.shape();
  const long a = axis < 0 ? s.rank() + axis : axis, channels = s[a];
  long inner = 1;
  for (long d = a + 1; d < s.rank(); ++d) inner *= s[d];
  mean.assign(size_t(channels), 0.0), variance.assign(size_t(channels), 0.0);
  std::vector<double> square(size_t(channels), 0.0);
  const float* v = x.data();
  for (long i = 0; i < x.size(); ++i) {
    const auto c = size_t((i / inner) % channels);
    mean[c] += v[i], square[c] += double(v[i]) * v[i];
  }
  const double m = double(x.size() / channels);
  for (size_t c = 0; c < mean.size(); ++c) mean[c] /= m, variance[c] = std::max(0.0, square[c] / m - mean[c] * mean[c]);
}

std::vector<double> first(std::span<const float> values, long n) {
  return {values.begin(), values.begin() + std::min(n, long(values.size()))};
}

}  // namespace

TrainingReport::TrainingReport(Model& model, ReportOptions options) : model_(model), options_(std::move(options)) {
  if (!options_.probe_x || !options_.probe_y)
    throw UsageError("TrainingReport: probe_x and probe_y must point to a batch to trace (a few hundred samples)");
  if (options_.every < 0 || options_.snapshots < 0 || options_.channels < 0)
    throw UsageError(fmt::format("TrainingReport: every ({}), snapshots ({}) and channels ({}) must be >= 0",
                                 options_.every, options_.snapshots, options_.channels));
  if (options_.title.empty()) options_.title = "Training report: " + model.name();
}

TrainingReport::~TrainingReport() = default;

void TrainingReport::on_train_begin(const Logs& /*logs*/) {
  if (&model("TrainingReport") != &model_)
    throw UsageError(fmt::format("TrainingReport: it reports on model '{}', but fit trains model '{}'", model_.name(),
                                 model("TrainingReport").name()));
  total_steps_ = std::max(1L, params().epochs * params().steps);
  every_ = options_.every > 0 ? options_.every : std::max(1L, total_steps_ / 40);
  snapshot_steps_.clear();
  for (long k = 0; k < options_.snapshots; ++k)  // 0, ..., total: evenly spaced, rounded to a sample
    snapshot_steps_.push_back(options_.snapshots == 1 ? 0 : total_steps_ * k / (options_.snapshots - 1));
  steps_done_ = 0;
  sample(0, options_.snapshots > 0);
}

void TrainingReport::on_train_batch_end(long /*batch*/, const Logs& logs) {
  ++steps_done_;
  steps_.push_back(double(steps_done_));
  for (const auto& [key, value] : logs) step_logs_[key].push_back(value);
  const bool snapshot = std::find(snapshot_steps_.begin(), snapshot_steps_.end(), steps_done_) != snapshot_steps_.end();
  if (steps_done_ % every_ == 0 || snapshot) sample(steps_done_, snapshot);
}

void TrainingReport::on_epoch_end(long /*epoch*/, Logs& logs) {
  for (const auto& [key, value] : logs) epoch_logs_[key].push_back(value);
  epoch_lr_.push_back(model_.optimizer().learning_rate());
}

// One sample: the probe batch traced in training mode (no weight changes), the moving statistics
// of every BatchNormalization against the batch's own, and at snapshots the histograms.
void TrainingReport::sample(long step, bool snapshot) {
  const auto start = std::chrono::steady_clock::now();
  ReportSample s{.step = step,
                 .trace = trace_step(model_, *options_.probe_x, *options_.probe_y, model_.loss(), Mode::Training)};
  for (const auto& layer : model_.layers()) {
    if (snapshot && layer->class_name() != "InputLayer") {
      s.histograms.emplace_back(layer->name() + " (output)", histogram(layer->output().values(), 40));
      for (const Parameter* w : std::as_const(*layer).weights())
        if (w->trainable()) s.histograms.emplace_back(layer->name() + "/" + w->name, histogram(w->value.values(), 40));
    }
    const auto* bn = dynamic_cast<const BatchNormalizationLayer*>(layer.get());
    if (!bn) continue;
    ReportSample::BatchNorm b{.name = bn->name()};
    channel_moments(model_.node_of(*bn).inputs[0].layer->output(), bn->options().axis, b.batch_mean, b.batch_variance);
    b.batch_mean.resize(std::min(b.batch_mean.size(), size_t(options_.channels)));
    b.batch_variance.resize(b.batch_mean.size());
    for (const Parameter* w : bn->weights()) {
      if (w->name == "moving_mean") b.moving_mean = first(w->value.values(), options_.channels);
      if (w->name == "moving_variance") b.moving_variance = first(w->value.values(), options_.channels);
    }
    s.batch_norms.push_back(std::move(b));
  }
  samples_.push_back(std::move(s));
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace minnow
