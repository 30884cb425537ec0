#include "io/idx.h"

#define ZLIB_CONST  // zlib's input pointer is const
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {

namespace fs = std::filesystem;

constexpr size_t kChunk = size_t(1) << 16;        // files are read, and data converted, 64 KiB at a time
constexpr size_t kSlack = 4096;                   // trailing bytes of a gzip stream counted before giving up
constexpr size_t kMaxElements = size_t(1) << 30;  // per tensor: 4 GiB of float32

// The bytes of an IDX file as they are stored (gzip-compressed or not): a file read 64 KiB at a
// time, or bytes already in memory.
class StoredBytes {
 public:
  explicit StoredBytes(std::string_view bytes) : view_(bytes), size_(bytes.size()) {}
  explicit StoredBytes(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw IoError(fmt::format("IDX file '{}' does not exist", path));
    if (fs::is_directory(path, ec)) throw IoError(fmt::format("IDX file '{}' is a folder, not a file", path));
    file_.open(path, std::ios::binary);
    const auto size = fs::file_size(path, ec);
    if (!file_ || ec) throw IoError(fmt::format("cannot read IDX file '{}'", path));
    size_ = size;
    buffer_.resize(kChunk);
    from_file_ = true;
  }
  // The next bytes, at most n: empty only at the end. Valid until the next call.
  std::string_view next(size_t n, const std::string& path) {
    if (!from_file_) {
      const std::string_view out = view_.substr(std::min(at_, view_.size()), n);
      at_ += out.size();
      return out;
    }
    file_.read(buffer_.data(), std::streamsize(std::min(n, buffer_.size())));
    if (file_.bad()) throw IoError(fmt::format("cannot read IDX file '{}'", path));
    return {buffer_.data(), size_t(file_.gcount())};
  }
  std::uint64_t size() const { return size_; }  // in all

 private:
  bool from_file_ = false;
  std::string_view view_;
  size_t at_ = 0;
  std::ifstream file_;
  std::vector<char> buffer_;
  std::uint64_t size_ = 0;
};

// The content of an IDX file, read in order: the stored bytes themselves, or for a gzip stream
// (magic bytes 1f 8b) the bytes it inflates to, one member or several concatenated ones, as
// gzip allows. Only what is asked for is inflated (plus zlib's own small buffers).
class IdxStream {
 public:
  IdxStream(StoredBytes stored, std::string path) : stored_(std::move(stored)), path_(std::move(path)) {
    input_ = stored_.next(2, path_);
    if (input_.size() == 2 && input_[0] == '\x1f' && input_[1] == '\x8b') {
      gzip_ = true;
      if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK)
        throw IoError(fmt::format("cannot decompress '{}': zlib failed", path_));
      zs_.next_in = reinterpret_cast<const Bytef*>(input_.data());
      zs_.avail_in = uInt(input_.size());
    }
  }
  ~IdxStream() {
    if (gzip_) inflateEnd(&zs_);
  }
  IdxStream(const IdxStream&) = delete;
  IdxStream& operator=(const IdxStream&) = delete;

  const std::string& path() const { return path_; }
  bool gzip() const { return gzip_; }
  std::uint64_t stored_size() const { return stored_.size(); }

  // Up to n bytes of the content into out; fewer only at its end.
  size_t read(char* out, size_t n) {
    size_t done = 0;
    while (done < n && !ended_) done += gzip_ ? inflate_some(out + done, n - done) : copy_some(out + done, n - done);
    return done;
  }

 private:
  size_t copy_some(char* out, size_t n) {
    if (input_.empty()) input_ = stored_.next(std::min(n, kChunk), path_);
    if (input_.empty()) {
      ended_ = true;
      return 0;
    }
    const size_t k = std::min(n, input_.size());
    std::copy_n(input_.data(), k, out);
    input_.remove_prefix(k);
    return k;
  }

  // False at the end of the stored bytes.
  bool refill() {
    if (zs_.avail_in > 0) return true;
    input_ = stored_.next(kChunk, path_);
    zs_.next_in = reinterpret_cast<const Bytef*>(input_.data());
    zs_.avail_in = uInt(input_.size());
    return !input_.empty();
  }

  size_t inflate_some(char* out, size_t n) {
    const bool more_input = refill();
    zs_.next_out = reinterpret_cast<Bytef*>(out);
    zs_.avail_out = uInt(std::min<size_t>(n, UINT_MAX));
    const uInt room = zs_.avail_out;
    const int rc = inflate(&zs_, Z_NO_FLUSH);
    const size_t produced = room - zs_.avail_out;
    if (rc == Z_STREAM_END) {
      if (refill()) {
        inflateReset(&zs_);  // another gzip member follows
      } else {
        ended_ = true;
      }
    } else if (rc == Z_BUF_ERROR && !more_input) {  // there is room for output: the input ended before the stream did
      throw IoError(fmt::format("IDX file '{}' is truncated: its gzip stream ends early", path_));
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      throw IoError(
          fmt::format("IDX file '{}' has a corrupt gzip stream: {}", path_, zs_.msg ? zs_.msg : "zlib error"));
    }
    return produced;
  }

  StoredBytes stored_;
  std::string path_;
  std::string_view input_;  // stored bytes not yet used
  bool gzip_ = false, ended_ = false;
  z_stream zs_{};
};

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

// An IDX file read from its header on, as the header says: the data of the first items only (a
// limit), or all of it followed by the check that the file ends there. Whatever the file holds
// after the bytes asked for is never read, except for the few KB that tell trailing garbage.
class IdxReader {
 public:
  explicit IdxReader(std::unique_ptr<IdxStream> in) : in_(std::move(in)) {
    const std::string& path = in_->path();
    unsigned char magic[4] = {};
    const size_t got = in_->read(reinterpret_cast<char*>(magic), 4);
    if (got < 4)
      throw IoError(fmt::format("IDX file '{}' is truncated: {} bytes, fewer than its 4-byte magic number", path, got));
    if (magic[0] != 0 || magic[1] != 0)
      throw IoError(
          fmt::format("IDX file '{}' has a bad magic number: its first two bytes must be 0, found 0x{:02x} 0x{:02x}",
                      path, magic[0], magic[1]));
    if (magic[2] != 0x08)
      throw IoError(fmt::format("IDX file '{}' holds elements of type 0x{:02x}{} (the magic number's third byte); "
                                "minnow reads unsigned bytes (type 0x08) only",
                                path, magic[2], idx_type_name(magic[2])));
    const size_t rank = magic[3];
    header_ = 4 + 4 * rank;
    if (rank < 1 || rank > 4)
      throw IoError(fmt::format("IDX file '{}' has {} dimensions (the magic number's fourth byte); minnow reads 1 to 4",
                                path, rank));
    read_dims(rank);
  }

  const std::vector<long>& dims() const { return dims_; }
  Shape shape() const { return Shape(dims_); }

  // The first `items` entries along axis 0 (all of them: dims()[0]) as a tensor of `shape` (of as
  // many elements), each byte v as v, or v / 255 when `scale`. Checks the size against the limit
  // and against what the stored bytes can hold before it allocates anything.
  Tensor read(long items, const Shape& shape, bool scale) {
    const std::string& path = in_->path();
    const bool all = items == dims_[0];
    const std::uint64_t bytes = dims_[0] == 0 ? 0 : data_bytes_ / std::uint64_t(dims_[0]) * std::uint64_t(items);
    const auto what = [&] {
      return all ? fmt::format("its dimensions {}", this->shape().str())
                 : fmt::format("its first {} items (of dimensions {})", items, this->shape().str());
    };
    check_size(bytes, all, what);
    Tensor t(shape);
    std::vector<char> chunk(std::min<std::uint64_t>(bytes, kChunk));
    for (std::uint64_t done = 0; done < bytes;) {
      const size_t want = size_t(std::min<std::uint64_t>(bytes - done, chunk.size()));
      const size_t got = in_->read(chunk.data(), want);
      float* out = t.data() + done;
      for (size_t i = 0; i < got; ++i) {
        const float v = float(static_cast<unsigned char>(chunk[i]));
        out[i] = scale ? v / 255.0f : v;
      }
      done += got;
      if (got < want)
        throw IoError(
            fmt::format("IDX file '{}' is truncated: {} need {} data bytes, found {}", path, what(), bytes, done));
    }
    if (all) expect_end();
    return t;
  }

 private:
  // The header's sizes (big-endian uint32, `rank` of them), checked: their product fits in the
  // data bytes a 64-bit size can count, and in a tensor.
  void read_dims(size_t rank) {
    const std::string& path = in_->path();
    unsigned char sizes[16] = {};
    const size_t found = in_->read(reinterpret_cast<char*>(sizes), 4 * rank);
    if (found < 4 * rank)
      throw IoError(fmt::format("IDX file '{}' is truncated: the header of {} dimensions needs {} bytes, found {}",
                                path, rank, header_, 4 + found));
    bool overflow = false;
    for (size_t k = 0; k < rank; ++k) {
      const unsigned char* b = sizes + 4 * k;  // big-endian uint32
      const std::uint32_t d = std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 | b[3];
      dims_.push_back(long(d));
      overflow = overflow || (d != 0 && data_bytes_ > SIZE_MAX / d);
      data_bytes_ *= d;
    }
    if (overflow)
      throw IoError(fmt::format("IDX file '{}' is truncated: its dimensions {} need more than 2^64 data bytes", path,
                                shape().str()));
    // With a count of 0 there is no data, but a tensor still multiplies the others.
    long nonzero = 1;
    for (long d : dims_)
      if (d != 0 && __builtin_mul_overflow(nonzero, d, &nonzero))
        throw IoError(fmt::format("IDX file '{}' has dimensions {} too large for any tensor", path, shape().str()));
  }

  // Before anything is allocated: an uncompressed file's size must fit the data exactly, the data
  // the limit, and a gzip stream must be long enough to inflate to it.
  template <class What>
  void check_size(std::uint64_t bytes, bool all, const What& what) const {
    const std::string& path = in_->path();
    // An uncompressed file's size is known: the data must fit it, before anything is allocated.
    const std::uint64_t stored_data = in_->stored_size() - std::min<std::uint64_t>(header_, in_->stored_size());
    if (!in_->gzip() && stored_data < bytes)
      throw IoError(
          fmt::format("IDX file '{}' is truncated: {} need {} data bytes, found {}", path, what(), bytes, stored_data));
    if (!in_->gzip() && all && stored_data > bytes)
      throw IoError(
          fmt::format("IDX file '{}' has {} bytes of trailing garbage after the {} data bytes its dimensions {} "
                      "describe",
                      path, stored_data - bytes, bytes, this->shape().str()));
    if (bytes > kMaxElements)
      throw IoError(fmt::format("IDX file '{}' is too large: {} need {} values, more than minnow reads into one tensor "
                                "(2^30 values, 4 GiB as float32)",
                                path, what(), bytes));
    // Deflate makes at most 1032 bytes of one: a stream too short for the data is cut short.
    if (in_->gzip() && bytes / 1032 > in_->stored_size())
      throw IoError(fmt::format("IDX file '{}' is truncated: {} need {} data bytes, but its {} bytes of gzip stream "
                                "cannot inflate to that many",
                                path, what(), bytes, in_->stored_size()));
  }

  // The content must end after the data. A gzip stream is read a few KB further to tell how
  // much follows; more than that and reading stops (a decompression bomb costs no more).
  void expect_end() {
    std::vector<char> extra(kSlack + 1);
    const size_t got = in_->read(extra.data(), extra.size());
    if (got == 0) return;
    const std::string path = in_->path();
    if (got <= kSlack)
      throw IoError(
          fmt::format("IDX file '{}' has {} bytes of trailing garbage after the {} data bytes its dimensions {} "
                      "describe",
                      path, got, data_bytes_, shape().str()));
    throw IoError(fmt::format("IDX file '{}' has more than {} bytes of trailing garbage after the {} data bytes its "
                              "dimensions {} describe: reading stopped there (the file is corrupt, or a "
                              "decompression bomb)",
                              path, kSlack, data_bytes_, shape().str()));
  }

  std::unique_ptr<IdxStream> in_;
  std::vector<long> dims_;
  size_t header_ = 0;
  std::uint64_t data_bytes_ = 1;  // the product of the dimensions
};

IdxReader open_idx(const std::string& path) { return IdxReader(std::make_unique<IdxStream>(StoredBytes(path), path)); }

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

Tensor read_idx(const std::string& path) {
  IdxReader reader = open_idx(path);
  return reader.read(reader.dims()[0], reader.shape(), false);
}

Tensor decode_idx(std::string_view bytes, const std::string& name) {
  IdxReader reader(std::make_unique<IdxStream>(StoredBytes(bytes), name));
  return reader.read(reader.dims()[0], reader.shape(), false);
}

Dataset load_mnist(const std::string& folder, const std::string& split, long limit) {
  if (split != "train" && split != "test")
    throw ConfigError(fmt::format("load_mnist: unknown split '{}'; expected 'train' or 'test'", split));
  if (limit < 0) throw ConfigError(fmt::format("load_mnist: limit must be >= 0 (0 keeps every sample), got {}", limit));
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string images_path = find_idx_file(folder, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_idx_file(folder, prefix + "-labels-idx1-ubyte");
  // The headers first: the shapes and counts are checked before any data is read.
  IdxReader images = open_idx(images_path), labels = open_idx(labels_path);
  const Shape is = images.shape(), ls = labels.shape();
  if (is.rank() != 3)
    throw IoError(fmt::format("IDX file '{}' holds an array of shape {}; images must be (N, rows, columns)",
                              images_path, is.str()));
  if (ls.rank() != 1)
    throw IoError(fmt::format("IDX file '{}' holds an array of shape {}; labels must be (N,)", labels_path, ls.str()));
  if (ls[0] != is[0])
    throw IoError(fmt::format("'{}' holds {} images but '{}' holds {} labels; the counts must be equal", images_path,
                              is[0], labels_path, ls[0]));
  // Only the first n samples are read (with a limit, the rest of each file is never touched).
  const long n = limit > 0 ? std::min(limit, is[0]) : is[0];
  Dataset d;
  d.images = images.read(n, Shape{n, is[1], is[2], 1}, /*scale=*/true);  // NHWC with one channel, in [0, 1]
  d.labels = labels.read(n, Shape{n}, false);
  return d;
}

std::string default_fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

}  // namespace minnow
