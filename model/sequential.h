// Sequential: a Model built one layer at a time, as Keras' Sequential. Layers added before an
// Input wait until the first batch or build() gives the input shape.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/model.h"

namespace minnow {

class Sequential : public Model {
 public:
  explicit Sequential(const std::string& name = "");
  Sequential(const std::vector<LayerRef<Layer>>& layers, const std::string& name = "");

  // Appends a layer; the first element may also be an Input(...) that fixes the input shape.
  void add(const LayerRef<Layer>& layer);
  void add(const SymbolicTensor& input);
  // Builds a model whose input shape was not given (shape with or without the batch axis as None).
  void build(const Shape& input_shape);
  bool built() const { return has_graph_; }

 private:
  void prepare(std::span<const Tensor* const> xs) override;
  void connect(const std::shared_ptr<Layer>& layer);
  SymbolicTensor input_, output_;
  std::vector<std::shared_ptr<Layer>> pending_;  // added before the input shape was known
};

}  // namespace minnow
