// Element-wise activations and softmax, forward and backward, shared by Dense, Conv2D
// and the Activation / ReLU layers.
//
//   linear      y = x                                 dy/dx = 1
//   relu        y = max(x, 0)                         dy/dx = 1 if y > 0 else 0
//   sigmoid     y = 1 / (1 + exp(-x))                 dy/dx = y (1 - y)
//   tanh        y = tanh(x)                           dy/dx = 1 - y^2
//   softmax     y_k = exp(x_k - max x) / sum_j exp(x_j - max x), over the last axis
//               dx_k = y_k (dy_k - sum_j dy_j y_j)
//   elu         y = x if x > 0 else exp(x) - 1        dy/dx = 1 if y > 0 else y + 1
//   selu        y = s x if x > 0 else s a (exp(x) - 1),  a = 1.67326324, s = 1.05070098
//                                                     dy/dx = s if y > 0 else y + s a
//   leaky_relu  y = x if x > 0 else 0.2 x             dy/dx = 1 if y > 0 else 0.2
//   softplus    y = log(1 + exp(x))                   dy/dx = sigmoid(x) = 1 - exp(-y)
//   hard_sigmoid  y = relu6(x + 3) / 6 (Keras 3)      dy/dx = 1/6 if 0 < y < 1 else 0
//   silu (swish)  y = x sigmoid(x)                    dy/dx = s (1 + x (1 - s)),  s = sigmoid(x)
//   gelu        y = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2   (exact; Keras' approximate=False),
//               computed as x erfc(-x / sqrt 2) / 2: for x << 0, 1 + erf cancels to few digits
//               dy/dx = Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
//   gelu_tanh   y = x (1 + tanh u) / 2,  u = sqrt(2/pi) (x + 0.044715 x^3)   (Keras'
//               approximate=True, PyTorch's approximate='tanh')
//               dy/dx = (1 + t) / 2 + x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2) / 2,  t = tanh u
// Most backwards are written from the output y; silu, gelu and gelu_tanh have no derivative
// expressible from y and read the input x: activation_needs_input says which, so that a layer
// caches x only when it must.
#pragma once

#include <string>

#include "core/tensor.h"

namespace minnow {

enum class ActivationKind {
  Linear,
  Relu,
  Sigmoid,
  Tanh,
  Softmax,
  Elu,
  Selu,
  LeakyRelu,
  Softplus,
  HardSigmoid,
  Silu,
  Gelu,
  GeluTanh
};

// Parses a Keras activation name ("relu", "linear", ..., "" means linear; "swish" is "silu");
// throws ConfigError naming `owner` (e.g. "Dense 'dense'") and the value for anything else.
ActivationKind parse_activation(const std::string& name, const std::string& owner);
const char* activation_name(ActivationKind a);
// selu's constants a and s, as Keras writes them (ONNX's Selu defaults differ in the last digits).
constexpr float kSeluAlpha = 1.67326324f, kSeluScale = 1.05070098f;
// True when the backward of `a` reads the input x (silu, gelu, gelu_tanh), not only y.
bool activation_needs_input(ActivationKind a);

// y = f(x), row by row for softmax. x and y may be the same matrix (in place).
void activation_forward(ActivationKind a, const Eigen::Ref<const Matrix>& x, Eigen::Ref<Matrix> y);
// dx = dy * f'(x), given the input x and the output y = f(x) of the forward. x is read only when
// activation_needs_input(a); dy and dx may be the same matrix (in place).
void activation_backward(ActivationKind a, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& y,
                         const Eigen::Ref<const Matrix>& dy, Eigen::Ref<Matrix> dx);

}  // namespace minnow
