// IDX files: the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
//
//   bytes 0-1   0, 0
//   byte  2     the element type: 0x08 = unsigned byte (the only type minnow reads)
//   byte  3     the number of dimensions d (1 to 4 here)
//   4*d bytes   each dimension, a big-endian uint32
//   the data    the product of the dimensions, one byte each, in C (row-major) order
// The files are usually distributed gzip-compressed (.gz); read_idx detects the gzip magic
// bytes 1f 8b and decompresses with zlib, so either form reads the same.
//
// Reading goes as the header says, 64 KiB at a time: the header, then the data its dimensions
// need, then (for a whole file) the check that the file ends there. A gzip stream is inflated only
// that far, plus at most 4 KiB to tell trailing garbage, so a decompression bomb (a small file that
// inflates to gigabytes) fails after the bytes its header declares, using the memory of the tensor
// it declares. A tensor holds at most 2^30 values (4 GiB as float32); a gzip stream too short to
// inflate to the data its header declares (deflate makes at most 1032 bytes of one) is reported
// as truncated before anything is allocated.
#pragma once

#include <string>
#include <string_view>

#include "core/tensor.h"

namespace minnow {

// The IDX file at `path` (gzip-compressed or not) as a float tensor with the file's shape and
// values 0..255. Throws IoError naming the file: missing file, bad magic number, a type other
// than unsigned bytes, a truncated file, trailing bytes after the data (with their count, or for
// a gzip stream, once more than 4 KiB follow: "more than 4096"), a corrupt gzip stream, more than
// 2^30 values.
Tensor read_idx(const std::string& path);

// The same for a file's whole content already in memory (gzip-compressed or not); `name` stands
// for the file in messages. read_idx is read the file, then decode_idx.
Tensor decode_idx(std::string_view bytes, const std::string& name);

// A labelled set of images: images (N, 28, 28, 1) scaled to [0, 1], labels (N,) the class
// indices 0..9 as floats.
struct Dataset {
  Tensor images;
  Tensor labels;
};

// Loads split "train" or "test" of MNIST or Fashion-MNIST from `folder`, which holds
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each either as is or gzipped (.gz). `limit` > 0 keeps the first
// `limit` samples: only the headers and those samples are read, the rest of both files is not
// (so damage there goes unnoticed). Throws IoError when files are missing or malformed, or the
// image and label counts differ (checked from the headers, before any data is read), ConfigError
// for an unknown split or a negative limit.
Dataset load_mnist(const std::string& folder, const std::string& split, long limit = 0);

// Where Debian's dataset-fashion-mnist package installs Fashion-MNIST: /usr/share/datasets/fashion-mnist
std::string default_fashion_mnist_dir();

}  // namespace minnow
