#include "core/tensor.h"

#include <unistd.h>

#include <algorithm>
#include <limits>
#include <new>
#include <string>

#include "core/error.h"

namespace minnow {

long machine_memory_bytes() {
  static const long bytes = [] {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? pages * page : std::numeric_limits<long>::max();
  }();
  return bytes;
}

namespace {

std::string human_bytes(double b) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (b >= 1024 && u < 6) b /= 1024, ++u;
  return u == 0 ? fmt::format("{:.0f} bytes", b) : fmt::format("{:.1f} {}", b, units[u]);
}

// The number of values of a tensor of `shape`, checked: known sizes, and no more bytes than the
// machine has (AllocationError naming the shape and the bytes).
long checked_count(const Shape& shape) {
  for (long d : shape.dims())
    if (d < 0) throw ShapeError(fmt::format("cannot make a tensor of shape {}: every size must be known", shape));
  long n = 0;
  try {
    n = shape.num_elements();
  } catch (const ShapeError&) {
    throw AllocationError(fmt::format("cannot make a tensor of shape {}: its number of values does not even fit in "
                                      "a 64-bit integer",
                                      shape));
  }
  const double bytes = double(n) * double(sizeof(float));
  if (bytes > double(machine_memory_bytes()))
    throw AllocationError(fmt::format("cannot make a tensor of shape {}: it needs {} bytes ({}), more than this "
                                      "machine's memory ({})",
                                      shape, n * long(sizeof(float)), human_bytes(bytes),
                                      human_bytes(double(machine_memory_bytes()))));
  return n;
}

// Runs an allocation; the allocator's refusal becomes an AllocationError naming the shape.
template <class F>
void allocate(const Shape& shape, long n, F&& f) {
  try {
    f();
  } catch (const std::bad_alloc&) {
    throw AllocationError(fmt::format("cannot make a tensor of shape {}: the allocator refused {} bytes ({})", shape,
                                      n * long(sizeof(float)), human_bytes(double(n) * sizeof(float))));
  }
}

}  // namespace

Tensor::Tensor(const Shape& shape, float fill) : shape_(shape) {
  const long n = checked_count(shape);
  allocate(shape, n, [&] { data_.assign(static_cast<size_t>(n), fill); });
}

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
  allocate(shape, n, [&] { data_.resize(static_cast<size_t>(n)); });
  shape_ = shape;
}

void Tensor::resize(std::initializer_list<long> dims) {
  if (long(dims.size()) != shape_.rank()) return resize(Shape(dims));
  long n = 1, axis = 0;
  for (long d : dims)
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) return resize(Shape(dims));  // throws the usual error
  // Growing past the allocation: the checked path (memory limit, allocator refusal).
  if (n > long(data_.capacity())) return resize(Shape(dims));
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
