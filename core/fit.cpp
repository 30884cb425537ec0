// Model's training loop: compile, fit, evaluate, predict, train_on_batch, test_on_batch.
//
// One training step, written out (examples/fashion_mnist.cpp writes the same loop by hand):
//   y_pred = forward(x, Mode::Training)        BatchNorm uses batch statistics, updates moving ones
//   loss   = L(y_pred, y)                       the batch mean; dL/dy_pred carries the 1/N
//   backward(dL/dy_pred)                        every layer assigns its weight gradients
//   optimizer.apply_gradients(trainable weights)
#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"
#include "core/losses.h"
#include "core/metrics.h"
#include "core/model.h"
#include "core/progress.h"
#include "core/random.h"
#include "optim/optimizer.h"

namespace minnow {

namespace {

// Runs f when the scope ends, however it ends.
template <class F>
struct AtExit {
  F f;
  ~AtExit() { f(); }
};
template <class F>
AtExit(F) -> AtExit<F>;  // clang 14 does not deduce an aggregate's arguments by itself

long samples_of(const Tensor& t) { return t.shape().rank() > 0 ? t.shape()[0] : 0; }

void check_finite(const Tensor& t, const std::string& what) {
  for (long i = 0; i < t.size(); ++i)
    if (!std::isfinite(t[i]))
      throw Error(fmt::format("{} holds a non-finite value ({}) at flat index {}; clean the data or pass "
                              "check_inputs = false",
                              what, t[i], i));
}

void check_pair(const std::string& model, const char* what, const Tensor& x, const Tensor& y) {
  if (samples_of(x) != samples_of(y))
    throw ShapeError(fmt::format("Model '{}': {} received x with {} samples {} and y with {} samples {}; they must "
                                 "have the same number of samples",
                                 model, what, samples_of(x), x.shape(), samples_of(y), y.shape()));
  if (samples_of(x) == 0) throw ShapeError(fmt::format("Model '{}': {} received no samples", model, what));
}

// 0, 1, ..., n-1.
std::vector<long> sample_range(long n) {
  std::vector<long> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0L);
  return idx;
}

// Shuffled (or ordered) sample indices 0..n-1.
std::vector<long> order(long n, bool shuffle, Rng& rng) {
  std::vector<long> idx = sample_range(n);
  if (shuffle)  // Fisher-Yates with our own generator, so the order is the same everywhere
    for (long i = n - 1; i > 0; --i) std::swap(idx[size_t(i)], idx[size_t(rng.below(std::uint64_t(i + 1)))]);
  return idx;
}

// Keras' order: loss, the metrics, val_loss, the validation metrics.
ProgressBar::Values ordered(const Logs& logs) {
  ProgressBar::Values v;
  auto take = [&](bool val, bool loss) {
    for (const auto& [k, x] : logs)
      if ((k.rfind("val_", 0) == 0) == val && (k == "loss" || k == "val_loss") == loss) v.emplace_back(k, x);
  };
  take(false, true), take(false, false), take(true, true), take(true, false);
  return v;
}

}  // namespace

// ---- compile ------------------------------------------------------------------------------

void Model::compile(std::shared_ptr<Optimizer> optimizer, std::shared_ptr<Loss> loss,
                    const std::vector<std::string>& metrics) {
  require_graph();
  if (!optimizer || !loss) throw UsageError(fmt::format("Model '{}': compile needs an optimizer and a loss", name_));
  std::vector<std::shared_ptr<Metric>> chosen;  // all checked before the model changes
  for (const std::string& m : metrics) {
    if (m != "accuracy" && m != "acc")
      throw ConfigError(fmt::format("Model '{}': unknown metric '{}'. Supported: accuracy", name_, m));
    chosen.push_back(make_accuracy(*loss));
  }
  metrics_ = std::move(chosen);
  optimizer_ = std::move(optimizer);
  loss_ = std::move(loss);
}

// The weights a training step changes, gathered once per fit() / train_on_batch() call (layers may
// be added to a Sequential, or frozen, between calls): the trainable ones, and the non-trainable
// state a training forward moves (BatchNorm's moving statistics).
void Model::prepare_training() {
  train_params_ = trainable_weights();
  moving_state_.clear();
  for (Parameter* p : weights())
    if (!p->trainable_by_design) moving_state_.push_back(p);
  moving_backup_.resize(moving_state_.size());
}

void Model::compile(const std::string& optimizer, const std::string& loss, const std::vector<std::string>& metrics) {
  compile(std::shared_ptr<Optimizer>(make_optimizer(optimizer)), std::shared_ptr<Loss>(make_loss(loss)), metrics);
}

void Model::require_compiled(const char* what) const {
  if (!optimizer_ || !loss_)
    throw UsageError(fmt::format("Model '{}': call compile(optimizer, loss) before {}", name_, what));
}

Optimizer& Model::optimizer() const {
  require_compiled("optimizer()");
  return *optimizer_;
}

const Loss& Model::loss() const {
  require_compiled("loss()");
  return *loss_;
}

// ---- checks before training ---------------------------------------------------------------

void Model::check_sample_shape(const char* what, const Tensor& x) const {
  if (inputs_.size() != 1) return;  // forward reports the number of inputs
  const Shape& want = inputs_[0].shape();
  if (!x.shape().same_sample_shape(want))
    throw ShapeError(fmt::format("Model '{}': {}: input '{}' expects a batch of shape {}, but received a tensor of "
                                 "shape {}",
                                 name_, what, inputs_[0].layer->name(), want, x.shape()));
}

void Model::check_targets(const Tensor& y) const {
  if (outputs_.size() != 1) return;
  // The loss checks y against a stand-in for the whole set's predictions (as large as predict's
  // result): its shape, and for a sparse loss every label, whatever batch it would fall in.
  const Tensor stand_in(outputs_[0].shape().with_batch(samples_of(y)), 0.5f);
  loss_->compute(stand_in, y, nullptr);
}

// ---- one step -----------------------------------------------------------------------------

Model::StepResult Model::train_step(const Tensor& x, const Tensor& y, long epoch, long step) {
  // Everything this step may change is backed up first, so a step that fails (a non-finite loss or
  // weight, or an error such as a label out of range) leaves the model as it was: the moving
  // statistics (changed by the forward pass) and the trainable weights.
  for (size_t i = 0; i < moving_state_.size(); ++i) moving_backup_[i] = moving_state_[i]->value;
  weights_backup_.resize(train_params_.size());
  for (size_t i = 0; i < train_params_.size(); ++i) weights_backup_[i] = train_params_[i]->value;
  auto restore = [&] {
    for (size_t i = 0; i < moving_state_.size(); ++i) moving_state_[i]->value = moving_backup_[i];
    for (size_t i = 0; i < train_params_.size(); ++i) train_params_[i]->value = weights_backup_[i];
  };
  auto diverged = [&](const std::string& what) {
    return Error(fmt::format("Model '{}': {} at epoch {}, step {}; training stopped and the weights from before that "
                             "step are kept. Try a smaller learning rate or check the data.",
                             name_, what, epoch, step));
  };
  // The layers borrow x (forward_borrowed), which the caller frees: no backward may follow the step.
  const AtExit forget{[this] { has_forward_ = false; }};
  try {
    const Tensor& y_pred = forward_borrowed(x, Mode::Training);
    const double loss = loss_->compute(y_pred, y, &loss_grad_);
    if (!std::isfinite(loss)) throw diverged(fmt::format("the loss became {}", loss));
    for (const auto& m : metrics_) m->update_state(y_pred, y);
    backward(loss_grad_, /*input_gradients=*/false);  // nobody needs dL/dx of the input batch
    optimizer_->apply_gradients(train_params_);
    for (const Parameter* p : train_params_)
      if (!p->value.row().allFinite()) throw diverged(fmt::format("weight '{}' became non-finite", p->name));
    return {loss, samples_of(x)};
  } catch (...) {
    restore();
    throw;
  }
}

Model::StepResult Model::test_step(const Tensor& x, const Tensor& y) {
  const AtExit forget{[this] { has_forward_ = false; }};  // x is borrowed, as in train_step
  const Tensor& y_pred = forward_borrowed(x, Mode::Inference);
  const double loss = loss_->compute(y_pred, y, nullptr);
  for (const auto& m : metrics_) m->update_state(y_pred, y);
  return {loss, samples_of(x)};
}

Logs Model::logs(double loss_mean) const {
  Logs l{{"loss", loss_mean}};
  for (const auto& m : metrics_) l[m->name()] = m->result();
  return l;
}

Logs Model::train_on_batch(const Tensor& x, const Tensor& y) {
  require_compiled("train_on_batch");
  check_pair(name_, "train_on_batch", x, y);
  for (const auto& m : metrics_) m->reset_state();
  prepare_training();
  return logs(train_step(x, y, 1, 1).loss);
}

Logs Model::test_on_batch(const Tensor& x, const Tensor& y) {
  require_compiled("test_on_batch");
  check_pair(name_, "test_on_batch", x, y);
  for (const auto& m : metrics_) m->reset_state();
  return logs(test_step(x, y).loss);
}

// ---- evaluate, predict --------------------------------------------------------------------

Logs Model::evaluate(const Tensor& x, const Tensor& y, long batch_size, int verbose, std::ostream* out) {
  require_compiled("evaluate");
  check_pair(name_, "evaluate", x, y);
  if (batch_size <= 0)
    throw ConfigError(fmt::format("Model '{}': evaluate's batch_size must be > 0, but received {}", name_, batch_size));
  if (verbose < 0 || verbose > 2)
    throw ConfigError(fmt::format("Model '{}': evaluate's verbose must be 0, 1 or 2, but received {}", name_, verbose));
  for (const auto& m : metrics_) m->reset_state();
  const long n = samples_of(x), steps = (n + batch_size - 1) / batch_size;
  std::vector<long> idx = sample_range(n);
  std::ostream& o = out ? *out : std::cout;
  ProgressBar bar(o, steps, verbose, is_terminal(o));
  Tensor xb, yb;
  double loss_sum = 0;
  for (long s = 0; s < steps; ++s) {
    const long b = s * batch_size, e = std::min(n, b + batch_size);
    take_rows(x, idx, b, e, xb);
    take_rows(y, idx, b, e, yb);
    loss_sum += test_step(xb, yb).loss * double(e - b);
    bar.update(s + 1, ordered(logs(loss_sum / double(e))));
  }
  Logs result = logs(loss_sum / double(n));  // not const: returned by move
  bar.finish(ordered(result));
  return result;
}

Tensor Model::predict(const Tensor& x, long batch_size) {
  require_graph();
  if (batch_size <= 0)
    throw ConfigError(fmt::format("Model '{}': predict's batch_size must be > 0, but received {}", name_, batch_size));
  if (output_slots_.size() != 1) throw UsageError(fmt::format("Model '{}': predict supports one output", name_));
  const long n = samples_of(x);
  if (n == 0) throw ShapeError(fmt::format("Model '{}': predict received no samples", name_));
  std::vector<long> idx = sample_range(n);
  Tensor xb, result;
  const AtExit forget{[this] { has_forward_ = false; }};  // xb is borrowed, as in train_step
  for (long b = 0; b < n; b += batch_size) {
    const long e = std::min(n, b + batch_size);
    take_rows(x, idx, b, e, xb);
    const Tensor& y = forward_borrowed(xb, Mode::Inference);
    if (result.empty()) result = Tensor(y.shape().with_batch(n));
    std::copy(y.data(), y.data() + y.size(), result.data() + b * (y.size() / (e - b)));
  }
  return result;
}

// ---- fit ----------------------------------------------------------------------------------

History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& opt) {
  require_compiled("fit");
  check_pair(name_, "fit", x, y);
  if (opt.epochs <= 0)
    throw ConfigError(fmt::format("Model '{}': fit's epochs must be > 0, but received {}", name_, opt.epochs));
  if (opt.batch_size <= 0)
    throw ConfigError(fmt::format("Model '{}': fit's batch_size must be > 0, but received {}", name_, opt.batch_size));
  if (!(opt.validation_split >= 0 && opt.validation_split < 1))
    throw ConfigError(fmt::format("Model '{}': fit's validation_split must be in [0, 1), but received {}", name_,
                                  opt.validation_split));
  if (opt.verbose < 0 || opt.verbose > 2)
    throw ConfigError(fmt::format("Model '{}': fit's verbose must be 0, 1 or 2, but received {}", name_, opt.verbose));
  if ((opt.validation_x == nullptr) != (opt.validation_y == nullptr))
    throw UsageError(fmt::format("Model '{}': fit needs both validation_x and validation_y, or neither", name_));
  if (opt.validation_x) check_pair(name_, "fit's validation data", *opt.validation_x, *opt.validation_y);
  // Everything that would stop training half-way is checked before the first step.
  check_sample_shape("fit's x", x);
  if (opt.validation_x) check_sample_shape("fit's validation_x", *opt.validation_x);
  if (opt.check_inputs) {
    check_finite(x, fmt::format("Model '{}': fit's x", name_));
    check_finite(y, fmt::format("Model '{}': fit's y", name_));
    check_targets(y);
    if (opt.validation_x) {
      check_finite(*opt.validation_x, fmt::format("Model '{}': fit's validation_x", name_));
      check_finite(*opt.validation_y, fmt::format("Model '{}': fit's validation_y", name_));
      check_targets(*opt.validation_y);
    }
  }

  // Keras' validation_split holds out the last samples, before any shuffling.
  const long total = samples_of(x);
  long n = total;
  Tensor val_x, val_y;
  std::vector<long> all = sample_range(total);
  if (opt.validation_x) {
    val_x = *opt.validation_x, val_y = *opt.validation_y;
  } else if (opt.validation_split > 0) {
    n = total - long(double(total) * opt.validation_split);
    if (n <= 0 || n == total)
      throw ConfigError(fmt::format("Model '{}': validation_split={} of {} samples leaves {} for training and {} for "
                                    "validation",
                                    name_, opt.validation_split, total, n, total - n));
    take_rows(x, all, n, total, val_x);
    take_rows(y, all, n, total, val_y);
  }
  const bool validate = !val_x.empty();

  std::ostream& out = opt.out ? *opt.out : std::cout;
  const bool interactive = is_terminal(out);
  const long steps = (n + opt.batch_size - 1) / opt.batch_size;
  prepare_training();
  Rng rng(opt.seed);
  Tensor xb, yb;
  History history;
  for (long epoch = 1; epoch <= opt.epochs; ++epoch) {
    if (opt.learning_rate_schedule) {
      const double lr = opt.learning_rate_schedule(epoch - 1, optimizer_->learning_rate());
      if (!(std::isfinite(lr) && lr > 0))
        throw ConfigError(fmt::format("Model '{}': fit's learning_rate_schedule returned {} for epoch {} (0-based); a "
                                      "learning rate must be finite and > 0",
                                      name_, lr, epoch - 1));
      optimizer_->set_learning_rate(float(lr));
    }
    if (opt.verbose > 0) out << fmt::format("Epoch {}/{}\n", epoch, opt.epochs) << std::flush;
    const auto start = std::chrono::steady_clock::now();
    const std::vector<long> idx = order(n, opt.shuffle, rng);
    for (const auto& m : metrics_) m->reset_state();
    ProgressBar bar(out, steps, opt.verbose, interactive);
    double loss_sum = 0;
    long seen = 0;
    for (long s = 0; s < steps; ++s) {
      const long b = s * opt.batch_size, e = std::min(n, b + opt.batch_size);
      take_rows(x, idx, b, e, xb);
      take_rows(y, idx, b, e, yb);
      const StepResult r = train_step(xb, yb, epoch, s + 1);
      loss_sum += r.loss * double(r.samples);
      seen += r.samples;
      if (opt.verbose > 0) bar.update(s + 1, ordered(logs(loss_sum / double(seen))));
    }
    Logs epoch_logs = logs(loss_sum / double(seen));
    if (validate)
      for (const auto& [k, val] : evaluate(val_x, val_y, opt.batch_size)) epoch_logs["val_" + k] = val;
    for (const auto& [k, val] : epoch_logs) history.history[k].push_back(val);
    if (opt.learning_rate_schedule) history.history["lr"].push_back(optimizer_->learning_rate());
    history.seconds_per_epoch.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    bar.finish(ordered(epoch_logs));
  }
  return history;
}

}  // namespace minnow
