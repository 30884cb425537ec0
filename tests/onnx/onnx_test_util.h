// What the ONNX tests share: a scratch folder, ONNX's Python checker, and ONNX Runtime (the npm
// package onnxruntime-node, run by tests/onnx/run_onnxruntime.js) as an independent runtime.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "io/npy.h"
#include "test_util.h"

namespace minnow::onnx_test {

using testing::file_text;
using testing::output_of;

// A new empty folder for one test's files.
inline std::filesystem::path scratch_folder(const std::string& what) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("minnow-onnx-" + what + "-XXXXXX")).string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

// ONNX's own checker, the Python one (python3-onnx), with shape inference (full_check): "" when
// the file passes, the checker's message when not.
inline std::string python_onnx_check(const std::filesystem::path& file) {
  const auto [out, status] = output_of(
      "/usr/bin/python3",
      fmt::format("-P -c \"import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)\" "
                  "'{}' 2>&1",
                  file.string()));
  return status == 0 ? "" : out + fmt::format(" (exit status {})", status);
}

// max |a - b| / max |b|: how far `a` is from `b`, relative to b's scale.
inline double relative_difference(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  double diff = 0, scale = 0;
  for (long i = 0; i < a.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    scale = std::max(scale, static_cast<double>(std::abs(b[i])));
  }
  return diff / std::max(scale, 1e-30);
}

inline void write_npy(const std::filesystem::path& file, const Tensor& t) {
  std::ofstream out(file, std::ios::binary);
  const std::string bytes = encode_npy(t);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

inline Tensor read_npy_file(const std::filesystem::path& file) { return decode_npy(file_text(file), file.string()); }

}  // namespace minnow::onnx_test
