// The data helpers a learner otherwise writes by hand: one-hot labels (Keras' to_categorical) and
// a shuffled train / test split (scikit-learn's train_test_split, with minnow's own seeded shuffle).
//
//   to_categorical(y, num_classes)   y of class indices (any shape, held as floats) -> y's shape +
//                                    (num_classes,), a 1 at each index, 0 elsewhere; a trailing
//                                    axis of 1 is dropped, as Keras does ((N, 1) -> (N, classes));
//                                    num_classes = 0 means max(y) + 1
//   train_test_split(x, y, test_size, seed)   the samples (axis 0) of x and y shuffled by one
//                                    permutation, then cut: the last ceil(test_size * N) are the
//                                    test set (scikit-learn's rounding), the rest the train set
// The permutation is a Fisher-Yates shuffle driven by Rng(seed), the same on every platform;
// shuffle = false keeps the order (the test set is then the last samples).
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace minnow {

Tensor to_categorical(const Tensor& y, long num_classes = 0);

struct TrainTestSplit {
  Tensor x_train, x_test, y_train, y_test;
};

TrainTestSplit train_test_split(const Tensor& x, const Tensor& y, double test_size = 0.25, std::uint64_t seed = 0,
                                bool shuffle = true);

}  // namespace minnow
