// Line charts and histograms as SVG text: a frame, ticks at round values, the data, a legend.
#include "report/svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "plot/plot.h"

namespace minnow {

namespace {

constexpr std::array<const char*, 8> kColours = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                 "#9467bd", "#8c564b", "#e377c2", "#17becf"};
constexpr int kLeft = 56, kRight = 12, kTop = 40, kBottom = 38;  // the margins around the plot area

// Maps data coordinates to pixels inside the plot area; y may be logarithmic.
struct Frame {
  double x0, x1, y0, y1;
  int width, height;
  bool log_y;
  double px(double x) const { return kLeft + (x - x0) / (x1 - x0) * (width - kLeft - kRight); }
  double py(double y) const {
    const double v = log_y && y > 0 ? std::log10(y) : y;  // callers pass only y > 0 on a log axis
    return height - kBottom - (v - y0) / (y1 - y0) * (height - kTop - kBottom);
  }
};

bool usable(double y, bool log_y) { return std::isfinite(y) && (!log_y || y > 0); }

// The data range of every series, widened when it is a single value.
Frame frame_of(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const ChartSeries& s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !usable(s.y[i], o.log_y)) continue;
      const double y = o.log_y ? std::log10(s.y[i]) : s.y[i];
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  if (x1 == x0) x0 -= 0.5, x1 += 0.5;
  if (y1 == y0) {  // a constant: a band of 10% around it (or +-1 around 0)
    const double d = y0 != 0 ? std::abs(y0) * 0.1 : 1.0;
    y0 -= d, y1 += d;
  }
  const double pad = (y1 - y0) * 0.05;
  return {x0, x1, y0 - pad, y1 + pad, o.width, o.height, o.log_y};
}

// The y ticks as values: round ones on a linear axis. On a logarithmic one: round values inside
// a range of less than a decade, 1, 2 and 5 times each power of ten over one or two decades,
// and the powers of ten alone (every second or third when there are many) over more.
std::vector<double> y_ticks(const Frame& f) {
  if (!f.log_y) return nice_ticks(f.y0, f.y1, 4);
  if (f.y1 - f.y0 < 1) return nice_ticks(std::pow(10.0, f.y0), std::pow(10.0, f.y1), 3);
  std::vector<double> ticks;
  if (f.y1 - f.y0 < 2) {  // one or two decades: 1, 2 and 5 times each power of ten inside
    for (double k = std::floor(f.y0); k <= f.y1; k += 1)
      for (const double m : {1.0, 2.0, 5.0})
        if (const double v = m * std::pow(10.0, k); std::log10(v) >= f.y0 && std::log10(v) <= f.y1) ticks.push_back(v);
    return ticks;
  }
  const double stride = std::ceil((std::floor(f.y1) - std::ceil(f.y0) + 1) / 5);
  for (double k = std::ceil(f.y0); k <= f.y1; k += stride) ticks.push_back(std::pow(10.0, k));
  return ticks;
}

// A tick's label with as many decimals as the ticks' spacing needs (0.375, 1.185, 20000).
std::string tick_label(double value, double spacing) {
  if (std::abs(value) >= 1e5 || (value != 0 && std::abs(value) < 1e-4)) return fmt::format("{:.3g}", value);
  const int decimals = std::clamp(int(-std::floor(std::log10(spacing) + 1e-9)), 0, 6);
  return fmt::format("{:.{}f}", value, decimals);
}

std::string axes(const Frame& f, const ChartOptions& o) {
  std::string svg = fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#999"/>)", kLeft,
                                kTop, f.width - kLeft - kRight, f.height - kTop - kBottom);
  const std::vector<double> xs = nice_ticks(f.x0, f.x1, o.width < 300 ? 3 : 5), ys = y_ticks(f);
  for (const double t : xs) {
    if (o.integer_x && t != std::round(t)) continue;
    const double spacing = o.integer_x ? 1.0 : xs.size() > 1 ? xs[1] - xs[0] : 1.0;
    svg += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle" class="tick">{}</text>)", f.px(t),
                       f.height - kBottom + 14, tick_label(t, spacing));
  }
  for (size_t i = 0; i < ys.size(); ++i) {
    const double y = f.py(ys[i]);
    svg += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#eee"/>)", kLeft + 1,
                       f.width - kRight - 1, y, y);
    const double spacing = ys.size() > 1 ? std::abs(ys[std::max<size_t>(i, 1)] - ys[std::max<size_t>(i, 1) - 1]) : 1.0;
    svg += fmt::format(R"(<text x="{}" y="{:.1f}" text-anchor="end" class="tick">{}</text>)", kLeft - 4, y + 4,
                       tick_label(ys[i], spacing));
  }
  svg += fmt::format(R"(<text x="{}" y="16" class="title">{}</text>)", kLeft, html_escape(o.title));
  svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" class="label">{}</text>)",
                     (kLeft + f.width - kRight) / 2, f.height - 6, html_escape(o.xlabel));
  svg += fmt::format(
      R"svg(<text x="12" y="{}" text-anchor="middle" class="label" transform="rotate(-90 12 {})">{}</text>)svg",
      (kTop + f.height - kBottom) / 2, (kTop + f.height - kBottom) / 2, html_escape(o.ylabel));
  return svg;
}

std::string open_svg(const ChartOptions& o, const char* kind) {
  return fmt::format(
      R"(<svg class="chart {}" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}">)", kind,
      o.width, o.height, o.width, o.height);
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::vector<double> nice_ticks(double low, double high, int count) {
  if (!(high > low) || count < 1) return {};
  const double raw = (high - low) / count, power = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = power * (raw / power < 1.5 ? 1 : raw / power < 3.5 ? 2 : raw / power < 7.5 ? 5 : 10);
  std::vector<double> ticks;
  const double first = std::ceil(low / step - 1e-9);  // counted in steps: no drift from repeated adding
  for (double k = first; k * step <= high + step * 1e-9; k += 1) ticks.push_back(k == 0 ? 0.0 : k * step);
  return ticks;
}

// The legend: one row under the title, an entry per series that wants one.
std::string legend(const std::vector<ChartSeries>& series) {
  std::string svg;
  int x = kLeft;
  for (size_t k = 0; k < series.size(); ++k) {
    const ChartSeries& s = series[k];
    if (!s.legend) continue;
    const char* colour = kColours[size_t(s.colour >= 0 ? s.colour : long(k)) % kColours.size()];
    svg += fmt::format(R"(<line x1="{}" x2="{}" y1="28" y2="28" stroke="{}" stroke-width="2"{}/>)", x, x + 16, colour,
                       s.dashed ? R"( stroke-dasharray="4,2")" : "");
    svg += fmt::format(R"(<text x="{}" y="32" class="legend">{}</text>)", x + 19, html_escape(s.label));
    x += 30 + 6 * int(s.label.size());
  }
  return svg;
}

std::string svg_line_chart(const std::vector<ChartSeries>& series, const ChartOptions& options) {
  const Frame f = frame_of(series, options);
  std::string svg = open_svg(options, "line") + axes(f, options) + legend(series);
  for (size_t k = 0; k < series.size(); ++k) {
    const ChartSeries& s = series[k];
    const char* colour = kColours[size_t(s.colour >= 0 ? s.colour : long(k)) % kColours.size()];
    std::string points, dots;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !usable(s.y[i], f.log_y)) continue;
      points += fmt::format("{:.1f},{:.1f} ", f.px(s.x[i]), f.py(s.y[i]));
      if (s.points)
        dots += fmt::format(
            R"(<circle class="point" cx="{:.1f}" cy="{:.1f}" r="2.2" fill="{}"><title>{}: {:g}, {:.5g}</title></circle>)",
            f.px(s.x[i]), f.py(s.y[i]), colour, html_escape(s.label), s.x[i], s.y[i]);
    }
    svg += fmt::format(
               R"(<polyline class="series" data-label="{}" fill="none" stroke="{}" stroke-width="1.5"{} points="{}"/>)",
               html_escape(s.label), colour, s.dashed ? R"( stroke-dasharray="5,3")" : "", points) +
           dots;
  }
  return svg + "</svg>";
}

std::string svg_histogram(const Histogram& histogram, const ChartOptions& options) {
  long top = 1;
  for (const long c : histogram.counts) top = std::max(top, c);
  const Frame f{histogram.low,
                histogram.high > histogram.low ? histogram.high : histogram.low + 1,
                0,
                double(top) * 1.05,
                options.width,
                options.height,
                false};
  std::string svg = open_svg(options, "histogram") + axes(f, options);
  for (long i = 0; i < histogram.bins(); ++i) {
    const double x0 = f.px(histogram.edge(i)), x1 = f.px(histogram.edge(i + 1)),
                 y = f.py(double(histogram.counts[size_t(i)]));
    svg += fmt::format(
        R"(<rect class="bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#1f77b4"><title>[{:.4g}, {:.4g}): {}</title></rect>)",
        x0, y, std::max(0.5, x1 - x0 - 0.5), f.py(0) - y, histogram.edge(i), histogram.edge(i + 1),
        histogram.counts[size_t(i)]);
  }
  return svg + "</svg>";
}

}  // namespace minnow
