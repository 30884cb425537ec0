#include "io/npy.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kAlign = 64;                     // numpy pads the header so that the data starts 64-byte aligned
constexpr size_t kMaxHeader = size_t(1) << 16;    // numpy itself reads headers of up to 10,000 bytes
constexpr size_t kMaxElements = size_t(1) << 30;  // per array: 4 GiB of float32
constexpr size_t kChunk = size_t(1) << 16;        // the data is read 64 KiB at a time

// Float32 <-> 4 little-endian bytes, whatever the machine's byte order.
void put_f32_le(float v, char* out) {
  const auto u = std::bit_cast<std::uint32_t>(v);
  for (int k = 0; k < 4; ++k) out[k] = static_cast<char>((u >> (8 * k)) & 0xffu);
}

float get_f32_le(const char* in) {
  std::uint32_t u = 0;
  for (int k = 0; k < 4; ++k) u |= std::uint32_t(static_cast<unsigned char>(in[k])) << (8 * k);
  return std::bit_cast<float>(u);
}

std::uint32_t get_uint_le(std::string_view bytes, size_t at, int n) {
  std::uint32_t u = 0;
  for (int k = 0; k < n; ++k) u |= std::uint32_t(static_cast<unsigned char>(bytes[at + size_t(k)])) << (8 * k);
  return u;
}

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<long> shape;
};

// Reads the header's Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3,), }
// in any key order and spacing. Every syntax error throws IoError with the header text.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& context) : s_(text), context_(context) {}

  NpyHeader parse() {
    NpyHeader h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!accept('}')) {
      const std::string key = parse_string();
      expect(':');
      bool* seen = key == "descr"           ? &seen_descr
                   : key == "fortran_order" ? &seen_order
                   : key == "shape"         ? &seen_shape
                                            : nullptr;
      if (!seen) fail(fmt::format("unexpected key '{}'", key));
      if (*seen) fail(fmt::format("key '{}' appears twice", key));
      *seen = true;
      if (key == "descr") h.descr = parse_string();
      if (key == "fortran_order") h.fortran_order = parse_bool();
      if (key == "shape") h.shape = parse_shape();
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    skip_spaces();
    if (i_ != s_.size()) fail("unexpected text after the closing '}'");
    if (!seen_descr || !seen_order || !seen_shape) fail("the keys 'descr', 'fortran_order' and 'shape' are required");
    return h;
  }

 private:
  void skip_spaces() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  // Skips spaces, then consumes c if it comes next.
  bool accept(char c) {
    skip_spaces();
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  void expect(char c) {
    if (!accept(c)) fail(fmt::format("expected '{}' at offset {}", c, i_));
  }

  std::string parse_string() {
    skip_spaces();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"'))
      fail(fmt::format("expected a quoted string at offset {}", i_));
    const char quote = s_[i_++];
    const size_t end = s_.find(quote, i_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string out(s_.substr(i_, end - i_));
    i_ = end + 1;
    return out;
  }

  bool parse_bool() {
    skip_spaces();
    for (const std::string_view word : {"True", "False"}) {
      if (s_.substr(i_, word.size()) == word) {
        i_ += word.size();
        return word == "True";
      }
    }
    fail(fmt::format("expected True or False at offset {}", i_));
  }

  // A tuple of non-negative integers: (), (50,), (30, 50).
  std::vector<long> parse_shape() {
    expect('(');
    std::vector<long> dims;
    bool trailing_comma = false;
    while (!accept(')')) {
      dims.push_back(parse_dim());
      trailing_comma = accept(',');
      if (!trailing_comma) {
        expect(')');
        break;
      }
    }
    if (dims.size() == 1 && !trailing_comma) fail("the shape is not a tuple: a 1-D shape is written (n,)");
    return dims;
  }

  long parse_dim() {
    skip_spaces();
    if (i_ < s_.size() && s_[i_] == '-') fail("the shape has a negative dimension");
    if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') fail(fmt::format("expected a dimension at offset {}", i_));
    long d = 0;
    for (; i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; ++i_) {
      const long digit = s_[i_] - '0';
      if (d > (std::numeric_limits<long>::max() - digit) / 10) fail("a dimension of the shape is too large");
      d = d * 10 + digit;
    }
    if (i_ < s_.size() && s_[i_] == 'L') ++i_;  // Python 2 wrote long integers as 30L
    return d;
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw IoError(
        fmt::format("{}: malformed .npy header: {}; the header reads \"{}\"", context_, what, s_.substr(0, 200)));
  }

  std::string_view s_;
  size_t i_ = 0;
  const std::string& context_;
};

}  // namespace

std::string encode_npy(const Tensor& t) {
  std::string header = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': {}, }}", t.shape().str());
  const size_t unpadded = kMagic.size() + 4 + header.size() + 1;  // + version, length, '\n'
  header.append((kAlign - unpadded % kAlign) % kAlign, ' ');
  header += '\n';
  const size_t n = static_cast<size_t>(t.size());
  std::string out;
  out.reserve(kMagic.size() + 4 + header.size() + 4 * n);
  out += kMagic;
  out += {'\x01', '\x00', static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
  out += header;
  out.resize(out.size() + 4 * n);
  char* data = out.data() + (out.size() - 4 * n);
  for (size_t i = 0; i < n; ++i) put_f32_le(t.data()[i], data + 4 * i);
  return out;
}

namespace {

// One .npy array read from a stream that declares `size` bytes: never more than that is pulled,
// and every step fails at once with the context's name.
class NpyStream {
 public:
  NpyStream(const ByteSource& source, std::uint64_t size, const std::string& context)
      : source_(source), size_(size), context_(context) {}

  // The magic, the version and the header's length; returns where the header starts.
  size_t read_lead() {
    const size_t lead_size = size_t(std::min<std::uint64_t>(size_, 10));
    const size_t got = pull(lead_, lead_size);
    const std::string_view bytes(lead_, got);
    if (got < 10 || bytes.substr(0, kMagic.size()) != kMagic) {
      if (got < lead_size) throw ended_early();
      throw IoError(fmt::format("{}: not an .npy array (it does not start with the bytes \\x93NUMPY)", context_));
    }
    const int major = static_cast<unsigned char>(bytes[6]), minor = static_cast<unsigned char>(bytes[7]);
    if (major < 1 || major > 3)
      throw IoError(
          fmt::format("{}: .npy format version {}.{} is not supported (1.0, 2.0 and 3.0 are)", context_, major, minor));
    const size_t len_bytes = major == 1 ? 2 : 4;  // 2.0 and 3.0 widen the header length to uint32
    const size_t start = kMagic.size() + 2 + len_bytes;
    if (len_bytes == 4 && (size_ < start || pull(lead_ + 10, 2) < 2)) {
      if (size_ >= start) throw ended_early();
      throw cut_short();
    }
    header_len_ = get_uint_le(std::string_view(lead_, start), 8, int(len_bytes));
    return start;
  }

  // The header's dictionary, checked: float32 little-endian, C order.
  NpyHeader read_header(size_t start) {
    if (size_ - start < header_len_) throw cut_short();
    if (header_len_ > kMaxHeader)
      throw IoError(fmt::format("{}: the .npy header says it is {} bytes long; minnow reads headers of up to {} bytes "
                                "(numpy writes about 100 for a float32 array)",
                                context_, header_len_, kMaxHeader));
    std::string header(header_len_, '\0');
    if (pull(header.data(), header_len_) < header_len_) throw ended_early();
    NpyHeader h = HeaderParser(header, context_).parse();
    if (h.descr != "<f4")
      throw IoError(fmt::format("{}: dtype '{}' is not supported; minnow reads float32 little-endian ('<f4'). "
                                "Convert the array in Python with a.astype('<f4').",
                                context_, h.descr));
    if (h.fortran_order)
      throw IoError(fmt::format("{}: the array is in Fortran (column-major) order; minnow reads C order. "
                                "Save np.ascontiguousarray(a) instead.",
                                context_));
    return h;
  }

  // The number of values of `shape`, checked against the limits and the bytes left after the header.
  size_t count_values(const std::vector<long>& dims, size_t start) const {
    const Shape shape(dims);
    size_t nonzero = 1;  // the product of the non-zero dimensions: no product of dimensions may overflow
    for (long d : dims) {
      if (d > 0 && nonzero > std::numeric_limits<size_t>::max() / 4 / static_cast<size_t>(d))
        throw IoError(fmt::format("{}: shape {} is too large for any array", context_, shape.str()));
      if (d > 0) nonzero *= static_cast<size_t>(d);
    }
    const size_t n = std::find(dims.begin(), dims.end(), 0L) != dims.end() ? 0 : nonzero;
    if (n > kMaxElements)
      throw IoError(fmt::format("{}: shape {} is too large: {} elements ({} bytes of float32), more than minnow reads "
                                "into one tensor (2^30 elements, 4 GiB)",
                                context_, shape.str(), n, 4 * n));
    const std::uint64_t data_bytes = size_ - start - header_len_;
    if (4 * n != data_bytes)
      throw IoError(fmt::format("{}: shape {} needs {} bytes of float32 data, but the array holds {}", context_,
                                shape.str(), 4 * n, data_bytes));
    return n;
  }

  // The data, no more than the shape needs; then the stream must end.
  Tensor read_data(const Shape& shape, size_t n, size_t start) {
    Tensor t(shape);
    std::vector<char> chunk(std::min<size_t>(4 * n, kChunk));
    for (size_t done = 0; done < n;) {
      const size_t count = std::min(n - done, chunk.size() / 4);
      if (pull(chunk.data(), 4 * count) < 4 * count) throw ended_early();
      for (size_t i = 0; i < count; ++i) t.data()[done + i] = get_f32_le(chunk.data() + 4 * i);
      done += count;
    }
    char extra = 0;  // one byte more is asked for (a zip entry checks its CRC at its end)
    if (source_(&extra, 1) > 0)
      throw IoError(fmt::format("{}: the array runs past the {} bytes its size declares (a {}-byte .npy header and {} "
                                "bytes of data for shape {}): more bytes follow, and reading stopped there. The file "
                                "is corrupt, or a decompression bomb.",
                                context_, size_, start + header_len_, 4 * n, shape.str()));
    return t;
  }

 private:
  // Up to n bytes into out, as many as the stream has; fewer only at its end.
  size_t pull(char* out, size_t n) {
    size_t got = 0;
    while (got < n) {
      const size_t k = source_(out + got, n - got);
      if (k == 0) break;
      got += k;
    }
    consumed_ += got;
    return got;
  }
  IoError ended_early() const {
    return IoError(fmt::format("{}: the array ends after {} bytes, before the {} bytes its size declares: it is "
                               "truncated or corrupt",
                               context_, consumed_, size_));
  }
  IoError cut_short() const {
    return IoError(
        fmt::format("{}: the .npy header is cut short: the array holds only {} bytes (truncated?)", context_, size_));
  }

  const ByteSource& source_;
  std::uint64_t size_;
  const std::string& context_;
  std::uint64_t consumed_ = 0;  // bytes taken from the stream so far
  char lead_[12] = {};
  size_t header_len_ = 0;
};

}  // namespace

Tensor read_npy(const ByteSource& source, std::uint64_t size, const std::string& context) {
  NpyStream in(source, size, context);
  const size_t start = in.read_lead();
  const NpyHeader h = in.read_header(start);
  const size_t n = in.count_values(h.shape, start);
  return in.read_data(Shape(h.shape), n, start);  // the size fits the shape: now the data
}

Tensor decode_npy(std::string_view bytes, const std::string& context) {
  size_t at = 0;
  const ByteSource source = [&](char* out, size_t n) {
    const size_t k = std::min(n, bytes.size() - at);
    std::copy_n(bytes.data() + at, k, out);
    at += k;
    return k;
  };
  return read_npy(source, bytes.size(), context);
}

}  // namespace minnow
