#include "core/tensor.h"

#include <unistd.h>

#include <algorithm>
#include <limits>
#include <new>
#include <string>
#include <utility>

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

constexpr std::align_val_t kAlignment{64};  // a cache line, and AVX-512's vector width

// A buffer of n floats, zeros; the allocator's refusal becomes an AllocationError naming the shape.
std::shared_ptr<float[]> allocate(const Shape& shape, long n) {
  if (n == 0) return nullptr;
  try {
    auto* p = static_cast<float*>(::operator new[](size_t(n) * sizeof(float), kAlignment));
    std::fill(p, p + n, 0.0f);
    return {p, [](float* q) { ::operator delete[](q, kAlignment); }};
  } catch (const std::bad_alloc&) {
    throw AllocationError(fmt::format("cannot make a tensor of shape {}: the allocator refused {} bytes ({})", shape,
                                      n * long(sizeof(float)), human_bytes(double(n) * sizeof(float))));
  }
}

}  // namespace

Tensor::Tensor(const Shape& shape, float fill) : shape_(shape) {
  reserve_for(shape, checked_count(shape));
  if (fill != 0.0f) std::fill(data(), data() + size_, fill);
}

Tensor::Tensor(const Shape& shape, const std::vector<float>& values) : shape_(shape) {
  const long n = checked_count(shape);
  if (static_cast<long>(values.size()) != n)
    throw ShapeError(fmt::format("a tensor of shape {} needs {} values, but {} were given", shape, n, values.size()));
  reserve_for(shape, n);
  std::copy(values.begin(), values.end(), data());
}

Tensor::Tensor(const Tensor& other) : shape_(other.shape_) {
  reserve_for(shape_, other.size_);
  std::copy(other.data(), other.data() + other.size_, data());
}

Tensor::Tensor(Tensor&& other) noexcept
    : shape_(std::move(other.shape_)),
      buffer_(std::move(other.buffer_)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  reserve_for(other.shape_, other.size_);
  shape_ = other.shape_;
  if (data() != other.data()) std::copy(other.data(), other.data() + other.size_, data());  // share()d: in place
  return *this;
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this == &other) return *this;
  shape_ = std::move(other.shape_);
  buffer_ = std::move(other.buffer_);
  size_ = std::exchange(other.size_, 0);
  capacity_ = std::exchange(other.capacity_, 0);
  return *this;
}

void Tensor::share(const Tensor& other) {
  if (this == &other) return;
  shape_ = other.shape_;
  buffer_ = other.buffer_;
  size_ = other.size_;
  capacity_ = other.capacity_;
}

void Tensor::share(const Tensor& other, const Shape& shape) {
  if (checked_count(shape) != other.size_)
    throw ShapeError(fmt::format("cannot view a tensor of shape {} ({} values) as {} ({} values)", other.shape_,
                                 other.size_, shape, checked_count(shape)));
  share(other);
  shape_ = shape;
}

void Tensor::reserve_for(const Shape& shape, long n) {
  if (n > capacity_) {
    buffer_ = allocate(shape, n);
    capacity_ = n;
  }
  size_ = n;
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

float& Tensor::at(std::initializer_list<long> index) { return buffer_[flat_index(index)]; }
float Tensor::at(std::initializer_list<long> index) const { return buffer_[flat_index(index)]; }

// Within the buffer's room the values stay where they are (a steady-state training step does not
// allocate); growing past it takes a new buffer of zeros.
void Tensor::resize(const Shape& shape) {
  const long n = checked_count(shape);
  if (n > capacity_) {  // a new buffer, with the old values first (as std::vector grows)
    std::shared_ptr<float[]> fresh = allocate(shape, n);
    std::copy(data(), data() + size_, fresh.get());
    buffer_ = std::move(fresh);
    capacity_ = n;
  } else if (n > size_) {
    std::fill(data() + size_, data() + n, 0.0f);
  }
  size_ = n;
  shape_ = shape;
}

void Tensor::resize(std::initializer_list<long> dims) {
  if (long(dims.size()) != shape_.rank()) return resize(Shape(dims));
  long n = 1, axis = 0;
  for (long d : dims)
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) return resize(Shape(dims));  // throws the usual error
  // Growing past the allocation: the checked path (memory limit, allocator refusal).
  if (n > capacity_) return resize(Shape(dims));
  for (long d : dims) shape_[axis++] = d;  // same rank: the sizes change in place
  if (n > size_) std::fill(data() + size_, data() + n, 0.0f);
  size_ = n;
}

void Tensor::reshape(const Shape& shape) {
  if (checked_count(shape) != size())
    throw ShapeError(fmt::format("cannot reshape a tensor of shape {} ({} values) to {} ({} values)", shape_, size(),
                                 shape, shape.num_elements()));
  shape_ = shape;
}

void Tensor::fill(float value) { std::fill(data(), data() + size_, value); }

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
