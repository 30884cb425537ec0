// Embedding: a lookup table of learned vectors, one row per token index.
//
// Shapes: x (N, ...) of token indices 0 .. input_dim-1, held as floats (a fraction is cut toward
// zero, as Keras' cast to int) -> y (N, ..., output_dim); the table E (input_dim, output_dim).
// Forward (training and inference alike)
//   (F1)  y[n,t,:] = E[x[n,t], :]                     row x[n,t] of the table
// Backward, given dy
//   (B1)  dE = 0, then dE[x[n,t], :] += dy[n,t,:]     every occurrence of a token adds its gradient
//   (B2)  dx = 0                                      y is flat in x between whole numbers
// Embedding(x) is the one-hot row of x times E: (F1) is that product without the zeros, and (B1)
// its x^T dy.
// Weights (Keras' name): embeddings (input_dim, output_dim), trainable, embeddings_initializer
// (default random_uniform in [-0.05, 0.05], Keras' "uniform").  Parameters: input_dim*output_dim.
// Cache: none; backward reads the input x of the last forward.
// Reference: keras.layers.Embedding (mask_zero, regularizers and constraints not supported).
#pragma once

#include "core/layer.h"

namespace minnow {

struct EmbeddingOptions {
  long input_dim = 0;   // the number of tokens: indices 0 .. input_dim-1
  long output_dim = 0;  // the length of each vector
  Initializer embeddings_initializer = "random_uniform";
  std::string name = "";
};

class EmbeddingLayer : public Layer {
 public:
  explicit EmbeddingLayer(const EmbeddingOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const EmbeddingOptions& options() const { return opt_; }

 private:
  Shape build_impl(const Shape& input_shape) override;
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  long index(float v) const;  // v as a row of the table; throws outside 0 .. input_dim-1

  EmbeddingOptions opt_;
  Parameter* embeddings_ = nullptr;
};

LayerRef<EmbeddingLayer> Embedding(const EmbeddingOptions& options);
LayerRef<EmbeddingLayer> Embedding(long input_dim, long output_dim);

}  // namespace minnow
