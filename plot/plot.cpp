#include "plot/plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "plot/font.h"

namespace minnow {

// ---- axes ---------------------------------------------------------------------------------

namespace {

constexpr Rgb kGrid{225, 225, 225};

// "Nice" tick positions (1, 2 or 5 times a power of ten apart) inside [lo, hi], about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target, double& step) {
  std::vector<double> ticks;
  step = 1;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  const double rough = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(rough)));
  const double norm = rough / mag;
  step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const double first = std::ceil(lo / step - 1e-9), last = std::floor(hi / step + 1e-9);
  for (double k = first; k <= last && ticks.size() < 50; ++k) ticks.push_back(k == 0 ? 0.0 : k * step);
  return ticks;
}

std::string tick_label(double v, double step) {
  const int decimals = std::max(0, -int(std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", v, decimals);
}

// The plot area of a picture and the map from data to pixels.
struct Frame {
  long left = 0, top = 0, right = 0, bottom = 0;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double fx(double x) const { return double(left) + (x - x0) / (x1 - x0) * double(right - left); }
  double fy(double y) const { return double(bottom) - (y - y0) / (y1 - y0) * double(bottom - top); }
  // The pixel of a data point, kept within a picture's reach of the plot area.
  long px(double x) const { return std::lround(std::clamp(fx(x), double(left - right), double(2 * right))); }
  long py(double y) const { return std::lround(std::clamp(fy(y), double(top - bottom), double(2 * bottom))); }
};

void widen(double& lo, double& hi, double margin) {
  if (!(hi > lo)) lo -= 0.5, hi += 0.5;  // one value (or none): a unit range around it
  const double m = (hi - lo) * margin;
  lo -= m, hi += m;
}

// The title (bold: drawn twice, a pixel apart) and the notes, centred at the top.
void draw_title(Image& img, const PlotOptions& o) {
  const long s = o.text_scale, line = font::kLineHeight * s;
  long y = 12;
  if (!o.title.empty()) {
    const long x = (o.width - text_width(o.title, s)) / 2;
    for (long dx : {0L, 1L}) draw_text(img, x + dx, y, o.title, kBlack, s);
    y += line + 4;
  }
  for (const std::string& n : o.notes)
    draw_text(img, (o.width - text_width(n, s)) / 2, y, n, {60, 60, 60}, s), y += line;
}

// The grid lines, the tick marks and their labels.
void draw_ticks(Image& img, const Frame& f, const std::vector<double>& xt, double xstep, const std::vector<double>& yt,
                double ystep, long s) {
  const long glyph = font::kGlyphHeight * s;
  for (double t : xt) {
    const long x = f.px(t);
    fill_rect(img, x, f.top, x + 1, f.bottom, kGrid);
    fill_rect(img, x, f.bottom, x + 1, f.bottom + 6, kBlack);
    const std::string lab = tick_label(t, xstep);
    draw_text(img, x - text_width(lab, s) / 2, f.bottom + 10, lab, kBlack, s);
  }
  for (double t : yt) {
    const long yy = f.py(t);
    fill_rect(img, f.left, yy, f.right, yy + 1, kGrid);
    fill_rect(img, f.left - 6, yy, f.left, yy + 1, kBlack);
    const std::string lab = tick_label(t, ystep);
    draw_text(img, f.left - 10 - text_width(lab, s), yy - glyph / 2 + s, lab, kBlack, s);
  }
}

// Draws title, notes, grid, axes, ticks and labels; returns the plot area for the data.
// reserve_right: pixels kept free right of the plot area (for a legend outside the axes).
Frame draw_axes(Image& img, const PlotOptions& o, double x0, double x1, double y0, double y1, long reserve_right = 0) {
  if (!(x1 > x0)) widen(x0, x1, 0.0);  // e.g. xmin == xmax given in the options
  if (!(y1 > y0)) widen(y0, y1, 0.0);
  const long s = o.text_scale, line = font::kLineHeight * s, glyph = font::kGlyphHeight * s;
  double xstep = 1, ystep = 1;
  const std::vector<double> xt = nice_ticks(x0, x1, 7, xstep), yt = nice_ticks(y0, y1, 6, ystep);
  long ylabel_w = 0;
  for (double t : yt) ylabel_w = std::max(ylabel_w, text_width(tick_label(t, ystep), s));
  Frame f;
  f.x0 = x0, f.x1 = x1, f.y0 = y0, f.y1 = y1;
  f.top = 12 + (o.title.empty() ? 0 : line + 4) + long(o.notes.size()) * line + 8;
  f.left = 10 + (o.ylabel.empty() ? 0 : glyph + 10) + ylabel_w + 10;
  f.bottom = o.height - (10 + glyph + 12 + (o.xlabel.empty() ? 0 : line + 4));
  f.right = o.width - 10 - text_width(tick_label(xt.empty() ? 0 : xt.back(), xstep), s) / 2 - 6 - reserve_right;
  if (f.right - f.left < 40 || f.bottom - f.top < 40)
    throw ConfigError(fmt::format("plot: a {}x{} picture is too small for its text; make it larger or lower "
                                  "text_scale",
                                  o.width, o.height));
  draw_title(img, o);
  draw_ticks(img, f, xt, xstep, yt, ystep, s);
  for (long x : {f.left, f.right}) fill_rect(img, x, f.top, x + 1, f.bottom + 1, kBlack);
  for (long yy : {f.top, f.bottom}) fill_rect(img, f.left, yy, f.right + 1, yy + 1, kBlack);
  if (!o.xlabel.empty())
    draw_text(img, (f.left + f.right - text_width(o.xlabel, s)) / 2, o.height - 8 - line + 2 * s, o.xlabel, kBlack, s);
  if (!o.ylabel.empty()) draw_text_up(img, 10, (f.top + f.bottom + text_width(o.ylabel, s)) / 2, o.ylabel, kBlack, s);
  return f;
}

// Clips the segment (ax, ay)-(bx, by) to [0, w) x [0, h) (Liang-Barsky); false when nothing is left.
bool clip(double& ax, double& ay, double& bx, double& by, double w, double h) {
  double t0 = 0, t1 = 1;
  const double dx = bx - ax, dy = by - ay;
  const double p[4] = {-dx, dx, -dy, dy}, q[4] = {ax, w - 1 - ax, ay, h - 1 - ay};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0) t0 = std::max(t0, t);
    else t1 = std::min(t1, t);
  }
  if (t0 > t1) return false;
  bx = ax + t1 * dx, by = ay + t1 * dy, ax += t0 * dx, ay += t0 * dy;
  return true;
}

// The legend: the labelled series and the size of its box.
struct Legend {
  std::vector<size_t> listed;  // indices of the series with a label
  long width = 0, height = 0;
};

Legend legend_of(const std::vector<Series>& series, long s) {
  Legend g;
  long w = 0;
  for (size_t i = 0; i < series.size(); ++i)
    if (!series[i].label.empty()) g.listed.push_back(i), w = std::max(w, text_width(series[i].label, s));
  if (g.listed.empty()) return g;
  g.width = 8 + 12 * s + 6 + w + 8;
  g.height = 6 + long(g.listed.size()) * font::kLineHeight * s + 4;
  return g;
}

// Counts the drawn pixels (neither background nor grid) of a plot area in any rectangle, from
// a summed-area table.
class Ink {
 public:
  explicit Ink(const Image& area) : w_(area.width), h_(area.height), sum_(size_t((w_ + 1) * (h_ + 1)), 0) {
    for (long y = 0; y < h_; ++y)
      for (long x = 0; x < w_; ++x) {
        const std::uint8_t* p = area.pixel(x, y);
        const bool white = p[0] == 255 && p[1] == 255 && p[2] == 255;
        const bool grid = p[0] == kGrid.r && p[1] == kGrid.g && p[2] == kGrid.b;
        at(x + 1, y + 1) = at(x, y + 1) + at(x + 1, y) - at(x, y) + (white || grid ? 0 : 1);
      }
  }
  // Drawn pixels in [x0, x1) x [y0, y1), clipped to the area.
  long count(long x0, long y0, long x1, long y1) const {
    x0 = std::clamp(x0, 0L, w_), x1 = std::clamp(x1, 0L, w_), y0 = std::clamp(y0, 0L, h_), y1 = std::clamp(y1, 0L, h_);
    if (x1 <= x0 || y1 <= y0) return 0;
    return at(x1, y1) - at(x0, y1) - at(x1, y0) + at(x0, y0);
  }

 private:
  long& at(long x, long y) { return sum_[size_t(y * (w_ + 1) + x)]; }
  long at(long x, long y) const { return sum_[size_t(y * (w_ + 1) + x)]; }
  long w_, h_;
  std::vector<long> sum_;
};

// Where the legend's top-left corner goes in the plot area `area` (its coordinates) so that it
// covers no drawn pixel, with a gap of 5 pixels around it: the corners first (top right, top
// left, bottom left, bottom right, matplotlib's order), then the middles of the edges, then
// anywhere on a 4-pixel grid. Returns the place covering the fewest pixels and that number.
std::pair<std::pair<long, long>, long> legend_place(const Image& area, const Legend& g) {
  const Ink ink(area);
  const long inset = 7, gap = 5;
  const long x_lo = inset, x_hi = area.width - inset - g.width, y_lo = inset, y_hi = area.height - inset - g.height;
  std::vector<std::pair<long, long>> places = {{x_hi, y_lo},
                                               {x_lo, y_lo},
                                               {x_lo, y_hi},
                                               {x_hi, y_hi},
                                               {(x_lo + x_hi) / 2, y_lo},
                                               {(x_lo + x_hi) / 2, y_hi},
                                               {x_lo, (y_lo + y_hi) / 2},
                                               {x_hi, (y_lo + y_hi) / 2}};
  for (long y = y_lo; y <= y_hi; y += 4)
    for (long x = x_hi; x >= x_lo; x -= 4) places.emplace_back(x, y);
  std::pair<long, long> best = places.front();
  long best_count = -1;
  for (const auto& [x, y] : places) {
    const long c = ink.count(x - gap, y - gap, x + g.width + gap, y + g.height + gap);
    if (best_count < 0 || c < best_count) best_count = c, best = {x, y};
    if (c == 0) break;
  }
  return {best, best_count};
}

void draw_legend(Image& img, const std::vector<Series>& series, const Legend& g, long bx, long by, long s) {
  const long line = font::kLineHeight * s, swatch = 12 * s;
  fill_rect(img, bx, by, bx + g.width, by + g.height, kWhite);
  for (long x : {bx, bx + g.width - 1}) fill_rect(img, x, by, x + 1, by + g.height, {190, 190, 190});
  for (long y : {by, by + g.height - 1}) fill_rect(img, bx, y, bx + g.width, y + 1, {190, 190, 190});
  for (size_t k = 0; k < g.listed.size(); ++k) {
    const Series& se = series[g.listed[k]];
    const Rgb c = se.color.value_or(series_color(long(g.listed[k])));
    const long y = by + 6 + long(k) * line, mid = y + font::kGlyphHeight * s / 2 - s;
    if (se.thickness > 0) fill_rect(img, bx + 8, mid - s, bx + 8 + swatch, mid + s, c);
    if (se.markers) fill_rect(img, bx + 8 + swatch / 2 - 3, mid - 3, bx + 8 + swatch / 2 + 4, mid + 4, c);
    draw_text(img, bx + 8 + swatch + 6, y, se.label, kBlack, s);
  }
}

// The picture of line_plot with the data range [x0, x1] x [y0, y1]: axes, then the curves drawn
// into the plot area apart, so nothing spills over the axes.
Image draw_lines(const std::vector<Series>& series, const PlotOptions& o, double x0, double x1, double y0, double y1,
                 long reserve_right, Frame& f, Image& area) {
  Image img(o.width, o.height, 3);
  f = draw_axes(img, o, o.xmin.value_or(x0), o.xmax.value_or(x1), o.ymin.value_or(y0), o.ymax.value_or(y1),
                reserve_right);
  area = Image(f.right - f.left - 1, f.bottom - f.top - 1, 3);
  for (long y = 0; y < area.height; ++y)
    for (long x = 0; x < area.width; ++x) std::copy_n(img.pixel(f.left + 1 + x, f.top + 1 + y), 3, area.pixel(x, y));
  auto ax = [&](double x) { return f.fx(x) - double(f.left + 1); };
  auto ay = [&](double y) { return f.fy(y) - double(f.top + 1); };
  for (size_t i = 0; i < series.size(); ++i) {
    const Series& se = series[i];
    const Rgb c = se.color.value_or(series_color(long(i)));
    const long r = 2 + se.thickness / 2;  // marker half-size
    for (size_t k = 0; k < se.x.size(); ++k) {
      if (!std::isfinite(se.x[k]) || !std::isfinite(se.y[k])) continue;  // a gap in the line
      double xa = ax(se.x[k]), ya = ay(se.y[k]);
      if (se.markers && xa > double(-r) && ya > double(-r) && xa < double(area.width + r) &&
          ya < double(area.height + r))
        fill_rect(area, std::lround(xa) - r, std::lround(ya) - r, std::lround(xa) + r + 1, std::lround(ya) + r + 1, c);
      if (k == 0 || se.thickness < 1 || !std::isfinite(se.x[k - 1]) || !std::isfinite(se.y[k - 1])) continue;
      double xb = ax(se.x[k - 1]), yb = ay(se.y[k - 1]);
      if (clip(xb, yb, xa, ya, double(area.width), double(area.height)))
        draw_line(area, std::lround(xb), std::lround(yb), std::lround(xa), std::lround(ya), c, se.thickness);
    }
  }
  paste(img, area, f.left + 1, f.top + 1);
  return img;
}

}  // namespace

// ---- plots --------------------------------------------------------------------------------

Image line_plot(const std::vector<Series>& series, const PlotOptions& o) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const Series& se : series) {
    if (se.x.size() != se.y.size())
      throw ConfigError(
          fmt::format("line_plot: series '{}' has {} x values but {} y values", se.label, se.x.size(), se.y.size()));
    for (size_t k = 0; k < se.x.size(); ++k)
      if (std::isfinite(se.x[k]) && std::isfinite(se.y[k]))
        x0 = std::min(x0, se.x[k]), x1 = std::max(x1, se.x[k]), y0 = std::min(y0, se.y[k]), y1 = std::max(y1, se.y[k]);
  }
  if (!(x0 <= x1)) throw ConfigError("line_plot: there is no (finite) point to plot");
  widen(x0, x1, 0.03), widen(y0, y1, 0.06);
  Frame f;
  Image area;
  Image img = draw_lines(series, o, x0, x1, y0, y1, 0, f, area);
  const Legend g = legend_of(series, o.text_scale);
  if (g.listed.empty()) return img;
  // The legend goes where it covers no curve inside the axes, or else outside them, on the right
  // (when the plot stays wide enough; otherwise where it covers the least).
  const auto [place, covered] = legend_place(area, g);
  const long reserve = g.width + 12;
  if (covered > 0 && f.right - f.left - reserve >= std::max(160L, (f.right - f.left) / 2)) {
    img = draw_lines(series, o, x0, x1, y0, y1, reserve, f, area);
    draw_legend(img, series, g, f.right + 12, f.top, o.text_scale);
    return img;
  }
  draw_legend(img, series, g, f.left + 1 + place.first, f.top + 1 + place.second, o.text_scale);
  return img;
}

Image histogram_plot(const Histogram& h, const PlotOptions& o, Rgb color) {
  long top = 0;
  for (long c : h.counts) top = std::max(top, c);
  double x0 = h.low, x1 = h.high;
  widen(x0, x1, 0.03);
  Image img(o.width, o.height, 3);
  const Frame f = draw_axes(img, o, o.xmin.value_or(x0), o.xmax.value_or(x1), o.ymin.value_or(0.0),
                            o.ymax.value_or(std::max(1.0, double(top) * 1.08)));
  const Rgb edge{std::uint8_t(color.r * 3 / 5), std::uint8_t(color.g * 3 / 5), std::uint8_t(color.b * 3 / 5)};
  for (long i = 0; i < h.bins(); ++i) {
    const long c = h.counts[size_t(i)];
    if (c == 0) continue;
    const long xa = std::max(f.left + 1, f.px(h.edge(i))), xb = std::min(f.right, f.px(h.edge(i + 1)));
    const long ya = std::max(f.top + 1, f.py(double(c)));
    fill_rect(img, xa, ya, xb, f.bottom, color);
    if (xb - xa >= 4) {
      for (long x : {xa, xb - 1}) fill_rect(img, x, ya, x + 1, f.bottom, edge);
      fill_rect(img, xa, ya, xb, ya + 1, edge);
    }
  }
  return img;
}

Image image_grid(const std::vector<Image>& images, const std::vector<std::string>& captions, long columns,
                 const std::string& title, long text_scale) {
  const long s = text_scale;
  if (images.empty() || columns < 1) throw ConfigError("image_grid: needs at least one picture and columns >= 1");
  long cw = 0, ch = 0, cap_lines = 0;
  for (const Image& im : images) cw = std::max(cw, im.width), ch = std::max(ch, im.height);
  for (const std::string& c : captions) {
    cw = std::max(cw, text_width(c, s));
    cap_lines = std::max(cap_lines, long(std::count(c.begin(), c.end(), '\n')) + 1);
  }
  const long pad = 20, line = font::kLineHeight * s, rows = (long(images.size()) + columns - 1) / columns;
  const long cols = std::min(columns, long(images.size()));
  const long title_h = title.empty() ? 0 : line + 8, cell_h = ch + (captions.empty() ? 0 : 6 + cap_lines * line);
  const long width = std::max(pad + cols * (cw + pad), text_width(title, s) + 2 * pad);
  Image img(width, pad + title_h + rows * (cell_h + pad), 3);
  if (!title.empty())
    for (long dx : {0L, 1L}) draw_text(img, (width - text_width(title, s)) / 2 + dx, pad, title, kBlack, s);
  for (size_t i = 0; i < images.size(); ++i) {
    const long x = pad + long(i) % columns * (cw + pad), y = pad + title_h + long(i) / columns * (cell_h + pad);
    paste(img, images[i], x + (cw - images[i].width) / 2, y + (ch - images[i].height) / 2);
    if (i < captions.size()) {
      long ly = y + ch + 6;
      size_t start = 0;
      while (start <= captions[i].size()) {
        const size_t end = std::min(captions[i].find('\n', start), captions[i].size());
        const std::string_view part(captions[i].data() + start, end - start);
        draw_text(img, x + (cw - text_width(part, s)) / 2, ly, part, kBlack, s);
        ly += line, start = end + 1;
      }
    }
  }
  return img;
}

Image stack(const std::vector<Image>& images, long columns) { return image_grid(images, {}, columns); }

}  // namespace minnow
