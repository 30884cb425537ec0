#include "model/weights_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <sys/file.h>

#include "io/io_test_util.h"
#include "io/npy.h"
#include "io/npz.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;
using namespace std::string_literals;

namespace {

namespace fs = std::filesystem;
static_assert(std::endian::native == std::endian::little, "the hand-made .npy bytes below are little-endian");

struct Arch {
  long hidden = 3;
  bool batch_norm = true;
  bool extra_dense = false;
};

// Input(4) -> Dense(hidden) -> [BatchNormalization] -> Dense(2) -> [Dense(1)], built in a fresh
// session so that the layers are named dense, batch_normalization, dense_1, dense_2. Trainable
// weights are seeded; the moving statistics move away from 0 and 1 by two training forwards.
std::unique_ptr<Model> make_model(std::uint64_t seed, Arch arch = {}) {
  clear_session();
  auto in = Input({4});
  SymbolicTensor x = Dense(arch.hidden)(in);
  if (arch.batch_norm) x = BatchNormalization()(x);
  x = Dense(2)(x);
  if (arch.extra_dense) x = Dense(1)(x);
  auto model = std::make_unique<Model>(in, x);
  for (Parameter* p : model->trainable_weights()) p->value = random_tensor(p->value.shape(), seed++);
  for (int i = 0; i < 2; ++i) model->forward(random_tensor({8, 4}, seed + 100 + i, 0.0f, 3.0f), Mode::Training);
  return model;
}

// Requires load_weights to throw IoError whose message holds every part, and to leave every
// weight of the model as it was, byte for byte.
void require_load_fails(Model& model, const std::string& path, const std::vector<std::string>& parts) {
  require_throws_unchanged<IoError>(
      model, [&] { load_weights(model, path); }, parts);
}

}  // namespace

TEST_CASE("save_weights then load_weights restores every weight bit for bit, moving statistics included",
          "[weights_io]") {
  TempDir dir;
  auto saved = make_model(1);
  Parameter& moving_mean = saved->get_layer("batch_normalization").weight("moving_mean");
  REQUIRE(moving_mean.value[0] != 0.0f);  // the training forwards moved it
  // Values that only a bit-exact format keeps: negative zero, a subnormal, the largest float.
  WeightValue& kernel = saved->get_layer("dense").weight("kernel").value;
  kernel[0] = -0.0f;
  kernel[1] = std::numeric_limits<float>::denorm_min();
  kernel[2] = std::numeric_limits<float>::max() / 1e30f;
  save_weights(*saved, dir.file("model.npz"));

  auto loaded = make_model(2);  // same architecture and names, other weights
  REQUIRE(snapshot_weights(*loaded) != snapshot_weights(*saved));
  load_weights(*loaded, dir.file("model.npz"));
  CHECK(snapshot_weights(*loaded) == snapshot_weights(*saved));

  const Tensor x = random_tensor({5, 4}, 7);
  const Tensor expected = saved->forward(x, Mode::Inference);
  const Tensor got = loaded->forward(x, Mode::Inference);
  REQUIRE(got.shape() == expected.shape());
  for (long i = 0; i < got.size(); ++i) CHECK(got[i] == expected[i]);
  CHECK(dir.listing() == std::vector<std::string>{"model.npz"});  // no temporary file left behind
}

TEST_CASE("A weights file is a zip of stored .npy arrays named <layer>/<weight>.npy with numpy's header",
          "[weights_io]") {
  TempDir dir;
  auto model = make_model(3);
  save_weights(*model, dir.file("model.npz"));
  const ZipEntries entries = read_zip(dir.file("model.npz"));
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.first);
  CHECK(names == std::vector<std::string>{"dense/kernel.npy", "dense/bias.npy", "batch_normalization/gamma.npy",
                                          "batch_normalization/beta.npy", "batch_normalization/moving_mean.npy",
                                          "batch_normalization/moving_variance.npy", "dense_1/kernel.npy",
                                          "dense_1/bias.npy"});

  // Parsed here by hand, byte by byte, as numpy.lib.format describes it.
  const auto check_array = [&](const std::string& name, const std::string& shape, const Tensor& value) {
    INFO("entry " << name);
    const std::string& b =
        std::find_if(entries.begin(), entries.end(), [&](auto& e) { return e.first == name; })->second;
    REQUIRE(b.size() > 10);
    CHECK(b.substr(0, 6) == "\x93NUMPY");
    CHECK((b[6] == 1 && b[7] == 0));  // version 1.0
    const size_t header_len = size_t(static_cast<unsigned char>(b[8])) | size_t(static_cast<unsigned char>(b[9])) << 8;
    CHECK((10 + header_len) % 64 == 0);
    const std::string header = b.substr(10, header_len);
    CHECK(header.back() == '\n');
    CHECK(header.substr(0, header.find_last_not_of(" \n") + 1) ==
          "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
    CHECK(b.substr(10 + header_len) == float_bytes({value.values().begin(), value.values().end()}));
  };
  check_array("dense/kernel.npy", "(4, 3)", model->get_layer("dense").weight("kernel").value);
  check_array("batch_normalization/moving_variance.npy", "(3,)",
              model->get_layer("batch_normalization").weight("moving_variance").value);
}

TEST_CASE("Loading weights saved from another architecture fails naming the first mismatching layer",
          "[weights_io][errors]") {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  save_weights(*make_model(4), path);

  auto wider = make_model(5, {.hidden = 5});
  require_load_fails(*wider, path, {path, "layer 'dense'", "'kernel'", "(4, 5)", "(4, 3)", "architecture"});
  auto longer = make_model(5, {.extra_dense = true});
  require_load_fails(*longer, path, {path, "no array 'dense_2/kernel'", "dense, batch_normalization, dense_1"});
  auto no_bn = make_model(5, {.batch_norm = false});  // dense (4, 3) and dense_1 (3, 2) match; BN is extra
  require_load_fails(*no_bn, path,
                     {path, "'batch_normalization/gamma'", "layer 'batch_normalization'", "does not have"});
}

TEST_CASE("Loading a missing, truncated, corrupt or non-zip file throws IoError and leaves the weights untouched",
          "[weights_io][errors]") {
  TempDir dir;
  auto model = make_model(6);
  require_load_fails(*model, dir.file("absent.npz"), {dir.file("absent.npz"), "does not exist"});

  write_bytes(dir.file("text.npz"), "these are not weights\n");
  require_load_fails(*model, dir.file("text.npz"), {dir.file("text.npz"), "not a zip archive"});

  save_weights(*make_model(7), dir.file("good.npz"));
  const std::string good = read_bytes(dir.file("good.npz"));
  for (size_t keep : {size_t(0), size_t(10), good.size() / 3, good.size() / 2, good.size() - 22, good.size() - 1}) {
    INFO("truncated to " << keep << " of " << good.size() << " bytes");
    write_bytes(dir.file("cut.npz"), good.substr(0, keep));
    require_load_fails(*model, dir.file("cut.npz"), {dir.file("cut.npz")});
  }

  // One flipped bit in the data of the last array (after its 128-byte header): only the CRC can tell.
  std::string flipped = good;
  const size_t last_array = flipped.rfind("\x93NUMPY");
  flipped[last_array + 128 + 1] ^= 0x10;
  write_bytes(dir.file("flipped.npz"), flipped);
  require_load_fails(*model, dir.file("flipped.npz"), {dir.file("flipped.npz"), "dense_1/bias", "corrupt"});
}

TEST_CASE("Deflated arrays load, and an array with a wrong dtype, shape or header throws IoError and changes nothing",
          "[weights_io][errors]") {
  TempDir dir;
  auto saved = make_model(8);
  save_weights(*saved, dir.file("good.npz"));
  const ZipEntries good = read_zip(dir.file("good.npz"));
  // The arrays rewritten deflated, as numpy.savez_compressed writes them, load as well.
  write_zip(dir.file("deflated.npz"), good);
  auto model = make_model(9);
  load_weights(*model, dir.file("deflated.npz"));
  REQUIRE(snapshot_weights(*model) == snapshot_weights(*saved));
  model = make_model(9);
  const std::string kernel = float_bytes(std::vector<float>(12, 0.5f));  // dense/kernel is (4, 3)
  const std::string bias = float_bytes({0.5f, 0.5f});                    // dense_1/bias is (2,), the last array
  struct Case {
    std::string entry, npy;
    std::vector<std::string> message;
  };
  const std::vector<Case> cases = {
      {"dense_1/bias.npy",
       npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", bias + bias),
       {"'dense_1/bias'", "dtype '<f8'", "'<f4'"}},
      {"dense_1/bias.npy",
       npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", bias),
       {"dtype '>f4'"}},
      {"dense_1/bias.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", bias),
       {"layer 'dense_1'", "'bias'", "(2,)", "(1, 2)"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", kernel),
       {"layer 'dense'", "'kernel'", "(4, 3)", "(3, 4)"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 3), }", kernel),
       {"'dense/kernel'", "Fortran"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", kernel.substr(4)),
       {"'dense/kernel'", "48 bytes", "holds 44"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, -3), }", kernel),
       {"'dense/kernel'", "malformed", "negative"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 3), }", kernel),
       {"'dense/kernel'", "too large"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }", kernel),
       {"'dense/kernel'", "too large"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), 'x': 1}", kernel),
       {"'dense/kernel'", "unexpected key 'x'"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False}", kernel),
       {"'dense/kernel'", "'shape'", "required"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), ", kernel),
       {"'dense/kernel'", "malformed"}},
      {"dense/kernel.npy", "\x93NUMPZ\x01\x00"s + kernel, {"'dense/kernel'", "not an .npy array"}},
      {"dense/kernel.npy",
       npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", kernel, 9),
       {"'dense/kernel'", "version 9.0"}},
      {"dense/kernel.npy", "\x93NUMPY\x01\x00\xff\x00{'descr'"s, {"'dense/kernel'", "cut short"}},
  };
  for (const Case& c : cases) {
    INFO("entry " << c.entry << " replaced by: " << c.npy.substr(0, 90));
    ZipEntries entries = good;
    for (auto& [name, bytes] : entries)
      if (name == c.entry) bytes = c.npy;
    write_zip(dir.file("bad.npz"), entries);
    std::vector<std::string> parts = c.message;
    parts.push_back(dir.file("bad.npz"));
    require_load_fails(*model, dir.file("bad.npz"), parts);
  }
}

TEST_CASE("The .npy reader accepts numpy's header in any key order and spacing, versions 1.0 and 2.0",
          "[weights_io][npy]") {
  const std::string data = float_bytes({1.5f, -2.0f});
  for (const std::string& dict : {std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"),
                                  std::string("{ \"shape\" :(2 ,) ,'fortran_order':False,\t'descr' : \"<f4\"}"),
                                  std::string("{'fortran_order': False, 'shape': (1, 2L), 'descr': '<f4'}")}) {
    for (int major : {1, 2}) {
      INFO(dict << ", version " << major);
      const Tensor t = decode_npy(npy_bytes(dict, data, major), "test");
      CHECK(t.size() == 2);
      require_values(t, {1.5f, -2.0f}, 0.0f);
    }
  }
  require_throws<IoError>(
      [&] { decode_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", data), "ctx"); },
      {"ctx", "not a tuple", "(n,)"});
}

TEST_CASE("The .npy codec round-trips scalars, empty arrays and special floats bit for bit", "[weights_io][npy]") {
  const float nan_with_payload = std::bit_cast<float>(0x7fc01234u);
  const Tensor special({2, 3}, {-0.0f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                                nan_with_payload, std::numeric_limits<float>::denorm_min(), 1e-38f});
  for (const Tensor& t : {special, Tensor(Shape{}, 4.25f), Tensor(Shape{0, 3}), Tensor(Shape{2, 0})}) {
    INFO("shape " << t.shape().str());
    const Tensor back = decode_npy(encode_npy(t), "test");
    REQUIRE(back.shape() == t.shape());
    for (long i = 0; i < t.size(); ++i)
      CHECK(std::bit_cast<std::uint32_t>(back[i]) == std::bit_cast<std::uint32_t>(t[i]));
  }
  CHECK(encode_npy(Tensor(Shape{}, 1.0f)).find("'shape': (), }") != std::string::npos);
  require_throws<IoError>(
      [] {
        decode_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 0)}", ""),
                   "ctx");
      },
      {"ctx", "too large"});
}

TEST_CASE("Saving replaces an existing file only once the new one is complete, and leaves no temporary file",
          "[weights_io]") {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  auto first = make_model(10), second = make_model(11);
  save_weights(*first, path);
  const std::string old_bytes = read_bytes(path);
  // A second name for the old file: if saving wrote into the old file, this name would see it.
  fs::create_hard_link(path, dir.file("old-link.npz"));
  save_weights(*second, path);
  CHECK(read_bytes(dir.file("old-link.npz")) == old_bytes);  // the old file was replaced by a rename
  auto loaded = make_model(12);
  load_weights(*loaded, path);
  CHECK(snapshot_weights(*loaded) == snapshot_weights(*second));
  CHECK(dir.listing() == std::vector<std::string>{"model.npz", "old-link.npz"});

  // The destination cannot be replaced (it is a folder): the save fails, the folder is intact.
  fs::create_directory(dir.file("taken.npz"));
  write_bytes(dir.file("taken.npz") + "/inside", "keep me");
  require_throws<IoError>([&] { save_weights(*first, dir.file("taken.npz")); }, {dir.file("taken.npz")});
  CHECK(read_bytes(dir.file("taken.npz") + "/inside") == "keep me");

  // The folder does not exist: nothing is written anywhere.
  const std::string nowhere = dir.file("no-such-folder") + "/model.npz";
  require_throws<IoError>([&] { save_weights(*first, nowhere); }, {nowhere});
  CHECK(dir.listing() == std::vector<std::string>{"model.npz", "old-link.npz", "taken.npz"});
  CHECK(read_bytes(path) != old_bytes);
}

TEST_CASE("A model without weights saves an empty archive that loads back", "[weights_io]") {
  TempDir dir;
  clear_session();
  auto in = Input({2, 2});
  Model flat(in, Flatten()(in));
  save_weights(flat, dir.file("empty.npz"));
  CHECK(read_zip(dir.file("empty.npz")).empty());
  load_weights(flat, dir.file("empty.npz"));
  auto model = make_model(13);
  require_load_fails(*model, dir.file("empty.npz"), {"no array 'dense/kernel'", "layers (none)"});
}

TEST_CASE("read_npy asks its source for the bytes the header declares and one more, never the rest",
          "[weights_io][npy][bomb]") {
  // A (4, 8) header followed by zeros without end: what a decompression bomb's entry inflates to.
  const std::string header = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), }", "");
  REQUIRE(header.size() == 128);
  std::uint64_t served = 0;  // bytes handed out by the source
  const ByteSource endless = [&](char* out, size_t n) {
    for (size_t i = 0; i < n; ++i, ++served) out[i] = served < header.size() ? header[size_t(served)] : '\0';
    return n;
  };
  // The declared size fits the shape (128 + 128 bytes): the data is read, then one byte too many.
  require_throws<IoError>([&] { read_npy(endless, 256, "bomb"); },
                          {"bomb", "runs past the 256 bytes", "128-byte .npy header", "128 bytes of data", "(4, 8)"});
  CHECK(served == 257);
  // A declared size of 3 GiB does not fit the shape: refused after the header, before any data.
  served = 0;
  require_throws<IoError>([&] { read_npy(endless, 128 + (std::uint64_t(3) << 30), "bomb"); },
                          {"bomb", "(4, 8) needs 128 bytes", "holds 3221225472"});
  CHECK(served == 128);

  // A shape beyond 2^30 elements is refused after its header, whatever the declared size.
  const std::string big = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }", "");
  size_t at = 0;
  const ByteSource big_source = [&](char* out, size_t n) {
    const size_t k = std::min(n, big.size() - at);
    std::copy_n(big.data() + at, k, out);
    at += k;
    return k;
  };
  require_throws<IoError>([&] { read_npy(big_source, big.size() + (std::uint64_t(1) << 34), "big"); },
                          {"big", "(65536, 65536) is too large", "4294967296 elements", "4 GiB"});
  CHECK(at == big.size());
  // A version 2.0 header may say it is 4 GiB long: more than 64 KiB is refused before it is read.
  std::string long_header = "\x93NUMPY\x02\x00\x00\x00\x00\x80{'descr'"s;
  at = 0;
  const ByteSource long_source = [&](char* out, size_t n) {
    const size_t k = std::min(n, long_header.size() - at);
    std::copy_n(long_header.data() + at, k, out);
    at += k;
    return k;
  };
  require_throws<IoError>([&] { read_npy(long_source, std::uint64_t(1) << 32, "long"); },
                          {"long", "2147483648 bytes long", "65536"});
  CHECK(at == 12);
  // A stream that ends before its declared size is cut short.
  const std::string small = encode_npy(Tensor({2}, {1.0f, 2.0f}));
  at = 0;
  const ByteSource small_source = [&](char* out, size_t n) {
    const size_t k = std::min(n, small.size() - 4 - at);  // its last float is missing
    std::copy_n(small.data() + at, k, out);
    at += k;
    return k;
  };
  require_throws<IoError>([&] { read_npy(small_source, small.size(), "cut"); },
                          {"cut", "ends after 132 bytes, before the 136 bytes its size declares"});
}

TEST_CASE("save_npz refuses two arrays of one key, naming it, and writes nothing", "[weights_io][npz]") {
  TempDir dir;
  const Tensor a({2}, 1.0f), b({3}, 2.0f);
  require_throws<IoError>(
      [&] {
        save_npz({{"dense/kernel", &a}, {"dense/bias", &b}, {"dense/kernel", &b}}, dir.file("w.npz"));
      },
      {dir.file("w.npz"), "two arrays named 'dense/kernel'", "arrays 0 and 2"});
  CHECK(dir.listing().empty());
}

TEST_CASE("A save removes the temporary files that killed saves of the same file left, and nothing else",
          "[weights_io]") {
  TempDir dir;
  const std::string path = dir.file("model.npz");
  // Temporaries of model.npz: minnow's "<name>.tmp-" and 8 hex digits, and the one libzip wrote
  // beside it when minnow let libzip write the file (6 more letters or digits).
  const std::vector<std::string> stale = {"model.npz.tmp-0123abcd", "model.npz.tmp-ffffffff",
                                          "model.npz.tmp-0123abcd.x9zuwg"};
  // Not temporaries of model.npz: near misses, other targets, and other files.
  const std::vector<std::string> unrelated = {"amodel.npz.tmp-0123abcd",
                                              "model.npz",
                                              "model.npz.bak",
                                              "model.npz.tmp-",
                                              "model.npz.tmp-0123ABCD",
                                              "model.npz.tmp-0123abc",
                                              "model.npz.tmp-0123abcd-notes",
                                              "model.npz.tmp-0123abcd.x9zuw",
                                              "model.npz.tmp-0123abcd.x9zuw!",
                                              "model.npz.tmp-0123abcd0",
                                              "model.npz.tmp-0123abcg",
                                              "model.npz.tmp-0123abcd.x9zuwgh",
                                              "model.npz.tmp-0123abcd.tmp-0123abcd",
                                              "other.npz.tmp-0123abcd"};
  for (const std::string& name : stale) write_bytes(dir.file(name), "left by a killed save");
  for (const std::string& name : unrelated) write_bytes(dir.file(name), "keep me");
  fs::create_directory(dir.file("model.npz.tmp-00000000"));  // a folder of a temporary's name: not a file
  write_bytes(dir.file("model.npz.tmp-12345678"), "a save in progress");
  // A save in progress holds its temporary locked: it is left alone.
  const int fd = ::open(dir.file("model.npz.tmp-12345678").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);

  auto model = make_model(14);
  save_weights(*model, path);
  std::vector<std::string> expected = unrelated;
  expected.push_back("model.npz.tmp-00000000");
  expected.push_back("model.npz.tmp-12345678");
  std::sort(expected.begin(), expected.end());
  CHECK(dir.listing() == expected);
  for (const std::string& name : unrelated)
    if (name != "model.npz") CHECK(read_bytes(dir.file(name)) == "keep me");
  auto loaded = make_model(15);
  load_weights(*loaded, path);
  CHECK(snapshot_weights(*loaded) == snapshot_weights(*model));

  // Once its writer is gone (the lock released), the next save removes it.
  ::close(fd);
  save_weights(*model, path);
  expected.erase(std::find(expected.begin(), expected.end(), "model.npz.tmp-12345678"));
  CHECK(dir.listing() == expected);

  // A save that fails removes nothing of the sort: the destination is a folder.
  fs::create_directory(dir.file("taken.npz"));
  write_bytes(dir.file("taken.npz.tmp-0123abcd"), "left by a killed save");
  require_throws<IoError>([&] { save_weights(*model, dir.file("taken.npz")); }, {dir.file("taken.npz")});
  CHECK(fs::exists(dir.file("taken.npz.tmp-0123abcd")));
}
