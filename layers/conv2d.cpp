#include "layers/conv2d.h"

#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/kernels/convolution.h"

namespace minnow {

Conv2DLayer::Conv2DLayer(const Conv2DOptions& options)
    : Layer("Conv2D", options.name), opt_(options), activation_(parse_activation(options.activation, describe())) {
  if (opt_.filters <= 0)
    throw ConfigError(
        fmt::format("{}: filters must be a positive integer, but received filters={}", describe(), opt_.filters));
  if (opt_.kernel_size[0] <= 0 || opt_.kernel_size[1] <= 0)
    throw ConfigError(fmt::format("{}: kernel_size must be positive, but received kernel_size=({}, {})", describe(),
                                  opt_.kernel_size[0], opt_.kernel_size[1]));
  if (opt_.strides[0] <= 0 || opt_.strides[1] <= 0)
    throw ConfigError(fmt::format("{}: strides must be positive, but received strides=({}, {})", describe(),
                                  opt_.strides[0], opt_.strides[1]));
  if (opt_.padding != "valid" && opt_.padding != "same")
    throw ConfigError(
        fmt::format("{}: padding must be 'valid' or 'same', but received padding='{}'", describe(), opt_.padding));
  check_initializer(opt_.kernel_initializer, describe() + ": kernel_initializer");
  check_initializer(opt_.bias_initializer, describe() + ": bias_initializer");
  check_regularizer(opt_.kernel_regularizer, describe() + ": kernel_regularizer");
  check_regularizer(opt_.bias_regularizer, describe() + ": bias_regularizer");
}

Shape Conv2DLayer::build_impl(const Shape& in) {
  if (in.rank() != 4)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, H, W, C), but received {}", describe(), in));
  const long KH = opt_.kernel_size[0], KW = opt_.kernel_size[1];
  if (opt_.padding == "valid" && (KH > in[1] || KW > in[2]))
    throw ShapeError(fmt::format("{}: kernel_size=({}, {}) is larger than the input's {}x{} (input shape {}) with "
                                 "padding='valid'. Use padding='same' or a smaller kernel.",
                                 describe(), KH, KW, in[1], in[2], in));
  g_ = window_geometry(in[1], in[2], in[3], KH, KW, opt_.strides[0], opt_.strides[1], opt_.padding == "same");
  kernel_ = &add_weight("kernel", {KH, KW, in[3], opt_.filters}, opt_.kernel_initializer, true);
  kernel_->regularizer = opt_.kernel_regularizer;
  if (opt_.use_bias) {
    bias_ = &add_weight("bias", {opt_.filters}, opt_.bias_initializer, true);
    bias_->regularizer = opt_.bias_regularizer;
  }
  return {Shape::kNone, g_.OH, g_.OW, opt_.filters};
}

void Conv2DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  g_.N = x.shape()[0];
  const auto K = std::as_const(kernel_->value).matrix(g_.KH * g_.KW * g_.C, opt_.filters);  // (KH*KW*C, F)
  const bool keep_z = activation_needs_input(activation_);
  if (keep_z) z_.resize(y.shape());
  conv2d_forward(x.data(), g_, K, y.data(), [&](MatrixMap Z) {  // (F1)-(F2) Z = X K, a block of rows of y
    if (bias_) Z.rowwise() += bias_->value.row();               // (F2) + b
    if (keep_z) z_.matrix().middleRows((Z.data() - y.data()) / opt_.filters, Z.rows()) = Z;  // disjoint rows
    activation_forward(activation_, Z, Z);                                                   // (F3)
  });
}

void Conv2DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const long rows = g_.N * g_.OH * g_.OW, F = opt_.filters;
  const float* dZ = dy.data();  // (B1) (N*OH*OW, F); a linear activation passes dy through
  if (activation_ != ActivationKind::Linear) {
    dz_.resize(dy.shape());
    const Tensor& z = activation_needs_input(activation_) ? z_ : output();  // x is read only when kept
    activation_backward(activation_, z.matrix(), output().matrix(), dy.matrix(), dz_.matrix());
    dZ = dz_.data();
  }
  float* dK = kernel_->trainable() ? kernel_->grad.data() : nullptr;
  float* db = bias_ && bias_->trainable() ? bias_->grad.data() : nullptr;
  conv2d_weight_gradient(input().data(), g_, ConstMatrixMap(dZ, rows, F), dK, db);  // (B2) dK = X^T dZ, (B3) db
  if (!input_gradients_needed()) return;
  const auto K = std::as_const(kernel_->value).matrix(g_.KH * g_.KW * g_.C, F);
  const bool turned = g_.SH == 1 && g_.SW == 1 && !(g_.KH == 1 && g_.KW == 1);
  if (turned) conv2d_input_gradient_turned(ConstMatrixMap(dZ, rows, F), g_, K, dx.data());  // (B4')
  else conv2d_input_gradient(ConstMatrixMap(dZ, rows, F), g_, K, dx.data());                // (B4)-(B5)
}

LayerRef<Conv2DLayer> Conv2D(const Conv2DOptions& options) { return std::make_shared<Conv2DLayer>(options); }

LayerRef<Conv2DLayer> Conv2D(long filters, Size2D kernel_size, const std::string& padding, Size2D strides,
                             const std::string& activation) {
  return Conv2D(Conv2DOptions{.filters = filters,
                              .kernel_size = kernel_size,
                              .strides = strides,
                              .padding = padding,
                              .activation = activation});
}

std::shared_ptr<Layer> Conv2DLayer::clone() const {
  Conv2DOptions o = opt_;
  o.name = name();
  return std::make_shared<Conv2DLayer>(o);
}

}  // namespace minnow
