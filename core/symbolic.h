// The functional API's graph, as Keras records it: calling a layer on a SymbolicTensor records a
// Node (one call) and returns the SymbolicTensor of its output, from which Model finds the graph.
#pragma once

#include <memory>
#include <vector>

#include "core/shape.h"

namespace minnow {

class Layer;

// A placeholder for a tensor in a graph being built (Keras' KerasTensor): which layer makes
// it, in which of that layer's calls (node), and its shape with the batch as None.
struct SymbolicTensor {
  std::shared_ptr<Layer> layer;
  int node_index = 0;
  int tensor_index = 0;
  const Shape& shape() const;
};

// One call of a layer in a graph (Keras' Node).
struct Node {
  std::vector<SymbolicTensor> inputs;
};

}  // namespace minnow
