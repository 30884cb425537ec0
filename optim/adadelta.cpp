#include "optim/adadelta.h"

#include <cmath>

namespace minnow {

Adadelta::Adadelta(const AdadeltaOptions& options) : Optimizer("Adadelta", options.learning_rate), opt_(options) {
  require(opt_.rho >= 0 && opt_.rho < 1, "rho", opt_.rho, "a number in [0, 1)");
  require(std::isfinite(opt_.epsilon) && opt_.epsilon > 0, "epsilon", opt_.epsilon, "a finite number > 0");
  set_common_options(opt_.weight_decay, opt_.clipnorm, opt_.clipvalue, opt_.global_clipnorm);
}

void Adadelta::update(Parameter& p, const Tensor& grad) {
  ArrayMap w = array(p.value);
  const ConstArrayMap g = array(grad);
  const float rho = opt_.rho, eps = opt_.epsilon;
  ArrayMap a = array(slot(p, "accumulated_grad"));
  ArrayMap s = array(slot(p, "accumulated_delta_var"));
  a = rho * a + (1 - rho) * g.square();                               // (U1)
  const Eigen::ArrayXf d = -(s + eps).sqrt() * g / (a + eps).sqrt();  // (U2)
  s = rho * s + (1 - rho) * d.square();                               // (U3)
  w += learning_rate() * d;                                           // (U4)
}

}  // namespace minnow
