// The machine's memory bandwidth for minnow_bench, measured in the same run as the workloads:
// STREAM's triad a[i] = b[i] + s * c[i] over three float arrays, on minnow's threads (parallel_for
// over contiguous ranges), at three sizes: arrays far larger than the last-level cache (the memory
// bandwidth, "dram"), arrays filling half the L3 ("l3") and half the threads' L2 caches ("l2").
// The roofline floor takes the bandwidth of the smallest level that holds a step's working set:
// a small model's weights and activations stay in cache from one step to the next.
//
// Bytes are counted as STREAM does: 3 arrays x n x 4 (read b, read c, write a). The
// write-allocate read of a's cache lines, which the hardware also does, is NOT counted, so the
// bus moves about 4/3 of this; the roofline floor counts its bytes the same way.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "bench/bench_util.h"
#include "core/kernels/threading.h"

namespace bench {

struct Bandwidth {
  double gbps = 0, best_gbps = 0, foreign = 0;
  double array_mb = 0;  // size of each of the three arrays
  int threads = 0;
};

// A cache's size in bytes from sysconf (_SC_LEVEL2_CACHE_SIZE, _SC_LEVEL3_CACHE_SIZE); `fallback`
// when the system does not say.
inline double cache_bytes(int name, double fallback) {
  const long v = sysconf(name);
  return v > 0 ? double(v) : fallback;
}

// f(begin, end) over [0, n) in one contiguous range per thread.
template <class F>
void for_ranges(long n, int threads, F&& f) {
  const long per = (n + threads - 1) / threads;
  minnow::parallel_for(threads, threads, [&](long t) { f(t * per, std::min(n, (t + 1) * per)); });
}

// Median (and best) triad bandwidth over `reps` repetitions on arrays of n floats, in GB/s (1e9
// bytes per second). A repetition runs the triad enough times to move at least 256 MB.
inline Bandwidth triad_bandwidth(long n, int reps, double quiet_wait) {
  const int threads = minnow::num_threads();
  const long inner = std::max(1L, (256L << 20) / (12 * n));
  std::vector<float> a(static_cast<size_t>(n)), b(static_cast<size_t>(n)), c(static_cast<size_t>(n));
  // Each thread first touches the pages it will use (NUMA placement, as STREAM does).
  for_ranges(n, threads, [&](long lo, long hi) {
    std::fill(a.begin() + lo, a.begin() + hi, 0.0f);
    std::fill(b.begin() + lo, b.begin() + hi, 1.0f);
    std::fill(c.begin() + lo, c.begin() + hi, 2.0f);
  });
  const float s = 3.0f;
  // One parallel region per repetition: each thread sweeps its own range `inner` times, so a
  // range that fits in the thread's cache stays there.
  auto triad = [&] {
    for_ranges(n, threads, [&](long lo, long hi) {
      for (long k = 0; k < inner; ++k)
        for (long i = lo; i < hi; ++i) a[size_t(i)] = b[size_t(i)] + s * c[size_t(i)];
    });
  };
  triad();  // warm-up
  if (quiet_wait >= 0) wait_quiet(quiet_wait);
  std::vector<double> gbps, foreign;
  for (int r = 0; r < reps; ++r) {
    Span span;
    triad();
    span.stop();
    gbps.push_back(3.0 * double(n) * 4 * double(inner) / span.wall / 1e9);
    foreign.push_back(span.foreign);
  }
  return {stats(gbps).median, stats(gbps).max, stats(foreign).median, 4e-6 * double(n), threads};
}

// The bandwidths of memory and of the caches, and the caches' sizes in MB.
struct Bandwidths {
  Bandwidth dram, l3, l2;
  double l3_mb = 0, l2_mb = 0;  // L3, and L2 times the threads
};

// Measures the three triads. The memory arrays are 64 MiB each, or the L3's size when larger
// (some servers have L3 caches of hundreds of MB).
inline Bandwidths measure_bandwidths(int reps, double quiet_wait) {
  Bandwidths bw;
  const double l3 = cache_bytes(_SC_LEVEL3_CACHE_SIZE, 32 << 20), l2 = cache_bytes(_SC_LEVEL2_CACHE_SIZE, 1 << 20);
  bw.l3_mb = l3 / 1e6, bw.l2_mb = l2 * minnow::num_threads() / 1e6;
  bw.dram = triad_bandwidth(std::max(64L << 20, long(l3)) / 4, reps, quiet_wait);
  bw.l3 = triad_bandwidth(long(l3 / 2 / 12), reps, -1);
  bw.l2 = triad_bandwidth(long(bw.l2_mb * 1e6 / 2 / 12), reps, -1);
  return bw;
}

}  // namespace bench
