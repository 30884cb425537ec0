#include "core/npz.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>

#include <fmt/format.h>

#include "core/error.h"
#include "core/npy.h"

namespace minnow {

namespace {

namespace fs = std::filesystem;

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipArchive = std::unique_ptr<zip_t, ZipDiscard>;
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ZipEntry = std::unique_ptr<zip_file_t, ZipFileClose>;

std::string zip_error_text(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return text;
}

// ---- writing -----------------------------------------------------------------------------

// Two arrays under one key would be two zip entries of one name: refused before anything is written.
void check_unique_keys(const std::vector<NpzArray>& arrays, const std::string& path) {
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < arrays.size(); ++i) {
    const auto [it, inserted] = first.emplace(arrays[i].key, i);
    if (!inserted)
      throw IoError(fmt::format("cannot write weights file '{}': the archive would hold two arrays named '{}' "
                                "(arrays {} and {} of the list); an .npz holds one array per name",
                                path, arrays[i].key, it->second, i));
  }
}

// Writes the .npz archive to `file` (a new file). libzip writes no file for an archive without
// entries, so an empty list gets the empty zip: only the 22-byte end-of-directory record.
void write_npz(const std::vector<NpzArray>& entries, const std::string& file, const std::string& path) {
  if (entries.empty()) {
    std::ofstream out(file, std::ios::binary);
    out << std::string("PK\x05\x06", 4) << std::string(18, '\0');
    if (!out.flush()) throw IoError(fmt::format("cannot write weights file '{}'", path));
    return;
  }
  int code = 0;
  ZipArchive za(zip_open(file.c_str(), ZIP_CREATE | ZIP_EXCL, &code));
  if (!za) throw IoError(fmt::format("cannot write weights file '{}': {}", path, zip_error_text(code)));
  std::vector<std::string> arrays;  // libzip reads the buffers in zip_close: they must outlive it
  arrays.reserve(entries.size());   // (and never move: no reallocation)
  for (const NpzArray& e : entries) {
    arrays.push_back(encode_npy(*e.value));
    zip_source_t* src = zip_source_buffer(za.get(), arrays.back().data(), arrays.back().size(), 0);
    const zip_int64_t index = src ? zip_file_add(za.get(), (e.key + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) zip_source_free(src);
    // Stored, not deflated, as numpy.savez does: float data barely compresses.
    if (index < 0 || zip_set_file_compression(za.get(), zip_uint64_t(index), ZIP_CM_STORE, 0) != 0)
      throw IoError(fmt::format("cannot write weights file '{}': array '{}': {}", path, e.key, zip_strerror(za.get())));
  }
  if (zip_close(za.get()) != 0)
    throw IoError(fmt::format("cannot write weights file '{}': {}", path, zip_strerror(za.get())));
  za.release();  // NOLINT(bugprone-unused-return-value): zip_close freed it, nothing to keep
}

// Flushes a written file to the disk, so that after a power cut the renamed file holds its data.
void sync_to_disk(const std::string& file, const std::string& path) {
  const int fd = ::open(file.c_str(), O_RDONLY);
  const bool ok = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) throw IoError(fmt::format("cannot write weights file '{}': flushing it to disk failed", path));
}

// ---- reading -----------------------------------------------------------------------------

// The name two entries of the archive share, found by listing it without libzip's consistency
// check (which refuses duplicate names as "File already exists"); empty when none do.
std::string duplicate_entry_name(const std::string& path) {
  int code = 0;
  ZipArchive za(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!za) return "";
  std::map<std::string, int> seen;
  const zip_int64_t count = zip_get_num_entries(za.get(), 0);
  for (zip_uint64_t i = 0; i < zip_uint64_t(std::max<zip_int64_t>(count, 0)); ++i)
    if (const char* name = zip_get_name(za.get(), i, 0); name && ++seen[name] == 2) return name;
  return "";
}

// "dense/kernel" for the entry "dense/kernel.npy": numpy.load's keys drop the extension too.
std::string key_of(std::string name) {
  if (name.ends_with(".npy")) name.resize(name.size() - 4);
  return name;
}

[[noreturn]] void throw_duplicate(const std::string& path, const std::string& key, const std::string& entries) {
  throw IoError(fmt::format("weights file '{}' holds two arrays named '{}' ({}): it was written by another tool, "
                            "which stored two arrays under one name, and minnow cannot tell which one is meant. "
                            "Write the file again with one array per name.",
                            path, key, entries));
}

ZipArchive open_npz(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw IoError(fmt::format("weights file '{}' is a folder, not a file", path));
  if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) == 0)  // libzip would read it as an empty archive
    throw IoError(fmt::format("weights file '{}' is empty", path));
  int code = 0;
  if (zip_t* za = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code)) return ZipArchive(za);
  switch (code) {
    case ZIP_ER_NOENT: throw IoError(fmt::format("weights file '{}' does not exist", path));
    case ZIP_ER_NOZIP:
      throw IoError(fmt::format("weights file '{}' is not a zip archive (.npz): it is truncated, corrupt, or "
                                "not a weights file",
                                path));
    case ZIP_ER_INCONS:
      throw IoError(fmt::format("weights file '{}' is a corrupt zip archive ({}): it may be truncated", path,
                                zip_error_text(code)));
    case ZIP_ER_EXISTS:  // two entries of one name
      if (const std::string name = duplicate_entry_name(path); !name.empty())
        throw_duplicate(path, key_of(name), fmt::format("the zip entry '{}' appears twice", name));
      [[fallthrough]];
    default: throw IoError(fmt::format("cannot read weights file '{}': {}", path, zip_error_text(code)));
  }
}

// The largest size deflate can inflate `compressed` bytes to: at best 258 bytes from 2 bits, 1032 to 1.
std::uint64_t max_inflated_size(std::uint64_t compressed) {
  return compressed > (std::numeric_limits<std::uint64_t>::max() - 64) / 1032
             ? std::numeric_limits<std::uint64_t>::max()
             : 1032 * compressed + 64;
}

// The array in entry i, read as its .npy header says (read_npy): its size in the zip directory
// must fit the header's shape before any data is read, and the entry must end where the directory
// says it does, so a forged or inconsistent entry costs no more than the array it declares. The
// CRC is checked at the entry's end.
Tensor read_entry(zip_t* za, zip_uint64_t i, const std::string& context) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    throw IoError(fmt::format("{}: cannot read its size: {}", context, zip_strerror(za)));
  const bool sizes_known = (st.valid & ZIP_STAT_COMP_SIZE) && (st.valid & ZIP_STAT_COMP_METHOD);
  if (sizes_known && st.comp_method == ZIP_CM_STORE && st.comp_size != st.size)
    throw IoError(fmt::format("{}: the zip entry is corrupt: it is stored uncompressed, yet the zip directory gives "
                              "it {} bytes stored and {} bytes in all",
                              context, st.comp_size, st.size));
  if (sizes_known && st.comp_method == ZIP_CM_DEFLATE && st.size > max_inflated_size(st.comp_size))
    throw IoError(
        fmt::format("{}: the zip entry is corrupt: the zip directory says its {} deflated bytes inflate to {} "
                    "bytes, more than deflate can make of them (1032 to 1)",
                    context, st.comp_size, st.size));
  ZipEntry f(zip_fopen_index(za, i, 0));
  if (!f) throw IoError(fmt::format("{}: cannot open it: {}", context, zip_strerror(za)));
  const ByteSource source = [&](char* buffer, size_t n) {
    const zip_int64_t got = zip_fread(f.get(), buffer, n);
    if (got < 0) throw IoError(fmt::format("{}: the zip entry is corrupt: {}", context, zip_file_strerror(f.get())));
    return size_t(got);
  };
  return read_npy(source, st.size, context);
}

}  // namespace

void save_npz(const std::vector<NpzArray>& arrays, const std::string& path) {
  check_unique_keys(arrays, path);
  const std::string temporary = fmt::format("{}.tmp-{:08x}", path, std::random_device{}());  // same folder
  try {
    write_npz(arrays, temporary, path);
    sync_to_disk(temporary, path);
    // rename is atomic: readers see the old file, whole, until they see the new one, whole.
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) throw IoError(fmt::format("cannot write weights file '{}': {}", path, ec.message()));
  } catch (...) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw;
  }
}

struct NpzReader::Impl {
  std::string path;
  ZipArchive za;
  std::map<std::string, zip_uint64_t> index;  // key ("dense/kernel") -> entry index
  std::vector<std::string> keys;              // in file order
  std::vector<std::string> names;             // the entries' names, by index
};

NpzReader::NpzReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->za = open_npz(path);
  zip_t* za = impl_->za.get();
  const zip_int64_t count = zip_get_num_entries(za, 0);
  for (zip_uint64_t i = 0; i < zip_uint64_t(std::max<zip_int64_t>(count, 0)); ++i) {
    const char* name = zip_get_name(za, i, 0);
    if (!name) throw IoError(fmt::format("weights file '{}': cannot read entry {}: {}", path, i, zip_strerror(za)));
    impl_->names.emplace_back(name);
    const std::string key = key_of(name);
    if (const auto [it, inserted] = impl_->index.emplace(key, i); !inserted)
      throw_duplicate(path, key, fmt::format("the zip entries '{}' and '{}'", impl_->names.at(it->second), name));
    impl_->keys.push_back(key);
  }
}

NpzReader::~NpzReader() = default;

const std::string& NpzReader::path() const { return impl_->path; }
const std::vector<std::string>& NpzReader::keys() const { return impl_->keys; }
bool NpzReader::contains(const std::string& key) const { return impl_->index.count(key) > 0; }

Tensor NpzReader::read(const std::string& key) const {
  const std::string context = fmt::format("weights file '{}': array '{}'", impl_->path, key);
  const auto it = impl_->index.find(key);
  if (it == impl_->index.end()) throw IoError(fmt::format("{}: there is no such array", context));
  return read_entry(impl_->za.get(), it->second, context);
}

}  // namespace minnow
