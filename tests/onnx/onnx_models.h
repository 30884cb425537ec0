// The models the ONNX tests export and read back: one per exported layer (and option), the seeds'
// two models, a residual block (Add) and a Concatenate model, every weight drawn from a seed and
// every BatchNormalization given moving statistics far from their initial 0 and 1.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "examples/seed_models.h"
#include "minnow.h"

namespace minnow::onnx_test {

struct NamedModel {
  std::string name;
  std::function<std::unique_ptr<Model>()> make;
};

// Gives every weight of `model` seeded values: kernels and biases N(0, 0.3), gamma U(0.5, 1.5),
// moving_variance U(0.5, 2), every other statistic or offset N(0, 0.5).
inline void randomize_weights(Model& model, std::uint64_t seed) {
  Rng rng(seed);
  for (Parameter* p : model.weights()) {
    for (float& v : p->value.values()) {
      if (p->name == "gamma") v = rng.uniform(0.5f, 1.5f);
      else if (p->name == "moving_variance") v = rng.uniform(0.5f, 2.0f);
      else v = rng.normal(0.0f, p->name == "kernel" || p->name == "bias" ? 0.3f : 0.5f);
    }
  }
}

inline Tensor seeded_input(const Shape& sample, long batch, std::uint64_t seed) {
  std::vector<long> dims{batch};
  dims.insert(dims.end(), sample.dims().begin() + 1, sample.dims().end());
  Tensor x{Shape(dims)};
  Rng rng(seed);
  for (float& v : x.values()) v = rng.normal(0.0f, 1.0f);
  return x;
}

// An image model: Input(8, 6, 3) -> the given layers.
inline std::unique_ptr<Model> image_model(const std::vector<LayerRef<Layer>>& layers, const Shape& input = {8, 6, 3}) {
  auto x = Input(input);
  SymbolicTensor y = x;
  for (const auto& l : layers) y = l(y);
  auto m = std::make_unique<Model>(x, y);
  randomize_weights(*m, 7);
  return m;
}

inline std::vector<NamedModel> exported_models() {
  auto same = [](long f, long k, long s) { return Conv2D(f, k, "same", s); };
  return {
      {"Dense (relu) -> Dense (softmax)",
       [] {
         auto x = Input({5});
         auto m = std::make_unique<Model>(x, Dense(3, "softmax")(Dense(4, "relu")(x)));
         randomize_weights(*m, 1);
         return m;
       }},
      {"Dense without bias, sigmoid and tanh",
       [] {
         auto x = Input({6});
         auto m = std::make_unique<Model>(x, Dense(2, "tanh", false)(Dense(4, "sigmoid")(x)));
         randomize_weights(*m, 2);
         return m;
       }},
      {"Conv2D valid, stride 1", [] { return image_model({Conv2D(4, 3)}); }},
      {"Conv2D same, stride 2 (asymmetric padding), relu",
       [same] {
         return image_model(
             {Conv2D({.filters = 4, .kernel_size = 3, .strides = 2, .padding = "same", .activation = "relu"})});
       }},
      {"Conv2D same, 2x4 kernel, strides (1, 2), no bias",
       [] {
         return image_model(
             {Conv2D({.filters = 2, .kernel_size = {2, 4}, .strides = {1, 2}, .padding = "same", .use_bias = false})});
       }},
      {"Conv2D -> BatchNormalization -> ReLU -> Flatten -> Dense",
       [same] {
         return image_model({same(4, 3, 1), BatchNormalization(), ReLU(), Flatten(), Dense(3)});
       }},
      {"BatchNormalization on a Dense output, without scale and center",
       [] {
         auto x = Input({5});
         BatchNormalizationOptions o;
         o.center = false;
         o.scale = false;
         auto m = std::make_unique<Model>(x, BatchNormalization(o)(Dense(4)(x)));
         randomize_weights(*m, 3);
         return m;
       }},
      {"BatchNormalization with PyTorch's conventions",
       [] { return image_model({BatchNormalization(BatchNormalizationOptions::pytorch())}); }},
      {"MaxPooling2D valid and same",
       [] {
         return image_model(
             {MaxPooling2D({.pool_size = 2}), MaxPooling2D({.pool_size = 3, .strides = {2}, .padding = "same"})});
       }},
      {"AveragePooling2D valid and same",
       [] {
         return image_model({AveragePooling2D({.pool_size = {2, 3}}),
                             AveragePooling2D({.pool_size = 2, .strides = {1}, .padding = "same"})});
       }},
      {"GlobalAveragePooling2D -> Dense",
       [same] {
         return image_model({same(5, 3, 1), GlobalAveragePooling2D(), Dense(2)});
       }},
      {"Activation layers and ReLU options",
       [same] {
         return image_model({same(4, 3, 1), Activation("tanh"), ReLU({.max_value = 0.5f}), Activation("sigmoid"),
                             ReLU({.negative_slope = 0.1f}), Activation("relu"), Activation("linear")});
       }},
      {"Softmax layer and a Conv2D with softmax over its filters",
       [] {
         return image_model({Conv2D(3, 3, "valid", 1, "softmax"), Softmax()});
       }},
      {"Dropout (identity in inference) and Reshape",
       [same] {
         return image_model({same(4, 3, 1), Dropout(0.5f, 3), Reshape({12, 16}), Reshape({-1})});
       }},
      {"LayerNormalization over the channels and over (H, W, C)",
       [same] {
         return image_model({same(4, 3, 1), LayerNormalization(), LayerNormalization({.axis = {1, 2, 3}})});
       }},
      {"GroupNormalization on images and on features",
       [same] {
         return image_model({same(6, 3, 1), GroupNormalization({.groups = 3}), Flatten(), Dense(4),
                             GroupNormalization({.groups = 2})});
       }},
      {"residual block (Add)",
       [] {
         auto x = Input({8, 6, 4});
         auto c = Conv2D(4, 3, "same")(x);
         auto b = BatchNormalization()(c);
         auto r = ReLU()(b);
         auto s = Add()({r, x});
         auto m = std::make_unique<Model>(x, Dense(2)(Flatten()(s)));
         randomize_weights(*m, 4);
         return m;
       }},
      {"Concatenate of two branches, on channels and on features",
       [] {
         auto x = Input({8, 6, 3});
         auto a = Conv2D(2, 1)(x);
         auto b = Conv2D(3, 3, "same")(x);
         auto c = Concatenate()({a, b});
         auto f = Flatten()(c);
         auto d = Concatenate()({Dense(2)(f), Dense(3)(f)});
         auto m = std::make_unique<Model>(x, d);
         randomize_weights(*m, 5);
         return m;
       }},
      {"Dense and Conv2D with elu, selu, leaky_relu, softplus and hard_sigmoid",
       [] {
         auto x = Input({8, 6, 3});
         auto c = Conv2D(4, 3, "same", 1, "elu")(x);
         c = Conv2D(4, 3, "valid", 1, "selu")(c);
         auto d = Dense(6, "leaky_relu")(Flatten()(c));
         auto m = std::make_unique<Model>(x, Dense(3, "hard_sigmoid")(Dense(5, "softplus")(d)));
         randomize_weights(*m, 9);
         return m;
       }},
      {"LeakyReLU, ELU and PReLU (one slope per channel, and one per element)",
       [same] {
         return image_model({same(4, 3, 1), LeakyReLU(0.1f), ELU(0.7f), PReLU({.shared_axes = {1, 2}}), PReLU()});
       }},
      {"ZeroPadding2D, UpSampling2D and GlobalMaxPooling2D",
       [] {
         return image_model({ZeroPadding2D({{1, 2}, {0, 3}}), Conv2D(3, 3), UpSampling2D({2, 3}), ZeroPadding2D(1),
                             GlobalMaxPooling2D(), Dense(2)});
       }},
      {"Multiply, Subtract, Average and Maximum of branches",
       [] {
         auto x = Input({8, 6, 3});
         auto a = Conv2D(4, 1)(x);
         auto b = Conv2D(4, 3, "same")(x);
         auto c = Conv2D(4, 1)(x);
         auto s = Subtract()({Multiply()({a, b}), c});
         auto mx = Maximum()({Average()({s, b, c}), a, c});
         auto f = Flatten()(mx);
         auto m = std::make_unique<Model>(x, Dense(2)(Maximum()({Dense(3)(f), Dense(3)(f)})));
         randomize_weights(*m, 10);
         return m;
       }},
      {"Multiply of three inputs (two Mul nodes) on features",
       [] {
         auto x = Input({5});
         auto m = std::make_unique<Model>(x, Multiply()({Dense(3)(x), Dense(3, "tanh")(x), Dense(3)(x)}));
         randomize_weights(*m, 11);
         return m;
       }},
      {"the seeds' tabular model",
       [] {
         auto m = examples::seed_tabular_model().model;
         randomize_weights(*m, 6);
         return m;
       }},
      {"the seeds' image model",
       [] {
         auto m = examples::seed_image_model().model;
         randomize_weights(*m, 8);
         return m;
       }},
  };
}

}  // namespace minnow::onnx_test
