// Helpers shared by the tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "minnow.h"

namespace minnow::testing {

// A tensor of seeded values, uniform in [low, high).
inline Tensor random_tensor(const Shape& shape, std::uint64_t seed, float low = -1.0f, float high = 1.0f) {
  Tensor t(shape);
  Rng rng(seed);
  for (float& v : t.values()) v = rng.uniform(low, high);
  return t;
}

// The text of a file under tests/ (golden outputs), exactly as stored.
inline std::string read_test_file(const std::string& relative) {
  std::ifstream in(std::string(MINNOW_TEST_DATA_DIR) + "/" + relative, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The bytes of any file (one a test wrote), exactly as stored; empty when it cannot be read.
inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The standard output and exit status of `program args` (run by the shell).
inline std::pair<std::string, int> output_of(const std::filesystem::path& program, const std::string& args) {
  const std::string command = fmt::format("'{}' {}", program.string(), args);
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  const int status = pclose(pipe);
  return {out, status};
}

// A reference file of tests/reference/ whose lines are "name v0 v1 ...": the numbers by name.
inline std::map<std::string, std::vector<double>> read_reference(const std::string& relative) {
  std::istringstream in(read_test_file(relative));
  std::map<std::string, std::vector<double>> out;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) continue;
    for (double v; words >> v;) out[name].push_back(v);
  }
  return out;
}

// The loss and its gradient for y_pred (the gradient pre-filled with NaN: every element must be written).
inline double loss_and_grad(const Loss& loss, const Tensor& y_pred, const Tensor& y_true, Tensor& grad) {
  grad = Tensor(y_pred.shape(), std::numeric_limits<float>::quiet_NaN());
  return loss.compute(y_pred, y_true, &grad);
}

// Compares dL/dy_pred with central differences of the loss (computed in double): each element v
// moves by +-h, and the quotient divides by the float step actually taken.
inline void require_gradient_matches_finite_differences(const Loss& loss, Tensor y_pred, const Tensor& y_true) {
  Tensor grad;
  loss_and_grad(loss, y_pred, y_true, grad);
  for (long i = 0; i < y_pred.size(); ++i) {
    const float v = y_pred[i];
    const float h = 1e-3f * std::max(1.0f, std::abs(v));
    y_pred[i] = v + h;
    const double up = y_pred[i], l_up = loss.compute(y_pred, y_true, nullptr);
    y_pred[i] = v - h;
    const double down = y_pred[i], l_down = loss.compute(y_pred, y_true, nullptr);
    y_pred[i] = v;
    INFO(loss.name() << (loss.from_logits() ? " (logits)" : "") << ", element " << i);
    REQUIRE(grad[i] == Approx((l_up - l_down) / (up - down)).epsilon(1e-3).margin(1e-6));
  }
}

// Every element of t equals the expected value to within tol.
inline void require_values(const Tensor& t, const std::vector<float>& expected, float tol = 1e-5f) {
  REQUIRE(t.size() == static_cast<long>(expected.size()));
  for (long i = 0; i < t.size(); ++i) {
    INFO("element " << i);
    REQUIRE(t[i] == Approx(expected[size_t(i)]).margin(tol));
  }
}

// Runs f, requires it to throw E, and requires the message to contain every one of `parts`.
template <class E, class F>
void require_throws(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const E& e) {
    const std::string msg = e.what();
    INFO("message: " << msg);
    for (const std::string& p : parts) CHECK(msg.find(p) != std::string::npos);
    return;
  }
  FAIL("no exception of the expected type was thrown");
}

// One weight of a model as raw bytes: "<layer>/<weight>", its shape and its float32 bytes.
struct WeightBytes {
  std::string key;
  Shape shape;
  std::string bytes;
  bool operator==(const WeightBytes&) const = default;
};

// Every weight of the model, trainable or not (moving statistics included), byte for byte and
// in order: taken before a call, compared after it (NaN payloads and -0.0 compare exactly).
inline std::vector<WeightBytes> snapshot_weights(const Model& model) {
  std::vector<WeightBytes> out;
  for (const auto& layer : model.layers())
    for (const Parameter* p : std::as_const(*layer).weights()) {
      std::string bytes(sizeof(float) * size_t(p->value.size()), '\0');
      if (!bytes.empty()) std::memcpy(bytes.data(), p->value.data(), bytes.size());
      out.push_back({layer->name() + "/" + p->name, p->value.shape(), std::move(bytes)});
    }
  return out;
}

// Requires every weight of the model to be byte-identical to the snapshot `before`.
inline void require_weights_unchanged(const Model& model, const std::vector<WeightBytes>& before) {
  const std::vector<WeightBytes> now = snapshot_weights(model);
  REQUIRE(now.size() == before.size());
  for (size_t i = 0; i < now.size(); ++i) {
    INFO("weight " << before[i].key);
    REQUIRE(now[i].key == before[i].key);
    REQUIRE(now[i].shape == before[i].shape);
    REQUIRE(now[i].bytes == before[i].bytes);
  }
}

// require_throws<E>(f, parts), and then every weight of `model` is byte-identical to before.
template <class E, class F>
void require_throws_unchanged(const Model& model, F&& f, const std::vector<std::string>& parts) {
  const std::vector<WeightBytes> before = snapshot_weights(model);
  require_throws<E>(std::forward<F>(f), parts);
  require_weights_unchanged(model, before);
}

// Requires every checked tensor's worst relative error to be below tol (the report on failure).
inline void require_gradients(const GradientCheckResult& r, double tol = 1e-2) {
  INFO("gradient check:\n" << r.report());
  REQUIRE(!r.entries.empty());
  REQUIRE(r.worst_error() < tol);
}

// The numbers of the record `key` ("key: v1 v2 ...") of a reference file under tests/reference/
// (e.g. keras_layers15_reference.txt); fails the test when the record is missing.
inline std::vector<float> reference_record(const std::string& file, const std::string& key) {
  std::istringstream lines(read_test_file("reference/" + file));
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(key + ": ")) continue;
    std::istringstream values(line.substr(key.size() + 2));
    std::vector<float> out;
    for (float v; values >> v;) out.push_back(v);
    return out;
  }
  FAIL("no record '" << key << "' in tests/reference/" << file);
  return {};
}

// Every element of t equals the expected one to within rel * max(|expected|, 1e-2): relative,
// with an absolute floor of rel / 100 near zero. With MINNOW_SHOW_DIFFS set, prints the largest
// relative difference (the reports quote it).
inline void require_close(const Tensor& t, const std::vector<float>& expected, const std::string& what,
                          double rel = 1e-5) {
  REQUIRE(t.size() == static_cast<long>(expected.size()));
  double worst = 0;
  for (long i = 0; i < t.size(); ++i) {
    const double e = expected[size_t(i)], d = std::abs(double(t[i]) - e) / std::max(std::abs(e), 1e-2);
    INFO(what << ", element " << i << ": " << t[i] << " vs " << e);
    REQUIRE(d <= rel);
    worst = std::max(worst, d);
  }
  if (std::getenv("MINNOW_SHOW_DIFFS")) std::printf("%s: largest relative difference %.3g\n", what.c_str(), worst);
}

}  // namespace minnow::testing
