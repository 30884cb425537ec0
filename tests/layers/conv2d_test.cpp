#include "layers/conv2d.h"

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// The 5x5 single-channel image 1..25 in row-major order.
Tensor image_1_to_25() {
  Tensor x({1, 5, 5, 1});
  for (long i = 0; i < 25; ++i) x[i] = float(i + 1);
  return x;
}

LayerRef<Conv2DLayer> conv_with(const Conv2DOptions& o, const Shape& in, float kernel_value, float bias = 0) {
  auto c = Conv2D(o);
  c->build(in);
  c->weight("kernel").value.fill(kernel_value);
  if (o.use_bias) c->weight("bias").value.fill(bias);
  return c;
}

// A direct convolution, one output element at a time: the definition, to check the GEMM lowering.
Tensor direct_conv(const Tensor& x, const Tensor& k, const Tensor* b, long SH, long SW, bool same) {
  const long N = x.shape()[0], H = x.shape()[1], W = x.shape()[2], C = x.shape()[3];
  const long KH = k.shape()[0], KW = k.shape()[1], F = k.shape()[3];
  const WindowGeometry g = window_geometry(H, W, C, KH, KW, SH, SW, same);
  Tensor y({N, g.OH, g.OW, F});
  for (long n = 0; n < N; ++n)
    for (long oh = 0; oh < g.OH; ++oh)
      for (long ow = 0; ow < g.OW; ++ow)
        for (long f = 0; f < F; ++f) {
          double s = b ? (*b)[f] : 0.0;
          for (long i = 0; i < KH; ++i)
            for (long j = 0; j < KW; ++j)
              for (long c = 0; c < C; ++c) {
                const long h = oh * SH - g.pad_top + i, w = ow * SW - g.pad_left + j;
                if (h >= 0 && h < H && w >= 0 && w < W) s += double(x.at({n, h, w, c})) * k.at({i, j, c, f});
              }
          y.at({n, oh, ow, f}) = float(s);
        }
  return y;
}

}  // namespace

TEST_CASE("Conv2D 'valid' with stride 1 computes the sliding dot product, bias included", "[conv2d]") {
  Tensor x({1, 3, 3, 1});
  for (long i = 0; i < 9; ++i) x[i] = float(i + 1);
  auto c = Conv2D({.filters = 1, .kernel_size = {2, 2}});
  c->build(x.shape().with_batch(Shape::kNone));
  c->weight("kernel").value = Tensor({2, 2, 1, 1}, {1, 0, 0, -1});  // y[i,j] = x[i,j] - x[i+1,j+1]
  c->weight("bias").value.fill(0.5f);
  require_values(c->forward(x, Mode::Inference), {-3.5f, -3.5f, -3.5f, -3.5f});
}

TEST_CASE("Conv2D 'same' pads as TensorFlow: the odd extra row and column go to the bottom and right", "[conv2d]") {
  Tensor x({1, 3, 3, 1});
  for (long i = 0; i < 9; ++i) x[i] = float(i + 1);
  auto c = Conv2D({.filters = 1, .kernel_size = {2, 2}, .padding = "same", .use_bias = false});
  c->build(x.shape().with_batch(Shape::kNone));
  c->weight("kernel").value = Tensor({2, 2, 1, 1}, {1, 0, 0, -1});
  // pad_total = 1: none on top/left, one on bottom/right. [[1-5, 2-6, 3-0], [4-8, 5-9, 6-0], [7, 8, 9]]
  require_values(c->forward(x, Mode::Inference), {-4, -4, 3, -4, -4, 6, 7, 8, 9});
  CHECK(c->output_shape().str() == "(None, 3, 3, 1)");
}

TEST_CASE("Conv2D with stride 2 on an odd 5x5 input, 'same' and 'valid', sums the right windows", "[conv2d]") {
  const Tensor x = image_1_to_25();
  // 'same': OH = ceil(5/2) = 3, pad_total = 2*2 + 3 - 5 = 2 -> one row/column on each side.
  auto same = conv_with({.filters = 1, .kernel_size = {3, 3}, .strides = {2, 2}, .padding = "same"},
                        {Shape::kNone, 5, 5, 1}, 1.0f);
  require_values(same->forward(x, Mode::Inference), {16, 33, 28, 69, 117, 87, 76, 123, 88});
  // 'valid': OH = (5 - 3)/2 + 1 = 2, windows start at rows/columns 0 and 2.
  auto valid = conv_with({.filters = 1, .kernel_size = {3, 3}, .strides = {2, 2}}, {Shape::kNone, 5, 5, 1}, 1.0f, 1.0f);
  require_values(valid->forward(x, Mode::Inference), {64, 82, 154, 172});
}

TEST_CASE("Conv2D equals the direct definition for channels, filters, strides and both paddings", "[conv2d]") {
  for (const char* padding : {"valid", "same"})
    for (long s : {1L, 2L})
      for (bool bias : {true, false}) {
        INFO("padding " << padding << ", stride " << s << ", bias " << bias);
        auto c = Conv2D({.filters = 4,
                         .kernel_size = {3, 2},
                         .strides = {s, s},
                         .padding = padding,
                         .use_bias = bias,
                         .bias_initializer = "random_uniform"});
        const Tensor x = random_tensor({2, 7, 6, 3}, 21);
        const Tensor& y = c->forward(x, Mode::Inference);
        const Tensor ref = direct_conv(x, c->weight("kernel").value, bias ? &c->weight("bias").value.tensor() : nullptr,
                                       s, s, std::string(padding) == "same");
        REQUIRE(y.shape() == ref.shape());
        for (long i = 0; i < y.size(); ++i) REQUIRE(y[i] == Approx(ref[i]).margin(1e-5));
      }
}

TEST_CASE("Conv2D gradients match finite differences for paddings, strides, bias and activations",
          "[conv2d][gradient]") {
  for (const char* padding : {"valid", "same"})
    for (long s : {1L, 2L})
      for (const char* act : {"linear", "relu", "sigmoid", "tanh", "softmax"})
        for (Mode mode : {Mode::Training, Mode::Inference}) {
          INFO("padding " << padding << ", stride " << s << ", activation " << act << ", mode " << to_string(mode));
          auto c = Conv2D({.filters = 3,
                           .kernel_size = {3, 3},
                           .strides = {s, s},
                           .padding = padding,
                           .activation = act,
                           .use_bias = s == 1,
                           // seeded: the session's next seed would depend on the tests run before
                           .kernel_initializer = Initializer("glorot_uniform", 21)});
          // relu: a small step, so that no difference crosses the kink at 0 of a pre-activation.
          const GradientCheckOptions o{.step = std::string(act) == "relu" ? 1e-3 : 1e-2};
          require_gradients(check_layer_gradients(*c, {random_tensor({2, 5, 6, 2}, 4)}, mode, o));
        }
}

TEST_CASE("Conv2D gradients match finite differences for even, odd and 1x1 kernels over many chunks",
          "[conv2d][gradient]") {
  // 2x40x40 images make several cache-sized chunks of im2col rows; even kernels pad unevenly.
  for (const char* padding : {"valid", "same"})
    for (Size2D k : {Size2D{1, 1}, {2, 2}, {4, 3}})
      for (long s : {1L, 2L}) {
        INFO("padding " << padding << ", kernel " << k[0] << "x" << k[1] << ", stride " << s);
        auto c = Conv2D({.filters = 5, .kernel_size = k, .strides = {s, s}, .padding = padding});
        require_gradients(
            check_layer_gradients(*c, {random_tensor({2, 40, 40, 7}, 9)}, Mode::Training, {.max_elements = 60}));
      }
}

TEST_CASE("Conv2D has KH*KW*C*F + F parameters in Keras' (kh, kw, in, out) layout", "[conv2d]") {
  clear_session();
  auto c = Conv2D(30, {4, 4}, "same");
  c->build(Shape{Shape::kNone, 100, 200, 3});
  CHECK(c->name() == "conv2d");
  CHECK(c->output_shape().str() == "(None, 100, 200, 30)");
  CHECK(c->count_params() == 1470);
  CHECK(c->weight("kernel").value.shape() == Shape{4, 4, 3, 30});
  auto nb = Conv2D({.filters = 8, .kernel_size = {3, 3}, .strides = {2, 2}, .use_bias = false});
  nb->build(Shape{Shape::kNone, 9, 9, 2});
  CHECK(nb->name() == "conv2d_1");
  CHECK(nb->output_shape().str() == "(None, 4, 4, 8)");
  CHECK(nb->count_params() == 144);
}

TEST_CASE("Conv2D rejects bad hyperparameters and shapes, naming itself and the value", "[conv2d][errors]") {
  require_throws<ConfigError>(
      [] {
        Conv2D({.filters = 0, .kernel_size = {3, 3}, .name = "c0"});
      },
      {"Conv2D 'c0'", "filters", "0"});
  require_throws<ConfigError>(
      [] {
        Conv2D({.filters = 2, .kernel_size = {0, 3}, .name = "c1"});
      },
      {"'c1'", "kernel_size"});
  require_throws<ConfigError>(
      [] {
        Conv2D({.filters = 2, .kernel_size = {3, 3}, .strides = {0, 1}, .name = "c2"});
      },
      {"'c2'", "strides"});
  require_throws<ConfigError>(
      [] {
        Conv2D({.filters = 2, .kernel_size = {3, 3}, .padding = "full", .name = "c3"});
      },
      {"'c3'", "padding", "full"});
  require_throws<ConfigError>(
      [] {
        Conv2D({.filters = 2, .kernel_size = {3, 3}, .activation = "mish", .name = "c4"});
      },
      {"'c4'", "activation", "mish"});
  require_throws<ShapeError>(
      [] {
        Conv2D({.filters = 2, .kernel_size = {5, 5}, .name = "c5"})->build(Shape{Shape::kNone, 4, 9, 1});
      },
      {"'c5'", "kernel_size=(5, 5)", "4x9", "valid"});
  require_throws<ShapeError>(
      [] {
        Conv2D({.filters = 2, .kernel_size = {1, 1}, .name = "c6"})->build(Shape{Shape::kNone, 10});
      },
      {"'c6'", "(None, H, W, C)", "(None, 10)"});
  auto c = conv_with({.filters = 1, .kernel_size = {2, 2}, .name = "c7"}, {Shape::kNone, 5, 5, 1}, 1.0f);
  require_throws<ShapeError>(
      [&] {
        c->forward(Tensor({1, 5, 5, 2}), Mode::Inference);
      },
      {"'c7'", "(None, 5, 5, 1)", "(1, 5, 5, 2)"});
}

TEST_CASE("Conv2D takes one number for a square kernel or stride, as Keras' int", "[conv2d]") {
  auto square = Conv2D({.filters = 2, .kernel_size = 3, .strides = 2});
  CHECK(square->options().kernel_size == Size2D(3, 3));
  CHECK(square->options().strides == Size2D(2, 2));
  square->build(Shape({Shape::kNone, 7, 7, 1}));
  CHECK(square->output_shape() == Shape({Shape::kNone, 3, 3, 2}));
  CHECK(square->weight("kernel").value.shape() == Shape({3, 3, 1, 2}));
  auto pair = Conv2D(4, {3, 5}, "same", 1);
  CHECK(pair->options().kernel_size == Size2D(3, 5));
}
