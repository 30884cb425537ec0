// libFuzzer target: decode_idx (io/idx.h) on arbitrary bytes, raw or gzip-compressed.
//
// A malformed file must be an IoError; anything else (a crash, a sanitizer report, another
// exception, which libFuzzer reports as a crash) is a bug. A file that decodes must give a
// tensor of 1 to 4 axes holding exactly the values 0..255 of its bytes.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "io/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const minnow::Tensor t = minnow::decode_idx(bytes, "fuzz-idx3-ubyte");
    if (t.shape().rank() < 1 || t.shape().rank() > 4 || t.size() != t.shape().num_elements()) std::abort();
    for (float v : t.values())
      if (!(v >= 0.0f && v <= 255.0f && v == std::floor(v))) std::abort();
  } catch (const minnow::IoError&) {
    // the expected outcome for a malformed file
  }
  return 0;
}
