// gradient_check: checks every layer's backward pass against central finite differences and
// prints the worst relative error per layer, in training and in inference mode.
// (The same checks run in the test suite; this program shows the numbers.)
#include <iostream>

#include <fmt/format.h>

#include "examples/flags.h"
#include "minnow.h"

using namespace minnow;

namespace {

Tensor seeded(const Shape& shape, std::uint64_t seed, float low = -1, float high = 1) {
  Tensor t(shape);
  Rng rng(seed);
  for (float& v : t.values()) v = rng.uniform(low, high);
  return t;
}

void report(const std::string& what, const std::function<LayerRef<Layer>()>& make, const std::vector<Tensor>& inputs) {
  double worst[2] = {0, 0};
  const Mode modes[2] = {Mode::Training, Mode::Inference};
  for (int m = 0; m < 2; ++m) {
    LayerRef<Layer> layer = make();
    if (auto* d = dynamic_cast<DropoutLayer*>(layer.ptr().get())) d->set_mask_frozen(true);
    worst[m] = check_layer_gradients(*layer, inputs, modes[m]).worst_error();
  }
  fmt::print("  {:<58} {:>10.2e} {:>10.2e}\n", what, worst[0], worst[1]);
}

}  // namespace

const char* const kUsage =
    "Usage: gradient_check\n"
    "\n"
    "Checks every layer's backward pass against central finite differences and prints the worst\n"
    "relative error per layer, in training and in inference mode. It has no flags.\n";

int main(int argc, char** argv) {
  examples::FlagParser(kUsage).parse_or_exit("gradient_check", argc, argv);
  fmt::print("Worst relative error |analytic - numeric| / max(|analytic|, |numeric|, 1e-2) over the input and\n"
             "every trainable weight (central differences, step 1e-2):\n\n");
  fmt::print("  {:<58} {:>10} {:>10}\n", "layer", "training", "inference");
  const Tensor flat = seeded({4, 6}, 1), img = seeded({2, 6, 5, 3}, 2);
  // Inputs kept away from ReLU's kink at 0 and from pooling ties.
  Tensor away = seeded({4, 6}, 3, 0.1f, 1.0f);
  for (long i = 0; i < away.size(); i += 2) away[i] = -away[i];
  Tensor img_away = seeded({2, 6, 5, 3}, 4, 0.1f, 1.0f);
  for (long i = 0; i < img_away.size(); i += 3) img_away[i] = -img_away[i];
  // Pooling: distinct values 0.05 apart in a seeded order, so no step changes which value wins.
  Tensor spaced({2, 6, 5, 3});
  for (long i = 0; i < spaced.size(); ++i) spaced[i] = 0.05f * float(i) - 4.5f;
  Rng shuffle(7);
  for (long i = spaced.size() - 1; i > 0; --i) std::swap(spaced[i], spaced[long(shuffle.below(std::uint64_t(i + 1)))]);
  for (const char* act : {"linear", "relu", "sigmoid", "tanh", "softmax"})
    report(fmt::format("Dense(5, '{}')", act), [&] { return Dense(5, act); },
           {act == std::string("relu") ? away : flat});
  report("Dense(5, use_bias=false)", [] { return Dense(5, "linear", false); }, {flat});
  for (const char* pad : {"valid", "same"})
    for (long s : {1L, 2L})
      report(fmt::format("Conv2D(4, 3x3, strides={}, padding='{}')", s, pad),
             [&] {
               return Conv2D({.filters = 4, .kernel_size = {3, 3}, .strides = {s, s}, .padding = pad});
             },
             {img});
  report("Conv2D(4, 2x2, 'same', sigmoid, use_bias=false)",
         [] {
           return Conv2D(
               {.filters = 4, .kernel_size = {2, 2}, .padding = "same", .activation = "sigmoid", .use_bias = false});
         },
         {img});
  report("BatchNormalization() on (N, F)", [] { return BatchNormalization(); }, {flat});
  report("BatchNormalization() on (N, H, W, C)", [] { return BatchNormalization(); }, {img});
  report("BatchNormalization(center=false, scale=false)",
         [] { return BatchNormalization({.center = false, .scale = false}); }, {img});
  report("BatchNormalization(axis=1) on (N, C, H, W)", [] { return BatchNormalization({.axis = 1}); }, {img});
  report("Flatten()", [] { return Flatten(); }, {img});
  for (const char* act : {"relu", "sigmoid", "tanh", "softmax"})
    report(fmt::format("Activation('{}')", act), [&] { return Activation(act); }, {away});
  report("ReLU(max_value=0.8, negative_slope=0.1)", [] { return ReLU({.max_value = 0.8f, .negative_slope = 0.1f}); },
         {away});
  report("Softmax()", [] { return Softmax(); }, {flat});
  report("MaxPooling2D(2x2)", [] { return MaxPooling2D(); }, {spaced});
  report("MaxPooling2D(3x3, strides=2, 'same')",
         [] {
           return MaxPooling2D({.pool_size = {3, 3}, .strides = {2}, .padding = "same"});
         },
         {spaced});
  report("AveragePooling2D(2x2)", [] { return AveragePooling2D(); }, {img});
  report("AveragePooling2D(3x3, strides=2, 'same')",
         [] {
           return AveragePooling2D({.pool_size = {3, 3}, .strides = {2}, .padding = "same"});
         },
         {img});
  report("GlobalAveragePooling2D()", [] { return GlobalAveragePooling2D(); }, {img});
  report("Dropout(0.3) (mask frozen for the check)", [] { return Dropout({.rate = 0.3f, .seed = 1}); }, {flat});
  report("Reshape((9, 10))", [] { return Reshape({9, 10}); }, {img});
  report("Add() of two inputs", [] { return Add(); }, {flat, seeded({4, 6}, 5)});
  report("Concatenate(axis=-1) of two inputs", [] { return Concatenate(); }, {img, seeded({2, 6, 5, 2}, 6)});
  for (const char* act : {"elu", "selu", "leaky_relu", "softplus", "hard_sigmoid", "silu", "gelu", "gelu_tanh"})
    report(fmt::format("Activation('{}')", act), [&] { return Activation(act); }, {away});
  report("Dense(5, 'gelu')", [] { return Dense(5, "gelu"); }, {flat});
  report("LeakyReLU()", [] { return LeakyReLU(); }, {away});
  report("PReLU(shared_axes=(1, 2))",
         [] {
           return PReLU({.alpha_initializer = Initializer("random_uniform", 3), .shared_axes = {1, 2}});
         },
         {img_away});
  report("ELU(0.5)", [] { return ELU(0.5f); }, {away});
  report("ZeroPadding2D(((1, 2), (0, 1)))", [] { return ZeroPadding2D({{1, 2}, {0, 1}}); }, {img});
  report("UpSampling2D((2, 3))", [] { return UpSampling2D({2, 3}); }, {img});
  report("GlobalMaxPooling2D()", [] { return GlobalMaxPooling2D(); }, {spaced});
  report("Conv2DTranspose(3, 3x2, strides=2, 'same', tanh)",
         [] {
           return Conv2DTranspose(
               {.filters = 3, .kernel_size = {3, 2}, .strides = 2, .padding = "same", .activation = "tanh"});
         },
         {img});
  // Sequences (2, 15, 6): the same values as img and spaced, seen as 15 steps of 6 channels.
  Tensor seq({2, 15, 6}), spaced_seq({2, 15, 6});
  for (long i = 0; i < seq.size(); ++i) seq[i] = img[i], spaced_seq[i] = spaced[i];
  report("Conv1D(4, 3, 'causal', dilation_rate=2)",
         [] { return Conv1D({.filters = 4, .kernel_size = 3, .padding = "causal", .dilation_rate = 2}); }, {seq});
  report("MaxPooling1D(3, strides=2, 'same')",
         [] { return MaxPooling1D({.pool_size = 3, .strides = 2, .padding = "same"}); }, {spaced_seq});
  // A second input 0.5 above or below the first, element by element: no ties for Maximum.
  Tensor apart = flat;
  for (long i = 0; i < apart.size(); ++i) apart[i] += i % 2 ? 0.5f : -0.5f;
  report("Multiply() of two inputs", [] { return Multiply(); }, {flat, seeded({4, 6}, 5)});
  report("Subtract() of two inputs", [] { return Subtract(); }, {flat, seeded({4, 6}, 5)});
  report("Average() of two inputs", [] { return Average(); }, {flat, seeded({4, 6}, 5)});
  report("Maximum() of two inputs", [] { return Maximum(); }, {flat, apart});
  // Token indices midway between whole numbers: no step moves one to another row of the table.
  const Tensor ids({2, 4}, {0.5f, 3.5f, 3.5f, 1.5f, 2.5f, 0.5f, 4.5f, 4.5f});
  report(
      "Embedding(5, 3)",
      [] {
        return Embedding({.input_dim = 5, .output_dim = 3, .embeddings_initializer = Initializer("random_uniform", 7)});
      },
      {ids});
  return 0;
}
