#include "core/tensor.h"

#include <algorithm>

#include "core/error.h"

namespace minnow {

namespace {
long checked_count(const Shape& shape) {
  for (long d : shape.dims())
    if (d < 0) throw ShapeError(fmt::format("cannot make a tensor of shape {}: every size must be known", shape));
  return shape.num_elements();
}
}  // namespace

Tensor::Tensor(const Shape& shape, float fill)
    : shape_(shape), data_(static_cast<size_t>(checked_count(shape)), fill) {}

Tensor::Tensor(const Shape& shape, std::vector<float> values) : shape_(shape), data_(std::move(values)) {
  if (static_cast<long>(data_.size()) != checked_count(shape))
    throw ShapeError(fmt::format("a tensor of shape {} needs {} values, but {} were given", shape, shape.num_elements(),
                                 data_.size()));
}

long Tensor::flat_index(std::initializer_list<long> index) const {
  if (static_cast<long>(index.size()) != shape_.rank())
    throw ShapeError(fmt::format("index of rank {} used on a tensor of shape {}", index.size(), shape_));
  long flat = 0;
  long axis = 0;
  for (long i : index) {
    if (i < 0 || i >= shape_[axis])
      throw ShapeError(fmt::format("index {} is out of range for axis {} of a tensor of shape {}", i, axis, shape_));
    flat = flat * shape_[axis] + i;
    ++axis;
  }
  return flat;
}

float& Tensor::at(std::initializer_list<long> index) { return data_[static_cast<size_t>(flat_index(index))]; }
float Tensor::at(std::initializer_list<long> index) const { return data_[static_cast<size_t>(flat_index(index))]; }

void Tensor::resize(const Shape& shape) {
  const long n = checked_count(shape);
  shape_ = shape;
  data_.resize(static_cast<size_t>(n));
}

void Tensor::resize(std::initializer_list<long> dims) {
  if (long(dims.size()) != shape_.rank()) return resize(Shape(dims));
  long n = 1, axis = 0;
  for (long d : dims) {
    if (d < 0) return resize(Shape(dims));  // throws the usual error
    n *= d;
  }
  for (long d : dims) shape_[axis++] = d;  // same rank: the sizes change in place
  data_.resize(static_cast<size_t>(n));
}

void Tensor::reshape(const Shape& shape) {
  if (checked_count(shape) != size())
    throw ShapeError(fmt::format("cannot reshape a tensor of shape {} ({} values) to {} ({} values)", shape_, size(),
                                 shape, shape.num_elements()));
  shape_ = shape;
}

void Tensor::fill(float value) { std::fill(data_.begin(), data_.end(), value); }

namespace {
long last_axis(const Shape& s) { return s.rank() == 0 ? 1 : s[-1]; }
}  // namespace

MatrixMap Tensor::matrix() {
  const long c = last_axis(shape_);
  return matrix(c == 0 ? 0 : size() / c, c);
}
ConstMatrixMap Tensor::matrix() const {
  const long c = last_axis(shape_);
  return matrix(c == 0 ? 0 : size() / c, c);
}

MatrixMap Tensor::matrix(long rows, long cols) {
  if (rows * cols != size())
    throw ShapeError(fmt::format("cannot view a tensor of shape {} as a {}x{} matrix", shape_, rows, cols));
  return {data(), rows, cols};
}
ConstMatrixMap Tensor::matrix(long rows, long cols) const {
  if (rows * cols != size())
    throw ShapeError(fmt::format("cannot view a tensor of shape {} as a {}x{} matrix", shape_, rows, cols));
  return {data(), rows, cols};
}

void take_rows(const Tensor& src, const std::vector<long>& rows, long begin, long end, Tensor& dst) {
  const long sample = src.shape().num_elements_from(1);
  const Shape& d = dst.shape();
  if (d.rank() == 0 || d[0] != end - begin || !d.same_sample_shape(src.shape()))
    dst.resize(src.shape().with_batch(end - begin));
  for (long i = begin; i < end; ++i)
    std::copy(src.data() + rows[size_t(i)] * sample, src.data() + (rows[size_t(i)] + 1) * sample,
              dst.data() + (i - begin) * sample);
}

}  // namespace minnow
