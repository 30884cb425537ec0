#include "optim/adamax.h"

#include <cmath>

namespace minnow {

Adamax::Adamax(const AdamaxOptions& options) : Optimizer("Adamax", options.learning_rate), opt_(options) {
  require(opt_.beta_1 >= 0 && opt_.beta_1 < 1, "beta_1", opt_.beta_1, "a number in [0, 1)");
  require(opt_.beta_2 >= 0 && opt_.beta_2 < 1, "beta_2", opt_.beta_2, "a number in [0, 1)");
  require(std::isfinite(opt_.epsilon) && opt_.epsilon > 0, "epsilon", opt_.epsilon, "a finite number > 0");
  set_common_options(opt_.weight_decay, opt_.clipnorm, opt_.clipvalue, opt_.global_clipnorm);
}

void Adamax::update(Parameter& p, const Tensor& grad) {
  ArrayMap w = array(p.value);
  const ConstArrayMap g = array(grad);
  const double t = double(iterations() + 1);
  const auto correction = float(1 - std::pow(double(opt_.beta_1), t));  // 1 - beta_1^t
  ArrayMap m = array(slot(p, "momentum"));
  ArrayMap u = array(slot(p, "norm"));
  m += (g - m) * (1 - opt_.beta_1);                              // (U1)
  u = (opt_.beta_2 * u).max(g.abs());                            // (U2)
  w -= learning_rate() * m / (correction * (u + opt_.epsilon));  // (U3)
}

}  // namespace minnow
