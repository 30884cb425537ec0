// The networks of Figure 1 of the BatchNorm paper (Ioffe & Szegedy 2015), as
// examples/bn_paper_figure1.cpp trains them and examples/step.cpp steps through them:
//   without BN:  Flatten -> 3 x [Dense(100) -> sigmoid]                        -> Dense(10, softmax)
//   with BN:     Flatten -> 3 x [Dense(100) -> BatchNormalization -> sigmoid]  -> Dense(10, softmax)
// on 28x28 images, compiled with plain SGD (no momentum) and sparse categorical cross-entropy.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "minnow.h"

namespace minnow::examples {

inline constexpr long kHidden = 100;  // units of each hidden Dense

struct Net {
  std::string label;
  std::unique_ptr<Sequential> model;
  std::vector<LayerRef<DenseLayer>> dense;  // the four Dense layers, in order
  LayerRef<Layer> probe;                    // its output is the input of the last hidden sigmoid
};

inline Net build_bn_paper_mlp(bool with_bn, float learning_rate) {
  clear_session();  // both networks get the same layer names: dense, dense_1, ...
  Net net{with_bn ? "with BN" : "without BN", std::make_unique<Sequential>(with_bn ? "with_bn" : "without_bn"), {}, {}};
  Sequential& m = *net.model;
  m.add(Input({28, 28, 1}));
  m.add(Flatten());
  for (int i = 0; i < 3; ++i) {
    net.dense.push_back(Dense(kHidden));
    m.add(net.dense.back());
    net.probe = net.dense.back();
    if (with_bn) {
      net.probe = BatchNormalization();
      m.add(net.probe);
    }
    m.add(Activation("sigmoid"));
  }
  net.dense.push_back(Dense(10, "softmax"));
  m.add(net.dense.back());
  m.compile(std::make_shared<SGD>(SGDOptions{.learning_rate = learning_rate}),
            std::make_shared<SparseCategoricalCrossentropy>(), {"accuracy"});
  return net;
}

// Same start: the BN network's Dense layers take the plain network's kernels and biases.
inline void copy_dense_weights(const Net& from, Net& to) {
  for (size_t i = 0; i < from.dense.size(); ++i)
    for (const char* w : {"kernel", "bias"}) to.dense[i]->weight(w).value = from.dense[i]->weight(w).value;
}

}  // namespace minnow::examples
