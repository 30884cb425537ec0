#include "optim/sgd.h"

#include <utility>

namespace minnow {

SGD::SGD(const SGDOptions& options) : Optimizer("SGD", options.learning_rate), opt_(options) {
  require(opt_.momentum >= 0 && opt_.momentum <= 1, "momentum", opt_.momentum, "a number in [0, 1]");
  set_common_options(opt_.weight_decay, opt_.clipnorm, opt_.clipvalue, opt_.global_clipnorm);
}

void SGD::update(Parameter& p, const Tensor& grad) {
  ArrayMap w = array(p.value);
  const ConstArrayMap g = array(grad);
  const float lr = learning_rate();
  const float mu = opt_.momentum;
  if (mu == 0) {
    w -= lr * g;  // (U1)
    return;
  }
  ArrayMap v = array(slot(p, "momentum"));
  v = mu * v - lr * g;                      // (U2)
  if (opt_.nesterov) w += mu * v - lr * g;  // (U4)
  else w += v;                              // (U3)
}

}  // namespace minnow
