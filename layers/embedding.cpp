#include "layers/embedding.h"

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

EmbeddingLayer::EmbeddingLayer(const EmbeddingOptions& options) : Layer("Embedding", options.name), opt_(options) {
  if (opt_.input_dim <= 0 || opt_.output_dim <= 0)
    throw ConfigError(fmt::format("{}: input_dim and output_dim must be positive integers, but received "
                                  "input_dim={}, output_dim={}",
                                  describe(), opt_.input_dim, opt_.output_dim));
  check_initializer(opt_.embeddings_initializer, describe() + ": embeddings_initializer");
}

Shape EmbeddingLayer::build_impl(const Shape& in) {
  embeddings_ = &add_weight("embeddings", {opt_.input_dim, opt_.output_dim}, opt_.embeddings_initializer, true);
  std::vector<long> out = in.dims();
  out.push_back(opt_.output_dim);
  return Shape(out);
}

long EmbeddingLayer::index(float v) const {
  if (!(v >= 0 && v < float(opt_.input_dim)))  // also false for NaN
    throw ShapeError(fmt::format("{} expects token indices from 0 to input_dim - 1 = {}, but received {}", describe(),
                                 opt_.input_dim - 1, v));
  return long(v);  // toward zero, as Keras' cast to int: 2.7 is token 2
}

void EmbeddingLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  const auto E = embeddings_->value.matrix();                         // (input_dim, output_dim)
  auto Y = y.matrix();                                                // (x.size(), output_dim): row t for token t of x
  for (long t = 0; t < x.size(); ++t) Y.row(t) = E.row(index(x[t]));  // (F1)
}

void EmbeddingLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const Tensor& x = input();
  const auto dY = dy.matrix();  // (x.size(), output_dim)
  if (embeddings_->trainable()) {
    auto dE = embeddings_->grad.matrix();
    dE.setZero();
    for (long t = 0; t < x.size(); ++t) dE.row(index(x[t])) += dY.row(t);  // (B1)
  }
  if (input_gradients_needed()) dx.fill(0);  // (B2)
}

LayerRef<EmbeddingLayer> Embedding(const EmbeddingOptions& options) {
  return std::make_shared<EmbeddingLayer>(options);
}

LayerRef<EmbeddingLayer> Embedding(long input_dim, long output_dim) {
  return Embedding(EmbeddingOptions{.input_dim = input_dim, .output_dim = output_dim});
}

std::shared_ptr<Layer> EmbeddingLayer::clone() const {
  EmbeddingOptions o = opt_;
  o.name = name();
  return std::make_shared<EmbeddingLayer>(o);
}

}  // namespace minnow
