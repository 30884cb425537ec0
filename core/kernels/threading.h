// Threads: how many threads minnow's kernels and Eigen's matrix products may use.
//
// The default comes from the environment, as in every OpenMP program: MINNOW_NUM_THREADS when set
// (it takes precedence, to give minnow alone a count), else OMP_NUM_THREADS (its first number:
// "4" or "4,2"), else the number of processors OpenMP sees. set_num_threads(n) changes it for the
// whole program (Eigen's matrix products and minnow's own OpenMP loops alike).
// Either way the count is at most max_num_threads(): 4 threads per processor. More only
// oversubscribes the cores, and thousands make the OpenMP runtime fail to start them.
// Results never depend on the number of threads where it matters for learners: every reduction
// (BatchNormalization statistics, weight gradients) splits its work into a fixed number of parts
// whatever the thread count and adds the parts in a fixed order, so 1 and 8 threads give the
// same bits.
#pragma once

#include <algorithm>

namespace minnow {

// The number of threads in use (reads the environment on the first call; a value that is not an
// integer in [1, max_num_threads()] is a ConfigError naming the variable).
int num_threads();
// Sets the number of threads; n must be in [1, max_num_threads()] (ConfigError otherwise).
void set_num_threads(int n);
// The largest thread count accepted: 4 times the processors OpenMP sees.
int max_num_threads();

// Below a size, work runs on one thread: starting a parallel region costs microseconds, more than
// small work takes. The sizes are measured on this machine, once per process, the first time one
// is asked for: the time a parallel region takes to start on num_threads() threads, against one
// thread's time per float of a streaming loop and per multiply-add of a small matrix product;
// threads pay off from the size at which the work takes kParallelPayoff times that start.
// MINNOW_PARALLEL_MIN_WORK (floats) sets the first instead. Results never depend on the choice.
inline constexpr double kParallelPayoff = 8;
struct ParallelThresholds {
  long floats = 0, macs = 0;                      // the sizes from which threads pay off
  double start_us = 0, float_ns = 0, mac_ns = 0;  // what was measured
};
const ParallelThresholds& parallel_thresholds();

// The number of threads worth using for `floats` floats touched, or `macs` multiply-adds.
inline int threads_for(long floats) { return floats < parallel_thresholds().floats ? 1 : num_threads(); }
inline int threads_for_macs(long macs) { return macs < parallel_thresholds().macs ? 1 : num_threads(); }

// f(i) for i in [0, n), split into contiguous ranges over `threads` OpenMP threads. With one
// thread (or one item) it is a plain loop: even an empty OpenMP region costs an allocation.
template <class F>
void parallel_for(long n, int threads, F&& f) {
  if (threads <= 1 || n <= 1) {
    for (long i = 0; i < n; ++i) f(i);
    return;
  }
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long i = 0; i < n; ++i) f(i);
}

// f(first, last) over [0, n) in contiguous ranges, on the threads n floats call for: an element-wise
// loop (an activation) on all threads without its body knowing them.
template <class F>
void parallel_ranges(long n, F&& f) {
  constexpr long kRange = 1L << 14;
  const long ranges = (n + kRange - 1) / kRange;
  parallel_for(ranges, threads_for(n), [&](long r) { f(r * kRange, std::min(n, (r + 1) * kRange)); });
}

// The index of the calling thread in the parallel loop running it (0 outside one).
int thread_index();
// `threads` scratch buffers of at least `floats` floats each, owned by the calling thread and kept
// from one call to the next (a steady state allocates nothing). Valid until the next call.
float* const* scratch_buffers(int threads, long floats);

// parallel_for handing f(i, scratch) the scratch buffer (`floats` floats) of the thread running i:
// per-thread workspace without the body knowing threads. Not to be nested in another one.
template <class F>
void parallel_for_scratch(long n, int threads, long floats, F&& f) {
  float* const* buffers = scratch_buffers(threads, floats);
  if (threads <= 1 || n <= 1) {
    for (long i = 0; i < n; ++i) f(i, buffers[0]);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    float* const scratch = buffers[thread_index()];
#pragma omp for schedule(static)
    for (long i = 0; i < n; ++i) f(i, scratch);
  }
}

}  // namespace minnow
