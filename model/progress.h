// Keras' progress bar (tf.keras.utils.Progbar), as fit() and evaluate() print it.
//
//   on a terminal, redrawn in place while the epoch runs:
//     412/1875 [=====>........................] - ETA: 9s - loss: 0.5123 - accuracy: 0.8211
//   and when it ends:
//     1875/1875 [==============================] - 12s 6ms/step - loss: 0.4521 - accuracy: 0.8412
//   verbose = 1 on something that is not a terminal (a file, a pipe, CI): only the final line;
//   verbose = 2: one short line per epoch:  1875/1875 - 12s - loss: 0.4521 - accuracy: 0.8412
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace minnow {

class ProgressBar {
 public:
  using Values = std::vector<std::pair<std::string, double>>;

  // target: steps in the epoch; verbose as Keras (0 silent, 1 bar, 2 one line); interactive:
  // whether `out` is a terminal (redraw in place) or not (final line only).
  ProgressBar(std::ostream& out, long target, int verbose, bool interactive);
  // Reports that `current` steps are done, with the running values to show.
  void update(long current, const Values& values);
  // Ends the epoch: the final line with total time and time per step, plus `values`.
  void finish(const Values& values);
  // Prints `line` (a warning) on a line of its own, at any verbose level: on a terminal the bar
  // drawn so far is wiped first and redrawn by the next update.
  void note(const std::string& line);

  // Keras' number format: %.4f, or %.4e for magnitudes below 1e-3.
  static std::string format_value(double v);
  // The bar: "412/1875 [=====>........................]".
  static std::string bar(long current, long target);
  // Keras' durations: "9s", "1:23", "1:02:03" (ETA) and "12s 6ms/step" (final).
  static std::string format_eta(double seconds);
  static std::string format_time_per_step(double seconds_per_step);

 private:
  std::string values_text(const Values& values) const;
  double elapsed() const;

  std::ostream& out_;
  long target_;
  int verbose_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  long current_ = 0;
  size_t last_width_ = 0;
};

// True when `out` is std::cout and standard output is a terminal.
bool is_terminal(const std::ostream& out);

}  // namespace minnow
