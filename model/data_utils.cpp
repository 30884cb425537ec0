#include "model/data_utils.h"

#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"
#include "core/random.h"

namespace minnow {

namespace {

// The class index y[i] stands for; a ShapeError naming it when it is not a whole number in range.
long class_index(const Tensor& y, long i, long num_classes) {
  const float v = y[i];
  if (!(v >= 0 && v < float(num_classes) && v == std::floor(v)))
    throw ShapeError(fmt::format("to_categorical: y[{}] = {} is not a class index in 0 .. {} (y has shape {})", i, v,
                                 num_classes - 1, y.shape()));
  return long(v);
}

// The samples `order[begin..end)` of t (axis 0), in that order.
Tensor take(const Tensor& t, const std::vector<long>& order, long begin, long end) {
  std::vector<long> dims = t.shape().dims();
  dims[0] = end - begin;
  Tensor out{Shape(dims)};
  const long per = t.shape().num_elements_from(1);
  for (long k = begin; k < end; ++k)
    std::copy_n(t.data() + order[size_t(k)] * per, per, out.data() + (k - begin) * per);
  return out;
}

}  // namespace

Tensor to_categorical(const Tensor& y, long num_classes) {
  if (num_classes < 0) throw ConfigError(fmt::format("to_categorical: num_classes must be >= 0, not {}", num_classes));
  if (num_classes == 0) {
    if (y.empty()) throw ShapeError("to_categorical: y has no labels, so num_classes must be given");
    for (long i = 0; i < y.size(); ++i) num_classes = std::max(num_classes, class_index(y, i, 1L << 30) + 1);
  }
  std::vector<long> dims = y.shape().dims();
  if (dims.size() > 1 && dims.back() == 1) dims.pop_back();  // (N, 1) -> (N, classes), as Keras
  dims.push_back(num_classes);
  Tensor out{Shape(dims)};
  for (long i = 0; i < y.size(); ++i) out[i * num_classes + class_index(y, i, num_classes)] = 1.0f;
  return out;
}

TrainTestSplit train_test_split(const Tensor& x, const Tensor& y, double test_size, std::uint64_t seed, bool shuffle) {
  const long N = x.shape().rank() > 0 ? x.shape()[0] : 0;
  if (y.shape().rank() == 0 || y.shape()[0] != N)
    throw ShapeError(fmt::format("train_test_split: x of shape {} and y of shape {} must hold the same number of "
                                 "samples on axis 0",
                                 x.shape(), y.shape()));
  if (!(test_size > 0 && test_size < 1))  // also false for NaN
    throw ConfigError(
        fmt::format("train_test_split: test_size must be in (0, 1), but received test_size={}", test_size));
  const long n_test = long(std::ceil(test_size * double(N)));
  if (n_test >= N)
    throw ConfigError(fmt::format("train_test_split: test_size={} of {} samples leaves {} for training; at least one "
                                  "is needed on each side",
                                  test_size, N, N - n_test));
  std::vector<long> order(static_cast<size_t>(N));
  std::iota(order.begin(), order.end(), 0L);
  Rng rng(seed);
  for (long i = N - 1; shuffle && i > 0; --i) std::swap(order[size_t(i)], order[rng.below(std::uint64_t(i) + 1)]);
  const long n_train = N - n_test;
  return {take(x, order, 0, n_train), take(x, order, n_train, N), take(y, order, 0, n_train),
          take(y, order, n_train, N)};
}

}  // namespace minnow
