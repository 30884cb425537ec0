#include "core/activations.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {

constexpr float kLeakySlope = 0.2f;  // Keras 3's leaky_relu default
constexpr float kSqrt2OverPi = 0.7978845608f, kInvSqrt2 = 0.7071067812f, kInvSqrt2Pi = 0.3989422804f;
constexpr float kGeluCubic = 0.044715f;

const std::pair<const char*, ActivationKind> kNames[] = {
    {"linear", ActivationKind::Linear},     {"relu", ActivationKind::Relu},
    {"sigmoid", ActivationKind::Sigmoid},   {"tanh", ActivationKind::Tanh},
    {"softmax", ActivationKind::Softmax},   {"elu", ActivationKind::Elu},
    {"selu", ActivationKind::Selu},         {"leaky_relu", ActivationKind::LeakyRelu},
    {"softplus", ActivationKind::Softplus}, {"hard_sigmoid", ActivationKind::HardSigmoid},
    {"silu", ActivationKind::Silu},         {"gelu", ActivationKind::Gelu},
    {"gelu_tanh", ActivationKind::GeluTanh}};

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// f(x) for the element-wise activations other than linear, relu, sigmoid and tanh.
float apply(ActivationKind a, float x) {
  switch (a) {
    case ActivationKind::Elu: return x > 0 ? x : std::expm1(x);
    case ActivationKind::Selu: return x > 0 ? kSeluScale * x : kSeluScale * kSeluAlpha * std::expm1(x);
    case ActivationKind::LeakyRelu: return x > 0 ? x : kLeakySlope * x;
    case ActivationKind::Softplus: return std::max(x, 0.0f) + std::log1p(std::exp(-std::abs(x)));  // stable form
    case ActivationKind::HardSigmoid: return std::clamp(x + 3.0f, 0.0f, 6.0f) / 6.0f;
    case ActivationKind::Silu: return x * sigmoid(x);
    case ActivationKind::Gelu: return 0.5f * x * std::erfc(-x * kInvSqrt2);  // 1 + erf(x/sqrt2), no cancellation
    case ActivationKind::GeluTanh: return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * (x + kGeluCubic * x * x * x)));
    default: return x;
  }
}

// f'(x) for the same activations, from x or from y = f(x) as core/activations.h writes it.
float slope(ActivationKind a, float x, float y) {
  switch (a) {
    case ActivationKind::Elu: return y > 0 ? 1.0f : y + 1.0f;
    case ActivationKind::Selu: return y > 0 ? kSeluScale : y + kSeluScale * kSeluAlpha;
    case ActivationKind::LeakyRelu: return y > 0 ? 1.0f : kLeakySlope;
    case ActivationKind::Softplus: return -std::expm1(-y);  // 1 - exp(-y)
    case ActivationKind::HardSigmoid: return y > 0 && y < 1 ? 1.0f / 6.0f : 0.0f;
    case ActivationKind::Silu: {
      const float s = sigmoid(x);
      return s * (1.0f + x * (1.0f - s));
    }
    case ActivationKind::Gelu: return 0.5f * std::erfc(-x * kInvSqrt2) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
    case ActivationKind::GeluTanh: {
      const float t = std::tanh(kSqrt2OverPi * (x + kGeluCubic * x * x * x));
      return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * x * x);
    }
    default: return 1.0f;
  }
}

}  // namespace

ActivationKind parse_activation(const std::string& name, const std::string& owner) {
  if (name.empty()) return ActivationKind::Linear;
  if (name == "swish") return ActivationKind::Silu;  // Keras' other name for silu
  for (const auto& [n, kind] : kNames)
    if (name == n) return kind;
  throw ConfigError(fmt::format("{}: unknown activation '{}'. Use one of: linear, relu, sigmoid, tanh, softmax, elu, "
                                "selu, leaky_relu, softplus, hard_sigmoid, silu (or swish), gelu, gelu_tanh.",
                                owner, name));
}

const char* activation_name(ActivationKind a) {
  for (const auto& [n, kind] : kNames)
    if (kind == a) return n;
  return "linear";
}

bool activation_needs_input(ActivationKind a) {
  return a == ActivationKind::Silu || a == ActivationKind::Gelu || a == ActivationKind::GeluTanh;
}

void activation_forward(ActivationKind a, const Eigen::Ref<const Matrix>& x, Eigen::Ref<Matrix> y) {
  switch (a) {
    case ActivationKind::Linear:
      if (x.data() != y.data()) y = x;
      return;
    case ActivationKind::Relu: y = x.cwiseMax(0.0f); return;
    case ActivationKind::Sigmoid: y = (1.0f + (-x.array()).exp()).inverse().matrix(); return;
    case ActivationKind::Tanh: y = x.array().tanh().matrix(); return;
    case ActivationKind::Softmax:
      // Subtracting the row maximum keeps exp() finite; it cancels in the ratio.
      for (Eigen::Index r = 0; r < x.rows(); ++r) {
        const float m = x.row(r).maxCoeff();
        y.row(r) = (x.row(r).array() - m).exp().matrix();
        y.row(r) /= y.row(r).sum();
      }
      return;
    default: y = x.unaryExpr([a](float v) { return apply(a, v); }); return;
  }
}

void activation_backward(ActivationKind a, const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& y,
                         const Eigen::Ref<const Matrix>& dy, Eigen::Ref<Matrix> dx) {
  switch (a) {
    case ActivationKind::Linear:
      if (dy.data() != dx.data()) dx = dy;
      return;
    case ActivationKind::Relu: dx = (y.array() > 0.0f).select(dy, 0.0f); return;
    case ActivationKind::Sigmoid: dx = (dy.array() * y.array() * (1.0f - y.array())).matrix(); return;
    case ActivationKind::Tanh: dx = (dy.array() * (1.0f - y.array().square())).matrix(); return;
    case ActivationKind::Softmax:
      for (Eigen::Index r = 0; r < y.rows(); ++r) {
        const float dot = y.row(r).dot(dy.row(r));
        dx.row(r) = (y.row(r).array() * (dy.row(r).array() - dot)).matrix();
      }
      return;
    default:
      for (Eigen::Index j = 0; j < dy.cols(); ++j)
        for (Eigen::Index i = 0; i < dy.rows(); ++i) dx(i, j) = dy(i, j) * slope(a, x(i, j), y(i, j));
      return;
  }
}

}  // namespace minnow
