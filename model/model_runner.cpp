#include "model/internal/model_runner.h"

#include <cmath>
#include <iostream>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {
void check_finite(const Tensor& t, const std::string& what) {
  for (long i = 0; i < t.size(); ++i)
    if (!std::isfinite(t[i]))
      throw Error(fmt::format("{} holds a non-finite value ({}) at flat index {}; clean the data or pass "
                              "check_inputs = false",
                              what, t[i], i));
}

}  // namespace

long samples_of(const Tensor& t) { return t.shape().rank() > 0 ? t.shape()[0] : 0; }

void check_pair(const std::string& model, const char* what, const Tensor& x, const Tensor& y) {
  if (samples_of(x) != samples_of(y))
    throw ShapeError(fmt::format("Model '{}': {} received x with {} samples {} and y with {} samples {}; they must "
                                 "have the same number of samples",
                                 model, what, samples_of(x), x.shape(), samples_of(y), y.shape()));
  if (samples_of(x) == 0) throw ShapeError(fmt::format("Model '{}': {} received no samples", model, what));
}

std::vector<long> order(long n, bool shuffle, Rng* rng) {
  std::vector<long> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0L);
  if (shuffle)
    for (long i = n - 1; i > 0; --i) std::swap(idx[size_t(i)], idx[size_t(rng->below(std::uint64_t(i + 1)))]);
  return idx;
}

ProgressBar::Values ordered(const Logs& logs) {
  ProgressBar::Values v;
  auto take = [&](bool val, bool loss) {
    for (const auto& [k, x] : logs)
      if ((k.rfind("val_", 0) == 0) == val && (k == "loss" || k == "val_loss") == loss) v.emplace_back(k, x);
  };
  take(false, true), take(false, false), take(true, true), take(true, false);
  return v;
}

std::ostream& stream_or_cout(std::ostream* out) { return out ? *out : std::cout; }

// ---- checks -------------------------------------------------------------------------------

void ModelRunner::check_x(const Tensor& x, const char* what) {
  const Tensor* xs[1] = {&x};
  m_.check_inputs(xs, what);
}

void ModelRunner::check_data(const char* what, const Tensor& x, const Tensor& y) {
  check_pair(name_, what, x, y);
  check_x(x);
}

void ModelRunner::check_values(const std::string& x_what, const Tensor& x, const std::string& y_what, const Tensor& y) {
  check_finite(x, fmt::format("Model '{}': {}", name_, x_what));
  check_finite(y, fmt::format("Model '{}': {}", name_, y_what));
  // The loss checks y against a stand-in for the whole set's predictions (as large as predict's
  // result): its shape, and for a sparse loss every label, whatever batch it would fall in.
  if (m_.graph_.outputs.size() == 1)
    t_->loss->compute(Tensor(m_.graph_.outputs[0].shape().with_batch(samples_of(y)), 0.5f), y, nullptr);
}

// Gathered once per call (layers may be added to a Sequential, or frozen, between calls): the
// trainable weights, and the non-trainable state a training forward moves (BatchNorm's moving
// statistics).
void ModelRunner::prepare_training() {
  t_->params = m_.trainable_weights();
  t_->moving.clear();
  for (Parameter* p : m_.weights())
    if (!p->trainable_by_design) t_->moving.push_back(p);
  t_->moving_backup.resize(t_->moving.size());
  t_->params_backup.resize(t_->params.size());
  t_->batch_norms.track(m_);
}

// ---- batches and steps --------------------------------------------------------------------

void ModelRunner::gather(const Tensor& x, const Tensor& y, const std::vector<long>& idx, long b, long e) {
  take_rows(x, idx, b, e, m_.exec_.inputs[0]);
  take_rows(y, idx, b, e, yb_);
}

double ModelRunner::penalty() {
  if (!regularized_gathered_) {
    t_->regularized.clear();
    for (Parameter* p : m_.trainable_weights())
      if (p->regularizer.active()) t_->regularized.push_back(p);
    regularized_gathered_ = true;
  }
  double sum = 0;
  for (const Parameter* p : t_->regularized) sum += p->regularizer.penalty(p->value);
  return sum;
}

ModelRunner::StepResult ModelRunner::test_step() {
  const Tensor& y_pred = m_.run(Mode::Inference);
  const double loss = t_->loss->compute(y_pred, yb_, nullptr) + penalty();
  for (const auto& metric : t_->metrics) metric->update_state(y_pred, yb_);
  return {loss, samples_of(yb_)};
}

void ModelRunner::reset_metrics() {
  for (const auto& metric : t_->metrics) metric->reset_state();
}

Logs ModelRunner::logs(double loss_mean) const {
  Logs l{{"loss", loss_mean}};
  for (const auto& metric : t_->metrics) l[metric->name()] = metric->result();
  return l;
}

// ---- one training step: forward, loss, backward, update
// -------------------------------------------------------------------

// Everything a step may change is backed up first, so that a step that fails (a non-finite loss
// or weight, or an error such as a label out of range) leaves the model as it was.
void ModelRunner::back_up() {
  t_->optimizer->save_state();
  for (size_t i = 0; i < t_->moving.size(); ++i) t_->moving_backup[i] = t_->moving[i]->value;
  for (size_t i = 0; i < t_->params.size(); ++i) t_->params_backup[i] = t_->params[i]->value;
}

void ModelRunner::restore() {
  t_->optimizer->restore_state();
  for (size_t i = 0; i < t_->moving.size(); ++i) t_->moving[i]->value = t_->moving_backup[i];
  for (size_t i = 0; i < t_->params.size(); ++i) t_->params[i]->value = t_->params_backup[i];
}

ModelRunner::StepResult ModelRunner::train_step(long epoch, long step) {
  back_up();
  auto diverged = [&](const std::string& what) {
    restore();
    return StepResult{std::numeric_limits<double>::quiet_NaN(), samples_of(yb_),
                      fmt::format("Model '{}': {} at epoch {}, step {}; training stopped and the weights from before "
                                  "that step are kept. Try a smaller learning rate or check the data.",
                                  name_, what, epoch, step)};
  };
  try {
    const Tensor& y_pred = m_.run(Mode::Training);                                   // forward
    const double loss = t_->loss->compute(y_pred, yb_, &t_->loss_grad) + penalty();  // L and dL/dy_pred
    if (!std::isfinite(loss)) return diverged(fmt::format("the loss became {}", loss));
    for (const auto& metric : t_->metrics) metric->update_state(y_pred, yb_);
    const Tensor* dys[1] = {&t_->loss_grad};
    m_.run_backward(dys, /*input_gradients=*/false);  // nobody needs dL/dx of the input batch
    for (Parameter* p : t_->regularized) p->regularizer.add_gradient(p->value, p->grad);  // d penalty / dw
    t_->optimizer->apply_gradients(t_->params);
    for (const Parameter* p : t_->params)
      if (!p->value.row().allFinite()) return diverged(fmt::format("weight '{}' became non-finite", p->name));
    t_->batch_norms.count_updates();
    return {loss, samples_of(yb_)};
  } catch (...) {
    restore();
    throw;
  }
}

}  // namespace minnow
