#include "core/idx.h"

#define ZLIB_CONST  // zlib's input pointer is const
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw IoError(fmt::format("IDX file '{}' does not exist", path));
  if (fs::is_directory(path, ec)) throw IoError(fmt::format("IDX file '{}' is a folder, not a file", path));
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in ? std::streamoff(in.tellg()) : -1;
  std::string bytes(size_t(std::max<std::streamoff>(size, 0)), '\0');
  if (size < 0 || !in.seekg(0) || !in.read(bytes.data(), size))
    throw IoError(fmt::format("cannot read IDX file '{}'", path));
  return bytes;
}

bool is_gzip(std::string_view bytes) { return bytes.size() >= 2 && bytes[0] == '\x1f' && bytes[1] == '\x8b'; }

// Inflates a gzip stream: one member or several concatenated ones, as gzip allows.
std::string gunzip(std::string_view gz, const std::string& path) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    throw IoError(fmt::format("cannot decompress '{}': zlib failed", path));
  struct InflateEnd {
    z_stream* zs;
    ~InflateEnd() { inflateEnd(zs); }
  } end{&zs};
  std::string out(std::max<size_t>(4 * gz.size(), 1 << 16), '\0');
  size_t in_pos = 0, out_pos = 0;  // zlib counts in 32-bit uInt: feed and drain in chunks
  for (;;) {
    if (zs.avail_in == 0 && in_pos < gz.size()) {
      zs.next_in = reinterpret_cast<const Bytef*>(gz.data() + in_pos);
      zs.avail_in = uInt(std::min<size_t>(gz.size() - in_pos, UINT_MAX));
      in_pos += zs.avail_in;
    }
    if (out_pos == out.size()) out.resize(2 * out.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
    zs.avail_out = uInt(std::min<size_t>(out.size() - out_pos, UINT_MAX));
    const uInt room = zs.avail_out;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out_pos += room - zs.avail_out;
    if (rc == Z_STREAM_END && zs.avail_in == 0 && in_pos == gz.size()) break;
    if (rc == Z_STREAM_END) {
      inflateReset(&zs);             // another gzip member follows
    } else if (rc == Z_BUF_ERROR) {  // there is room for output: the input ended before the stream did
      throw IoError(fmt::format("IDX file '{}' is truncated: its gzip stream ends early", path));
    } else if (rc != Z_OK) {
      throw IoError(fmt::format("IDX file '{}' has a corrupt gzip stream: {}", path, zs.msg ? zs.msg : "zlib error"));
    }
  }
  out.resize(out_pos);
  return out;
}

std::string idx_type_name(unsigned type) {
  switch (type) {
    case 0x09: return " (signed bytes)";
    case 0x0B: return " (16-bit integers)";
    case 0x0C: return " (32-bit integers)";
    case 0x0D: return " (32-bit floats)";
    case 0x0E: return " (64-bit floats)";
    default: return "";
  }
}

Tensor parse_idx(std::string_view b, const std::string& path) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(b[i]); };
  if (b.size() < 4)
    throw IoError(
        fmt::format("IDX file '{}' is truncated: {} bytes, fewer than its 4-byte magic number", path, b.size()));
  if (byte(0) != 0 || byte(1) != 0)
    throw IoError(
        fmt::format("IDX file '{}' has a bad magic number: its first two bytes must be 0, found 0x{:02x} 0x{:02x}",
                    path, byte(0), byte(1)));
  if (byte(2) != 0x08)
    throw IoError(fmt::format("IDX file '{}' holds elements of type 0x{:02x}{} (the magic number's third byte); minnow "
                              "reads unsigned bytes (type 0x08) only",
                              path, byte(2), idx_type_name(byte(2))));
  const size_t rank = byte(3), header = 4 + 4 * rank;
  if (rank < 1 || rank > 4)
    throw IoError(fmt::format("IDX file '{}' has {} dimensions (the magic number's fourth byte); minnow reads 1 to 4",
                              path, rank));
  if (b.size() < header)
    throw IoError(fmt::format("IDX file '{}' is truncated: the header of {} dimensions needs {} bytes, found {}", path,
                              rank, header, b.size()));
  std::vector<long> dims;
  size_t expected = 1;
  bool overflow = false;
  for (size_t k = 0; k < rank; ++k) {
    const size_t at = 4 + 4 * k;  // big-endian uint32
    const std::uint32_t d = std::uint32_t(byte(at)) << 24 | std::uint32_t(byte(at + 1)) << 16 |
                            std::uint32_t(byte(at + 2)) << 8 | std::uint32_t(byte(at + 3));
    dims.push_back(long(d));
    overflow = overflow || (d != 0 && expected > SIZE_MAX / d);
    expected *= d;
  }
  const Shape shape(dims);
  const size_t found = b.size() - header;
  if (overflow || found < expected)
    throw IoError(fmt::format("IDX file '{}' is truncated: its dimensions {} need {} data bytes, found {}", path,
                              shape.str(), overflow ? std::string("more than 2^64") : std::to_string(expected), found));
  if (found > expected)
    throw IoError(
        fmt::format("IDX file '{}' has {} bytes of trailing garbage after the {} data bytes its dimensions {} "
                    "describe",
                    path, found - expected, expected, shape.str()));
  // The data fits the counts. With a count of 0 there is no data, but a tensor still multiplies the others.
  long nonzero = 1;
  for (long d : dims)
    if (d != 0 && __builtin_mul_overflow(nonzero, d, &nonzero))
      throw IoError(fmt::format("IDX file '{}' has dimensions {} too large for any tensor", path, shape.str()));
  Tensor t(shape);
  for (size_t i = 0; i < expected; ++i) t.data()[i] = float(byte(header + i));
  return t;
}

// The path of `name` or `name`.gz in `folder`.
std::string find_idx_file(const std::string& folder, const std::string& name) {
  std::error_code ec;
  for (const std::string& candidate : {name, name + ".gz"}) {
    const fs::path p = fs::path(folder) / candidate;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  throw IoError(fmt::format("MNIST folder '{}' has neither '{}' nor '{}.gz'{}", folder, name, name,
                            fs::is_directory(folder, ec) ? "" : " (the folder does not exist)"));
}

}  // namespace

Tensor read_idx(const std::string& path) { return decode_idx(read_file(path), path); }

Tensor decode_idx(std::string_view bytes, const std::string& name) {
  if (is_gzip(bytes)) return parse_idx(gunzip(bytes, name), name);
  return parse_idx(bytes, name);
}

Dataset load_mnist(const std::string& folder, const std::string& split, long limit) {
  if (split != "train" && split != "test")
    throw ConfigError(fmt::format("load_mnist: unknown split '{}'; expected 'train' or 'test'", split));
  if (limit < 0) throw ConfigError(fmt::format("load_mnist: limit must be >= 0 (0 keeps every sample), got {}", limit));
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string images_path = find_idx_file(folder, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_idx_file(folder, prefix + "-labels-idx1-ubyte");
  Dataset d{read_idx(images_path), read_idx(labels_path)};
  const Shape is = d.images.shape(), ls = d.labels.shape();
  if (is.rank() != 3)
    throw IoError(fmt::format("IDX file '{}' holds an array of shape {}; images must be (N, rows, columns)",
                              images_path, is.str()));
  if (ls.rank() != 1)
    throw IoError(fmt::format("IDX file '{}' holds an array of shape {}; labels must be (N,)", labels_path, ls.str()));
  if (ls[0] != is[0])
    throw IoError(fmt::format("'{}' holds {} images but '{}' holds {} labels; the counts must be equal", images_path,
                              is[0], labels_path, ls[0]));
  const long n = limit > 0 ? std::min(limit, is[0]) : is[0];
  const Shape image_shape{n, is[1], is[2], 1};  // NHWC with one channel
  if (n < is[0]) {
    d.images = Tensor(image_shape, std::vector<float>(d.images.data(), d.images.data() + image_shape.num_elements()));
    d.labels = Tensor({n}, std::vector<float>(d.labels.data(), d.labels.data() + n));
  } else {
    d.images.reshape(image_shape);
  }
  for (float& v : d.images.values()) v /= 255.0f;
  return d;
}

std::string default_fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

}  // namespace minnow
