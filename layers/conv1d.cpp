#include "layers/conv1d.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "core/kernels/convolution.h"

namespace minnow {

Conv1DLayer::Conv1DLayer(const Conv1DOptions& options)
    : Layer("Conv1D", options.name), opt_(options), activation_(parse_activation(options.activation, describe())) {
  if (opt_.filters <= 0)
    throw ConfigError(
        fmt::format("{}: filters must be a positive integer, but received filters={}", describe(), opt_.filters));
  if (opt_.kernel_size <= 0)
    throw ConfigError(
        fmt::format("{}: kernel_size must be positive, but received kernel_size={}", describe(), opt_.kernel_size));
  if (opt_.strides <= 0)
    throw ConfigError(fmt::format("{}: strides must be positive, but received strides={}", describe(), opt_.strides));
  if (opt_.dilation_rate <= 0)
    throw ConfigError(fmt::format("{}: dilation_rate must be positive, but received dilation_rate={}", describe(),
                                  opt_.dilation_rate));
  if (opt_.strides > 1 && opt_.dilation_rate > 1)
    throw ConfigError(fmt::format("{}: strides > 1 is not supported together with dilation_rate > 1 (as in Keras), but "
                                  "received strides={} and dilation_rate={}",
                                  describe(), opt_.strides, opt_.dilation_rate));
  if (opt_.padding != "valid" && opt_.padding != "same" && opt_.padding != "causal")
    throw ConfigError(fmt::format("{}: padding must be 'valid', 'same' or 'causal', but received padding='{}'",
                                  describe(), opt_.padding));
  check_initializer(opt_.kernel_initializer, describe() + ": kernel_initializer");
  check_initializer(opt_.bias_initializer, describe() + ": bias_initializer");
  check_regularizer(opt_.kernel_regularizer, describe() + ": kernel_regularizer");
  check_regularizer(opt_.bias_regularizer, describe() + ": bias_regularizer");
}

Shape Conv1DLayer::build_impl(const Shape& in) {
  if (in.rank() != 3)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, L, C), but received {}", describe(), in));
  long KE = 0;  // the dilated kernel's span (KL-1)*d + 1
  if (__builtin_mul_overflow(opt_.kernel_size - 1, opt_.dilation_rate, &KE) || __builtin_add_overflow(KE, 1, &KE))
    throw ShapeError(fmt::format("{}: kernel_size={} with dilation_rate={} spans more steps than a long holds",
                                 describe(), opt_.kernel_size, opt_.dilation_rate));
  if (opt_.padding == "valid" && KE > in[1])
    throw ShapeError(fmt::format("{}: the kernel spans {} steps (kernel_size={}, dilation_rate={}), more than the "
                                 "input's length {} (input shape {}) with padding='valid'. Use padding='same' or "
                                 "'causal', or a smaller kernel.",
                                 describe(), KE, opt_.kernel_size, opt_.dilation_rate, in[1], in));
  g_ = window_geometry(1, in[1], in[2], 1, KE, 1, opt_.strides, opt_.padding == "same");
  if (opt_.padding == "causal") g_.OW = (in[1] + opt_.strides - 1) / opt_.strides, g_.pad_left = KE - 1;
  kernel_ = &add_weight("kernel", {opt_.kernel_size, in[2], opt_.filters}, opt_.kernel_initializer, true);
  kernel_->regularizer = opt_.kernel_regularizer;
  if (opt_.use_bias) {
    bias_ = &add_weight("bias", {opt_.filters}, opt_.bias_initializer, true);
    bias_->regularizer = opt_.bias_regularizer;
  }
  return {Shape::kNone, g_.OW, opt_.filters};
}

ConstMatrixMap Conv1DLayer::dilated_kernel() {
  const long C = g_.C, F = opt_.filters, d = opt_.dilation_rate;
  if (d == 1) return std::as_const(kernel_->value).matrix(g_.KW * C, F);
  dilated_.assign(size_t(g_.KW * C * F), 0.0f);
  const float* k = std::as_const(kernel_->value).data();
  for (long j = 0; j < opt_.kernel_size; ++j)  // (F2) Ke[j*d] = K[j], each tap a (C, F) block
    std::copy(k + j * C * F, k + (j + 1) * C * F, dilated_.data() + j * d * C * F);
  return {dilated_.data(), g_.KW * C, F};
}

void Conv1DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  g_.N = x.shape()[0];
  const ConstMatrixMap K = dilated_kernel();  // (KE*C, F)
  const bool keep_z = activation_needs_input(activation_);
  if (keep_z) z_.resize(y.shape());
  conv2d_forward(x.data(), g_, K, y.data(), [&](MatrixMap Z) {  // (F1)-(F2) Z = X Ke, a block of rows of y
    if (bias_) Z.rowwise() += bias_->value.row();               // (F2) + b
    if (keep_z) z_.matrix().middleRows((Z.data() - y.data()) / opt_.filters, Z.rows()) = Z;  // disjoint rows
    activation_forward(activation_, Z, Z);                                                   // (F3)
  });
}

void Conv1DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const long rows = g_.N * g_.OW, F = opt_.filters, C = g_.C, d = opt_.dilation_rate;
  const float* dZ = dy.data();  // (B1) (N*OL, F); a linear activation passes dy through
  if (activation_ != ActivationKind::Linear) {
    dz_.resize(dy.shape());
    const Tensor& z = activation_needs_input(activation_) ? z_ : output();
    activation_backward(activation_, z.matrix(), output().matrix(), dy.matrix(), dz_.matrix());
    dZ = dz_.data();
  }
  float* dK = kernel_->trainable() ? kernel_->grad.data() : nullptr;
  float* db = bias_ && bias_->trainable() ? bias_->grad.data() : nullptr;
  if (dK && d > 1) dilated_dk_.resize(size_t(g_.KW * C * F));
  conv2d_weight_gradient(input().data(), g_, ConstMatrixMap(dZ, rows, F), dK && d > 1 ? dilated_dk_.data() : dK,
                         db);  // (B2) dKe = X^T dZ, (B3) db
  if (dK && d > 1)
    for (long j = 0; j < opt_.kernel_size; ++j)  // (B2) dK[j] = dKe[j*d]
      std::copy_n(dilated_dk_.data() + j * d * C * F, C * F, dK + j * C * F);
  if (!input_gradients_needed()) return;
  const ConstMatrixMap K = dilated_kernel();
  if (opt_.strides == 1 && g_.KW > 1) conv2d_input_gradient_turned(ConstMatrixMap(dZ, rows, F), g_, K, dx.data());
  else conv2d_input_gradient(ConstMatrixMap(dZ, rows, F), g_, K, dx.data());  // (B4)
}

LayerRef<Conv1DLayer> Conv1D(const Conv1DOptions& options) { return std::make_shared<Conv1DLayer>(options); }

LayerRef<Conv1DLayer> Conv1D(long filters, long kernel_size, const std::string& padding, long strides,
                             const std::string& activation) {
  return Conv1D(Conv1DOptions{.filters = filters,
                              .kernel_size = kernel_size,
                              .strides = strides,
                              .padding = padding,
                              .activation = activation});
}

std::shared_ptr<Layer> Conv1DLayer::clone() const {
  Conv1DOptions o = opt_;
  o.name = name();
  return std::make_shared<Conv1DLayer>(o);
}

}  // namespace minnow
