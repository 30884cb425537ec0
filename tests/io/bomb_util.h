// Helpers for the decompression-bomb tests: small files that inflate to far more than their
// header declares, and surgery on zip archives (an entry's declared size, its name, the end of
// its compressed data), done byte by byte as the zip format (PKWARE's APPNOTE) lays them out.
//
// A bomb's compressed data can be spoiled at its end: a reader that stops where the header says
// never gets there and reports the size it was promised, while a reader that inflates everything
// runs into the damage first and reports that instead. The message thus tells which one it was.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>

#include "io/io_test_util.h"

namespace minnow::testing {

// Writes a gzip file: `head`, then `zeros` zero bytes (given 1 MiB at a time, never held whole).
inline void write_gz_bomb(const std::string& path, const std::string& head, std::uint64_t zeros) {
  gzFile f = gzopen(path.c_str(), "wb9");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, head.data(), unsigned(head.size())) == int(head.size()));
  const std::string block(size_t(1) << 20, '\0');
  for (std::uint64_t left = zeros; left > 0;) {
    const unsigned n = unsigned(std::min<std::uint64_t>(left, block.size()));
    REQUIRE(gzwrite(f, block.data(), n) == int(n));
    left -= n;
  }
  REQUIRE(gzclose(f) == Z_OK);
}

inline std::uint32_t get_le(const std::string& b, size_t at, int n) {
  std::uint32_t v = 0;
  for (int k = 0; k < n; ++k) v |= std::uint32_t(static_cast<unsigned char>(b.at(at + size_t(k)))) << (8 * k);
  return v;
}

inline void put_le32(std::string& b, size_t at, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) b.at(at + size_t(k)) = char((v >> (8 * k)) & 0xff);
}

// Where an entry of a zip archive (no zip64, no archive comment) sits in its bytes.
struct ZipEntryAt {
  size_t central = 0;  // its central directory record ("PK\1\2")
  size_t local = 0;    // its local header ("PK\3\4")
  size_t data = 0;     // its compressed data
  std::uint32_t compressed_size = 0;
};

// The entries named `name`, in the order of the central directory.
inline std::vector<ZipEntryAt> find_zip_entries(const std::string& zip, const std::string& name) {
  REQUIRE(zip.size() >= 22);
  const size_t end = zip.size() - 22;  // the end-of-central-directory record
  REQUIRE(get_le(zip, end, 4) == 0x06054b50u);
  const std::uint32_t count = get_le(zip, end + 10, 2);
  size_t at = get_le(zip, end + 16, 4);
  std::vector<ZipEntryAt> found;
  for (std::uint32_t i = 0; i < count; ++i) {
    REQUIRE(get_le(zip, at, 4) == 0x02014b50u);
    const size_t name_len = get_le(zip, at + 28, 2), extra_len = get_le(zip, at + 30, 2),
                 comment_len = get_le(zip, at + 32, 2);
    if (zip.substr(at + 46, name_len) == name) {
      ZipEntryAt e;
      e.central = at;
      e.local = get_le(zip, at + 42, 4);
      e.compressed_size = get_le(zip, at + 20, 4);
      REQUIRE(get_le(zip, e.local, 4) == 0x04034b50u);
      e.data = e.local + 30 + get_le(zip, e.local + 26, 2) + get_le(zip, e.local + 28, 2);
      found.push_back(e);
    }
    at += 46 + name_len + extra_len + comment_len;
  }
  return found;
}

inline ZipEntryAt find_zip_entry(const std::string& zip, const std::string& name) {
  const std::vector<ZipEntryAt> found = find_zip_entries(zip, name);
  REQUIRE(found.size() == 1);
  return found.front();
}

// Sets the uncompressed size the archive declares for entry `name`, in its local header and in the
// central directory alike (so that the archive stays consistent, as libzip's ZIP_CHECKCONS checks).
inline void set_declared_size(std::string& zip, const std::string& name, std::uint32_t size) {
  const ZipEntryAt e = find_zip_entry(zip, name);
  put_le32(zip, e.local + 22, size);
  put_le32(zip, e.central + 24, size);
}

// Overwrites the last `n` bytes of entry `name`'s compressed data with 0xff (in deflate, a block
// of the reserved type 3 wherever a block starts): inflating that far fails, or at least the CRC does.
inline void spoil_end_of_data(std::string& zip, const std::string& name, size_t n) {
  const ZipEntryAt e = find_zip_entry(zip, name);
  REQUIRE(e.compressed_size > n);
  for (size_t i = e.data + e.compressed_size - n; i < e.data + e.compressed_size; ++i) zip[i] = '\xff';
}

// Renames entry `from` to `to` (of the same length) in the local header and the central directory.
inline void rename_zip_entry(std::string& zip, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  const ZipEntryAt e = find_zip_entry(zip, from);
  zip.replace(e.local + 30, from.size(), to);
  zip.replace(e.central + 46, from.size(), to);
}

// The message of the E that f throws (the test fails when it throws nothing, or something else).
template <class E, class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  FAIL("no exception of the expected type was thrown");
  return "";
}

}  // namespace minnow::testing
