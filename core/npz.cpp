#include "core/npz.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
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
    default: throw IoError(fmt::format("cannot read weights file '{}': {}", path, zip_error_text(code)));
  }
}

// The bytes of entry i, with the CRC checked.
std::string read_entry(zip_t* za, zip_uint64_t i, const std::string& context) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    throw IoError(fmt::format("{}: cannot read its size: {}", context, zip_strerror(za)));
  ZipEntry f(zip_fopen_index(za, i, 0));
  if (!f) throw IoError(fmt::format("{}: cannot open it: {}", context, zip_strerror(za)));
  // Read to the end, where libzip checks the CRC, in chunks: a forged size cannot make us allocate.
  std::string bytes;
  bytes.reserve(std::min<zip_uint64_t>(st.size, zip_uint64_t(1) << 26));
  char chunk[1 << 16];
  zip_int64_t n = 0;
  while ((n = zip_fread(f.get(), chunk, sizeof chunk)) > 0) bytes.append(chunk, size_t(n));
  if (n < 0) throw IoError(fmt::format("{}: the zip entry is corrupt: {}", context, zip_file_strerror(f.get())));
  if (bytes.size() != st.size)
    throw IoError(fmt::format("{}: the zip entry is corrupt: it holds {} bytes, but the zip directory says {}", context,
                              bytes.size(), st.size));
  return bytes;
}

}  // namespace

void save_npz(const std::vector<NpzArray>& arrays, const std::string& path) {
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
};

NpzReader::NpzReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->za = open_npz(path);
  zip_t* za = impl_->za.get();
  const zip_int64_t count = zip_get_num_entries(za, 0);
  for (zip_uint64_t i = 0; i < zip_uint64_t(std::max<zip_int64_t>(count, 0)); ++i) {
    const char* name = zip_get_name(za, i, 0);
    if (!name) throw IoError(fmt::format("weights file '{}': cannot read entry {}: {}", path, i, zip_strerror(za)));
    std::string key = name;
    if (key.ends_with(".npy")) key.resize(key.size() - 4);  // numpy.load's keys drop it too
    if (!impl_->index.emplace(key, i).second)
      throw IoError(fmt::format("weights file '{}' holds array '{}' twice", path, key));
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
  return decode_npy(read_entry(impl_->za.get(), it->second, context), context);
}

}  // namespace minnow
