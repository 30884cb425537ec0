#include "io/npz.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <random>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "core/error.h"
#include "io/npy.h"

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

struct ZipSourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
using ZipSource = std::unique_ptr<zip_source_t, ZipSourceFree>;

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

void write_all(int fd, const char* data, size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t k = ::write(fd, data, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0)
      throw IoError(fmt::format("cannot write weights file '{}': {}", path, k < 0 ? std::strerror(errno) : "no space"));
    data += k;
    n -= size_t(k);
  }
}

// Copies the archive built in memory into the file `fd`, 64 KiB at a time.
void copy_out(zip_source_t* archive, int fd, const std::string& path) {
  if (zip_source_open(archive) != 0)
    throw IoError(
        fmt::format("cannot write weights file '{}': {}", path, zip_error_strerror(zip_source_error(archive))));
  std::vector<char> chunk(size_t(1) << 16);
  zip_int64_t n = 0;
  while ((n = zip_source_read(archive, chunk.data(), chunk.size())) > 0) {
    try {
      write_all(fd, chunk.data(), size_t(n), path);
    } catch (...) {
      zip_source_close(archive);
      throw;
    }
  }
  const std::string reason = n < 0 ? zip_error_strerror(zip_source_error(archive)) : "";
  zip_source_close(archive);
  if (n < 0) throw IoError(fmt::format("cannot write weights file '{}': {}", path, reason));
}

// Writes the .npz archive to the open file `fd`. libzip builds it in memory (so that the only file
// is the temporary one save_npz owns and locks), then it is copied out 64 KiB at a time. libzip
// writes nothing for an archive without entries, so an empty list gets the empty zip: only the
// 22-byte end-of-directory record.
void write_npz(const std::vector<NpzArray>& entries, int fd, const std::string& path) {
  if (entries.empty()) {
    const std::string empty_zip = std::string("PK\x05\x06", 4) + std::string(18, '\0');
    write_all(fd, empty_zip.data(), empty_zip.size(), path);
    return;
  }
  zip_error_t error;
  zip_error_init(&error);
  ZipSource archive(zip_source_buffer_create(nullptr, 0, 0, &error));
  ZipArchive za(archive ? zip_open_from_source(archive.get(), ZIP_TRUNCATE, &error) : nullptr);
  if (!za) {
    const std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw IoError(fmt::format("cannot write weights file '{}': {}", path, reason));
  }
  zip_error_fini(&error);
  zip_source_keep(archive.get());   // the archive's bytes outlive zip_close: both za and `archive` own the source
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
  arrays.clear();

  copy_out(archive.get(), fd, path);
}

// The temporary file of a save of `path`, beside it: "<path>.tmp-" and 8 lowercase hex digits,
// created new and locked (flock) for as long as it is open. The lock marks a save in progress:
// remove_stale_temporaries removes only temporaries nobody holds locked, which the operating
// system guarantees of a writer that died (a crash, a kill, SIGXFSZ).
struct Temporary {
  std::string name;
  int fd = -1;
};

Temporary create_temporary(const std::string& path) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string name = fmt::format("{}.tmp-{:08x}", path, std::random_device{}());  // same folder
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) throw IoError(fmt::format("cannot write weights file '{}': {}", path, std::strerror(errno)));
    // Locked (where the file system has no locks, unlocked), and still under its name: another
    // save's clean-up may have removed it between the open and the lock. Then try another name.
    const bool lock_taken = ::flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK;
    struct stat by_fd = {}, by_name = {};
    if (lock_taken && ::fstat(fd, &by_fd) == 0 && ::lstat(name.c_str(), &by_name) == 0 &&
        by_fd.st_dev == by_name.st_dev && by_fd.st_ino == by_name.st_ino)
      return {std::move(name), fd};
    ::close(fd);
  }
  throw IoError(fmt::format("cannot write weights file '{}': no temporary file could be created beside it", path));
}

bool all_of_class(std::string_view s, bool (*in_class)(char)) { return std::all_of(s.begin(), s.end(), in_class); }

// True when `name` is the name of a temporary file of a save of the file named `target`:
// "<target>.tmp-" and 8 lowercase hex digits (save_npz's), or that followed by "." and 6 letters
// or digits (the temporary libzip wrote beside it when minnow let libzip write the file itself).
bool is_temporary_of(std::string_view name, std::string_view target) {
  const std::string prefix = std::string(target) + ".tmp-";
  if (!name.starts_with(prefix)) return false;
  const std::string_view rest = name.substr(prefix.size());
  const auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  const auto alnum = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (rest.size() != 8 && rest.size() != 15) return false;
  if (!all_of_class(rest.substr(0, 8), hex)) return false;
  return rest.size() == 8 || (rest[8] == '.' && all_of_class(rest.substr(9), alnum));
}

// Removes the temporaries of earlier saves of `path` that were killed before they could remove
// their own (is_temporary_of), leaving those a running save holds locked. Best effort: a file
// that cannot be opened, locked or removed is left as it is, and nothing else is ever touched.
void remove_stale_temporaries(const std::string& path) {
  const fs::path target(path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string target_name = target.filename().string();
  std::vector<std::string> candidates;  // listed first: the folder is not changed while it is read
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (is_temporary_of(it->path().filename().string(), target_name)) candidates.push_back(it->path().string());
  for (const std::string& file : candidates) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat by_fd = {}, by_name = {};
    if (::fstat(fd, &by_fd) == 0 && S_ISREG(by_fd.st_mode) && ::flock(fd, LOCK_EX | LOCK_NB) == 0 &&
        ::lstat(file.c_str(), &by_name) == 0 && by_fd.st_dev == by_name.st_dev && by_fd.st_ino == by_name.st_ino)
      ::unlink(file.c_str());
    ::close(fd);
  }
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
  const Temporary temporary = create_temporary(path);
  try {
    write_npz(arrays, temporary.fd, path);
    // Flushed to the disk, so that after a power cut the renamed file holds its data.
    if (::fsync(temporary.fd) != 0)
      throw IoError(
          fmt::format("cannot write weights file '{}': flushing it to disk failed: {}", path, std::strerror(errno)));
    // rename is atomic: readers see the old file, whole, until they see the new one, whole.
    std::error_code ec;
    fs::rename(temporary.name, path, ec);
    if (ec) throw IoError(fmt::format("cannot write weights file '{}': {}", path, ec.message()));
  } catch (...) {
    ::unlink(temporary.name.c_str());
    ::close(temporary.fd);
    throw;
  }
  ::close(temporary.fd);  // releases the lock
  remove_stale_temporaries(path);
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
