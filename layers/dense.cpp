#include "layers/dense.h"

#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kernels/column_ops.h"
#include "core/kernels/gemm.h"

namespace minnow {

DenseLayer::DenseLayer(const DenseOptions& options)
    : Layer("Dense", options.name), opt_(options), activation_(parse_activation(options.activation, describe())) {
  if (opt_.units <= 0)
    throw ConfigError(
        fmt::format("{}: units must be a positive integer, but received units={}", describe(), opt_.units));
  check_initializer(opt_.kernel_initializer, describe() + ": kernel_initializer");
  check_initializer(opt_.bias_initializer, describe() + ": bias_initializer");
  check_regularizer(opt_.kernel_regularizer, describe() + ": kernel_regularizer");
  check_regularizer(opt_.bias_regularizer, describe() + ": bias_regularizer");
}

Shape DenseLayer::build_impl(const Shape& in) {
  if (opt_.require_flat_input && in.rank() != 2)  // (Layer::build has checked for a batch axis and one more)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, F), but received {}. Add a Flatten layer before "
                                 "'{}'.",
                                 describe(), in, name()));
  kernel_ = &add_weight("kernel", {in[-1], opt_.units}, opt_.kernel_initializer, true);
  kernel_->regularizer = opt_.kernel_regularizer;
  if (opt_.use_bias) {
    bias_ = &add_weight("bias", {opt_.units}, opt_.bias_initializer, true);
    bias_->regularizer = opt_.bias_regularizer;
  }
  std::vector<long> out = in.dims();
  out.back() = opt_.units;  // (None, ..., in) -> (None, ..., units)
  return Shape(out);
}

void DenseLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  auto Y = y.matrix();                                                              // (N, units)
  gemm(x.matrix(), Op::None, std::as_const(kernel_->value).matrix(), Op::None, Y);  // (F1) (N, in) x (in, units)
  if (bias_) Y.rowwise() += bias_->value.row();                                     // (F1) + b
  if (activation_needs_input(activation_)) z_.resize(y.shape()), z_.matrix() = Y;   // the cache (B1) needs
  activation_forward(activation_, Y, Y);                                            // (F2)
}

void DenseLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  dz_.resize(dy.shape());
  const Tensor& z = activation_needs_input(activation_) ? z_ : output();  // x is read only when kept
  activation_backward(activation_, z.matrix(), output().matrix(), dy.matrix(), dz_.matrix());  // (B1)
  const auto dZ = std::as_const(dz_).matrix();                                                 // (N, units)
  const auto W = std::as_const(kernel_->value).matrix();
  if (kernel_->trainable()) gemm(input().matrix(), Op::Transpose, dZ, Op::None, kernel_->grad.matrix());  // (B2) x^T dz
  if (bias_ && bias_->trainable()) bias_->grad.fill(0), add_rows(dZ, bias_->grad.row());                  // (B3)
  if (input_gradients_needed()) gemm(dZ, Op::None, W, Op::Transpose, dx.matrix());                        // (B4) dz W^T
}

LayerRef<DenseLayer> Dense(const DenseOptions& options) { return std::make_shared<DenseLayer>(options); }

LayerRef<DenseLayer> Dense(long units, const std::string& activation, bool use_bias) {
  return Dense(DenseOptions{.units = units, .activation = activation, .use_bias = use_bias});
}

std::shared_ptr<Layer> DenseLayer::clone() const {
  DenseOptions o = opt_;
  o.name = name();
  return std::make_shared<DenseLayer>(o);
}

}  // namespace minnow
