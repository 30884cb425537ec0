// Helpers for the file tests: a scratch folder, whole-file reads and writes, and files made by
// hand byte by byte (.npy arrays, zip archives, IDX files, gzip streams).
#pragma once

#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace minnow::testing {

// A fresh empty folder under the system's temporary folder, removed with everything in it when
// the object goes out of scope.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              fmt::format("minnow-test-{:08x}{:08x}", std::random_device{}(), std::random_device{}())) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // The names of the entries in the folder, sorted.
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

// ---- .npy arrays and .npz (zip) archives ----

// An .npy array made by hand: magic, version, header length, the header dict padded with
// spaces and a '\n' to a multiple of 64 bytes, then the data.
inline std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
  const size_t length_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((8 + length_bytes + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(major);
  out += '\0';
  for (size_t k = 0; k < length_bytes; ++k) out += char((header.size() >> (8 * k)) & 0xff);
  return out + header + data;
}

// The float32 bytes of `values` in the machine's order (little-endian here: the tests check it).
inline std::string float_bytes(const std::vector<float>& values) {
  std::string bytes(4 * values.size(), '\0');
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// A zip archive's entries (name, bytes), in archive order.
using ZipEntries = std::vector<std::pair<std::string, std::string>>;

// The entries of the zip archive at `path`, read with libzip; every entry must be stored (not
// deflated), as numpy.savez and save_weights write them.
inline ZipEntries read_zip(const std::string& path) {
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  REQUIRE(za != nullptr);
  ZipEntries entries;
  for (zip_uint64_t i = 0; i < zip_uint64_t(zip_get_num_entries(za, 0)); ++i) {
    zip_stat_t st;
    REQUIRE(zip_stat_index(za, i, 0, &st) == 0);
    CHECK(st.comp_method == ZIP_CM_STORE);
    std::string bytes(st.size, '\0');
    zip_file_t* f = zip_fopen_index(za, i, 0);
    REQUIRE(f != nullptr);
    REQUIRE(zip_fread(f, bytes.data(), st.size) == zip_int64_t(st.size));
    zip_fclose(f);
    entries.emplace_back(st.name, bytes);
  }
  zip_discard(za);
  return entries;
}

// Writes the entries as a new zip archive (deflated, as numpy.savez_compressed does).
inline void write_zip(const std::string& path, const ZipEntries& entries) {
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(za != nullptr);
  for (const auto& [name, bytes] : entries) {
    zip_source_t* src = zip_source_buffer(za, bytes.data(), bytes.size(), 0);
    REQUIRE(zip_file_add(za, name.c_str(), src, 0) >= 0);
  }
  REQUIRE(zip_close(za) == 0);
}

// ---- IDX files and gzip ----

// An IDX file made by hand: 0, 0, type, rank, the big-endian uint32 dimensions, then the data.
inline std::string idx_bytes(const std::vector<std::uint32_t>& dims, const std::string& data,
                             unsigned char type = 0x08) {
  std::string out = {'\0', '\0', char(type), char(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) out += char((d >> shift) & 0xff);
  return out + data;
}

// n bytes 0, 7, 14, ... (mod 256).
inline std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = char((7 * i) % 256);
  return s;
}

// Writes `bytes` gzip-compressed, with zlib's gzip file interface.
inline void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), unsigned(bytes.size())) == int(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

}  // namespace minnow::testing
