#include "core/weights_io.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
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

// One weight of the model and its key in the file: "<layer name>/<weight name>".
struct WeightEntry {
  std::string key;
  const Layer* layer;
  Parameter* param;
};

std::vector<WeightEntry> entries_of(const Model& model) {
  std::vector<WeightEntry> out;
  for (const auto& layer : model.layers())
    for (Parameter* p : layer->weights()) out.push_back({layer->name() + "/" + p->name, layer.get(), p});
  return out;
}

std::string zip_error_text(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return text;
}

// ---- saving ------------------------------------------------------------------------------

// Writes the .npz archive to `file` (a new file). libzip writes no file for an archive without
// entries, so a model without weights gets the empty zip: only the 22-byte end-of-directory record.
void write_npz(const std::vector<WeightEntry>& entries, const std::string& file, const std::string& path) {
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
  for (const WeightEntry& e : entries) {
    arrays.push_back(encode_npy(e.param->value));
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

}  // namespace

void save_weights(const Model& model, const std::string& path) {
  const std::vector<WeightEntry> entries = entries_of(model);
  const std::string temporary = fmt::format("{}.tmp-{:08x}", path, std::random_device{}());  // same folder
  try {
    write_npz(entries, temporary, path);
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

// ---- loading -----------------------------------------------------------------------------

namespace {

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
      throw IoError(
          fmt::format("weights file '{}' is not a zip archive (.npz): it is truncated, corrupt, or "
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

// The file's arrays: key ("dense/kernel") -> entry index, and the keys in file order.
struct FileArrays {
  std::map<std::string, zip_uint64_t> index;
  std::vector<std::string> keys;
};

FileArrays list_arrays(zip_t* za, const std::string& path) {
  FileArrays arrays;
  const zip_int64_t count = zip_get_num_entries(za, 0);
  for (zip_uint64_t i = 0; i < zip_uint64_t(std::max<zip_int64_t>(count, 0)); ++i) {
    const char* name = zip_get_name(za, i, 0);
    if (!name) throw IoError(fmt::format("weights file '{}': cannot read entry {}: {}", path, i, zip_strerror(za)));
    std::string key = name;
    if (key.ends_with(".npy")) key.resize(key.size() - 4);  // numpy.load's keys drop it too
    if (!arrays.index.emplace(key, i).second)
      throw IoError(fmt::format("weights file '{}' holds array '{}' twice", path, key));
    arrays.keys.push_back(key);
  }
  return arrays;
}

// "dense, batch_normalization": the layers the file's keys name, in file order.
std::string layers_in_file(const std::vector<std::string>& keys) {
  std::vector<std::string> layers;
  for (const std::string& k : keys) {
    const std::string layer = k.substr(0, k.find('/'));
    if (std::find(layers.begin(), layers.end(), layer) == layers.end()) layers.push_back(layer);
  }
  return layers.empty() ? "(none)" : fmt::format("{}", fmt::join(layers, ", "));
}

}  // namespace

void load_weights(Model& model, const std::string& path) {
  ZipArchive za = open_npz(path);
  FileArrays arrays = list_arrays(za.get(), path);

  // Read and check everything before touching the model.
  const std::vector<WeightEntry> entries = entries_of(model);
  std::vector<Tensor> values;
  values.reserve(entries.size());
  for (const WeightEntry& e : entries) {
    const Shape& expected = e.param->value.shape();
    const auto it = arrays.index.find(e.key);
    if (it == arrays.index.end())
      throw IoError(
          fmt::format("weights file '{}' has no array '{}' (layer '{}', weight '{}' of shape {}); the file "
                      "holds arrays of the layers {}. Was it saved from a model of another architecture? "
                      "(Layer names come from per-session counters: name the layers, or build the model in "
                      "a fresh session.)",
                      path, e.key, e.layer->name(), e.param->name, expected.str(), layers_in_file(arrays.keys)));
    const std::string context = fmt::format("weights file '{}': array '{}'", path, e.key);
    Tensor t = decode_npy(read_entry(za.get(), it->second, context), context);
    if (t.shape() != expected)
      throw IoError(
          fmt::format("weights file '{}': layer '{}' expects weight '{}' of shape {}, but array '{}' has shape "
                      "{}. Was it saved from a model of another architecture?",
                      path, e.layer->name(), e.param->name, expected.str(), e.key, t.shape().str()));
    values.push_back(std::move(t));
    arrays.index.erase(it);  // what remains at the end is extra
  }
  for (const std::string& key : arrays.keys)
    if (arrays.index.count(key))
      throw IoError(
          fmt::format("weights file '{}' holds array '{}' of layer '{}', which model '{}' does not have. Was it "
                      "saved from a model of another architecture?",
                      path, key, key.substr(0, key.find('/')), model.name()));

  // Everything is valid: assign (same shapes, so the tensors keep their storage).
  for (size_t i = 0; i < entries.size(); ++i)
    std::copy(values[i].values().begin(), values[i].values().end(), entries[i].param->value.values().begin());
}

}  // namespace minnow
