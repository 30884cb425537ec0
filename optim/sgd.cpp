#include "optim/sgd.h"

#include <utility>

namespace minnow {

SGD::SGD(const SGDOptions& options) : Optimizer("SGD", options.learning_rate), opt_(options) {
  require(opt_.momentum >= 0 && opt_.momentum <= 1, "momentum", opt_.momentum, "a number in [0, 1]");
}

void SGD::update(Parameter& p) {
  ArrayMap w = array(p.value);
  const ConstArrayMap g = array(std::as_const(p.grad));
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
