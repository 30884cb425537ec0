// libFuzzer target: load_weights (model/weights_io.h) on an arbitrary file, into a small fixed model
//   Input(2) -> Dense(3) 'dense' -> BatchNormalization 'bn' -> Dense(1) 'out'
// whose weights file holds dense/kernel (2, 3), dense/bias (3,), bn/gamma, bn/beta,
// bn/moving_mean, bn/moving_variance (3,) each, out/kernel (3, 1) and out/bias (1,).
//
// The input is written to a scratch file in the temporary folder ($TMPDIR: scripts/fuzz.sh points it
// at /dev/shm) and loaded, as a user's file would be. A malformed file
// must be an IoError that leaves every weight as it was, bit for bit; anything else (a crash, a
// sanitizer report, another exception) is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "minnow.h"

namespace {

minnow::Model& fixed_model() {
  static minnow::Model* model = [] {
    auto in = minnow::Input({2}, "in");
    auto x = minnow::Dense({.units = 3, .name = "dense"})(in);
    x = minnow::BatchNormalization({.name = "bn"})(x);
    x = minnow::Dense({.units = 1, .name = "out"})(x);
    return new minnow::Model(in, x, "fuzzed");  // lives as long as the process
  }();
  return *model;
}

std::vector<float> all_weights(const minnow::Model& model) {
  std::vector<float> values;
  for (const minnow::Parameter* p : model.weights())
    values.insert(values.end(), p->value.data(), p->value.data() + p->size());
  return values;
}

// The scratch file, removed at exit. Allocated once and never freed (still reachable at exit).
const char* scratch_file() {
  static const std::string* path = [] {
    const std::string name = "minnow-fuzz-weights-" + std::to_string(getpid()) + ".npz";
    auto* p = new std::string((std::filesystem::temp_directory_path() / name).string());
    std::atexit([] { std::remove(scratch_file()); });
    return p;
  }();
  return path->c_str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(scratch_file(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  if (std::fclose(f) != 0) std::abort();

  minnow::Model& model = fixed_model();
  const std::vector<float> before = all_weights(model);
  try {
    model.load_weights(scratch_file());
  } catch (const minnow::IoError&) {
    const std::vector<float> after = all_weights(model);  // a failed load changes nothing
    if (after.size() != before.size() || std::memcmp(after.data(), before.data(), sizeof(float) * after.size()) != 0)
      std::abort();
  }
  return 0;
}
