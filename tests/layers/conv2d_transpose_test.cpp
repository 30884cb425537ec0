// Conv2DTranspose against Keras (TF.js 4.22): tests/reference/make_keras_layers16_reference.js;
// against its definition (every input pixel adds a kernel-sized patch); by finite differences.
#include "layers/conv2d_transpose.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

const char* const kRef = "keras_layers16_reference.txt";

// A layer built on x's shape with the kernel and bias of the reference record `key`.
LayerRef<Conv2DTransposeLayer> with_reference_weights(const Conv2DTransposeOptions& o, const Tensor& x,
                                                      const std::string& key) {
  auto c = Conv2DTranspose(o);
  c->build(x.shape().with_batch(Shape::kNone));
  c->weight("kernel").value = Tensor(c->weight("kernel").value.shape(), reference_record(kRef, key + ".kernel"));
  c->weight("bias").value = Tensor({o.filters}, reference_record(kRef, key + ".bias"));
  return c;
}

// The definition: y[n, h*SH - pad_top + i, w*SW - pad_left + j, f] += x[n, h, w, c] * K[i, j, f, c],
// with the padding of the Conv2D from y's size to x's size; then + b. Zero bias when b is null.
Tensor direct_transpose(const Tensor& x, const Tensor& k, const Tensor* b, long SH, long SW, bool same, long OH,
                        long OW) {
  const long N = x.shape()[0], H = x.shape()[1], W = x.shape()[2], C = x.shape()[3];
  const long KH = k.shape()[0], KW = k.shape()[1], F = k.shape()[2];
  const WindowGeometry g = window_geometry(OH, OW, F, KH, KW, SH, SW, same);
  std::vector<double> y(size_t(N * OH * OW * F), 0.0);
  for (long n = 0; n < N; ++n)
    for (long h = 0; h < H; ++h)
      for (long w = 0; w < W; ++w)
        for (long i = 0; i < KH; ++i)
          for (long j = 0; j < KW; ++j) {
            const long oh = h * SH - g.pad_top + i, ow = w * SW - g.pad_left + j;
            if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
            for (long f = 0; f < F; ++f)
              for (long c = 0; c < C; ++c)
                y[size_t(((n * OH + oh) * OW + ow) * F + f)] += double(x.at({n, h, w, c})) * k.at({i, j, f, c});
          }
  Tensor out({N, OH, OW, F});
  for (long i = 0; i < out.size(); ++i) out[i] = float(y[size_t(i)] + (b ? (*b)[i % F] : 0.0));
  return out;
}

}  // namespace

TEST_CASE("Conv2DTranspose matches Keras: valid and same, strides 1, 2 and (2, 1), non-square kernels",
          "[conv2d_transpose][reference]") {
  const Tensor x({2, 3, 4, 2}, reference_record(kRef, "image.x"));
  const std::vector<std::pair<std::string, Conv2DTransposeOptions>> cases = {
      {"conv2d_transpose_valid", {.filters = 3, .kernel_size = 3}},
      {"conv2d_transpose_same_s2", {.filters = 3, .kernel_size = 3, .strides = 2, .padding = "same"}},
      {"conv2d_transpose_valid_s2_2x3", {.filters = 2, .kernel_size = {2, 3}, .strides = 2, .activation = "relu"}},
      {"conv2d_transpose_same_s21_4x3", {.filters = 2, .kernel_size = {4, 3}, .strides = {2, 1}, .padding = "same"}},
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

TEST_CASE("Conv2DTranspose gradients match Keras' for valid stride 1 and same stride 2",
          "[conv2d_transpose][reference]") {
  const Tensor x({2, 3, 4, 2}, reference_record(kRef, "image.x"));
  for (const auto& [key, o] : std::vector<std::pair<std::string, Conv2DTransposeOptions>>{
           {"conv2d_transpose_valid", {.filters = 3, .kernel_size = 3}},
           {"conv2d_transpose_same_s2", {.filters = 3, .kernel_size = 3, .strides = 2, .padding = "same"}}}) {
    INFO(key);
    auto c = with_reference_weights(o, x, key);
    const Tensor& y = c->forward(x, Mode::Training);
    const Tensor dx = c->backward(Tensor(y.shape(), reference_record(kRef, key + ".g")));
    require_close(dx, reference_record(kRef, key + ".dx"), key + " dx");
    // Each dK element sums 24 products of up to 3 in magnitude: where they cancel to about 0.01, the
    // float32 rounding of the terms is a few 1e-5 of the result (in minnow and in TF.js alike).
    require_close(c->weight("kernel").grad, reference_record(kRef, key + ".dkernel"), key + " dkernel", 5e-5);
    require_close(c->weight("bias").grad, reference_record(kRef, key + ".dbias"), key + " dbias");
  }
}

TEST_CASE("Conv2DTranspose equals its definition for paddings, strides, kernels and output_padding",
          "[conv2d_transpose]") {
  for (const char* padding : {"valid", "same"})
    for (long s : {1L, 2L, 3L})
      for (std::vector<long> op : {std::vector<long>{}, std::vector<long>{s - 1, 0}})
        for (Size2D k : {Size2D(3, 2), Size2D(1, 1), Size2D(3, 3)}) {
          if (std::string(padding) == "same" && !op.empty() && k[1] == 2) continue;  // refused: below
          INFO("padding " << padding << ", stride " << s << ", output_padding " << op.size() << ", kernel " << k[0]
                          << "x" << k[1]);
          auto c = Conv2DTranspose({.filters = 4,
                                    .kernel_size = k,
                                    .strides = {s, s},
                                    .padding = padding,
                                    .output_padding = op,
                                    .bias_initializer = "random_uniform"});
          const Tensor x = random_tensor({2, 4, 3, 3}, 5);
          const Tensor& y = c->forward(x, Mode::Inference);
          const Tensor ref = direct_transpose(x, c->weight("kernel").value, &c->weight("bias").value.tensor(), s, s,
                                              std::string(padding) == "same", y.shape()[1], y.shape()[2]);
          REQUIRE(y.shape() == ref.shape());
          for (long i = 0; i < y.size(); ++i) REQUIRE(y[i] == Approx(ref[i]).margin(1e-5));
        }
}

TEST_CASE("Conv2DTranspose output shapes follow Keras' deconv_output_length", "[conv2d_transpose]") {
  const auto shape = [](const Conv2DTransposeOptions& o) {
    auto c = Conv2DTranspose(o);
    c->build(Shape{Shape::kNone, 5, 4, 3});
    return c->output_shape().str();
  };
  CHECK(shape({.filters = 2, .kernel_size = 3}) == "(None, 7, 6, 2)");                                    // H + K - 1
  CHECK(shape({.filters = 2, .kernel_size = 3, .padding = "same"}) == "(None, 5, 4, 2)");                 // H
  CHECK(shape({.filters = 2, .kernel_size = 3, .strides = 2}) == "(None, 11, 9, 2)");                     // H*S + K - S
  CHECK(shape({.filters = 2, .kernel_size = 2, .strides = 3}) == "(None, 15, 12, 2)");                    // H*S
  CHECK(shape({.filters = 2, .kernel_size = 3, .strides = 2, .padding = "same"}) == "(None, 10, 8, 2)");  // H*S
  CHECK(shape({.filters = 2, .kernel_size = 3, .strides = 2, .padding = "same", .output_padding = {0, 1}}) ==
        "(None, 9, 8, 2)");  // (H-1)*S + K - 2*(K/2) + P
  CHECK(shape({.filters = 2, .kernel_size = 3, .strides = {3, 2}, .output_padding = {2, 1}}) == "(None, 17, 10, 2)");
}

TEST_CASE("Conv2DTranspose gradients match finite differences", "[conv2d_transpose][gradient]") {
  for (const char* padding : {"valid", "same"})
    for (long s : {1L, 2L})
      for (const char* act : {"linear", "tanh", "silu"})
        for (Mode mode : {Mode::Training, Mode::Inference}) {
          INFO("padding " << padding << ", stride " << s << ", activation " << act << ", mode " << to_string(mode));
          auto c = Conv2DTranspose({.filters = 2,
                                    .kernel_size = {3, 2},
                                    .strides = {s, s},
                                    .padding = padding,
                                    .output_padding = s == 2 ? std::vector<long>{1} : std::vector<long>{},
                                    .activation = act,
                                    .use_bias = s == 1});
          require_gradients(check_layer_gradients(*c, {random_tensor({2, 3, 4, 3}, 8)}, mode));
        }
}

TEST_CASE("Conv2DTranspose is named as Keras, counts its weights and checks its arguments",
          "[conv2d_transpose][errors]") {
  clear_session();
  auto c = Conv2DTranspose(4, {3, 2}, "valid", 2);
  c->build(Shape{Shape::kNone, 5, 6, 3});
  CHECK(c->name() == "conv2d_transpose");
  CHECK(c->weight("kernel").value.shape().str() == "(3, 2, 4, 3)");  // (KH, KW, filters, C)
  CHECK(c->count_params() == 3 * 2 * 4 * 3 + 4);
  CHECK(c->clone()->name() == "conv2d_transpose");
  require_throws<ConfigError>([] { Conv2DTranspose({.filters = 0, .name = "t0"}); },
                              {"Conv2DTranspose 't0'", "filters", "0"});
  require_throws<ConfigError>(
      [] {
        Conv2DTranspose({.filters = 1, .kernel_size = {3, -1}, .name = "t1"});
      },
      {"Conv2DTranspose 't1'", "kernel_size", "(3, -1)"});
  require_throws<ConfigError>([] { Conv2DTranspose({.filters = 1, .padding = "full", .name = "t2"}); },
                              {"Conv2DTranspose 't2'", "padding", "full"});
  require_throws<ConfigError>(
      [] {
        Conv2DTranspose({.filters = 1, .strides = {2, 1}, .output_padding = {1, 1}, .name = "t3"});
      },
      {"Conv2DTranspose 't3'", "output_padding", "(1, 1)", "strides=(2, 1)"});
  require_throws<ConfigError>([] { Conv2DTranspose({.filters = 1, .strides = 0, .name = "t4"}); },
                              {"Conv2DTranspose 't4'", "strides", "(0, 0)"});
  require_throws<ShapeError>(
      [] {
        Conv2DTranspose({.filters = 1, .name = "t5"})->build(Shape{Shape::kNone, 5, 3});
      },
      {"Conv2DTranspose 't5'", "(None, H, W, C)", "(None, 5, 3)"});
  require_throws<ShapeError>(  // an even kernel, 'same' and output_padding 0: no Conv2D maps 4 back to 5
      [] {
        Conv2DTranspose(
            {.filters = 1, .kernel_size = 2, .strides = 2, .padding = "same", .output_padding = {0}, .name = "t6"})
            ->build(Shape{Shape::kNone, 5, 5, 1});
      },
      {"Conv2DTranspose 't6'", "8x8", "5x5"});
  require_throws<ShapeError>(  // H * strides would overflow a long
      [] {
        Conv2DTranspose({.filters = 1, .kernel_size = 3, .strides = {1L << 40, 1}, .name = "t7"})
            ->build(Shape{Shape::kNone, 1L << 30, 2, 1});
      },
      {"Conv2DTranspose 't7'", "too large", "1073741824"});
}
