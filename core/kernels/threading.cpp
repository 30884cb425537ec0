#include "core/kernels/threading.h"

#include <omp.h>

#include <algorithm>
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
