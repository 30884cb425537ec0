// Plots for the teaching examples: histograms and line plots drawn into an Image (write it with
// write_png), pictures side by side, and histograms as text for the terminal.
//
//   Histogram h = histogram(x.values(), 30);
//   fmt::print("{}", text_histogram(h));                       // bars of '#' in the terminal
//   write_png(histogram_plot(h, {.title = "Data", .xlabel = "pixel value", .ylabel = "count"}),
//             "data_histogram.png");
//   write_png(line_plot({{.label = "loss", .x = steps, .y = losses}}, {.title = "Training"}),
//             "loss.png");
//
// Every plot has a title, axes with ticks and numbers, axis labels, optional lines of notes under
// the title and, for line plots, a legend placed where it covers no curve. Text is drawn with the
// 5x7 bitmap font of plot/font.h, scaled by PlotOptions::text_scale. Colours are matplotlib's
// "tab10" cycle, so the pictures look familiar.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plot/image.h"

namespace minnow {

// ---- histograms -----------------------------------------------------------------------------

// numpy.histogram's equal-width bins: bin i holds the values in [edge(i), edge(i + 1)), the last
// bin also its right edge, high.
struct Histogram {
  double low = 0.0, high = 0.0;
  std::vector<long> counts;

  long bins() const { return long(counts.size()); }
  double bin_width() const { return (high - low) / double(counts.size()); }
  double edge(long i) const;  // edge(0) = low, edge(bins()) = high
  long total() const;         // values counted (those inside [low, high])
};

// numpy.histogram(values, bins, range): `bins` equal bins over [low, high], by default the
// values' [min, max] (a constant v gets [v - 0.5, v + 0.5], as numpy). Values outside the range
// and NaNs are not counted. Throws ConfigError for bins < 1 or low >= high.
Histogram histogram(std::span<const float> values, long bins);
Histogram histogram(std::span<const float> values, long bins, double low, double high);

// The histogram as text, one line per bin, the longest bar bar_width characters of '#' (a
// non-empty bin gets at least one):
//   [-0.50,  0.00) ######################## 24
//   [ 0.00,  0.50] ####                      4
std::string text_histogram(const Histogram& h, long bar_width = 40);

// ---- drawing primitives -------------------------------------------------------------------

inline constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGray{128, 128, 128};
// matplotlib's tab10 colours: blue, orange, green, red, purple, brown, pink, gray, olive, cyan.
Rgb series_color(long i);

// Text with its top-left corner at (x, y); '\n' starts a new line.
void draw_text(Image& image, long x, long y, std::string_view text, Rgb color, long scale = 1);
// Text turned 90 degrees anticlockwise (reading upwards), its first character's bottom-left at (x, y).
void draw_text_up(Image& image, long x, long y, std::string_view text, Rgb color, long scale = 1);
// Width in pixels of the longest line of `text`.
long text_width(std::string_view text, long scale = 1);
// The pixels [x0, x1) x [y0, y1), clipped to the picture.
void fill_rect(Image& image, long x0, long y0, long x1, long y1, Rgb color);
// A straight line (Bresenham) drawn with a square pen of `thickness` pixels.
void draw_line(Image& image, long x0, long y0, long x1, long y1, Rgb color, long thickness = 1);

// ---- plots --------------------------------------------------------------------------------

struct PlotOptions {
  std::string title{}, xlabel{}, ylabel{};
  std::vector<std::string> notes{};  // lines of text under the title (e.g. "mean 0.00, variance 1.00")
  long width = 720, height = 450;    // pixels
  long text_scale = 2;               // 1: the 5x7 font as is; 2: twice as large
  // Axis ranges; by default the data's range with a 5% margin (a histogram's y axis starts at 0).
  std::optional<double> xmin{}, xmax{}, ymin{}, ymax{};
};

struct Series {
  std::string label{};  // shown in the legend; empty: not listed
  std::vector<double> x{}, y{};
  std::optional<Rgb> color{};  // default: series_color(index of the series)
  bool markers = false;        // a dot on every point
  long thickness = 2;          // of the line, in pixels; 0 draws no line (markers only)
};

// Curves through the points of each series, in order. The legend (the series with a label) goes
// where it covers no drawn pixel: a free corner of the plot area, else the middle of an edge, else
// any free place inside; when there is none, outside the axes on the right (the plot area
// narrows). Throws ConfigError when a series' x and y differ in length or there is no point at all.
Image line_plot(const std::vector<Series>& series, const PlotOptions& options = {});
// A bar per bin, from edge(i) to edge(i + 1), as high as its count.
Image histogram_plot(const Histogram& h, const PlotOptions& options = {}, Rgb color = series_color(0));

// Pictures in a grid, `columns` per row, each with a caption under it (lines split at '\n'),
// and a title on top; gray pictures become RGB. Cells are as large as the largest picture.
Image image_grid(const std::vector<Image>& images, const std::vector<std::string>& captions, long columns,
                 const std::string& title = "", long text_scale = 2);
// Plots (or any pictures) side by side without captions, `columns` per row.
Image stack(const std::vector<Image>& images, long columns);

}  // namespace minnow
