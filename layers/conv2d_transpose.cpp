#include "layers/conv2d_transpose.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/kernels/column_ops.h"
#include "core/kernels/convolution.h"

namespace minnow {

Conv2DTransposeLayer::Conv2DTransposeLayer(const Conv2DTransposeOptions& options)
    : Layer("Conv2DTranspose", options.name),
      opt_(options),
      activation_(parse_activation(options.activation, describe())) {
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
  const auto& op = opt_.output_padding;
  if (op.size() > 2)
    throw ConfigError(fmt::format("{}: output_padding must be {{}}, {{p}} or {{ph, pw}}, but received "
                                  "output_padding=({})",
                                  describe(), fmt::join(op, ", ")));
  if (!op.empty() && (op.front() < 0 || op.back() < 0 || op.front() >= opt_.strides[0] || op.back() >= opt_.strides[1]))
    throw ConfigError(fmt::format("{}: output_padding must be >= 0 and smaller than the strides, but received "
                                  "output_padding=({}) with strides=({}, {})",
                                  describe(), fmt::join(op, ", "), opt_.strides[0], opt_.strides[1]));
  check_initializer(opt_.kernel_initializer, describe() + ": kernel_initializer");
  check_initializer(opt_.bias_initializer, describe() + ": bias_initializer");
  check_regularizer(opt_.kernel_regularizer, describe() + ": kernel_regularizer");
  check_regularizer(opt_.bias_regularizer, describe() + ": bias_regularizer");
}

long Conv2DTransposeLayer::output_length(long in, int axis) const {
  const long k = opt_.kernel_size[size_t(axis)], s = opt_.strides[size_t(axis)];
  const auto& op = opt_.output_padding;
  long out = 0;
  bool overflow = false;
  if (op.empty()) {  // valid: in*s + max(k - s, 0); same: in*s
    overflow = __builtin_mul_overflow(in, s, &out) ||
               (opt_.padding == "valid" && __builtin_add_overflow(out, std::max(k - s, 0L), &out));
  } else {  // (in-1)*s + k - 2*pad + p, pad = k/2 for same, 0 for valid
    const long p = axis == 0 ? op.front() : op.back(), pad = opt_.padding == "same" ? k / 2 : 0;
    overflow = __builtin_mul_overflow(in - 1, s, &out) || __builtin_add_overflow(out, k - 2 * pad + p, &out);
  }
  if (overflow)
    throw ShapeError(fmt::format("{}: the output of {} for an input of {} is too large for a long (kernel_size=({}, "
                                 "{}), strides=({}, {}))",
                                 describe(), axis == 0 ? "height" : "width", in, opt_.kernel_size[0],
                                 opt_.kernel_size[1], opt_.strides[0], opt_.strides[1]));
  return out;
}

Shape Conv2DTransposeLayer::build_impl(const Shape& in) {
  if (in.rank() != 4)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, H, W, C), but received {}", describe(), in));
  const long OH = output_length(in[1], 0), OW = output_length(in[2], 1), F = opt_.filters;
  const long KH = opt_.kernel_size[0], KW = opt_.kernel_size[1];
  g_ = window_geometry(OH, OW, F, KH, KW, opt_.strides[0], opt_.strides[1], opt_.padding == "same");
  if (OH <= 0 || OW <= 0 || g_.OH != in[1] || g_.OW != in[2])  // an even kernel, 'same' and output_padding 0
    throw ShapeError(fmt::format("{}: no Conv2D maps an output of {}x{} back to the input's {}x{} (input shape {}, "
                                 "kernel_size=({}, {}), strides=({}, {}), padding='{}', output_padding=({}))",
                                 describe(), OH, OW, in[1], in[2], in, KH, KW, opt_.strides[0], opt_.strides[1],
                                 opt_.padding, fmt::join(opt_.output_padding, ", ")));
  kernel_ = &add_weight("kernel", {KH, KW, F, in[3]}, opt_.kernel_initializer, true);
  kernel_->regularizer = opt_.kernel_regularizer;
  if (opt_.use_bias) {
    bias_ = &add_weight("bias", {F}, opt_.bias_initializer, true);
    bias_->regularizer = opt_.bias_regularizer;
  }
  return {Shape::kNone, OH, OW, F};
}

void Conv2DTransposeLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  g_.N = x.shape()[0];
  const long C = x.shape()[3], F = opt_.filters;
  const auto K = std::as_const(kernel_->value).matrix(g_.KH * g_.KW * F, C);  // (KH*KW*F, C)
  const ConstMatrixMap X(x.data(), g_.N * g_.OH * g_.OW, C);                  // the Conv2D's output is x
  const bool turned = g_.SH == 1 && g_.SW == 1 && !(g_.KH == 1 && g_.KW == 1);
  if (turned) conv2d_input_gradient_turned(X, g_, K, y.data());  // (F1)-(F2) for stride 1
  else conv2d_input_gradient(X, g_, K, y.data());                // (F1)-(F2) Z = col2im(X K^T)
  auto Z = y.matrix();                                           // (N*OH*OW, F)
  if (bias_) Z.rowwise() += bias_->value.row();                  // (F2) + b
  if (activation_needs_input(activation_)) z_ = y;
  activation_forward(activation_, Z, Z);  // (F3)
}

void Conv2DTransposeLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const long rows = g_.N * g_.H * g_.W, F = opt_.filters, C = input().shape()[3];
  const float* dZ = dy.data();  // (B1) (N*OH*OW, F); a linear activation passes dy through
  if (activation_ != ActivationKind::Linear) {
    dz_.resize(dy.shape());
    const Tensor& z = activation_needs_input(activation_) ? z_ : output();
    activation_backward(activation_, z.matrix(), output().matrix(), dy.matrix(), dz_.matrix());
    dZ = dz_.data();
  }
  const ConstMatrixMap X(input().data(), g_.N * g_.OH * g_.OW, C);
  if (kernel_->trainable()) conv2d_weight_gradient(dZ, g_, X, kernel_->grad.data(), nullptr);  // (B2) dK = D^T X
  if (bias_ && bias_->trainable()) {                                                           // (B3)
    RowVectorMap db(bias_->grad.data(), F);
    db.setZero();
    add_rows(ConstMatrixMap(dZ, rows, F), db);
  }
  if (!input_gradients_needed()) return;
  const auto K = std::as_const(kernel_->value).matrix(g_.KH * g_.KW * F, C);
  conv2d_forward(dZ, g_, K, dx.data(), [](MatrixMap) {});  // (B4) dX = im2col(dZ) K
}

LayerRef<Conv2DTransposeLayer> Conv2DTranspose(const Conv2DTransposeOptions& options) {
  return std::make_shared<Conv2DTransposeLayer>(options);
}

LayerRef<Conv2DTransposeLayer> Conv2DTranspose(long filters, Size2D kernel_size, const std::string& padding,
                                               Size2D strides, const std::string& activation) {
  return Conv2DTranspose(Conv2DTransposeOptions{.filters = filters,
                                                .kernel_size = kernel_size,
                                                .strides = strides,
                                                .padding = padding,
                                                .activation = activation});
}

std::shared_ptr<Layer> Conv2DTransposeLayer::clone() const {
  Conv2DTransposeOptions o = opt_;
  o.name = name();
  return std::make_shared<Conv2DTransposeLayer>(o);
}

}  // namespace minnow
