#include "model/internal/gradient_sum.h"

#include <algorithm>

namespace minnow {

void GradientSum::reset(size_t slots) {
  sums_.resize(slots);
  of_.assign(slots, nullptr);
}

void GradientSum::add(int slot, const Tensor& g) {
  const auto s = size_t(slot);
  if (of_[s] == nullptr) {  // the first gradient: point at it
    of_[s] = &g;
    return;
  }
  Tensor& sum = sums_[s];
  if (of_[s] != &sum) {  // the second: start the sum from the first
    if (sum.shape() != g.shape()) sum.resize(g.shape());
    std::copy(of_[s]->data(), of_[s]->data() + g.size(), sum.data());
    of_[s] = &sum;
  }
  sum.row() += g.row();
}

const Tensor& GradientSum::own(int slot, const Shape& shape) {
  const auto s = size_t(slot);
  Tensor& mine = sums_[s];
  if (of_[s] == nullptr) {
    mine.resize(shape), mine.fill(0);
  } else if (of_[s] != &mine) {
    if (mine.shape() != of_[s]->shape()) mine.resize(of_[s]->shape());
    std::copy(of_[s]->data(), of_[s]->data() + of_[s]->size(), mine.data());
  }
  of_[s] = &mine;
  return mine;
}

}  // namespace minnow
