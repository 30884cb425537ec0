#include "optim/rmsprop.h"

#include <cmath>
#include <utility>

namespace minnow {

RMSprop::RMSprop(const RMSpropOptions& options) : Optimizer("RMSprop", options.learning_rate), opt_(options) {
  require(opt_.rho >= 0 && opt_.rho < 1, "rho", opt_.rho, "a number in [0, 1)");
  require(opt_.momentum >= 0 && opt_.momentum <= 1, "momentum", opt_.momentum, "a number in [0, 1]");
  require(std::isfinite(opt_.epsilon) && opt_.epsilon > 0, "epsilon", opt_.epsilon, "a finite number > 0");
  set_common_options(opt_.weight_decay, opt_.clipnorm, opt_.clipvalue, opt_.global_clipnorm);
}

void RMSprop::update(Parameter& p, const Tensor& grad) {
  ArrayMap w = array(p.value);
  const ConstArrayMap g = array(grad);
  const float lr = learning_rate();
  const float rho = opt_.rho;
  ArrayMap v = array(slot(p, "velocity"));
  v = rho * v + (1 - rho) * g.square();  // (U1)
  Eigen::ArrayXf d;                      // (U3) the step, shaped like w
  if (opt_.centered) {
    ArrayMap a = array(slot(p, "average_gradient"));
    a = rho * a + (1 - rho) * g;                          // (U2)
    d = lr * g / (v - a.square() + opt_.epsilon).sqrt();  // (U3) centered
  } else {
    d = lr * g / (v + opt_.epsilon).sqrt();  // (U3)
  }
  if (opt_.momentum > 0) {
    ArrayMap m = array(slot(p, "momentum"));
    m = opt_.momentum * m + d;  // (U4)
    w -= m;
  } else {
    w -= d;  // (U5)
  }
}

}  // namespace minnow
