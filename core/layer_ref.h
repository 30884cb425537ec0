// LayerRef: the handle the layer factories return (Dense(50), Conv2D(...)), so that
// `Dense(50)(x)` works as in Keras while the layer outlives the expression.
#pragma once

#include <concepts>
#include <memory>
#include <vector>

#include "core/layer.h"

namespace minnow {

// A shared handle to a layer, returned by the factory functions (Dense(50), Conv2D(...)): it
// can be called on symbolic tensors like a Keras layer and gives access to the layer with ->.
template <class T>
class LayerRef {
 public:
  LayerRef() = default;
  LayerRef(std::shared_ptr<T> layer) : layer_(std::move(layer)) {}  // NOLINT: implicit on purpose
  template <std::derived_from<T> U>
  LayerRef(const LayerRef<U>& other) : layer_(other.ptr()) {}  // NOLINT: upcast

  T* operator->() const { return layer_.get(); }
  T& operator*() const { return *layer_; }
  const std::shared_ptr<T>& ptr() const { return layer_; }
  explicit operator bool() const { return layer_ != nullptr; }

  SymbolicTensor operator()(const SymbolicTensor& x) const { return (*layer_)(x); }
  SymbolicTensor operator()(const std::vector<SymbolicTensor>& xs) const { return (*layer_)(xs); }

 private:
  std::shared_ptr<T> layer_;
};

}  // namespace minnow
