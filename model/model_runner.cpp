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

std::vector<long> order(long n, bool shuffle, Rng* rng) {
  std::vector<long> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0L);
  if (shuffle)
    for (long i = n - 1; i > 0; --i) std::swap(idx[size_t(i)], idx[size_t(rng->below(std::uint64_t(i + 1)))]);
  return idx;
}

ProgressBar::Values ordered(const Logs& logs) {
  ProgressBar::Values v;
  auto is_loss = [](const std::string& k) { return k.size() >= 4 && k.compare(k.size() - 4, 4, "loss") == 0; };
  auto take = [&](bool val, bool total, bool loss) {
    for (const auto& [k, x] : logs)
      if ((k.rfind("val_", 0) == 0) == val && (k == "loss" || k == "val_loss") == total && is_loss(k) == loss)
        v.emplace_back(k, x);
  };
  for (const bool val : {false, true}) take(val, true, true), take(val, false, true), take(val, false, false);
  return v;
}

std::ostream& stream_or_cout(std::ostream* out) { return out ? *out : std::cout; }

// ---- checks -------------------------------------------------------------------------------

void ModelRunner::check_x(const TensorList& x, const char* what) {
  std::vector<const Tensor*> xs;
  for (size_t i = 0; i < x.size(); ++i) xs.push_back(&x[i]);
  m_.check_inputs(xs, what);
}

void ModelRunner::check_data(const char* what, const Data& d) {
  const size_t outputs = m_.graph_.outputs.size();
  if (d.y.size() != outputs)
    throw UsageError(fmt::format("Model '{}': {} received {} target tensor(s) y, but the model has {} output(s); "
                                 "pass one y per output, in the order of model.outputs()",
                                 name_, what, d.y.size(), outputs));
  if (d.x.empty()) throw UsageError(fmt::format("Model '{}': {} received no input tensor x", name_, what));
  const long n = d.samples();
  auto same = [&](const Tensor& t, const std::string& which) {
    if (samples_of(t) != n)
      throw ShapeError(fmt::format("Model '{}': {} received x with {} samples {} and {} with {} samples {}; they "
                                   "must have the same number of samples",
                                   name_, what, n, d.x[0].shape(), which, samples_of(t), t.shape()));
  };
  for (size_t i = 1; i < d.x.size(); ++i) same(d.x[i], fmt::format("input {}", i));
  for (size_t k = 0; k < d.y.size(); ++k) same(d.y[k], outputs == 1 ? "y" : fmt::format("y {}", k));
  if (d.sample_weight) {
    const Shape& s = d.sample_weight->shape();
    if (!(s.rank() == 1 || (s.rank() == 2 && s[1] == 1)))
      throw ShapeError(fmt::format("Model '{}': {} received sample_weight of shape {}; it must hold one weight per "
                                   "sample, shape ({},)",
                                   name_, what, s, n));
    same(*d.sample_weight, "sample_weight");
  }
  if (n == 0) throw ShapeError(fmt::format("Model '{}': {} received no samples", name_, what));
  check_x(d.x, fmt::format("{}'s x", what).c_str());
}

void ModelRunner::check_values(const Names& names, const Data& d) {
  auto numbered = [](const std::string& what, size_t i, size_t n) {
    return n > 1 ? fmt::format("{} {}", what, i) : what;
  };
  for (size_t i = 0; i < d.x.size(); ++i)
    check_finite(d.x[i], fmt::format("Model '{}': {}", name_, numbered(names.x, i, d.x.size())));
  for (size_t k = 0; k < d.y.size(); ++k)
    check_finite(d.y[k], fmt::format("Model '{}': {}", name_, numbered(names.y, k, d.y.size())));
  if (d.sample_weight) {
    const std::string who = fmt::format("Model '{}': {}", name_, names.sample_weight);
    check_finite(*d.sample_weight, who);
    for (long i = 0; i < d.sample_weight->size(); ++i)
      if ((*d.sample_weight)[i] < 0)
        throw Error(fmt::format("{} holds a negative weight ({}) at index {}; weights must be >= 0", who,
                                (*d.sample_weight)[i], i));
  }
  // Each loss checks its y against a stand-in for the whole set's predictions (as large as
  // predict's result): its shape, and for a sparse loss every label, whatever batch it would fall in.
  for (size_t k = 0; k < d.y.size(); ++k)
    t_->outputs[k].loss->compute(Tensor(m_.graph_.outputs[k].shape().with_batch(samples_of(d.y[k])), 0.5f), d.y[k],
                                 nullptr);
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

void ModelRunner::gather(const Data& d, const std::vector<long>& idx, long b, long e) {
  for (size_t i = 0; i < d.x.size(); ++i) take_rows(d.x[i], idx, b, e, m_.exec_.inputs[i]);
  for (size_t k = 0; k < d.y.size(); ++k) take_rows(d.y[k], idx, b, e, t_->outputs[k].targets);
  if (d.sample_weight) take_rows(*d.sample_weight, idx, b, e, swb_);
  else swb_ = Tensor();
}

const std::vector<const Tensor*>& ModelRunner::run(Mode mode) {
  m_.run(mode);
  y_pred_.clear();  // no allocation once warm: a step allocates nothing
  for (int slot : m_.graph_.output_slots) y_pred_.push_back(m_.exec_.values[size_t(slot)]);
  return y_pred_;
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

namespace {
// Keras' sample_weight on a loss that is the mean of per-row losses l_r (R rows; a sample n owns
// R/N consecutive rows), reduced as sum_over_batch_size:
//   (W1)  L = 1/R sum_r w_n(r) l_r
//   (W2)  dL/dp_r = w_n(r) * (dL/dp_r unweighted)      the unweighted gradient already carries 1/R
double weighted_loss(const Loss& loss, const Tensor& y_pred, const Tensor& y_true, const Tensor& w, Tensor* grad) {
  loss.compute(y_pred, y_true, grad);  // every check, and the unweighted gradient
  const Tensor rows = loss.per_sample(y_pred, y_true);
  const long per_sample = rows.size() / w.size();
  double sum = 0;
  for (long r = 0; r < rows.size(); ++r) sum += double(w[r / per_sample]) * double(rows[r]);
  if (grad) {
    const long per_weight = grad->size() / w.size();
    for (long i = 0; i < grad->size(); ++i) (*grad)[i] *= w[i / per_weight];
  }
  return rows.empty() ? 0.0 : sum / double(rows.size());
}
}  // namespace

double ModelRunner::losses(const std::vector<const Tensor*>& y_pred, bool grads) {
  output_losses_.resize(t_->outputs.size());
  double total = 0;
  for (size_t k = 0; k < t_->outputs.size(); ++k) {
    OutputLoss& o = t_->outputs[k];
    Tensor* grad = grads ? &o.grad : nullptr;
    const double l = swb_.empty() ? o.loss->compute(*y_pred[k], o.targets, grad)
                                  : weighted_loss(*o.loss, *y_pred[k], o.targets, swb_, grad);
    if (grad && o.weight != 1) o.grad.row() *= float(o.weight);
    output_losses_[k] = l;
    total += o.weight * l;
  }
  return total + penalty();
}

// Keras' loss trackers: each batch's value weighted by its number of samples.
void ModelRunner::count(double loss, const std::vector<const Tensor*>& y_pred) {
  const double n = double(samples_of(*y_pred[0]));
  t_->loss.update_state(loss, n);
  for (size_t k = 0; k < t_->outputs.size(); ++k) {
    OutputLoss& o = t_->outputs[k];
    o.mean.update_state(output_losses_[k], n);
    for (const auto& metric : o.metrics) metric->update_state(*y_pred[k], o.targets);
  }
}

ModelRunner::StepResult ModelRunner::test_step() {
  const std::vector<const Tensor*>& y_pred = run(Mode::Inference);
  const double loss = losses(y_pred, false);
  count(loss, y_pred);
  return {loss, samples_of(*y_pred[0])};
}

void ModelRunner::reset_metrics() {
  t_->loss.reset_state();
  for (OutputLoss& o : t_->outputs) {
    o.mean.reset_state();
    for (const auto& metric : o.metrics) metric->reset_state();
  }
}

Logs ModelRunner::logs() const {
  Logs l{{"loss", t_->loss.result()}};
  for (const OutputLoss& o : t_->outputs) {
    if (t_->outputs.size() > 1) l[o.prefix + "loss"] = o.mean.result();
    for (const auto& metric : o.metrics) l[o.prefix + metric->name()] = metric->result();
  }
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
  const long n = samples_of(t_->outputs[0].targets);
  auto diverged = [&](const std::string& what) {
    restore();
    t_->loss.update_state(std::numeric_limits<double>::quiet_NaN(), double(n));
    return StepResult{std::numeric_limits<double>::quiet_NaN(), n,
                      fmt::format("Model '{}': {} at epoch {}, step {}; training stopped and the weights from before "
                                  "that step are kept. Try a smaller learning rate or check the data.",
                                  name_, what, epoch, step)};
  };
  try {
    const std::vector<const Tensor*>& y_pred = run(Mode::Training);  // forward
    const double loss = losses(y_pred, true);                        // L and dL/dy_pred
    if (!std::isfinite(loss)) return diverged(fmt::format("the loss became {}", loss));
    count(loss, y_pred);
    dys_.clear();
    for (const OutputLoss& o : t_->outputs) dys_.push_back(&o.grad);
    m_.run_backward(dys_, /*input_gradients=*/false);  // nobody needs dL/dx of the input batch
    for (Parameter* p : t_->regularized) p->regularizer.add_gradient(p->value, p->grad);  // d penalty / dw
    t_->optimizer->apply_gradients(t_->params);
    for (const Parameter* p : t_->params)
      if (!p->value.row().allFinite()) return diverged(fmt::format("weight '{}' became non-finite", p->name));
    t_->batch_norms.count_updates();
    return {loss, n};
  } catch (...) {
    restore();
    throw;
  }
}

}  // namespace minnow
