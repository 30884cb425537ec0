// Charts as inline SVG for the training report: line charts and histograms, every data point an
// element of the page (a <circle class="point">), so a browser, a test and a reader can find them.
//   std::string svg = svg_line_chart({{.label = "loss", .x = steps, .y = losses}}, {.title = "Loss"});
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minnow {

struct Histogram;

struct ChartSeries {
  std::string label{};
  std::vector<double> x{}, y{};  // same length; non-finite values are skipped
  bool dashed = false;
  bool points = true;  // a dot on every point (false: the line alone, for long series)
  long colour = -1;    // an index into the palette; -1: the series' position
  bool legend = true;  // an entry in the legend
};

struct ChartOptions {
  std::string title{}, xlabel{}, ylabel{};
  int width = 420, height = 240;  // pixels
  bool log_y = false;             // a logarithmic y axis (values <= 0 are skipped)
  bool integer_x = false;         // x ticks at whole numbers only (epochs)
};

// A line chart of the series, with axes, ticks, a legend and the title.
std::string svg_line_chart(const std::vector<ChartSeries>& series, const ChartOptions& options);

// A histogram as bars (one <rect class="bar"> per bin) over its range.
std::string svg_histogram(const Histogram& histogram, const ChartOptions& options);

// Text for HTML or SVG, as element text or inside a double-quoted attribute: & < > " escaped.
std::string html_escape(std::string_view text);

// Round tick values covering [low, high]: about `count` of them, at 1, 2 or 5 times a power of 10.
std::vector<double> nice_ticks(double low, double high, int count);

}  // namespace minnow
