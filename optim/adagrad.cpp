#include "optim/adagrad.h"

#include <cmath>

namespace minnow {

Adagrad::Adagrad(const AdagradOptions& options) : Optimizer("Adagrad", options.learning_rate), opt_(options) {
  const float a0 = opt_.initial_accumulator_value;
  require(std::isfinite(a0) && a0 >= 0, "initial_accumulator_value", a0, "a finite number >= 0");
  require(std::isfinite(opt_.epsilon) && opt_.epsilon > 0, "epsilon", opt_.epsilon, "a finite number > 0");
  set_common_options(opt_.weight_decay, opt_.clipnorm, opt_.clipvalue, opt_.global_clipnorm);
}

void Adagrad::update(Parameter& p, const Tensor& grad) {
  ArrayMap w = array(p.value);
  const ConstArrayMap g = array(grad);
  const bool first = find_slot(p, "accumulator") == nullptr;
  ArrayMap a = array(slot(p, "accumulator"));
  if (first) a.setConstant(opt_.initial_accumulator_value);  // the slot starts at a0, not 0
  a += g.square();                                           // (U1)
  w -= learning_rate() * g / (a + opt_.epsilon).sqrt();      // (U2)
}

}  // namespace minnow
