// Optimizer: updates the trainable parameters from their gradients, one step per batch.
//
// apply_gradients(params) is the whole public contract (Keras' optimizer.apply_gradients):
//   - for every parameter p with p->trainable(): its gradient g = p->grad, clipped (below); the
//     decoupled weight decay; then update(*p, g), each optimizer's (U..);
//   - every other parameter (BatchNorm's moving statistics, the weights of a frozen layer) is
//     skipped: its value and its optimizer state are never touched;
//   - then iterations() grows by one, so inside update() the step number is t = iterations() + 1.
// State: Keras' "optimizer variables" (momentum, velocity, ...) are slots, one tensor per
// parameter and name, shaped like the parameter and zero at first use. They are keyed by the
// Parameter object (its address, stable for a layer's lifetime), never by its data pointer,
// which moves when a tensor is resized. One optimizer serves one model.
// Keras 3's arguments common to every optimizer (each options struct has them; unset = None):
//   weight_decay = wd      (D)   w <- w - w wd lr, before the update        (p->grad is never changed:
//   clipnorm = c           (C1)  g <- g c / max(||g||, c), per parameter     the clipped g is a copy)
//   clipvalue = c          (C2)  g <- min(max(g, -c), c), element-wise
//   global_clipnorm = c    (C3)  g <- g min(1, c / N), N = sqrt(sum over every trainable g of ||g||^2)
// At most one of the three clippings may be set (ConfigError otherwise), each finite and > 0.
// Errors: a bad hyperparameter is a ConfigError naming the optimizer, the argument and the value;
// a trainable parameter without a gradient of its shape is a UsageError naming the parameter.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/parameter.h"

namespace minnow {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Keras' class name: "SGD", "RMSprop", "Adam", "AdamW", "Nadam", "Adagrad", "Adadelta", "Adamax".
  virtual std::string name() const { return name_; }

  // One update of every trainable parameter in params, from its grad.
  void apply_gradients(const std::vector<Parameter*>& params);
  // The number of apply_gradients calls so far (Keras' optimizer.iterations).
  long iterations() const { return iterations_; }

  float learning_rate() const { return learning_rate_; }
  // Throws ConfigError unless lr is finite and > 0.
  void set_learning_rate(float lr);

  // Keeps a copy of the whole state (every slot and iterations()); restore_state goes back to it.
  // Training saves it before each step, so that a step that fails is undone entirely. After the
  // first save, saving again reuses the copy's memory (no allocation in a steady training loop).
  void save_state();
  void restore_state();

  // p's slot `slot` (e.g. "momentum"), or nullptr when p has not been updated yet or this
  // optimizer keeps no such slot.
  const Tensor* find_slot(const Parameter& p, const std::string& slot) const;

  // Checkpoints (model/checkpoint.h): every slot of p by name (none before p's first update), and
  // the whole state replaced at once: iterations() and every parameter's slots, the others dropped.
  // set_state checks first (iterations >= 0, each slot shaped like its parameter: a UsageError
  // naming both) and changes nothing on an error.
  using SlotMap = std::unordered_map<const Parameter*, std::map<std::string, Tensor>>;
  std::map<std::string, const Tensor*> slots(const Parameter& p) const;
  void set_state(long iterations, SlotMap slots);

 protected:
  Optimizer(std::string name, float learning_rate);

  // One update of the trainable parameter p from its gradient g (p.grad, or its clipped copy).
  virtual void update(Parameter& p, const Tensor& g) = 0;

  // Sets (D) and (C1)-(C3) from an options struct's weight_decay, clipnorm, clipvalue and
  // global_clipnorm. Throws ConfigError naming the argument and value when one is not finite and
  // > 0 (>= 0 for weight_decay), or when more than one clipping is set.
  void set_common_options(std::optional<float> weight_decay, std::optional<float> clipnorm,
                          std::optional<float> clipvalue, std::optional<float> global_clipnorm);

  // p's slot `slot`, a tensor shaped like p.value, created with zeros on first use.
  Tensor& slot(const Parameter& p, const std::string& slot);

  // A tensor as a flat array, for the element-wise update formulas.
  using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
  using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;
  static ArrayMap array(Tensor& t) { return {t.data(), t.size()}; }
  static ConstArrayMap array(const Tensor& t) { return {t.data(), t.size()}; }
  static ArrayMap array(WeightValue& w) { return {w.data(), w.size()}; }  // in place: the shape is fixed

  // Throws ConfigError "<name>: <argument> must be <expected>, but received <argument>=<value>"
  // unless ok.
  void require(bool ok, const char* argument, float value, const char* expected) const;

 private:
  const Tensor& clipped_gradient(const Parameter& p, float global_scale);  // (C1)-(C3)
  float global_scale(const std::vector<Parameter*>& params) const;         // (C3)'s factor

  std::string name_;
  float learning_rate_;
  std::optional<float> weight_decay_, clipnorm_, clipvalue_, global_clipnorm_;
  std::unordered_map<const Parameter*, Tensor> clipped_;  // the clipped gradients, reused
  long iterations_ = 0, saved_iterations_ = 0;
  SlotMap slots_, saved_slots_;
};

// "sgd", "rmsprop", "adam", "adamw", "nadam", "adagrad", "adadelta", "adamax" (any case) -> that
// optimizer with Keras' defaults.
// Throws ConfigError naming the value otherwise.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name);

}  // namespace minnow
