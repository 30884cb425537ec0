// NPY: numpy's file format for one array, as used inside an .npz weights file (weights_io.h).
//
// Format 1.0 (numpy.lib.format), for float32 only:
//   bytes 0-5   magic "\x93NUMPY"
//   bytes 6-7   version: major 1, minor 0
//   bytes 8-9   header length H, a little-endian uint16
//   H bytes     a Python dict literal, padded with spaces and ending in '\n' so that 10 + H is a
//               multiple of 64:  {'descr': '<f4', 'fortran_order': False, 'shape': (30, 50), }
//   the data    size() float32 values, little-endian, C (row-major) order
// A 1-D shape is a Python 1-tuple, (50,); a scalar's shape is ().
// Reading accepts versions 1.x and 2.x/3.x (a uint32 header length), any key order and spacing,
// and rejects anything else: other dtypes, fortran_order True, negative or overflowing
// dimensions, unknown keys, and data whose size does not match the shape.
//
// Reading is bounded by what the header declares, so a decompression bomb (a small deflated zip
// entry that inflates to gigabytes) costs no more than the array it claims to hold: a header is at
// most 64 KiB, an array at most 2^30 elements (4 GiB of float32), the shape must account for the
// stream's declared size exactly before any data is read, and a stream that runs past it is an
// error as soon as one byte too many arrives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/tensor.h"

namespace minnow {

// The .npy bytes of t: header and float32 little-endian data. Bit-exact: decode_npy gives t back.
std::string encode_npy(const Tensor& t);

// The array held by the .npy bytes. Throws IoError whose message starts with `context`
// (e.g. "weights file 'w.npz': array 'dense/kernel'") and says what is wrong.
Tensor decode_npy(std::string_view bytes, const std::string& context);

// A stream of bytes read in order: source(buffer, n) copies up to n of the next bytes into
// `buffer` and returns how many, 0 only at the end of the stream. It may throw (an IoError for a
// corrupt stream).
using ByteSource = std::function<std::size_t(char* buffer, std::size_t n)>;

// The array held by a stream of `size` bytes (a zip entry, whose directory declares its size),
// pulled from `source` as the header says: the header first, then the data its shape needs, in
// 64 KiB pieces, then one byte more to see the stream end there. The shape must need exactly
// `size` bytes in all, checked before any data is read; so at most size + 1 bytes are asked for,
// and memory is the tensor plus 64 KiB. Throws IoError as decode_npy does, and when the stream ends
// before `size` bytes or runs past them (naming both sizes).
Tensor read_npy(const ByteSource& source, std::uint64_t size, const std::string& context);

}  // namespace minnow
