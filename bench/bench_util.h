// Timing helpers for minnow_bench: statistics, the machine's foreign load, peak memory.
//
// The machine may be shared: every measurement records `foreign_cores`, the average number of
// CPUs busy with other processes' work while it ran (0 = quiet, 1 = one whole core taken by
// someone else), from /proc/stat minus this process's own CPU time, as
// /work/shared/perf/cpuwatch.py does for the PyTorch side. wait_quiet() waits (up to a limit)
// until other processes use less than 0.15 cores.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

namespace bench {

inline double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Stats {
  double median = 0, min = 0, max = 0;
};

inline Stats stats(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double med = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  return {med, v.front(), v.back()};
}

// CPU seconds used by the whole machine (busy, not idle) and by this process, and the wall clock.
struct CpuClock {
  double wall, busy, own;
  static CpuClock read() {
    std::ifstream f("/proc/stat");
    std::string cpu;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
    f >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq;
    const double hz = double(sysconf(_SC_CLK_TCK));
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double own = double(ru.ru_utime.tv_sec) + 1e-6 * double(ru.ru_utime.tv_usec) + double(ru.ru_stime.tv_sec) +
                       1e-6 * double(ru.ru_stime.tv_usec);
    return {now_s(), (user + nice + system + irq + softirq) / hz, own};
  }
};

// Wall seconds and foreign load of one timed span.
struct Span {
  CpuClock start = CpuClock::read();
  double wall = 0, foreign = 0;
  void stop() {
    const CpuClock end = CpuClock::read();
    wall = end.wall - start.wall;
    foreign = std::max(0.0, (end.busy - start.busy) - (end.own - start.own)) / std::max(wall, 1e-9);
  }
};

// Waits until other processes use less than `threshold` cores over a 2-second window, or until
// max_wait_s have passed. Returns the last window's foreign load.
inline double wait_quiet(double max_wait_s, double threshold = 0.15) {
  const double deadline = now_s() + max_wait_s;
  while (true) {
    Span s;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    s.stop();
    if (s.foreign < threshold || now_s() > deadline) return s.foreign;
  }
}

// This process's peak resident memory in MB (VmHWM), and a reset of that peak to the current
// resident size (Linux >= 4.0; ignored where not allowed).
inline double peak_rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream in(line.substr(6));
      double kb = 0;
      in >> kb;
      return kb / 1024.0;
    }
  return 0;
}
inline void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

}  // namespace bench
