// The fuzzers' committed seeds (tests/fuzz/corpus, made by tests/fuzz/make_corpus.py) as ordinary
// tests: the valid files read, the broken ones are IoErrors that name the file and change nothing.
// This keeps the seeds honest, and runs them in the sanitizer build with the rest of the suite.
#include <algorithm>
#include <filesystem>
#include <set>

#include "hostile/hostile_util.h"
#include "io/io_test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

namespace fs = std::filesystem;

// The files of tests/fuzz/corpus/<folder>, sorted.
std::vector<fs::path> seeds(const std::string& folder) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(MINNOW_TEST_DATA_DIR) / "fuzz" / "corpus" / folder))
    files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 5);
  return files;
}

}  // namespace

TEST_CASE("Hostile: each weights seed of the fuzz corpus loads, or is an IoError that changes nothing",
          "[hostile][fuzz-seeds]") {
  // The fixed model of tests/fuzz/fuzz_weights.cpp.
  clear_session();
  auto in = Input({2}, "in");
  auto x = Dense({.units = 3, .name = "dense"})(in);
  auto out = Dense({.units = 1, .name = "out"})(BatchNormalization({.name = "bn"})(x));
  Model model(in, out, "fuzzed");
  for (const fs::path& file : seeds("weights")) {
    INFO(file.filename().string());
    if (file.filename().string().starts_with("valid")) {
      model.load_weights(file.string());
      CHECK(model.get_layer("dense").weight("kernel").value[1] == 0.75f);  // make_corpus.py: 0.25 + 0.5 i
    } else {
      require_throws_unchanged<IoError>(model, [&] { model.load_weights(file.string()); }, {file.string()});
    }
  }
}

TEST_CASE("Hostile: each IDX seed of the fuzz corpus reads, or is an IoError naming the file",
          "[hostile][fuzz-seeds]") {
  const std::set<std::string> valid = {"labels-idx1-ubyte", "images-idx3-ubyte", "images-idx3-ubyte.gz",
                                       "two-members.gz"};
  for (const fs::path& file : seeds("idx")) {
    INFO(file.filename().string());
    if (valid.count(file.filename().string())) {
      CHECK(read_idx(file.string()).size() > 0);
      CHECK(decode_idx(read_bytes(file.string()), "in memory").size() == read_idx(file.string()).size());
    } else {
      require_throws<IoError>([&] { read_idx(file.string()); }, {file.string()});
    }
  }
}

TEST_CASE("Hostile: each .npy seed of the fuzz corpus decodes, or is an IoError", "[hostile][fuzz-seeds]") {
  const std::set<std::string> valid = {"matrix.npy", "vector-v2.npy", "scalar.npy", "empty.npy", "any-key-order.npy"};
  for (const fs::path& file : seeds("npy")) {
    INFO(file.filename().string());
    const std::string bytes = read_bytes(file.string());
    if (valid.count(file.filename().string())) {
      const Tensor t = decode_npy(bytes, file.filename().string());
      CHECK(decode_npy(encode_npy(t), "again").shape() == t.shape());
    } else {
      require_throws<IoError>([&] { decode_npy(bytes, file.filename().string()); }, {file.filename().string()});
    }
  }
}
