// Training a compiled Model (fit.h): each call is a loop over batches gathered straight into the
// model's input slot, one named step per function.
#include "model/fit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"
#include "core/random.h"
#include "model/callback.h"
#include "model/internal/model_runner.h"
#include "model/more_metrics.h"

namespace minnow {

// ---- compile ------------------------------------------------------------------------------

void Model::compile(std::shared_ptr<Optimizer> optimizer, std::shared_ptr<Loss> loss,
                    const std::vector<std::string>& metrics) {
  require_graph();
  if (!optimizer || !loss) throw UsageError(fmt::format("Model '{}': compile needs an optimizer and a loss", name_));
  std::vector<std::shared_ptr<Metric>> chosen;  // all checked before the model changes
  for (const std::string& m : metrics) {
    try {
      chosen.push_back(make_metric(m, *loss));  // named m, its key in the logs
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("Model '{}': {}", name_, e.what()));
    }
  }
  if (!training_) training_ = std::make_unique<Training>();
  training_->metrics = std::move(chosen);
  training_->optimizer = std::move(optimizer);
  training_->loss = std::move(loss);
}

void Model::compile(const std::string& optimizer, const std::string& loss, const std::vector<std::string>& metrics) {
  compile(std::shared_ptr<Optimizer>(make_optimizer(optimizer)), std::shared_ptr<Loss>(make_loss(loss)), metrics);
}

Training& Model::training(const char* what) const {
  if (!training_) throw UsageError(fmt::format("Model '{}': call compile(optimizer, loss) before {}", name_, what));
  return *training_;
}

Optimizer& Model::optimizer() const { return *training("optimizer()").optimizer; }
const Loss& Model::loss() const { return *training("loss()").loss; }

// Keras' spelling: model.fit(...) and friends are the free functions below.
History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& options) {
  return minnow::fit(*this, x, y, options);
}
Logs Model::evaluate(const Tensor& x, const Tensor& y, long batch_size, int verbose, std::ostream* out) {
  return minnow::evaluate(*this, x, y, batch_size, verbose, out);
}
Tensor Model::predict(const Tensor& x, long batch_size) { return minnow::predict(*this, x, batch_size); }
Logs Model::train_on_batch(const Tensor& x, const Tensor& y) { return minnow::train_on_batch(*this, x, y); }
Logs Model::test_on_batch(const Tensor& x, const Tensor& y) { return minnow::test_on_batch(*this, x, y); }

// ---- one batch ----------------------------------------------------------------------------

Logs train_on_batch(Model& model, const Tensor& x, const Tensor& y) {
  ModelRunner r(model, "train_on_batch");
  r.check_data("train_on_batch", x, y);
  r.reset_metrics();
  r.prepare_training();
  const std::vector<long> all = order(samples_of(x), false, nullptr);
  r.gather(x, y, all, 0, samples_of(x));
  const ModelRunner::StepResult s = r.train_step(1, 1);
  if (!s.diverged.empty()) throw Error(s.diverged);
  r.training().batch_norms.remember();
  return r.logs(s.loss);
}

Logs test_on_batch(Model& model, const Tensor& x, const Tensor& y) {
  ModelRunner r(model, "test_on_batch");
  r.check_data("test_on_batch", x, y);
  r.reset_metrics();
  const std::vector<long> all = order(samples_of(x), false, nullptr);
  r.gather(x, y, all, 0, samples_of(x));
  return r.logs(r.test_step().loss);
}

// ---- evaluate, predict --------------------------------------------------------------------

Logs evaluate(Model& model, const Tensor& x, const Tensor& y, long batch_size, int verbose, std::ostream* out) {
  ModelRunner r(model, "evaluate");
  const std::string& name = r.name();
  r.check_data("evaluate", x, y);
  if (batch_size <= 0)
    throw ConfigError(fmt::format("Model '{}': evaluate's batch_size must be > 0, but received {}", name, batch_size));
  if (verbose < 0 || verbose > 2)
    throw ConfigError(fmt::format("Model '{}': evaluate's verbose must be 0, 1 or 2, but received {}", name, verbose));
  r.reset_metrics();
  const long n = samples_of(x), steps = (n + batch_size - 1) / batch_size;
  const std::vector<long> idx = order(n, false, nullptr);
  ProgressBar bar(stream_or_cout(out), steps, verbose, is_terminal(stream_or_cout(out)));
  double loss_sum = 0;
  for (long s = 0; s < steps; ++s) {
    const long b = s * batch_size, e = std::min(n, b + batch_size);
    r.gather(x, y, idx, b, e);
    loss_sum += r.test_step().loss * double(e - b);
    bar.update(s + 1, ordered(r.logs(loss_sum / double(e))));
  }
  Logs result = r.logs(loss_sum / double(n));  // not const: returned by move
  bar.finish(ordered(result));
  return result;
}

Tensor predict(Model& model, const Tensor& x, long batch_size) {
  ModelRunner r(model, nullptr);
  const std::string& name = r.name();
  r.require_graph();
  if (batch_size <= 0)
    throw ConfigError(fmt::format("Model '{}': predict's batch_size must be > 0, but received {}", name, batch_size));
  if (model.outputs().size() != 1) throw UsageError(fmt::format("Model '{}': predict supports one output", name));
  const long n = samples_of(x);
  if (n == 0) throw ShapeError(fmt::format("Model '{}': predict received no samples", name));
  r.check_x(x);
  const std::vector<long> idx = order(n, false, nullptr);
  Tensor result;
  for (long b = 0; b < n; b += batch_size) {
    const long e = std::min(n, b + batch_size);
    take_rows(x, idx, b, e, r.input_slot());
    const Tensor& y = r.run(Mode::Inference);
    if (result.empty()) result = Tensor(y.shape().with_batch(n));
    std::copy(y.data(), y.data() + y.size(), result.data() + b * (y.size() / (e - b)));
  }
  return result;
}

// ---- fit ----------------------------------------------------------------------------------

namespace {

// fit's own arguments, checked before the first step: everything that would stop training half-way.
void check_fit_options(const std::string& name, const FitOptions& opt) {
  if (opt.epochs <= 0)
    throw ConfigError(fmt::format("Model '{}': fit's epochs must be > 0, but received {}", name, opt.epochs));
  if (opt.initial_epoch < 0 || opt.initial_epoch >= opt.epochs)
    throw ConfigError(fmt::format("Model '{}': fit's initial_epoch must be in [0, epochs), but received "
                                  "initial_epoch={} with epochs={} (epochs is the index of the last epoch, as Keras)",
                                  name, opt.initial_epoch, opt.epochs));
  if (opt.batch_size <= 0)
    throw ConfigError(fmt::format("Model '{}': fit's batch_size must be > 0, but received {}", name, opt.batch_size));
  if (!(opt.validation_split >= 0 && opt.validation_split < 1))
    throw ConfigError(fmt::format("Model '{}': fit's validation_split must be in [0, 1), but received {}", name,
                                  opt.validation_split));
  if (opt.verbose < 0 || opt.verbose > 2)
    throw ConfigError(fmt::format("Model '{}': fit's verbose must be 0, 1 or 2, but received {}", name, opt.verbose));
  if ((opt.validation_x == nullptr) != (opt.validation_y == nullptr))
    throw UsageError(fmt::format("Model '{}': fit needs both validation_x and validation_y, or neither", name));
}

// Everything checked before the first step.
void check_fit(ModelRunner& r, const Tensor& x, const Tensor& y, const FitOptions& opt) {
  check_pair(r.name(), "fit", x, y);
  check_fit_options(r.name(), opt);
  if (opt.validation_x) check_pair(r.name(), "fit's validation data", *opt.validation_x, *opt.validation_y);
  r.check_x(x, "fit's x");
  if (opt.validation_x) r.check_x(*opt.validation_x, "fit's validation_x");
  if (opt.check_inputs) r.check_values("fit's x", x, "fit's y", y);
  if (opt.check_inputs && opt.validation_x)
    r.check_values("fit's validation_x", *opt.validation_x, "fit's validation_y", *opt.validation_y);
}

// The validation data: given, or Keras' validation_split, which holds out the last samples before
// any shuffling. Returns how many samples remain for training.
long split_validation(const std::string& name, const Tensor& x, const Tensor& y, const FitOptions& opt, Tensor& val_x,
                      Tensor& val_y) {
  const long total = samples_of(x);
  if (opt.validation_x) {
    val_x = *opt.validation_x, val_y = *opt.validation_y;
    return total;
  }
  if (opt.validation_split <= 0) return total;
  const long n = total - long(double(total) * opt.validation_split);
  if (n <= 0 || n == total)
    throw ConfigError(fmt::format("Model '{}': validation_split={} of {} samples leaves {} for training and {} for "
                                  "validation",
                                  name, opt.validation_split, total, n, total - n));
  const std::vector<long> all = order(total, false, nullptr);
  take_rows(x, all, n, total, val_x);
  take_rows(y, all, n, total, val_y);
  return n;
}

// fit's shuffling generator, which the model keeps so that a checkpoint saves it. A fit from
// epoch 0 seeds it with options.seed. A fit resuming at initial_epoch continues it when the last
// fit (or the checkpoint loaded) ended at that epoch; otherwise it seeds it and draws the orders of
// the epochs skipped, as a run from epoch 0 with this seed and these samples would have.
Rng& shuffling(Training& t, long n, const FitOptions& opt) {
  const bool continues = opt.initial_epoch > 0 && t.shuffle && t.epoch == opt.initial_epoch;
  if (!continues) {
    t.shuffle.emplace(opt.seed);
    for (long e = 0; e < opt.initial_epoch && opt.shuffle; ++e) order(n, true, &*t.shuffle);
  }
  return *t.shuffle;
}

bool stop_requested(const FitOptions& opt) {
  return std::any_of(opt.callbacks.begin(), opt.callbacks.end(), [](const Callback* c) { return c->stop_requested(); });
}

// Every callback learns the model, fit's parameters and the keys the epochs' logs will hold.
void start_callbacks(ModelRunner& r, Model& model, const FitOptions& opt, long steps, bool validation) {
  CallbackParams params{.epochs = opt.epochs, .steps = steps, .verbose = opt.verbose};
  for (const auto& [key, v] : r.logs(0)) params.log_keys.push_back(key);
  if (validation)
    for (const auto& [key, v] : r.logs(0)) params.log_keys.push_back("val_" + key);
  for (Callback* c : opt.callbacks) {
    if (!c) throw UsageError(fmt::format("Model '{}': fit's callbacks hold a null pointer", r.name()));
    c->set_context(model, params, opt.out);
  }
  for (Callback* c : opt.callbacks) c->on_train_begin({});
}

// One epoch over the first n samples of (x, y) in the order idx; returns the mean loss (nan when
// a step diverged and a callback stopped training there).
double train_epoch(ModelRunner& r, const Tensor& x, const Tensor& y, const std::vector<long>& idx, long n, long epoch,
                   const FitOptions& opt, ProgressBar& bar, bool& warned) {
  const long steps = (n + opt.batch_size - 1) / opt.batch_size;
  const bool want_logs = opt.verbose > 0 || !opt.callbacks.empty();
  double loss_sum = 0;
  long seen = 0;
  for (long s = 0; s < steps && !stop_requested(opt); ++s) {
    for (Callback* c : opt.callbacks) c->on_train_batch_begin(s, {});
    const long b = s * opt.batch_size, e = std::min(n, b + opt.batch_size);
    r.gather(x, y, idx, b, e);
    const ModelRunner::StepResult step = r.train_step(epoch, s + 1);
    if (step.samples == 1 && !warned) {  // once per fit
      const std::string warning = r.training().batch_norms.one_sample_warning(epoch, s + 1, steps);
      if (!warning.empty()) bar.note(warning), warned = true;
    }
    loss_sum += step.loss * double(step.samples);
    seen += step.samples;
    if (want_logs) {
      const Logs logs = r.logs(loss_sum / double(seen));
      if (opt.verbose > 0) bar.update(s + 1, ordered(logs));
      for (Callback* c : opt.callbacks) c->on_train_batch_end(s, logs);
    }
    if (!step.diverged.empty() && !stop_requested(opt)) throw Error(step.diverged);  // nobody stopped on it
  }
  return loss_sum / double(seen);
}

}  // namespace

History fit(Model& model, const Tensor& x, const Tensor& y, const FitOptions& opt) {
  ModelRunner r(model, "fit");
  check_fit(r, x, y, opt);
  Tensor val_x, val_y;
  const long n = split_validation(r.name(), x, y, opt, val_x, val_y), steps = (n + opt.batch_size - 1) / opt.batch_size;
  std::ostream& out = stream_or_cout(opt.out);
  r.prepare_training();
  start_callbacks(r, model, opt, steps, !val_x.empty());
  Rng& rng = shuffling(r.training(), n, opt);
  History history;
  Logs logs;
  bool warned = false;
  for (long epoch = opt.initial_epoch + 1; epoch <= opt.epochs && !stop_requested(opt); ++epoch) {
    if (opt.verbose > 0) out << fmt::format("Epoch {}/{}\n", epoch, opt.epochs) << std::flush;
    for (Callback* c : opt.callbacks) c->on_epoch_begin(epoch - 1, {});
    const auto start = std::chrono::steady_clock::now();
    const std::vector<long> idx = order(n, opt.shuffle, &rng);
    r.reset_metrics();
    ProgressBar bar(out, steps, opt.verbose, is_terminal(out));
    logs = r.logs(train_epoch(r, x, y, idx, n, epoch, opt, bar, warned));
    if (!val_x.empty())
      for (const auto& [k, v] : evaluate(model, val_x, val_y, opt.batch_size)) logs["val_" + k] = v;
    r.training().epoch = epoch;  // before the callbacks: a checkpoint saved there resumes after it
    history.seconds_per_epoch.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    bar.finish(ordered(logs));  // the progress bar comes first, as Keras' ProgbarLogger
    for (Callback* c : opt.callbacks) c->on_epoch_end(epoch - 1, logs);
    for (const auto& [k, v] : logs) history.history[k].push_back(v);
  }
  r.training().batch_norms.remember();
  for (Callback* c : opt.callbacks) c->on_train_end(logs);
  const std::string warning = r.training().batch_norms.late_warning();
  if (!warning.empty()) out << warning << '\n' << std::flush;
  return history;
}

}  // namespace minnow
