// Keras' compile (model.h, fit.h's CompileOptions): the optimizer, a loss per output with its
// weight, and the metrics, all checked before the model changes.
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "model/internal/training.h"
#include "model/model.h"
#include "model/more_metrics.h"

namespace minnow {

// ---- compile ------------------------------------------------------------------------------

namespace {

// The losses of compile's options, one per output: a single loss serves every output, as Keras.
std::vector<std::shared_ptr<Loss>> chosen_losses(const std::string& model, const CompileOptions& o, size_t outputs) {
  if (o.loss.empty() == o.loss_objects.empty())
    throw UsageError(fmt::format("Model '{}': compile needs the losses either by name (loss) or as objects "
                                 "(loss_objects), not {}",
                                 model, o.loss.empty() ? "neither" : "both"));
  std::vector<std::shared_ptr<Loss>> losses = o.loss_objects;
  for (const std::string& name : o.loss) losses.push_back(make_loss(name));
  if (losses.size() == 1) losses.resize(outputs, losses[0]);
  if (losses.size() != outputs)
    throw UsageError(fmt::format("Model '{}': compile received {} losses for {} outputs; pass one loss, or one per "
                                 "output",
                                 model, losses.size(), outputs));
  for (const auto& l : losses)
    if (!l) throw UsageError(fmt::format("Model '{}': compile received a null loss", model));
  return losses;
}

void check_list_size(const std::string& model, const char* what, size_t got, size_t outputs, bool one_allowed) {
  if (got == 0 || got == outputs || (one_allowed && got == 1)) return;
  throw UsageError(fmt::format("Model '{}': compile received {} for {} entries, but the model has {} outputs; pass "
                               "one per output{}",
                               model, what, got, outputs, one_allowed ? ", or one for all" : ""));
}

}  // namespace

void Model::compile(std::shared_ptr<Optimizer> optimizer, const CompileOptions& options) {
  require_graph();
  if (!optimizer) throw UsageError(fmt::format("Model '{}': compile needs an optimizer", name_));
  const size_t outputs = graph_.outputs.size();
  check_list_size(name_, "loss_weights", options.loss_weights.size(), outputs, false);
  check_list_size(name_, "metrics", options.metrics.size(), outputs, true);
  std::vector<std::shared_ptr<Loss>> losses;
  try {
    losses = chosen_losses(name_, options, outputs);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("Model '{}': {}", name_, e.what()));
  }
  std::vector<OutputLoss> chosen(outputs);  // all checked before the model changes
  for (size_t k = 0; k < outputs; ++k) {
    OutputLoss& o = chosen[k];
    o.loss = losses[k];
    o.weight = options.loss_weights.empty() ? 1.0 : options.loss_weights[k];
    if (!std::isfinite(o.weight))
      throw ConfigError(fmt::format("Model '{}': compile's loss_weights[{}] is {}", name_, k, o.weight));
    o.prefix = outputs == 1 ? "" : graph_.outputs[k].layer->name() + "_";  // tf.keras' "dense_1_loss"
    o.mean = Mean(o.prefix + "loss");
    if (options.metrics.empty()) continue;
    for (const std::string& m : options.metrics[options.metrics.size() == 1 ? 0 : k]) {
      try {
        o.metrics.push_back(make_metric(m, *o.loss));  // named m: "<prefix>m" in the logs
      } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("Model '{}': {}", name_, e.what()));
      }
    }
  }
  if (!training_) training_ = std::make_unique<Training>();
  training_->outputs = std::move(chosen);
  training_->optimizer = std::move(optimizer);
}

void Model::compile(const std::string& optimizer, const CompileOptions& options) {
  compile(std::shared_ptr<Optimizer>(make_optimizer(optimizer)), options);
}

void Model::compile(std::shared_ptr<Optimizer> optimizer, std::shared_ptr<Loss> loss,
                    const std::vector<std::string>& metrics) {
  if (!optimizer || !loss) throw UsageError(fmt::format("Model '{}': compile needs an optimizer and a loss", name_));
  compile(std::move(optimizer), CompileOptions{.loss_objects = {std::move(loss)}, .metrics = {metrics}});
}

void Model::compile(const std::string& optimizer, const std::string& loss, const std::vector<std::string>& metrics) {
  compile(std::shared_ptr<Optimizer>(make_optimizer(optimizer)), std::shared_ptr<Loss>(make_loss(loss)), metrics);
}

Training& Model::training(const char* what) const {
  if (!training_) throw UsageError(fmt::format("Model '{}': call compile(optimizer, loss) before {}", name_, what));
  return *training_;
}

Optimizer& Model::optimizer() const { return *training("optimizer()").optimizer; }
const Loss& Model::loss() const { return *training("loss()").outputs.at(0).loss; }

}  // namespace minnow
