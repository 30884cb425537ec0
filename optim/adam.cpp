#include "optim/adam.h"

#include <cmath>
#include <utility>

namespace minnow {

Adam::Adam(const AdamOptions& options) : Adam("Adam", options) {}

Adam::Adam(std::string name, const AdamOptions& options)
    : Optimizer(std::move(name), options.learning_rate), opt_(options) {
  require(opt_.beta_1 >= 0 && opt_.beta_1 < 1, "beta_1", opt_.beta_1, "a number in [0, 1)");
  require(opt_.beta_2 >= 0 && opt_.beta_2 < 1, "beta_2", opt_.beta_2, "a number in [0, 1)");
  require(std::isfinite(opt_.epsilon) && opt_.epsilon > 0, "epsilon", opt_.epsilon, "a finite number > 0");
  set_common_options(opt_.weight_decay, opt_.clipnorm, opt_.clipvalue, opt_.global_clipnorm);
}

void Adam::update(Parameter& p, const Tensor& grad) {
  ArrayMap w = array(p.value);
  const ConstArrayMap g = array(grad);
  const double t = double(iterations() + 1);
  const float alpha = float(learning_rate() * std::sqrt(1 - std::pow(double(opt_.beta_2), t)) /
                            (1 - std::pow(double(opt_.beta_1), t)));  // (U1)
  ArrayMap m = array(slot(p, "momentum"));
  ArrayMap v = array(slot(p, "velocity"));
  m += (g - m) * (1 - opt_.beta_1);           // (U2)
  v += (g.square() - v) * (1 - opt_.beta_2);  // (U3)
  if (opt_.amsgrad) {
    ArrayMap v_hat = array(slot(p, "velocity_hat"));
    v_hat = v_hat.max(v);                            // (U4)
    w -= alpha * m / (v_hat.sqrt() + opt_.epsilon);  // (U5) with v_hat
  } else {
    w -= alpha * m / (v.sqrt() + opt_.epsilon);  // (U5)
  }
}

namespace {
AdamOptions adam_part(const AdamWOptions& o) {
  return {.learning_rate = o.learning_rate,
          .beta_1 = o.beta_1,
          .beta_2 = o.beta_2,
          .epsilon = o.epsilon,
          .amsgrad = o.amsgrad,
          .weight_decay = o.weight_decay,
          .clipnorm = o.clipnorm,
          .clipvalue = o.clipvalue,
          .global_clipnorm = o.global_clipnorm};
}
}  // namespace

// (U0) is the base class's decoupled weight decay (D), applied before Adam's (U1)-(U5).
AdamW::AdamW(const AdamWOptions& options) : Adam("AdamW", adam_part(options)), weight_decay_(options.weight_decay) {}

}  // namespace minnow
