#include "optim/optimizer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/nadam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

namespace minnow {

Optimizer::Optimizer(std::string name, float learning_rate) : name_(std::move(name)), learning_rate_(learning_rate) {
  set_learning_rate(learning_rate);
}

void Optimizer::set_learning_rate(float lr) {
  require(std::isfinite(lr) && lr >= 0, "learning_rate", lr, "a finite number >= 0");
  learning_rate_ = lr;
}

void Optimizer::require(bool ok, const char* argument, float value, const char* expected) const {
  if (!ok)
    throw ConfigError(fmt::format("{}: {} must be {}, but received {}={}", name_, argument, expected, argument, value));
}

void Optimizer::apply_gradients(const std::vector<Parameter*>& params) {
  // Check everything first, so that an error leaves every weight untouched.
  for (const Parameter* p : params) {
    if (!p) throw UsageError(fmt::format("{}.apply_gradients received a null parameter", name_));
    if (p->trainable() && p->grad.shape() != p->value.shape())
      throw UsageError(fmt::format("{}.apply_gradients: parameter '{}' of shape {} has a gradient of shape {}. Run "
                                   "a backward pass before applying gradients.",
                                   name_, p->name, p->value.shape(), p->grad.shape()));
  }
  const float scale = global_scale(params);
  for (Parameter* p : params) {
    if (!p->trainable()) continue;
    const Tensor& g = clipped_gradient(*p, scale);                                                     // (C1)-(C3)
    if (weight_decay_) array(p->value) -= learning_rate_ * *weight_decay_ * array(p->value.tensor());  // (D)
    update(*p, g);
  }
  ++iterations_;
}

void Optimizer::set_common_options(std::optional<float> weight_decay, std::optional<float> clipnorm,
                                   std::optional<float> clipvalue, std::optional<float> global_clipnorm) {
  if (weight_decay)
    require(std::isfinite(*weight_decay) && *weight_decay >= 0, "weight_decay", *weight_decay, "a finite number >= 0");
  const std::pair<const char*, std::optional<float>> clips[] = {
      {"clipnorm", clipnorm}, {"clipvalue", clipvalue}, {"global_clipnorm", global_clipnorm}};
  std::string set;
  for (const auto& [argument, value] : clips) {
    if (!value) continue;
    require(std::isfinite(*value) && *value > 0, argument, *value, "a finite number > 0");
    set += fmt::format("{}{}={}", set.empty() ? "" : ", ", argument, *value);
  }
  if ((clipnorm.has_value() + clipvalue.has_value() + global_clipnorm.has_value()) > 1)
    throw ConfigError(
        fmt::format("{}: only one of clipnorm, clipvalue and global_clipnorm can be set, but received {}", name_, set));
  weight_decay_ = weight_decay, clipnorm_ = clipnorm, clipvalue_ = clipvalue, global_clipnorm_ = global_clipnorm;
}

float Optimizer::global_scale(const std::vector<Parameter*>& params) const {
  if (!global_clipnorm_) return 1.0f;
  double sum = 0;  // the squared global norm N^2, in double
  for (const Parameter* p : params)
    if (p->trainable()) sum += array(p->grad).cast<double>().square().sum();
  const double norm = std::sqrt(sum), c = *global_clipnorm_;
  return norm > c ? float(c / norm) : 1.0f;  // (C3): min(1, c / N)
}

const Tensor& Optimizer::clipped_gradient(const Parameter& p, float global_scale) {
  if (!clipnorm_ && !clipvalue_ && !global_clipnorm_) return p.grad;
  Tensor& g = clipped_[&p];
  g = p.grad;  // same shape after the first step: copied in place
  ArrayMap a = array(g);
  if (clipnorm_) {
    const double norm = std::sqrt(a.cast<double>().square().sum()), c = *clipnorm_;
    a *= float(c / std::max(norm, c));  // (C1)
  } else if (clipvalue_) {
    a = a.max(-*clipvalue_).min(*clipvalue_);  // (C2)
  } else {
    a *= global_scale;  // (C3)
  }
  return g;
}

void Optimizer::save_state() {
  saved_iterations_ = iterations_;
  for (const auto& [p, slots] : slots_)
    for (const auto& [name, value] : slots) saved_slots_[p][name] = value;  // same shapes: copied in place
}

void Optimizer::restore_state() {
  iterations_ = saved_iterations_;
  for (auto& [p, slots] : slots_)
    for (auto it = slots.begin(); it != slots.end();) {
      const auto saved = saved_slots_.find(p);
      const bool kept = saved != saved_slots_.end() && saved->second.count(it->first);
      if (kept) it->second = saved->second.at(it->first);
      it = kept ? std::next(it) : slots.erase(it);  // created by the undone step: as if never used
    }
}

Tensor& Optimizer::slot(const Parameter& p, const std::string& slot) {
  auto [it, created] = slots_[&p].try_emplace(slot, p.value.shape());
  if (!created && it->second.shape() != p.value.shape())
    throw UsageError(fmt::format("{}: parameter '{}' now has shape {}, but its '{}' state has shape {}. Use one "
                                 "optimizer per model, and a new optimizer for a new model.",
                                 name_, p.name, p.value.shape(), slot, it->second.shape()));
  return it->second;
}

const Tensor* Optimizer::find_slot(const Parameter& p, const std::string& slot) const {
  const auto per_param = slots_.find(&p);
  if (per_param == slots_.end()) return nullptr;
  const auto it = per_param->second.find(slot);
  return it == per_param->second.end() ? nullptr : &it->second;
}

std::map<std::string, const Tensor*> Optimizer::slots(const Parameter& p) const {
  std::map<std::string, const Tensor*> out;
  const auto per_param = slots_.find(&p);
  if (per_param != slots_.end())
    for (const auto& [name, value] : per_param->second) out[name] = &value;
  return out;
}

void Optimizer::set_state(long iterations, SlotMap slots) {
  if (iterations < 0) throw UsageError(fmt::format("{}: iterations must be >= 0, but received {}", name_, iterations));
  for (const auto& [p, named] : slots)
    for (const auto& [name, value] : named)
      if (!p || value.shape() != p->value.shape())
        throw UsageError(
            fmt::format("{}: the '{}' state of parameter '{}' has shape {}, but the parameter has shape {}", name_,
                        name, p ? p->name : "(null)", value.shape(), p ? p->value.shape() : Shape{}));
  iterations_ = saved_iterations_ = iterations;
  slots_ = std::move(slots);
  saved_slots_ = slots_;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name) {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (key == "sgd") return std::make_unique<SGD>();
  if (key == "rmsprop") return std::make_unique<RMSprop>();
  if (key == "adam") return std::make_unique<Adam>();
  if (key == "adamw") return std::make_unique<AdamW>();
  if (key == "nadam") return std::make_unique<Nadam>();
  if (key == "adagrad") return std::make_unique<Adagrad>();
  if (key == "adadelta") return std::make_unique<Adadelta>();
  if (key == "adamax") return std::make_unique<Adamax>();
  throw ConfigError(fmt::format("Unknown optimizer: '{}'. Expected one of 'sgd', 'rmsprop', 'adam', 'adamw', "
                                "'nadam', 'adagrad', 'adadelta', 'adamax'.",
                                name));
}

}  // namespace minnow
