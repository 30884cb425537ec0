// libFuzzer target: load_onnx (onnx/onnx.h) on an arbitrary file. The input is written to a
// scratch file in the temporary folder ($TMPDIR: scripts/fuzz.sh points it at /dev/shm) and read,
// as a user's file would be. A file load_onnx refuses must be one of minnow's errors (IoError,
// UsageError, ShapeError, ConfigError); a model it accepts must run a forward on a batch of one
// sample (when its layers' outputs hold at most 2^22 values per sample, so that a valid but large
// model does not exhaust the fuzzer's memory). Anything else (a crash, a sanitizer report,
// another exception) is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "minnow.h"
#include "onnx/onnx.h"

namespace {

// The scratch file, removed at exit. Allocated once and never freed (still reachable at exit).
const char* scratch_file() {
  static const std::string* path = [] {
    const std::string name = "minnow-fuzz-onnx-" + std::to_string(getpid()) + ".onnx";
    auto* p = new std::string((std::filesystem::temp_directory_path() / name).string());
    std::atexit([] { std::remove(scratch_file()); });
    return p;
  }();
  return path->c_str();
}

void run_once(minnow::Model& model) {
  long values = 0;
  for (const auto& layer : model.layers()) values += layer->output_shape().num_elements_from(1);
  if (values > (1L << 22)) return;
  std::vector<const minnow::Tensor*> xs;
  std::vector<minnow::Tensor> inputs;
  for (const auto& in : model.inputs()) inputs.emplace_back(in.shape().with_batch(1), 0.5f);
  for (const auto& t : inputs) xs.push_back(&t);
  model.forward(xs, minnow::Mode::Inference);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(scratch_file(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  if (std::fclose(f) != 0) std::abort();
  try {
    auto model = minnow::load_onnx(scratch_file());
    run_once(*model);
  } catch (const minnow::Error&) {
    // refused with a message: what a hostile file must get
  }
  return 0;
}
