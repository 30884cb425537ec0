#include "model/progress.h"

#include <unistd.h>

#include <cmath>
#include <iostream>

#include <fmt/format.h>

namespace minnow {

bool is_terminal(const std::ostream& out) { return &out == &std::cout && isatty(STDOUT_FILENO) == 1; }

ProgressBar::ProgressBar(std::ostream& out, long target, int verbose, bool interactive)
    : out_(out),
      target_(target),
      verbose_(verbose),
      interactive_(interactive),
      start_(std::chrono::steady_clock::now()) {}  // last_draw_: the clock's epoch, so the first update draws

double ProgressBar::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string ProgressBar::format_value(double v) {
  return std::fabs(v) > 1e-3 || v == 0 ? fmt::format(" {:.4f}", v) : fmt::format(" {:.4e}", v);
}

std::string ProgressBar::bar(long current, long target) {
  const int digits = int(std::to_string(target).size());
  std::string s = fmt::format("{:>{}}/{} [", current, digits, target);
  const long width = 30;
  const long done = target > 0 ? long(double(width) * double(current) / double(target)) : width;
  if (done > 0) s += std::string(size_t(done - 1), '=') + (current < target ? ">" : "=");
  s += std::string(size_t(width - done), '.');
  return s + "]";
}

std::string ProgressBar::format_eta(double seconds) {
  const long s = long(seconds);
  if (s > 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60);
  if (s > 60) return fmt::format("{}:{:02}", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string ProgressBar::format_time_per_step(double seconds_per_step) {
  const double t = seconds_per_step;
  if (t >= 1) return fmt::format("{:.0f}s/step", t);
  if (t >= 1e-3) return fmt::format("{:.0f}ms/step", t * 1e3);
  return fmt::format("{:.0f}us/step", t * 1e6);
}

std::string ProgressBar::values_text(const Values& values) const {
  std::string s;
  for (const auto& [name, v] : values) s += " - " + name + ":" + format_value(v);
  return s;
}

void ProgressBar::update(long current, const Values& values) {
  current_ = current;
  if (verbose_ != 1 || !interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  if (current < target_ && std::chrono::duration<double>(now - last_draw_).count() < 0.05) return;
  last_draw_ = now;
  const double per_step = current > 0 ? elapsed() / double(current) : 0;
  std::string line =
      bar(current, target_) + " - ETA: " + format_eta(per_step * double(target_ - current)) + values_text(values);
  const size_t width = line.size();
  if (width < last_width_) line += std::string(last_width_ - width, ' ');  // erase the longer old line
  last_width_ = width;
  out_ << '\r' << line << std::flush;
}

void ProgressBar::note(const std::string& line) {
  if (interactive_ && last_width_ > 0) {  // a bar is drawn on the current line: wipe it
    out_ << '\r' << std::string(last_width_, ' ') << '\r';
    last_width_ = 0;
    last_draw_ = {};  // the next update draws the bar again, below the note
  }
  out_ << line << '\n' << std::flush;
}

void ProgressBar::finish(const Values& values) {
  if (verbose_ == 0) return;
  const double total = elapsed();
  const double per_step = current_ > 0 ? total / double(current_) : 0;
  std::string line;
  if (verbose_ == 1)
    line = bar(current_, target_) + fmt::format(" - {:.0f}s {}", total, format_time_per_step(per_step));
  else line = fmt::format("{}/{} - {:.0f}s", current_, target_, total);
  line += values_text(values);
  if (interactive_ && verbose_ == 1) {
    const size_t width = line.size();
    if (width < last_width_) line += std::string(last_width_ - width, ' ');
    out_ << '\r';
  }
  out_ << line << '\n' << std::flush;
}

}  // namespace minnow
