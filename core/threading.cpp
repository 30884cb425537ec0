#include "core/threading.h"

#include <omp.h>

#include <cstdlib>
#include <string>

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

int from_environment() {
  if (const char* s = std::getenv("MINNOW_NUM_THREADS")) {
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (end != s && *end == '\0' && v >= 1 && v <= 1024) return int(v);
  }
  return std::max(1, omp_get_num_procs());
}

}  // namespace

int num_threads() {
  if (g_threads == 0) apply(from_environment());
  return g_threads;
}

void set_num_threads(int n) {
  if (n < 1) throw ConfigError(fmt::format("set_num_threads: the number of threads must be >= 1, but received {}", n));
  apply(n);
}

}  // namespace minnow
