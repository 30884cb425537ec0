// Conv1D against Keras (TF.js 4.22): tests/reference/make_keras_layers16_reference.js; against
// its definition; by finite differences.
#include "layers/conv1d.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

const char* const kRef = "keras_layers16_reference.txt";

// A layer built on x's shape with the kernel and bias of the reference record `key`.
LayerRef<Conv1DLayer> with_reference_weights(const Conv1DOptions& o, const Tensor& x, const std::string& key) {
  auto c = Conv1D(o);
  c->build(x.shape().with_batch(Shape::kNone));
  c->weight("kernel").value = Tensor(c->weight("kernel").value.shape(), reference_record(kRef, key + ".kernel"));
  c->weight("bias").value = Tensor({o.filters}, reference_record(kRef, key + ".bias"));
  return c;
}

// The definition: y[n, o, f] = b[f] + sum over j, c of x[n, o*S - left + j*d, c] * K[j, c, f], zero
// outside the sequence; left = pad_left.
Tensor direct_conv1d(const Tensor& x, const Tensor& k, const Tensor& b, long S, long d, long left, long OL) {
  const long N = x.shape()[0], L = x.shape()[1], C = x.shape()[2], KL = k.shape()[0], F = k.shape()[2];
  Tensor y({N, OL, F});
  for (long n = 0; n < N; ++n)
    for (long o = 0; o < OL; ++o)
      for (long f = 0; f < F; ++f) {
        double s = b[f];
        for (long j = 0; j < KL; ++j) {
          const long l = o * S - left + j * d;
          if (l >= 0 && l < L)
            for (long c = 0; c < C; ++c) s += double(x.at({n, l, c})) * k.at({j, c, f});
        }
        y.at({n, o, f}) = float(s);
      }
  return y;
}

}  // namespace

TEST_CASE("Conv1D matches Keras: valid, same, strides 2, causal and dilation", "[conv1d][reference]") {
  const Tensor x({2, 7, 3}, reference_record(kRef, "sequence.x"));
  const std::vector<std::pair<std::string, Conv1DOptions>> cases = {
      {"conv1d_valid", {.filters = 4, .kernel_size = 3}},
      {"conv1d_same", {.filters = 4, .kernel_size = 4, .padding = "same", .activation = "tanh"}},
      {"conv1d_valid_s2", {.filters = 2, .kernel_size = 3, .strides = 2}},
      {"conv1d_same_s2", {.filters = 2, .kernel_size = 2, .strides = 2, .padding = "same"}},
      {"conv1d_causal", {.filters = 3, .kernel_size = 3, .padding = "causal"}},
      {"conv1d_causal_s2", {.filters = 3, .kernel_size = 3, .strides = 2, .padding = "causal"}},
      {"conv1d_same_d2", {.filters = 3, .kernel_size = 3, .padding = "same", .dilation_rate = 2}},
      {"conv1d_causal_d3", {.filters = 3, .kernel_size = 2, .padding = "causal", .dilation_rate = 3}},
  };
  for (const auto& [key, o] : cases) {
    INFO(key);
    auto c = with_reference_weights(o, x, key);
    const Tensor& y = c->forward(x, Mode::Inference);
    const std::vector<float> shape = reference_record(kRef, key + ".shape");
    CHECK(y.shape().dims() == std::vector<long>(shape.begin(), shape.end()));
    require_close(y, reference_record(kRef, key + ".y"), key + " y");
  }
}

TEST_CASE("Conv1D gradients match Keras' for valid and causal", "[conv1d][reference]") {
  const Tensor x({2, 7, 3}, reference_record(kRef, "sequence.x"));
  for (const auto& [key, o] : std::vector<std::pair<std::string, Conv1DOptions>>{
           {"conv1d_valid", {.filters = 4, .kernel_size = 3}},
           {"conv1d_causal", {.filters = 3, .kernel_size = 3, .padding = "causal"}}}) {
    INFO(key);
    auto c = with_reference_weights(o, x, key);
    const Tensor& y = c->forward(x, Mode::Training);
    const Tensor dx = c->backward(Tensor(y.shape(), reference_record(kRef, key + ".g")));
    require_close(dx, reference_record(kRef, key + ".dx"), key + " dx");
    require_close(c->weight("kernel").grad, reference_record(kRef, key + ".dkernel"), key + " dkernel");
    require_close(c->weight("bias").grad, reference_record(kRef, key + ".dbias"), key + " dbias");
  }
}

TEST_CASE("Conv1D equals its definition for paddings, strides and dilations", "[conv1d]") {
  for (const char* padding : {"valid", "same", "causal"})
    for (auto [s, d] : {std::pair{1L, 1L}, std::pair{2L, 1L}, std::pair{3L, 1L}, std::pair{1L, 2L}, std::pair{1L, 3L}})
      for (long k : {1L, 2L, 3L}) {
        INFO("padding " << padding << ", stride " << s << ", dilation " << d << ", kernel " << k);
        auto c = Conv1D({.filters = 3,
                         .kernel_size = k,
                         .strides = s,
                         .padding = padding,
                         .dilation_rate = d,
                         .bias_initializer = "random_uniform"});
        const Tensor x = random_tensor({2, 9, 2}, 3);
        const Tensor& y = c->forward(x, Mode::Inference);
        const long span = (k - 1) * d + 1, OL = y.shape()[1];
        const std::string p = padding;
        const long left = p == "causal" ? span - 1 : p == "same" ? std::max((OL - 1) * s + span - 9, 0L) / 2 : 0;
        CHECK(OL == (p == "valid" ? (9 - span) / s + 1 : (9 + s - 1) / s));
        const Tensor ref = direct_conv1d(x, c->weight("kernel").value, c->weight("bias").value, s, d, left, OL);
        REQUIRE(y.shape() == ref.shape());
        for (long i = 0; i < y.size(); ++i) REQUIRE(y[i] == Approx(ref[i]).margin(1e-5));
      }
}

TEST_CASE("Conv1D output shapes for valid, same, causal and strides", "[conv1d]") {
  const auto shape = [](const Conv1DOptions& o) {
    auto c = Conv1D(o);
    c->build(Shape{Shape::kNone, 10, 3});
    return c->output_shape().str();
  };
  CHECK(shape({.filters = 2, .kernel_size = 3}) == "(None, 8, 2)");
  CHECK(shape({.filters = 2, .kernel_size = 3, .strides = 3}) == "(None, 3, 2)");
  CHECK(shape({.filters = 2, .kernel_size = 4, .padding = "same"}) == "(None, 10, 2)");
  CHECK(shape({.filters = 2, .kernel_size = 4, .strides = 3, .padding = "same"}) == "(None, 4, 2)");
  CHECK(shape({.filters = 2, .kernel_size = 4, .strides = 4, .padding = "causal"}) == "(None, 3, 2)");
  CHECK(shape({.filters = 2, .kernel_size = 3, .dilation_rate = 4}) == "(None, 2, 2)");  // spans 9 steps
}

TEST_CASE("Conv1D gradients match finite differences", "[conv1d][gradient]") {
  for (const char* padding : {"valid", "same", "causal"})
    for (auto [s, d] : {std::pair{1L, 1L}, std::pair{2L, 1L}, std::pair{1L, 2L}})
      for (const char* act : {"linear", "tanh", "gelu"})
        for (Mode mode : {Mode::Training, Mode::Inference}) {
          INFO("padding " << padding << ", stride " << s << ", dilation " << d << ", activation " << act << ", mode "
                          << to_string(mode));
          auto c = Conv1D({.filters = 3,
                           .kernel_size = 3,
                           .strides = s,
                           .padding = padding,
                           .dilation_rate = d,
                           .activation = act,
                           .bias_initializer = "random_uniform"});
          require_gradients(check_layer_gradients(*c, {random_tensor({2, 8, 2}, 6)}, mode));
        }
}

TEST_CASE("Conv1D is named as Keras, counts its weights and checks its arguments", "[conv1d][errors]") {
  clear_session();
  auto c = Conv1D(5, 3, "causal");
  c->build(Shape{Shape::kNone, 6, 2});
  CHECK(c->name() == "conv1d");
  CHECK(c->weight("kernel").value.shape().str() == "(3, 2, 5)");  // (kernel_size, C, filters)
  CHECK(c->count_params() == 3 * 2 * 5 + 5);
  CHECK(c->clone()->name() == "conv1d");
  require_throws<ConfigError>([] { Conv1D({.filters = -1, .name = "c0"}); }, {"Conv1D 'c0'", "filters", "-1"});
  require_throws<ConfigError>([] { Conv1D({.filters = 1, .kernel_size = 0, .name = "c1"}); },
                              {"Conv1D 'c1'", "kernel_size", "0"});
  require_throws<ConfigError>([] { Conv1D({.filters = 1, .padding = "full", .name = "c2"}); },
                              {"Conv1D 'c2'", "padding", "'causal'", "full"});
  require_throws<ConfigError>([] { Conv1D({.filters = 1, .strides = 2, .dilation_rate = 2, .name = "c3"}); },
                              {"Conv1D 'c3'", "strides=2", "dilation_rate=2"});
  require_throws<ConfigError>([] { Conv1D({.filters = 1, .dilation_rate = 0, .name = "c4"}); },
                              {"Conv1D 'c4'", "dilation_rate", "0"});
  require_throws<ShapeError>(
      [] {
        Conv1D({.filters = 1, .name = "c5"})->build(Shape{Shape::kNone, 5, 3, 1});
      },
      {"Conv1D 'c5'", "(None, L, C)", "(None, 5, 3, 1)"});
  require_throws<ShapeError>(
      [] {
        Conv1D({.filters = 1, .kernel_size = 3, .dilation_rate = 3, .name = "c6"})->build(Shape{Shape::kNone, 6, 1});
      },
      {"Conv1D 'c6'", "spans 7 steps", "length 6", "padding='valid'"});
  require_throws<ShapeError>(  // (kernel_size - 1) * dilation_rate would overflow a long
      [] {
        Conv1D({.filters = 1, .kernel_size = 1L << 40, .padding = "same", .dilation_rate = 1L << 30, .name = "c7"})
            ->build(Shape{Shape::kNone, 6, 1});
      },
      {"Conv1D 'c7'", "more steps than a long holds"});
}
