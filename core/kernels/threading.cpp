#include "core/kernels/threading.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {

int g_threads = 0;  // 0: not decided yet

void apply(int n) {
  g_threads = n;
  omp_set_num_threads(n);
  Eigen::setNbThreads(n);
}

// The thread count an environment variable asks for, or 0 when it is not set.
int from_variable(const char* name) {
  const char* s = std::getenv(name);
  if (s == nullptr || *s == '\0') return 0;
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  // OMP_NUM_THREADS may list one count per nesting level ("4,2"): the first is ours.
  const bool list_ok = std::string_view(name) == "OMP_NUM_THREADS" && *end == ',';
  if (end == s || (*end != '\0' && !list_ok) || v < 1 || v > max_num_threads())
    throw ConfigError(fmt::format("the environment variable {}={} is not a thread count: it must be an integer "
                                  "from 1 to {} (4 per processor)",
                                  name, s, max_num_threads()));
  return int(v);
}

int from_environment() {
  if (const int n = from_variable("MINNOW_NUM_THREADS")) return n;
  if (const int n = from_variable("OMP_NUM_THREADS")) return n;
  return std::max(1, omp_get_num_procs());
}

}  // namespace

int max_num_threads() { return 4 * std::max(1, omp_get_num_procs()); }

int num_threads() {
  if (g_threads == 0) apply(from_environment());
  return g_threads;
}

void set_num_threads(int n) {
  if (n < 1 || n > max_num_threads())
    throw ConfigError(fmt::format("set_num_threads: the number of threads must be from 1 to {} (4 per processor), "
                                  "but received {}",
                                  max_num_threads(), n));
  apply(n);
}

namespace {

double seconds_now() { return omp_get_wtime(); }

// The median of `reps` timings of f().
template <class F>
double median_seconds(int reps, F&& f) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const double t0 = seconds_now();
    f();
    t.push_back(seconds_now() - t0);
  }
  std::nth_element(t.begin(), t.begin() + reps / 2, t.end());
  return t[size_t(reps / 2)];
}

ParallelThresholds measure_thresholds() {
  ParallelThresholds m;
  const int threads = std::max(2, num_threads());
  std::atomic<int> ticks{0};  // each thread's one step of work, so the region is not empty
  m.start_us = 1e6 * median_seconds(21, [&] {
#pragma omp parallel num_threads(threads)
                 ticks.fetch_add(1, std::memory_order_relaxed);
               });
  constexpr long kFloats = 1L << 14, kDim = 48;
  std::vector<float> a(kFloats, 1.0f), b(kFloats, 0.5f);
  m.float_ns = 1e9 / double(kFloats) * median_seconds(21, [&] {
                 for (long i = 0; i < kFloats; ++i) a[size_t(i)] = a[size_t(i)] * 0.999f + b[size_t(i)];
               });
  Eigen::MatrixXf A = Eigen::MatrixXf::Constant(kDim, kDim, 0.5f), C(kDim, kDim);
  const int eigen_threads = Eigen::nbThreads();  // one thread's rate: Eigen would split 48^3 in two
  Eigen::setNbThreads(1);
  m.mac_ns = 1e9 / double(kDim * kDim * kDim) * median_seconds(11, [&] { C.noalias() = A * A; });
  Eigen::setNbThreads(eigen_threads);
  volatile float keep = a[0] + C(0, 0);  // the results are used: the loops are not optimized away
  (void)keep;
  auto size = [&](double per_unit_ns, double low, double high) {
    return long(std::clamp(kParallelPayoff * m.start_us * 1e3 / std::max(per_unit_ns, 1e-4), low, high));
  };
  m.floats = size(m.float_ns, 4096, 1 << 22);
  m.macs = size(m.mac_ns, 1 << 14, 1 << 26);
  if (const char* s = std::getenv("MINNOW_PARALLEL_MIN_WORK"); s != nullptr && *s != '\0') {
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < 0)
      throw ConfigError(fmt::format("the environment variable MINNOW_PARALLEL_MIN_WORK={} is not a size: it must be "
                                    "an integer >= 0 (floats)",
                                    s));
    m.floats = v;
  }
  return m;
}

}  // namespace

const ParallelThresholds& parallel_thresholds() {
  static const ParallelThresholds measured = measure_thresholds();
  return measured;
}

int thread_index() { return omp_get_thread_num(); }

float* const* scratch_buffers(int threads, long floats) {
  thread_local std::vector<std::vector<float>> buffers;
  thread_local std::vector<float*> pointers;
  threads = std::max(threads, 1);
  if (buffers.size() < size_t(threads)) buffers.resize(size_t(threads));
  pointers.resize(buffers.size());
  for (size_t t = 0; t < buffers.size(); ++t) {
    if (buffers[t].size() < size_t(floats)) buffers[t].resize(size_t(floats));
    pointers[t] = buffers[t].data();
  }
  return pointers.data();
}

}  // namespace minnow
