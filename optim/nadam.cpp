#include "optim/nadam.h"

#include <cmath>

namespace minnow {

Nadam::Nadam(const NadamOptions& options) : Optimizer("Nadam", options.learning_rate), opt_(options) {
  require(opt_.beta_1 >= 0 && opt_.beta_1 < 1, "beta_1", opt_.beta_1, "a number in [0, 1)");
  require(opt_.beta_2 >= 0 && opt_.beta_2 < 1, "beta_2", opt_.beta_2, "a number in [0, 1)");
  require(std::isfinite(opt_.epsilon) && opt_.epsilon > 0, "epsilon", opt_.epsilon, "a finite number > 0");
  set_common_options(opt_.weight_decay, opt_.clipnorm, opt_.clipvalue, opt_.global_clipnorm);
}

double Nadam::u_product(long t) {
  auto u = [this](long i) { return opt_.beta_1 * (1 - 0.5 * std::pow(0.96, double(i))); };  // (U1)
  if (t < product_t_) product_t_ = 0, product_ = 1;                    // restored to an earlier step: start over
  for (; product_t_ < t; ++product_t_) product_ *= u(product_t_ + 1);  // (U2)
  return product_;
}

void Nadam::update(Parameter& p, const Tensor& grad) {
  ArrayMap w = array(p.value);
  const ConstArrayMap g = array(grad);
  const long t = iterations() + 1;
  const double b1 = opt_.beta_1;
  const double u_t = b1 * (1 - 0.5 * std::pow(0.96, double(t)));         // (U1)
  const double u_next = b1 * (1 - 0.5 * std::pow(0.96, double(t + 1)));  // u_{t+1}
  const double product = u_product(t);                                   // (U2)
  ArrayMap m = array(slot(p, "momentum"));
  ArrayMap v = array(slot(p, "velocity"));
  m += (g - m) * (1 - opt_.beta_1);           // (U3)
  v += (g.square() - v) * (1 - opt_.beta_2);  // (U4)
  const auto a = float(u_next / (1 - product * u_next)), b = float((1 - u_t) / (1 - product));
  const auto root_bias = float(std::sqrt(1 - std::pow(double(opt_.beta_2), double(t))));
  w -= learning_rate() * (a * m + b * g) / (v.sqrt() / root_bias + opt_.epsilon);  // (U5)-(U7)
}

}  // namespace minnow
