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
#include <span>

#include <fmt/format.h>

#include "core/error.h"
#include "core/random.h"
#include "layers/batch_normalization.h"
#include "model/losses.h"
#include "model/metrics.h"
#include "model/model.h"
#include "model/progress.h"
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

// ---- BatchNormalization's warnings ------------------------------------------------------------

// The weight (F4) gives a batch's statistics: 1 - momentum in Keras' meaning, momentum in PyTorch's.
double new_weight(const BatchNormalizationOptions& o) {
  return o.momentum_meaning == MomentumMeaning::WeightOnOld ? 1.0 - double(o.momentum) : double(o.momentum);
}

// How many values of one channel one sample gives the layer's statistics (F1): 1 for an (N, C)
// input, H * W for NHWC; 0 when a size is unknown.
long values_per_sample(const BatchNormalizationLayer& bn) {
  const Shape& s = bn.input_shape();
  const long rank = s.rank(), axis = bn.options().axis < 0 ? bn.options().axis + rank : bn.options().axis;
  long m = 1;
  for (long i = 1; i < rank; ++i)
    if (i != axis) m = s[i] == Shape::kNone ? 0 : m * s[i];
  return m;
}

bool all_equal(std::span<const float> values, float v) {
  return std::all_of(values.begin(), values.end(), [v](float x) { return x == v; });
}

// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole),
// the lines after the first indented by two spaces.
std::string wrap(const std::string& text, size_t width = 100) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) out += line + "\n", line = "  " + word;
    else line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return out + line;
}

// "'a'", "'a' and 'b'", "'a', 'b' and 'c'".
std::string name_list(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + ("'" + names[i] + "'");
  return s;
}

// The warning for a training batch of one sample, which gives the BatchNormalization layers
// `names` (normalizing with the batch statistics, one value per channel and sample) zero variance.
std::string one_sample_warning(const std::vector<std::string>& names, long epoch, long step, long steps) {
  return wrap(fmt::format(
      "Warning: batch {} of {} of epoch {} has 1 sample: BatchNormalization {} sees zero variance (one value per "
      "channel, its own mean), so it outputs beta for that sample, passes no gradient back through it, and moves "
      "its moving variance toward 0 (Keras does the same). Pick a batch_size that leaves more than 1 sample in the "
      "last batch, or drop that sample.",
      step, steps, epoch, names.size() == 1 ? name_list(names) : "layers " + name_list(names)));
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
  track_moving_statistics();
}

// ---- BatchNormalization's moving statistics: how many updates they have seen ----------------

void Model::track_moving_statistics() {
  batch_norms_.clear();
  for (const auto& layer : layers()) {
    auto* bn = dynamic_cast<BatchNormalizationLayer*>(layer.get());
    if (!bn) continue;
    const Tensor& mean = layer->weight("moving_mean").value;
    const Tensor& variance = layer->weight("moving_variance").value;
    auto [it, first] = moving_statistics_.try_emplace(bn);
    MovingStatistics& h = it->second;
    if (first) h.known = all_equal(mean.values(), 0.0f) && all_equal(variance.values(), 1.0f);
    else if (h.known && !std::equal(mean.values().begin(), mean.values().end(), h.last_mean.values().begin(),
                                    h.last_mean.values().end()))
      h.known = false;  // changed since this model's last training: loaded, set by hand, trained elsewhere
    batch_norms_.emplace_back(bn, &h);
  }
}

void Model::count_moving_updates() {
  for (auto& [bn, h] : batch_norms_)
    if (bn->updated_moving_statistics()) ++h->updates;
}

void Model::remember_moving_means() {
  for (auto& [bn, h] : batch_norms_) h->last_mean = bn->weight("moving_mean").value;
}

std::string Model::moving_statistics_warning() const {
  struct Late {
    std::string name;
    long updates;
    float momentum;
    bool keras;  // momentum weighs the old value (Keras) or the new batch (PyTorch)
    double initial_share;
  };
  std::vector<Late> late;
  for (const auto& [bn, h] : batch_norms_) {
    const BatchNormalizationOptions& o = bn->options();
    if (!h->known || h->updates == 0 || o.normalize_with == NormalizeWith::BatchStatistics) continue;
    const double w = new_weight(o);  // (F4): after k updates the initial values weigh (1 - w)^k
    if (w <= 0 || w >= 1 || double(h->updates) * w >= 3.0) continue;
    late.push_back({bn->name(), h->updates, o.momentum, o.momentum_meaning == MomentumMeaning::WeightOnOld,
                    std::pow(1.0 - w, double(h->updates))});
  }
  if (late.empty()) return "";
  // After k updates the initial values weigh (1 - w)^k: about 3 / w updates make that 5%.
  auto needed = [](const Late& l) { return 3.0 / (l.keras ? 1.0 - double(l.momentum) : double(l.momentum)); };
  std::vector<std::string> names;
  for (const Late& l : late) names.push_back(l.name);
  const Late& first = late.front();
  const bool same = std::all_of(late.begin(), late.end(), [&](const Late& l) {
    return l.updates == first.updates && l.momentum == first.momentum && l.keras == first.keras;
  });
  std::string what;
  if (same) {
    what = fmt::format(
        "BatchNormalization {}{} {} updated {} moving statistics only {} time{}, but with momentum {:g}{} they need "
        "about {:.0f} updates ({}) to forget their initial values (mean 0, variance 1), which still make up {:.0f}% "
        "of them",
        names.size() == 1 ? "" : "layers ", name_list(names), names.size() == 1 ? "has" : "have",
        names.size() == 1 ? "its" : "their", first.updates, first.updates == 1 ? "" : "s", first.momentum,
        first.keras ? "" : " (PyTorch's meaning: the weight of the new batch)", needed(first),
        first.keras ? "3 / (1 - momentum)" : "3 / momentum", 100.0 * first.initial_share);
  } else {
    what = "BatchNormalization layers " + name_list(names) +
           " have updated their moving statistics too few times to forget their initial values (mean 0, variance 1):";
    for (size_t i = 0; i < late.size(); ++i)
      what += fmt::format("{} '{}' {} times of about {:.0f} needed (momentum {:g}{}; initial values {:.0f}%)",
                          i == 0 ? "" : ",", late[i].name, late[i].updates, needed(late[i]), late[i].momentum,
                          late[i].keras ? "" : " as in PyTorch", 100.0 * late[i].initial_share);
  }
  const bool all_keras = std::all_of(late.begin(), late.end(), [](const Late& l) { return l.keras; });
  const bool all_pytorch = std::none_of(late.begin(), late.end(), [](const Late& l) { return l.keras; });
  const std::string momentum_fix = all_keras     ? "a smaller momentum (0.9 needs about 30 updates)"
                                   : all_pytorch ? "a larger momentum (0.3 needs about 10 updates)"
                                                 : "a momentum that gives each new batch more weight";
  return wrap(fmt::format(
      "Warning: {}. Inference (evaluate, predict, the validation data) normalizes with these statistics, so its "
      "accuracy can be far below the training accuracy, which uses each batch's own statistics. Fix: train for more "
      "steps, use {}, or use smaller batches (more steps per epoch).",
      what, momentum_fix));
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
  const StepResult r = train_step(x, y, 1, 1);
  count_moving_updates();
  remember_moving_means();
  return logs(r.loss);
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

// The arguments of fit, checked before the first step: everything that would stop training half-way.
void Model::check_fit_arguments(const Tensor& x, const Tensor& y, const FitOptions& opt) const {
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
  check_sample_shape("fit's x", x);
  if (opt.validation_x) check_sample_shape("fit's validation_x", *opt.validation_x);
  if (!opt.check_inputs) return;
  check_finite(x, fmt::format("Model '{}': fit's x", name_));
  check_finite(y, fmt::format("Model '{}': fit's y", name_));
  check_targets(y);
  if (!opt.validation_x) return;
  check_finite(*opt.validation_x, fmt::format("Model '{}': fit's validation_x", name_));
  check_finite(*opt.validation_y, fmt::format("Model '{}': fit's validation_y", name_));
  check_targets(*opt.validation_y);
}

// The validation data: given, or Keras' validation_split, which holds out the last samples before
// any shuffling. Returns how many samples remain for training.
long Model::split_validation(const Tensor& x, const Tensor& y, const FitOptions& opt, Tensor& val_x,
                             Tensor& val_y) const {
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
                                  name_, opt.validation_split, total, n, total - n));
  const std::vector<long> all = sample_range(total);
  take_rows(x, all, n, total, val_x);
  take_rows(y, all, n, total, val_y);
  return n;
}

// The learning rate of epoch `epoch` (1-based) from fit's schedule, if it has one.
void Model::schedule_learning_rate(const FitOptions& opt, long epoch) {
  if (!opt.learning_rate_schedule) return;
  const double lr = opt.learning_rate_schedule(epoch - 1, optimizer_->learning_rate());
  if (!(std::isfinite(lr) && lr > 0))
    throw ConfigError(fmt::format("Model '{}': fit's learning_rate_schedule returned {} for epoch {} (0-based); a "
                                  "learning rate must be finite and > 0",
                                  name_, lr, epoch - 1));
  optimizer_->set_learning_rate(float(lr));
}

// The warning for a training batch of one sample, once per fit.
void Model::warn_one_sample(ProgressBar& bar, long epoch, long step, long steps) {
  std::vector<std::string> names;
  for (const auto& [bn, h] : batch_norms_)
    if (bn->used_batch_statistics() && values_per_sample(*bn) == 1) names.push_back(bn->name());
  if (names.empty()) return;
  bar.note(one_sample_warning(names, epoch, step, steps));
  warned_one_sample_ = true;
}

// One epoch over the first n samples of (x, y) in the order idx; returns the mean loss.
double Model::train_epoch(const Tensor& x, const Tensor& y, const std::vector<long>& idx, long n, long epoch,
                          const FitOptions& opt, ProgressBar& bar) {
  const long steps = (n + opt.batch_size - 1) / opt.batch_size;
  Tensor xb, yb;
  double loss_sum = 0;
  long seen = 0;
  for (long s = 0; s < steps; ++s) {
    const long b = s * opt.batch_size, e = std::min(n, b + opt.batch_size);
    take_rows(x, idx, b, e, xb);
    take_rows(y, idx, b, e, yb);
    const StepResult r = train_step(xb, yb, epoch, s + 1);
    count_moving_updates();
    if (r.samples == 1 && !warned_one_sample_) warn_one_sample(bar, epoch, s + 1, steps);
    loss_sum += r.loss * double(r.samples);
    seen += r.samples;
    if (opt.verbose > 0) bar.update(s + 1, ordered(logs(loss_sum / double(seen))));
  }
  return loss_sum / double(seen);
}

History Model::fit(const Tensor& x, const Tensor& y, const FitOptions& opt) {
  require_compiled("fit");
  check_fit_arguments(x, y, opt);
  Tensor val_x, val_y;
  const long n = split_validation(x, y, opt, val_x, val_y);
  std::ostream& out = opt.out ? *opt.out : std::cout;
  const long steps = (n + opt.batch_size - 1) / opt.batch_size;
  prepare_training();
  warned_one_sample_ = false;
  Rng rng(opt.seed);
  History history;
  for (long epoch = 1; epoch <= opt.epochs; ++epoch) {
    schedule_learning_rate(opt, epoch);
    if (opt.verbose > 0) out << fmt::format("Epoch {}/{}\n", epoch, opt.epochs) << std::flush;
    const auto start = std::chrono::steady_clock::now();
    const std::vector<long> idx = order(n, opt.shuffle, rng);
    for (const auto& m : metrics_) m->reset_state();
    ProgressBar bar(out, steps, opt.verbose, is_terminal(out));
    Logs epoch_logs = logs(train_epoch(x, y, idx, n, epoch, opt, bar));
    if (!val_x.empty())
      for (const auto& [k, val] : evaluate(val_x, val_y, opt.batch_size)) epoch_logs["val_" + k] = val;
    for (const auto& [k, val] : epoch_logs) history.history[k].push_back(val);
    if (opt.learning_rate_schedule) history.history["lr"].push_back(optimizer_->learning_rate());
    history.seconds_per_epoch.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    bar.finish(ordered(epoch_logs));
  }
  remember_moving_means();
  const std::string warning = moving_statistics_warning();
  if (!warning.empty()) out << warning << '\n' << std::flush;
  return history;
}

}  // namespace minnow
