// libFuzzer target: decode_npy (io/npy.h), the .npy reader inside every weights file.
//
// The zip layer's CRC keeps mutated arrays from reaching the parser through fuzz_weights, so the
// parser is fuzzed here directly. A malformed array must be an IoError; an array that decodes must
// encode and decode back to the same shape and the same bits.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "core/error.h"
#include "io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const minnow::Tensor t = minnow::decode_npy(bytes, "fuzz.npy");
    const minnow::Tensor back = minnow::decode_npy(minnow::encode_npy(t), "round trip");
    if (back.shape() != t.shape() || back.size() != t.size()) std::abort();
    if (t.size() > 0 && std::memcmp(back.data(), t.data(), sizeof(float) * std::size_t(t.size())) != 0) std::abort();
  } catch (const minnow::IoError&) {
    // the expected outcome for a malformed array
  }
  return 0;
}
