// The Fashion-MNIST CNN of examples/fashion_mnist.cpp, also folded by examples/fold_batchnorm.cpp:
//   Conv2D(32, 3x3, same) -> BatchNormalization -> ReLU -> MaxPooling2D(2)
//   Conv2D(64, 3x3, same) -> BatchNormalization -> ReLU -> MaxPooling2D(2)
//   Flatten -> Dense(128) -> BatchNormalization -> ReLU -> Dense(10, softmax)
#pragma once

#include "minnow.h"

namespace minnow::examples {

// bn_momentum: the three BatchNormalizations' momentum (Keras' 0.99 by default).
inline void add_fashion_mnist_cnn(Sequential& model, float bn_momentum = 0.99f) {
  model.add(Input({28, 28, 1}));
  for (long filters : {32, 64}) {
    model.add(Conv2D({.filters = filters, .kernel_size = {3, 3}, .padding = "same"}));
    model.add(BatchNormalization({.momentum = bn_momentum}));
    model.add(ReLU());
    model.add(MaxPooling2D());
  }
  model.add(Flatten());
  model.add(Dense(128));
  model.add(BatchNormalization({.momentum = bn_momentum}));
  model.add(ReLU());
  model.add(Dense(10, "softmax"));
}

}  // namespace minnow::examples
