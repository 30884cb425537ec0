// Tensor: a float32, contiguous, row-major array with its full shape (batch axis included).
//
// Images are NHWC (Keras channels_last). Element (n, h, w, c) of an (N, H, W, C) tensor sits at
// ((n*H + h)*W + w)*C + c: `offset_nhwc` (core/kernels/matrix.h) is the only place that formula
// is written.
// Because the last axis is contiguous, any tensor whose last axis is C is, without a copy,
// an (size/C) x C row-major Eigen matrix: `matrix()`. That is why BatchNormalization after a
// Dense and after a Conv2D is the same code, and why Flatten only relabels the shape.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/kernels/matrix.h"
#include "core/shape.h"

namespace minnow {

// A Tensor owns its values (copies are deep), in a buffer it can share with a reader: a layer
// keeps share()d references to its inputs, so that the values its backward reads stay allocated
// however long the caller keeps its own tensor. A write through either is seen by both.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(const Shape& shape, float fill = 0.0f);
  Tensor(const Shape& shape, const std::vector<float>& values);  // values in row-major order
  Tensor(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(const Tensor& other);
  Tensor& operator=(Tensor&& other) noexcept;
  ~Tensor() = default;

  // Makes this tensor another name for `other`'s values (same buffer, same shape): no copy, and
  // the buffer lives as long as either tensor uses it.
  void share(const Tensor& other);
  // The same under another shape with as many values: a view (Flatten's output); ShapeError else.
  void share(const Tensor& other, const Shape& shape);

  const Shape& shape() const { return shape_; }
  long size() const { return size_; }
  bool empty() const { return size_ == 0; }
  float* data() { return buffer_.get(); }
  const float* data() const { return buffer_.get(); }
  std::span<float> values() { return {data(), static_cast<size_t>(size_)}; }
  std::span<const float> values() const { return {data(), static_cast<size_t>(size_)}; }
  float& operator[](long i) { return buffer_[i]; }
  float operator[](long i) const { return buffer_[i]; }

  // Bounds-checked element access by full index, e.g. t.at({n, h, w, c}).
  float& at(std::initializer_list<long> index);
  float at(std::initializer_list<long> index) const;

  // Changes the shape; keeps the allocation when it is large enough (no heap work in a
  // steady-state training step). New elements are zero; old values are not preserved
  // in any meaningful order.
  void resize(const Shape& shape);
  // The same from the sizes, e.g. t.resize({rows, cols}); builds no Shape (no allocation) when
  // the tensor already has those sizes.
  void resize(std::initializer_list<long> dims);
  // Same data, another shape with the same number of elements.
  void reshape(const Shape& shape);
  void fill(float value);

  // The tensor as a (size/C) x C matrix, C the last axis: (N, F) -> N x F, (N, H, W, C) -> (N*H*W) x C.
  MatrixMap matrix();
  ConstMatrixMap matrix() const;
  // The tensor as a rows x cols matrix (rows*cols must equal size()).
  MatrixMap matrix(long rows, long cols);
  ConstMatrixMap matrix(long rows, long cols) const;
  // A 1-D tensor (or any tensor) as one row vector.
  RowVectorMap row() { return {data(), size()}; }
  ConstRowVectorMap row() const { return {data(), size()}; }

 private:
  long flat_index(std::initializer_list<long> index) const;
  // Room for n values: the same buffer when it holds them, else a new one (zeros).
  void reserve_for(const Shape& shape, long n);

  Shape shape_;
  std::shared_ptr<float[]> buffer_;  // 64-byte aligned; shared with the tensors that share() it
  long size_ = 0, capacity_ = 0;
};

// The memory of this machine in bytes (its physical pages): no single tensor may be larger, so
// that a typo such as Dense(1 << 20) on 2^20 inputs is an AllocationError at once instead of an
// allocation that swaps or gets the process killed.
long machine_memory_bytes();

// Copies samples rows[begin..end) of `src` (rows along axis 0) into `dst`, resized to
// (end - begin, ...). No allocation when dst already has the room.
void take_rows(const Tensor& src, const std::vector<long>& rows, long begin, long end, Tensor& dst);

}  // namespace minnow
