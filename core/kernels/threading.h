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

namespace minnow {

// The number of threads in use (reads the environment on the first call; a value that is not an
// integer in [1, max_num_threads()] is a ConfigError naming the variable).
int num_threads();
// Sets the number of threads; n must be in [1, max_num_threads()] (ConfigError otherwise).
void set_num_threads(int n);
// The largest thread count accepted: 4 times the processors OpenMP sees.
int max_num_threads();

// Work below this many floats touched (or multiply-adds) runs on one thread: starting a
// parallel region costs a few microseconds, more than small work takes.
inline constexpr long kParallelMinWork = 1L << 18;

// The number of threads worth using for `work` units (floats touched or multiply-adds).
inline int threads_for(long work) { return work < kParallelMinWork ? 1 : num_threads(); }

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
