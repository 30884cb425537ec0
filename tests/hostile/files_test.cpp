// Hostile files: weight files (.npz) that do not fit the model or are damaged, and IDX datasets with
// bad magic numbers, wrong counts or cut short. Each is an IoError naming the file and what is
// wrong; load_weights leaves every weight of the model byte-identical.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <sys/resource.h>
#include <sys/wait.h>

#include "hostile/hostile_util.h"
#include "io/bomb_util.h"
#include "io/io_test_util.h"

using namespace minnow;
using namespace minnow::testing;
using namespace std::string_literals;

namespace {

// The classifier's weights saved to `dir`/good.npz, and that file's entries.
struct SavedClassifier {
  TempDir dir;
  std::unique_ptr<Model> model = make_classifier();
  std::string path = dir.file("good.npz");
  ZipEntries entries;
  SavedClassifier() {
    model->save_weights(path);
    entries = read_zip(path);
  }
  // The saved entries with `name` replaced by `bytes`, written to bad.npz; returns its path.
  std::string with_entry(const std::string& name, const std::string& bytes) {
    ZipEntries changed = entries;
    bool found = false;
    for (auto& [n, b] : changed)
      if (n == name) b = bytes, found = true;
    REQUIRE(found);
    write_zip(dir.file("bad.npz"), changed);
    return dir.file("bad.npz");
  }
};

// A valid .npy header for `shape` ('(8,)') with the given dtype and order.
std::string npy_dict(const std::string& shape, const std::string& descr = "<f4", bool fortran = false) {
  return fmt::format("{{'descr': '{}', 'fortran_order': {}, 'shape': {}, }}", descr, fortran ? "True" : "False", shape);
}

// Requires load_weights(model, path) to be an IoError naming the file and every part, changing nothing.
void require_load_fails(Model& model, const std::string& path, std::vector<std::string> parts) {
  parts.push_back(path);
  require_throws_unchanged<IoError>(
      model, [&] { model.load_weights(path); }, parts);
}

}  // namespace

// ---- load_weights: another architecture ----------------------------------------------------

TEST_CASE("Hostile: weights of a wider layer are an IoError naming the layer and both shapes", "[hostile][weights]") {
  SavedClassifier saved;
  clear_session();
  auto in = Input({4}, "features");
  auto h = Dense({.units = 9, .activation = "relu", .name = "hidden"})(in);
  Model wider(in, Dense({.units = 3, .name = "logits"})(BatchNormalization({.name = "bn"})(h)), "wider");
  require_load_fails(wider, saved.path, {"layer 'hidden'", "'kernel'", "(4, 9)", "(4, 8)", "architecture"});
}

TEST_CASE("Hostile: a weights file without a layer of the model is an IoError naming the missing array",
          "[hostile][weights]") {
  SavedClassifier saved;
  clear_session();
  auto in = Input({4}, "features");
  auto h = Dense({.units = 8, .activation = "relu", .name = "hidden"})(in);
  auto bn = BatchNormalization({.name = "bn"})(h);
  auto out = Dense({.units = 3, .name = "logits"})(Dense({.units = 8, .name = "extra"})(bn));
  Model deeper(in, out, "deeper");
  require_load_fails(deeper, saved.path, {"no array 'extra/kernel'", "hidden, bn, logits"});
}

TEST_CASE("Hostile: a weights file with a layer the model lacks is an IoError naming the extra array",
          "[hostile][weights]") {
  SavedClassifier saved;
  clear_session();
  auto in = Input({4}, "features");
  auto h = Dense({.units = 8, .activation = "relu", .name = "hidden"})(in);
  Model shallow(in, Dense({.units = 3, .name = "logits"})(h), "shallow");
  require_load_fails(shallow, saved.path, {"'bn/gamma'", "layer 'bn'", "'shallow' does not have"});
}

TEST_CASE("Hostile: a weights file from layers with other names is an IoError that explains the names",
          "[hostile][weights]") {
  SavedClassifier saved;
  clear_session();
  auto in = Input({4});
  auto h = Dense(8, "relu")(in);  // default names: dense, batch_normalization, dense_1
  Model renamed(in, Dense(3)(BatchNormalization()(h)), "renamed");
  require_load_fails(renamed, saved.path, {"no array 'dense/kernel'", "Layer names", "name the layers"});
}

// ---- load_weights: damaged files -----------------------------------------------------------

TEST_CASE("Hostile: a weights file that does not exist is an IoError", "[hostile][weights]") {
  SavedClassifier saved;
  require_load_fails(*saved.model, saved.dir.file("absent.npz"), {"does not exist"});
}

TEST_CASE("Hostile: a folder given as a weights file is an IoError", "[hostile][weights]") {
  SavedClassifier saved;
  require_load_fails(*saved.model, saved.dir.path().string(), {"is a folder"});
}

TEST_CASE("Hostile: an empty weights file is an IoError", "[hostile][weights]") {
  SavedClassifier saved;
  write_bytes(saved.dir.file("empty.npz"), "");
  require_load_fails(*saved.model, saved.dir.file("empty.npz"), {"is empty"});
}

TEST_CASE("Hostile: a weights file that is not a zip is an IoError", "[hostile][weights]") {
  SavedClassifier saved;
  write_bytes(saved.dir.file("weights.npz"), "\x89HDF\r\n\x1a\n this is an HDF5 file, not an npz"s);
  require_load_fails(*saved.model, saved.dir.file("weights.npz"), {"not a zip archive"});
}

TEST_CASE("Hostile: a weights file cut anywhere is an IoError and changes nothing", "[hostile][weights]") {
  SavedClassifier saved;
  const std::string good = read_bytes(saved.path);
  for (size_t keep = 1; keep < good.size(); keep += std::max<size_t>(1, good.size() / 37)) {
    INFO("cut to " << keep << " of " << good.size() << " bytes");
    write_bytes(saved.dir.file("cut.npz"), good.substr(0, keep));
    require_load_fails(*saved.model, saved.dir.file("cut.npz"), {});
  }
}

TEST_CASE("Hostile: a weights file with a flipped data bit is an IoError naming the array", "[hostile][weights]") {
  SavedClassifier saved;
  std::string bytes = read_bytes(saved.path);
  const size_t kernel = bytes.find("\x93NUMPY");  // the first array: hidden/kernel, a 128-byte header
  bytes[kernel + 128 + 5] ^= 0x01;
  write_bytes(saved.dir.file("flipped.npz"), bytes);
  require_load_fails(*saved.model, saved.dir.file("flipped.npz"), {"'hidden/kernel'", "corrupt"});
}

TEST_CASE("Hostile: a weights file holding one array twice is an IoError naming it", "[hostile][weights]") {
  SavedClassifier saved;
  ZipEntries twice = saved.entries;
  twice.emplace_back("bn/beta", twice.front().second);  // "bn/beta" and "bn/beta.npy" are one key
  write_zip(saved.dir.file("twice.npz"), twice);
  require_load_fails(*saved.model, saved.dir.file("twice.npz"),
                     {"two arrays named 'bn/beta'", "'bn/beta.npy' and 'bn/beta'"});
}

TEST_CASE("Hostile: a weights file with two zip entries of one name is an IoError naming the array, not libzip's "
          "\"File already exists\"",
          "[hostile][weights]") {
  // Another tool (Python's zipfile, for one) can write two entries of one name; libzip cannot, so
  // the second is written under a name of the same length and renamed in the archive's bytes.
  SavedClassifier saved;
  ZipEntries entries = saved.entries;
  entries.emplace_back("hidden/kernelXnpy", entries.front().second);
  write_zip(saved.dir.file("twice.npz"), entries);
  std::string zip = read_bytes(saved.dir.file("twice.npz"));
  rename_zip_entry(zip, "hidden/kernelXnpy", "hidden/kernel.npy");
  REQUIRE(find_zip_entries(zip, "hidden/kernel.npy").size() == 2);
  write_bytes(saved.dir.file("twice.npz"), zip);
  require_load_fails(*saved.model, saved.dir.file("twice.npz"),
                     {"two arrays named 'hidden/kernel'", "'hidden/kernel.npy' appears twice", "another tool"});
  const std::string message = error_message<IoError>([&] { NpzReader reader(saved.dir.file("twice.npz")); });
  CHECK(message.find("already exists") == std::string::npos);
}

// ---- load_weights: decompression bombs -----------------------------------------------------

namespace {

// The classifier's weights with hidden/kernel, a (4, 8) array, replaced by a deflated entry whose
// .npy header declares (4, 8) and whose data goes on with 64 MiB of zeros (the file is about 64
// KB). The last KB of the entry's compressed data is spoiled: a reader that stopped where the
// header and the zip directory say never sees it; one that inflated it all would report it.
std::string write_npz_bomb(SavedClassifier& saved, const std::string& name) {
  ZipEntries entries = saved.entries;
  entries.front() = {"hidden/kernel.npy",
                     npy_bytes(npy_dict("(4, 8)"), std::string(128, '\0') + std::string(size_t(64) << 20, '\0'))};
  write_zip(saved.dir.file(name), entries);
  std::string zip = read_bytes(saved.dir.file(name));
  CHECK(zip.size() < (size_t(200) << 10));
  spoil_end_of_data(zip, "hidden/kernel.npy", 1024);
  write_bytes(saved.dir.file(name), zip);
  return saved.dir.file(name);
}

}  // namespace

TEST_CASE("Hostile: a deflated array of 64 MiB whose header declares (4, 8) fails after its header, naming both sizes",
          "[hostile][weights][bomb]") {
  // The zip directory tells the truth (64 MiB and 256 bytes): the header's shape does not fit it,
  // which is known once the 128-byte header is read.
  SavedClassifier saved;
  const std::string path = write_npz_bomb(saved, "bomb.npz");
  require_load_fails(*saved.model, path, {"'hidden/kernel'", "(4, 8) needs 128 bytes", "holds 67108992"});
  const std::string message = error_message<IoError>([&] { saved.model->load_weights(path); });
  CHECK(message.find("corrupt") == std::string::npos);  // the spoiled end was never reached
}

TEST_CASE("Hostile: a deflated array that inflates past the size its zip directory declares fails at the first byte "
          "too many",
          "[hostile][weights][bomb]") {
  // The zip directory is forged to agree with the header (256 bytes); the data inflates to 64 MiB.
  // libzip itself would inflate all of it without complaint.
  SavedClassifier saved;
  const std::string path = write_npz_bomb(saved, "forged.npz");
  std::string zip = read_bytes(path);
  set_declared_size(zip, "hidden/kernel.npy", 128 + 128);
  write_bytes(path, zip);
  require_load_fails(*saved.model, path,
                     {"'hidden/kernel'", "runs past the 256 bytes", "128-byte .npy header", "128 bytes of data",
                      "(4, 8)", "decompression bomb"});
  const std::string message = error_message<IoError>([&] { saved.model->load_weights(path); });
  CHECK(message.find("corrupt:") == std::string::npos);  // the spoiled end was never reached
}

TEST_CASE("Hostile: a zip directory that declares more than an entry's deflated bytes can hold is an IoError",
          "[hostile][weights][bomb]") {
  // 2 GiB declared for a few hundred deflated bytes: deflate makes at most 1032 bytes of one.
  SavedClassifier saved;
  ZipEntries entries = saved.entries;
  write_zip(saved.dir.file("deflated.npz"), entries);
  std::string zip = read_bytes(saved.dir.file("deflated.npz"));
  set_declared_size(zip, "hidden/kernel.npy", 0x80000000u);
  write_bytes(saved.dir.file("deflated.npz"), zip);
  require_load_fails(*saved.model, saved.dir.file("deflated.npz"),
                     {"'hidden/kernel'", "inflate to 2147483648 bytes", "more than deflate can make"});
  // A stored (not deflated) entry whose two sizes differ is corrupt too.
  zip = read_bytes(saved.path);
  set_declared_size(zip, "hidden/kernel.npy", 0x80000000u);
  write_bytes(saved.dir.file("stored.npz"), zip);
  require_load_fails(*saved.model, saved.dir.file("stored.npz"),
                     {"'hidden/kernel'", "stored uncompressed", "2147483648 bytes in all"});
}

// ---- load_weights: bad .npy arrays ---------------------------------------------------------

TEST_CASE("Hostile: an array without the .npy magic is an IoError naming the array", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path = saved.with_entry("bn/gamma.npy", "PK\x03\x04 a zip inside a zip"s);
  require_load_fails(*saved.model, path, {"'bn/gamma'", "not an .npy array"});
}

TEST_CASE("Hostile: an array with a malformed header is an IoError quoting it", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path = saved.with_entry("bn/gamma.npy", npy_bytes("{'descr': '<f4', 'shape': (8,", ""));
  require_load_fails(*saved.model, path, {"'bn/gamma'", "malformed .npy header", "'shape': (8,"});
}

TEST_CASE("Hostile: an array whose header is longer than the array is an IoError", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path = saved.with_entry("bn/gamma.npy", "\x93NUMPY\x01\x00\xf0\x00{'descr': '<f4'"s);
  require_load_fails(*saved.model, path, {"'bn/gamma'", "cut short"});
}

TEST_CASE("Hostile: an array of float64 is an IoError naming the dtype", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path = saved.with_entry("bn/gamma.npy", npy_bytes(npy_dict("(8,)", "<f8"), std::string(64, '\0')));
  require_load_fails(*saved.model, path, {"'bn/gamma'", "dtype '<f8'", "astype('<f4')"});
}

TEST_CASE("Hostile: an array of big-endian float32 is an IoError naming the dtype", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path = saved.with_entry("bn/gamma.npy", npy_bytes(npy_dict("(8,)", ">f4"), std::string(32, '\0')));
  require_load_fails(*saved.model, path, {"'bn/gamma'", "dtype '>f4'"});
}

TEST_CASE("Hostile: an array in Fortran order is an IoError", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path =
      saved.with_entry("hidden/kernel.npy", npy_bytes(npy_dict("(4, 8)", "<f4", true), std::string(128, '\0')));
  require_load_fails(*saved.model, path, {"'hidden/kernel'", "Fortran"});
}

TEST_CASE("Hostile: an array of another shape is an IoError naming the layer and both shapes", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path = saved.with_entry("hidden/kernel.npy", npy_bytes(npy_dict("(8, 4)"), std::string(128, '\0')));
  require_load_fails(*saved.model, path, {"layer 'hidden'", "'kernel'", "(4, 8)", "(8, 4)"});
}

TEST_CASE("Hostile: an array with less data than its shape is an IoError naming both sizes", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path = saved.with_entry("bn/gamma.npy", npy_bytes(npy_dict("(8,)"), std::string(31, '\0')));
  require_load_fails(*saved.model, path, {"'bn/gamma'", "needs 32 bytes", "holds 31"});
}

TEST_CASE("Hostile: an array with a shape too large for memory is an IoError", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path =
      saved.with_entry("bn/gamma.npy", npy_bytes(npy_dict("(4611686018427387904, 8)"), std::string(32, '\0')));
  require_load_fails(*saved.model, path, {"'bn/gamma'", "too large"});
}

TEST_CASE("Hostile: an array of an unknown .npy version is an IoError", "[hostile][npy]") {
  SavedClassifier saved;
  const std::string path = saved.with_entry("bn/gamma.npy", npy_bytes(npy_dict("(8,)"), std::string(32, '\0'), 4));
  require_load_fails(*saved.model, path, {"'bn/gamma'", "version 4.0"});
}

// ---- IDX files -----------------------------------------------------------------------------

namespace {
// Requires read_idx on a file holding `bytes` to be an IoError naming the file and every part.
void require_idx_fails(const std::string& bytes, std::vector<std::string> parts) {
  TempDir dir;
  write_bytes(dir.file("data-idx3-ubyte"), bytes);
  parts.push_back(dir.file("data-idx3-ubyte"));
  require_throws<IoError>([&] { read_idx(dir.file("data-idx3-ubyte")); }, parts);
}
}  // namespace

TEST_CASE("Hostile: an IDX file whose magic number does not start with two zeros is an IoError", "[hostile][idx]") {
  require_idx_fails("\x08\x03\x00\x00"s + pattern(8), {"bad magic number", "0x08 0x03"});
}

TEST_CASE("Hostile: an IDX file of a type other than unsigned bytes is an IoError naming the type", "[hostile][idx]") {
  require_idx_fails(idx_bytes({2, 2}, std::string(16, '\0'), 0x0C), {"type 0x0c", "32-bit integers", "0x08"});
}

TEST_CASE("Hostile: an IDX file of 0 or more than 4 dimensions is an IoError", "[hostile][idx]") {
  require_idx_fails(idx_bytes({}, ""), {"0 dimensions"});
  require_idx_fails(idx_bytes({1, 1, 1, 1, 1, 1}, "x"), {"6 dimensions"});
}

TEST_CASE("Hostile: an empty IDX file is an IoError", "[hostile][idx]") {
  require_idx_fails("", {"truncated", "0 bytes"});
}

TEST_CASE("Hostile: an IDX file cut inside its dimensions is an IoError", "[hostile][idx]") {
  require_idx_fails(idx_bytes({60000, 28, 28}, "").substr(0, 11), {"truncated", "header", "16 bytes, found 11"});
}

TEST_CASE("Hostile: an IDX file with fewer data bytes than its counts say is an IoError", "[hostile][idx]") {
  require_idx_fails(idx_bytes({10, 2, 2}, pattern(39)), {"truncated", "(10, 2, 2)", "40 data bytes, found 39"});
}

TEST_CASE("Hostile: an IDX file with more data bytes than its counts say is an IoError", "[hostile][idx]") {
  require_idx_fails(idx_bytes({3}, pattern(5)), {"2 bytes of trailing garbage", "(3,)"});
}

TEST_CASE("Hostile: IDX counts whose product overflows are an IoError", "[hostile][idx]") {
  require_idx_fails(idx_bytes({0xffffffffu, 0xffffffffu, 0xffffffffu, 2}, ""), {"more than 2^64"});
}

TEST_CASE("Hostile: IDX counts too large for a tensor are an IoError even with a zero count", "[hostile][idx]") {
  // 0 values in all, but (4294967295 * 4294967295) elements per row would overflow any index.
  require_idx_fails(idx_bytes({0xffffffffu, 0xffffffffu, 0}, ""), {"(4294967295, 4294967295, 0)", "too large"});
}

TEST_CASE("Hostile: a gzipped IDX file cut short is an IoError", "[hostile][idx]") {
  TempDir dir;
  write_gz(dir.file("full.gz"), idx_bytes({32, 32}, pattern(1024)));
  const std::string gz = read_bytes(dir.file("full.gz"));
  write_bytes(dir.file("cut.gz"), gz.substr(0, 20));
  require_throws<IoError>([&] { read_idx(dir.file("cut.gz")); }, {dir.file("cut.gz"), "truncated", "gzip"});
}

TEST_CASE("Hostile: a gzipped IDX file with a damaged stream is an IoError", "[hostile][idx]") {
  TempDir dir;
  write_gz(dir.file("full.gz"), idx_bytes({32, 32}, pattern(1024)));
  std::string gz = read_bytes(dir.file("full.gz"));
  for (size_t i = 10; i + 8 < gz.size(); i += 3) gz[i] = char(gz[i] ^ 0x5a);
  write_bytes(dir.file("damaged.gz"), gz);
  require_throws<IoError>([&] { read_idx(dir.file("damaged.gz")); }, {dir.file("damaged.gz"), "corrupt gzip"});
}

TEST_CASE("Hostile: a gzipped IDX file of one image followed by 64 MiB of zeros fails a few KB past the image",
          "[hostile][idx][bomb]") {
  // About 64 KB of gzip; cut 1 KB before its end, so that a reader inflating it all would call it
  // truncated, while one that stops after the image and 4 KiB more reports the trailing garbage.
  TempDir dir;
  write_gz_bomb(dir.file("bomb.gz"), idx_bytes({1, 28, 28}, pattern(784)), std::uint64_t(64) << 20);
  const std::string gz = read_bytes(dir.file("bomb.gz"));
  CHECK(gz.size() < (size_t(200) << 10));
  write_bytes(dir.file("bomb.gz"), gz.substr(0, gz.size() - 1024));
  require_throws<IoError>([&] { read_idx(dir.file("bomb.gz")); },
                          {dir.file("bomb.gz"), "more than 4096 bytes of trailing garbage", "784 data bytes",
                           "(1, 28, 28)", "decompression bomb"});
}

TEST_CASE("Hostile: a gzipped IDX header that declares more data than its stream can inflate to is an IoError",
          "[hostile][idx][bomb]") {
  TempDir dir;
  write_gz(dir.file("empty.gz"), idx_bytes({60000, 28, 28}, ""));
  require_throws<IoError>([&] { read_idx(dir.file("empty.gz")); },
                          {dir.file("empty.gz"), "truncated", "47040000 data bytes", "cannot inflate"});
  write_gz(dir.file("huge.gz"), idx_bytes({65536, 65536}, ""));
  require_throws<IoError>([&] { read_idx(dir.file("huge.gz")); },
                          {dir.file("huge.gz"), "too large", "4294967296 values", "2^30"});
}

TEST_CASE("Hostile: MNIST images and labels of different counts are an IoError naming both files", "[hostile][idx]") {
  TempDir dir;
  write_bytes(dir.file("t10k-images-idx3-ubyte"), idx_bytes({5, 2, 2}, pattern(20)));
  write_bytes(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({4}, pattern(4)));
  require_throws<IoError>([&] { load_mnist(dir.path().string(), "test"); },
                          {"t10k-images-idx3-ubyte", "5 images", "t10k-labels-idx1-ubyte", "4 labels"});
}

TEST_CASE("Hostile: MNIST images that are not a stack of 2-D images are an IoError", "[hostile][idx]") {
  TempDir dir;
  write_bytes(dir.file("t10k-images-idx3-ubyte"), idx_bytes({5, 4}, pattern(20)));
  write_bytes(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({5}, pattern(5)));
  require_throws<IoError>([&] { load_mnist(dir.path().string(), "test"); },
                          {"t10k-images-idx3-ubyte", "(5, 4)", "(N, rows, columns)"});
}

// ---- saving: a save killed half-way ---------------------------------------------------------

TEST_CASE("Hostile: a save killed by SIGXFSZ leaves a temporary file that the next save of that file removes",
          "[hostile][weights][save]") {
  SavedClassifier saved;
  const std::string path = saved.dir.file("big.npz");
  // A child process saves under a file-size limit of 512 bytes (the file is about 2 KB): the
  // kernel kills it with SIGXFSZ while it writes, before it can remove its temporary file.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const rlimit limit{512, 512};
    signal(SIGXFSZ, SIG_DFL);
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(2);
    try {
      saved.model->save_weights(path);
    } catch (...) {
      _exit(3);
    }
    _exit(4);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGXFSZ);
  std::vector<std::string> names = saved.dir.listing();
  REQUIRE(names.size() == 2);  // good.npz and the stray temporary
  CHECK(names[0].starts_with("big.npz.tmp-"));
  CHECK(names[1] == "good.npz");

  saved.model->save_weights(path);
  CHECK(saved.dir.listing() == std::vector<std::string>{"big.npz", "good.npz"});
  saved.model->load_weights(path);
}
