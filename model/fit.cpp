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

// Keras' spelling: model.fit(...) and friends are the free functions below.
History Model::fit(const TensorList& x, const TensorList& y, const FitOptions& options) {
  return minnow::fit(*this, x, y, options);
}
Logs Model::evaluate(const TensorList& x, const TensorList& y, long batch_size, int verbose, std::ostream* out,
                     const Tensor* sample_weight) {
  return minnow::evaluate(*this, x, y, batch_size, verbose, out, sample_weight);
}
Tensor Model::predict(const Tensor& x, long batch_size) { return minnow::predict(*this, x, batch_size); }
std::vector<Tensor> Model::predict(const TensorList& x, long batch_size) {
  return minnow::predict(*this, x, batch_size);
}
Logs Model::train_on_batch(const TensorList& x, const TensorList& y) { return minnow::train_on_batch(*this, x, y); }
Logs Model::test_on_batch(const TensorList& x, const TensorList& y) { return minnow::test_on_batch(*this, x, y); }

// ---- one batch ----------------------------------------------------------------------------

Logs train_on_batch(Model& model, const TensorList& x, const TensorList& y) {
  ModelRunner r(model, "train_on_batch");
  const Data d{x, y};
  r.check_data("train_on_batch", d);
  r.reset_metrics();
  r.prepare_training();
  const std::vector<long> all = order(d.samples(), false, nullptr);
  r.gather(d, all, 0, d.samples());
  const ModelRunner::StepResult s = r.train_step(1, 1);
  if (!s.diverged.empty()) throw Error(s.diverged);
  r.training().batch_norms.remember();
  return r.logs();
}

Logs test_on_batch(Model& model, const TensorList& x, const TensorList& y) {
  ModelRunner r(model, "test_on_batch");
  const Data d{x, y};
  r.check_data("test_on_batch", d);
  r.reset_metrics();
  const std::vector<long> all = order(d.samples(), false, nullptr);
  r.gather(d, all, 0, d.samples());
  r.test_step();
  return r.logs();
}

// ---- evaluate, predict --------------------------------------------------------------------

Logs evaluate(Model& model, const TensorList& x, const TensorList& y, long batch_size, int verbose, std::ostream* out,
              const Tensor* sample_weight) {
  ModelRunner r(model, "evaluate");
  const std::string& name = r.name();
  const Data d{x, y, sample_weight};
  r.check_data("evaluate", d);
  if (batch_size <= 0)
    throw ConfigError(fmt::format("Model '{}': evaluate's batch_size must be > 0, but received {}", name, batch_size));
  if (verbose < 0 || verbose > 2)
    throw ConfigError(fmt::format("Model '{}': evaluate's verbose must be 0, 1 or 2, but received {}", name, verbose));
  r.reset_metrics();
  const long n = d.samples(), steps = (n + batch_size - 1) / batch_size;
  const std::vector<long> idx = order(n, false, nullptr);
  ProgressBar bar(stream_or_cout(out), steps, verbose, is_terminal(stream_or_cout(out)));
  for (long s = 0; s < steps; ++s) {
    const long b = s * batch_size, e = std::min(n, b + batch_size);
    r.gather(d, idx, b, e);
    r.test_step();
    bar.update(s + 1, ordered(r.logs()));
  }
  Logs result = r.logs();  // not const: returned by move
  bar.finish(ordered(result));
  return result;
}

std::vector<Tensor> predict(Model& model, const TensorList& x, long batch_size) {
  ModelRunner r(model, nullptr);
  const std::string& name = r.name();
  r.require_graph();
  if (batch_size <= 0)
    throw ConfigError(fmt::format("Model '{}': predict's batch_size must be > 0, but received {}", name, batch_size));
  if (x.empty()) throw UsageError(fmt::format("Model '{}': predict received no input tensor", name));
  const long n = samples_of(x[0]);
  if (n == 0) throw ShapeError(fmt::format("Model '{}': predict received no samples", name));
  r.check_x(x);
  const std::vector<long> idx = order(n, false, nullptr);
  std::vector<Tensor> result;
  for (long b = 0; b < n; b += batch_size) {
    const long e = std::min(n, b + batch_size);
    for (size_t i = 0; i < x.size(); ++i) take_rows(x[i], idx, b, e, r.input_slot(i));
    const std::vector<const Tensor*>& ys = r.run(Mode::Inference);
    if (result.empty())
      for (const Tensor* y : ys) result.emplace_back(y->shape().with_batch(n));
    for (size_t k = 0; k < ys.size(); ++k)
      std::copy(ys[k]->data(), ys[k]->data() + ys[k]->size(), result[k].data() + b * (ys[k]->size() / (e - b)));
  }
  return result;
}

Tensor predict(Model& model, const Tensor& x, long batch_size) {
  if (model.outputs().size() > 1)
    throw UsageError(
        fmt::format("Model '{}' has {} outputs, and predict(x) returns one output: predict(TensorList{{x}}) "
                    "returns one tensor per output",
                    model.name(), model.outputs().size()));
  return std::move(predict(model, TensorList(x), batch_size)[0]);
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
  if ((opt.validation_x == nullptr) != (opt.validation_y == nullptr) ||
      opt.validation_xs.empty() != opt.validation_ys.empty())
    throw UsageError(fmt::format("Model '{}': fit needs both validation_x and validation_y, or neither", name));
  if (opt.validation_x && !opt.validation_xs.empty())
    throw UsageError(
        fmt::format("Model '{}': fit received validation data twice (validation_x and validation_xs)", name));
}

// The given validation data, if any: Keras' validation_data=(x, y, sample_weight).
Data given_validation(const FitOptions& opt) {
  if (opt.validation_x) return Data{*opt.validation_x, *opt.validation_y, opt.validation_sample_weight};
  return Data{opt.validation_xs, opt.validation_ys, opt.validation_sample_weight};
}

// Everything checked before the first step.
void check_fit(ModelRunner& r, const Data& d, const FitOptions& opt) {
  r.check_data("fit", d);
  check_fit_options(r.name(), opt);
  const Data val = given_validation(opt);
  if (!val.x.empty()) r.check_data("fit's validation data", val);
  if (opt.check_inputs) r.check_values({"fit's x", "fit's y", "fit's sample_weight"}, d);
  if (opt.check_inputs && !val.x.empty())
    r.check_values({"fit's validation_x", "fit's validation_y", "fit's validation_sample_weight"}, val);
}

// Keras' class_weight as sample weights: w_n = class_weight[class of sample n] (times the given
// sample_weight[n]). The class is y's label, or the argmax of a one-hot row (tf.keras 2.x' rule).
Tensor class_weights(const std::string& name, const FitOptions& opt, const Data& d) {
  if (d.y.size() != 1)
    throw UsageError(fmt::format("Model '{}': class_weight is only supported for models with one output", name));
  const long classes = long(opt.class_weight.size());
  long expected = 0;
  for (const auto& [c, w] : opt.class_weight) {
    if (c != expected++)
      throw ConfigError(fmt::format("Model '{}': class_weight must have the keys 0 to {} (one per class), but key {} "
                                    "is missing",
                                    name, classes - 1, expected - 1));
    if (!(w >= 0) || !std::isfinite(w))
      throw ConfigError(fmt::format("Model '{}': class_weight[{}] is {}; weights must be finite and >= 0", name, c, w));
  }
  const Tensor& y = d.y[0];
  const long n = d.samples(), per = y.size() / n;
  if (y.shape().rank() > 2)
    throw ShapeError(
        fmt::format("Model '{}': class_weight is not supported for targets of rank > 2 ({})", name, y.shape()));
  Tensor w({n});
  for (long i = 0; i < n; ++i) {
    const float* row = y.data() + i * per;
    // A label is cast to its class as Keras casts it (1.0 -> 1); one outside [0, K) is refused
    // before any cast, so that a NaN or a huge label is named, not converted.
    const float label = per > 1 ? float(std::max_element(row, row + per) - row) : row[0];
    if (!(label >= 0 && label < float(classes)))
      throw ShapeError(fmt::format("Model '{}': sample {} is of class {}, which class_weight does not list (keys 0 "
                                   "to {})",
                                   name, i, label, classes - 1));
    const long c = long(label);
    w[i] = float(opt.class_weight.at(c)) * (d.sample_weight ? (*d.sample_weight)[i] : 1.0f);
  }
  return w;
}

// The validation data: given, or Keras' validation_split, which holds out the last samples (and
// their sample weights) before any shuffling. Returns how many samples remain for training.
long split_validation(const std::string& name, const Data& d, const FitOptions& opt, std::vector<Tensor>& held,
                      Data& val) {
  const long total = d.samples();
  val = given_validation(opt);
  if (!val.x.empty() || opt.validation_split <= 0) return total;
  const long n = total - long(double(total) * opt.validation_split);
  if (n <= 0 || n == total)
    throw ConfigError(fmt::format("Model '{}': validation_split={} of {} samples leaves {} for training and {} for "
                                  "validation",
                                  name, opt.validation_split, total, n, total - n));
  const std::vector<long> all = order(total, false, nullptr);
  held.resize(d.x.size() + d.y.size() + 1);  // x..., y..., the sample weights: the last samples of each
  for (size_t i = 0; i < d.x.size(); ++i) take_rows(d.x[i], all, n, total, held[i]);
  for (size_t k = 0; k < d.y.size(); ++k) take_rows(d.y[k], all, n, total, held[d.x.size() + k]);
  if (d.sample_weight) take_rows(*d.sample_weight, all, n, total, held.back());
  val = Data{TensorList(), TensorList(), d.sample_weight ? &held.back() : nullptr};
  std::vector<std::reference_wrapper<const Tensor>> xs(held.begin(), held.begin() + long(d.x.size()));
  std::vector<std::reference_wrapper<const Tensor>> ys(held.begin() + long(d.x.size()), held.end() - 1);
  val.x = TensorList(xs), val.y = TensorList(ys);
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
  r.reset_metrics();
  const Logs keys = r.logs();
  for (const auto& [key, v] : keys) params.log_keys.push_back(key);
  if (validation)
    for (const auto& [key, v] : keys) params.log_keys.push_back("val_" + key);
  for (Callback* c : opt.callbacks) {
    if (!c) throw UsageError(fmt::format("Model '{}': fit's callbacks hold a null pointer", r.name()));
    c->set_context(model, params, opt.out);
  }
  for (Callback* c : opt.callbacks) c->on_train_begin({});
}

// One epoch over the first n samples of the data in the order idx; its logs hold the mean loss
// (nan when a step diverged and a callback stopped training there).
void train_epoch(ModelRunner& r, const Data& d, const std::vector<long>& idx, long n, long epoch, const FitOptions& opt,
                 ProgressBar& bar, bool& warned) {
  const long steps = (n + opt.batch_size - 1) / opt.batch_size;
  const bool want_logs = opt.verbose > 0 || !opt.callbacks.empty();
  for (long s = 0; s < steps && !stop_requested(opt); ++s) {
    for (Callback* c : opt.callbacks) c->on_train_batch_begin(s, {});
    const long b = s * opt.batch_size, e = std::min(n, b + opt.batch_size);
    r.gather(d, idx, b, e);
    const ModelRunner::StepResult step = r.train_step(epoch, s + 1);
    if (step.samples == 1 && !warned) {  // once per fit
      const std::string warning = r.training().batch_norms.one_sample_warning(epoch, s + 1, steps);
      if (!warning.empty()) bar.note(warning), warned = true;
    }
    if (want_logs) {
      const Logs logs = r.logs();
      if (opt.verbose > 0) bar.update(s + 1, ordered(logs));
      for (Callback* c : opt.callbacks) c->on_train_batch_end(s, logs);
    }
    if (!step.diverged.empty() && !stop_requested(opt)) throw Error(step.diverged);  // nobody stopped on it
  }
}

}  // namespace

History fit(Model& model, const TensorList& x, const TensorList& y, const FitOptions& opt) {
  ModelRunner r(model, "fit");
  Data d{x, y, opt.sample_weight}, val;
  check_fit(r, d, opt);
  std::vector<Tensor> held;
  const long n = split_validation(r.name(), d, opt, held, val), steps = (n + opt.batch_size - 1) / opt.batch_size;
  Tensor weights;  // class_weight's per-sample weights: for training only, as Keras
  if (!opt.class_weight.empty()) weights = class_weights(r.name(), opt, d), d.sample_weight = &weights;
  std::ostream& out = stream_or_cout(opt.out);
  r.prepare_training();
  start_callbacks(r, model, opt, steps, !val.x.empty());
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
    train_epoch(r, d, idx, n, epoch, opt, bar, warned);
    logs = r.logs();
    if (!val.x.empty())
      for (const auto& [k, v] : evaluate(model, val.x, val.y, opt.batch_size, 0, nullptr, val.sample_weight))
        logs["val_" + k] = v;
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
