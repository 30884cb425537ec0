// The plotting module's building blocks (plot.h): histograms with numpy's binning, and the
// drawing primitives the plots are made of. The plots themselves are in plot.cpp.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "plot/font.h"
#include "plot/plot.h"

namespace minnow {

// ---- histograms -----------------------------------------------------------------------------

double Histogram::edge(long i) const { return i == bins() ? high : low + double(i) * bin_width(); }

long Histogram::total() const {
  long n = 0;
  for (long c : counts) n += c;
  return n;
}

Histogram histogram(std::span<const float> values, long bins) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (float v : values)
    if (!std::isnan(v)) lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
  if (lo > hi) lo = 0.0, hi = 1.0;     // no values: numpy's default range
  if (lo == hi) lo -= 0.5, hi += 0.5;  // a constant: numpy widens the range by 0.5 each side
  return histogram(values, bins, lo, hi);
}

Histogram histogram(std::span<const float> values, long bins, double low, double high) {
  if (bins < 1) throw ConfigError(fmt::format("histogram: bins must be >= 1, but received bins={}", bins));
  if (!(low < high) || !std::isfinite(low) || !std::isfinite(high))
    throw ConfigError(fmt::format("histogram: expected a finite range low < high, but received [{}, {}]", low, high));
  Histogram h{low, high, std::vector<long>(size_t(bins), 0)};
  const double norm = double(bins) / (high - low);
  for (float f : values) {
    const double v = f;
    if (!(v >= low && v <= high)) continue;  // outside, or NaN
    long i = std::min(long((v - low) * norm), bins - 1);
    // numpy's correction: rounding in (v - low) * norm must not move a value across an edge
    if (v < h.edge(i)) --i;
    else if (i + 1 < bins && v >= h.edge(i + 1)) ++i;
    ++h.counts[size_t(i)];
  }
  return h;
}

std::string text_histogram(const Histogram& h, long bar_width) {
  const double w = h.bin_width();
  const int decimals = std::clamp(2 - int(std::floor(std::log10(w))), 0, 6);  // 3 significant digits of w
  size_t edge_w = 0, count_w = 1;
  long max_count = 0;
  for (long i = 0; i <= h.bins(); ++i) edge_w = std::max(edge_w, fmt::format("{:.{}f}", h.edge(i), decimals).size());
  for (long c : h.counts) max_count = std::max(max_count, c), count_w = std::max(count_w, fmt::format("{}", c).size());
  std::string out;
  for (long i = 0; i < h.bins(); ++i) {
    const long c = h.counts[size_t(i)];
    long n = max_count ? std::lround(double(c) * double(bar_width) / double(max_count)) : 0;
    if (c > 0) n = std::max(n, 1L);
    out += fmt::format("[{:>{}.{}f}, {:>{}.{}f}{} {:<{}} {:>{}}\n", h.edge(i), edge_w, decimals, h.edge(i + 1), edge_w,
                       decimals, i + 1 == h.bins() ? ']' : ')', std::string(size_t(n), '#'), bar_width, c, count_w);
  }
  return out;
}

// ---- drawing primitives -------------------------------------------------------------------

Rgb series_color(long i) {
  static constexpr Rgb kTab10[] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
                                   {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
  return kTab10[size_t(((i % 10) + 10) % 10)];
}

void fill_rect(Image& image, long x0, long y0, long x1, long y1, Rgb color) {
  for (long y = std::max(0L, y0); y < std::min(y1, image.height); ++y)
    for (long x = std::max(0L, x0); x < std::min(x1, image.width); ++x) image.set(x, y, color);
}

void draw_text(Image& image, long x, long y, std::string_view text, Rgb color, long scale) {
  long cx = x;
  for (char c : text) {
    if (c == '\n') {
      cx = x, y += font::kLineHeight * scale;
      continue;
    }
    for (int row = 0; row < font::kGlyphHeight; ++row)
      for (int col = 0; col < font::kGlyphWidth; ++col)
        if (font::ink(c, col, row))
          fill_rect(image, cx + col * scale, y + row * scale, cx + (col + 1) * scale, y + (row + 1) * scale, color);
    cx += font::kAdvance * scale;
  }
}

void draw_text_up(Image& image, long x, long y, std::string_view text, Rgb color, long scale) {
  long cy = y;  // the glyph's column runs upwards, its row to the right
  for (char c : text) {
    for (int row = 0; row < font::kGlyphHeight; ++row)
      for (int col = 0; col < font::kGlyphWidth; ++col)
        if (font::ink(c, col, row))
          fill_rect(image, x + row * scale, cy - (col + 1) * scale, x + (row + 1) * scale, cy - col * scale, color);
    cy -= font::kAdvance * scale;
  }
}

long text_width(std::string_view text, long scale) {
  long longest = 0, n = 0;
  for (char c : text) n = c == '\n' ? 0 : n + 1, longest = std::max(longest, n);
  return longest ? (longest * font::kAdvance - 1) * scale : 0;
}

void draw_line(Image& image, long x0, long y0, long x1, long y1, Rgb color, long thickness) {
  const long dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  const long half = (thickness - 1) / 2;
  for (long err = dx + dy;;) {
    fill_rect(image, x0 - half, y0 - half, x0 - half + thickness, y0 - half + thickness, color);
    if (x0 == x1 && y0 == y1) break;
    const long e2 = 2 * err;
    if (e2 >= dy) err += dy, x0 += sx;
    if (e2 <= dx) err += dx, y0 += sy;
  }
}

}  // namespace minnow
