// The activations of core/activations.h against Keras (TF.js 4.22) and PyTorch reference numbers:
// tests/reference/make_keras_layers15_reference.js and make_torch_layers15_reference.py.
#include "core/activations.h"

#include "layers/conv2d.h"
#include "layers/dense.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

const char* const kReference = "keras_layers15_reference.txt";

Tensor reference_tensor(const std::string& key) {
  const std::vector<float> v = reference_record(kReference, key);
  return Tensor({1, long(v.size())}, v);
}

}  // namespace

TEST_CASE("The new activations match Keras' values and gradients", "[activations][reference]") {
  const Tensor x = reference_tensor("activation.x"), g = reference_tensor("activation.g");
  // hard_sigmoid's records are PyTorch's (TF.js has tf.keras 2.x's), the others TF.js's.
  for (const char* name : {"elu", "selu", "softplus", "silu", "gelu_tanh", "leaky_relu", "hard_sigmoid"}) {
    INFO(name);
    auto layer = Activation(name);
    require_close(layer->forward(x, Mode::Training), reference_record(kReference, fmt::format("activation.{}.y", name)),
                  fmt::format("{} y", name));
    // L = sum(g * f(x)): dL/dx is what tf.grad (or torch.autograd) gives for the same g.
    require_close(layer->backward(g), reference_record(kReference, fmt::format("activation.{}.dx", name)),
                  fmt::format("{} dx", name));
  }
}

TEST_CASE("gelu matches PyTorch's in float64, and TF.js's to the error of its float32 erf",
          "[activations][reference]") {
  const Tensor x = reference_tensor("activation.x"), g = reference_tensor("activation.g");
  auto gelu = Activation("gelu");
  const Tensor y = gelu->forward(x, Mode::Training);
  const Tensor dx = gelu->backward(g);
  require_close(y, reference_record(kReference, "activation.gelu.torch.y"), "gelu y (PyTorch)");
  require_close(dx, reference_record(kReference, "activation.gelu.torch.dx"), "gelu dx (PyTorch)");
  // TF.js's float32 gelu loses digits where 1 + erf cancels, and its erf (Abramowitz and Stegun
  // 7.1.26) is off by up to 1.5e-7: compare absolutely.
  require_values(y, reference_record(kReference, "activation.gelu.y"), 5e-7f);
  require_values(dx, reference_record(kReference, "activation.gelu.dx"), 5e-7f);
}

TEST_CASE("swish is silu, and every name parses back to itself", "[activations]") {
  CHECK(parse_activation("swish", "t") == ActivationKind::Silu);
  for (const char* name : {"linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "leaky_relu", "softplus",
                           "hard_sigmoid", "silu", "gelu", "gelu_tanh"})
    CHECK(std::string(activation_name(parse_activation(name, "t"))) == name);
  CHECK(activation_needs_input(ActivationKind::Gelu));
  CHECK(activation_needs_input(ActivationKind::GeluTanh));
  CHECK(activation_needs_input(ActivationKind::Silu));
  CHECK_FALSE(activation_needs_input(ActivationKind::Elu));
  require_throws<ConfigError>([] { parse_activation("mish", "Dense 'd'"); }, {"Dense 'd'", "'mish'", "gelu_tanh"});
}

TEST_CASE("hard_sigmoid is Keras 3's relu6(x + 3) / 6, not tf.keras 2's 0.2 x + 0.5", "[activations]") {
  const Tensor x({1, 5}, {-4, -3, 0, 1.5f, 3});
  require_values(Activation("hard_sigmoid")->forward(x, Mode::Inference), {0, 0, 0.5f, 0.75f, 1});
}

TEST_CASE("The new activations' gradients match finite differences, alone and inside Dense and Conv2D",
          "[activations][gradient]") {
  Tensor x = random_tensor({4, 5}, 9, 0.1f, 2.5f);  // away from the kinks at 0 (and +-3 for hard_sigmoid)
  for (long i = 0; i < x.size(); i += 2) x[i] = -x[i];
  const Tensor img = random_tensor({2, 4, 4, 3}, 10);
  for (const char* a : {"elu", "selu", "leaky_relu", "softplus", "hard_sigmoid", "silu", "gelu", "gelu_tanh"})
    for (Mode mode : {Mode::Training, Mode::Inference}) {
      INFO(a << ", " << to_string(mode));
      require_gradients(check_layer_gradients(*Activation(a), {x}, mode));
    }
  // Inside Dense and Conv2D the pre-activations are not kept away from kinks: the smooth ones
  // (elu with alpha 1 has a continuous slope), which include the three that keep z.
  for (const char* a : {"elu", "softplus", "silu", "gelu", "gelu_tanh"})
    for (Mode mode : {Mode::Training, Mode::Inference}) {
      INFO(a << " in Dense and Conv2D, " << to_string(mode));
      // Seeded: the session's next seed would depend on the tests run before. elu's second
      // derivative jumps at 0, so a pre-activation within a step of 0 needs a smaller step.
      const Initializer seeded("glorot_uniform", 22);
      const GradientCheckOptions o{.step = std::string(a) == "elu" ? 1e-3 : 1e-2};
      require_gradients(check_layer_gradients(
          *Dense(DenseOptions{.units = 3, .activation = a, .kernel_initializer = seeded}), {x}, mode, o));
      require_gradients(check_layer_gradients(
          *Conv2D(
              {.filters = 4, .kernel_size = {3, 3}, .padding = "same", .activation = a, .kernel_initializer = seeded}),
          {img}, mode, o));
    }
}

TEST_CASE("Dense with gelu keeps z for backward: the gradient is that of Dense then Activation", "[activations]") {
  const Tensor x = random_tensor({3, 4}, 11), dy = random_tensor({3, 2}, 12);
  auto fused = Dense(2, "gelu");
  auto plain = Dense(2);
  auto act = Activation("gelu");
  fused->forward(x, Mode::Training);
  plain->forward(x, Mode::Training);
  plain->set_weights(fused->get_weights());
  const Tensor& z = plain->forward(x, Mode::Training);
  const Tensor y = act->forward(z, Mode::Training);
  require_values(fused->forward(x, Mode::Training), {y.values().begin(), y.values().end()});
  const Tensor dz = act->backward(dy);
  const Tensor dx = plain->backward(dz);
  require_values(fused->backward(dy), {dx.values().begin(), dx.values().end()});
}
