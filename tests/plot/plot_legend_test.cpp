// line_plot's legend covers no curve: it goes where no drawn pixel lies under it inside the axes,
// or, when there is no such place, outside the axes on the right.
#include <array>
#include <vector>

#include "plot/plot.h"
#include "test_util.h"

using namespace minnow;

namespace {

constexpr Rgb kGridColor{225, 225, 225};  // plot/plot.cpp's grid
constexpr Rgb kBorder{190, 190, 190};     // the legend's frame

bool same(const std::uint8_t* p, Rgb c) { return p[0] == c.r && p[1] == c.g && p[2] == c.b; }

// The same series without labels: the same picture without a legend.
std::vector<Series> unlabelled(std::vector<Series> series) {
  for (Series& s : series) s.label.clear();
  return series;
}

// Checks that the legend drew over background (white or grid) only: every pixel where the
// picture with the legend differs from the one without was background there.
void check_covers_nothing(const std::vector<Series>& series, const PlotOptions& options) {
  const Image with = line_plot(series, options), without = line_plot(unlabelled(series), options);
  REQUIRE(with.width == without.width);
  long changed = 0, covered = 0;
  for (long y = 0; y < with.height; ++y)
    for (long x = 0; x < with.width; ++x) {
      const std::uint8_t *a = with.pixel(x, y), *b = without.pixel(x, y);
      if (a[0] == b[0] && a[1] == b[1] && a[2] == b[2]) continue;
      ++changed;
      covered += same(b, kWhite) || same(b, kGridColor) ? 0 : 1;
    }
  CHECK(changed > 100);  // there is a legend
  CHECK(covered == 0);
}

// The bounding box of the legend's frame colour: x0, y0, x1, y1 (exclusive).
std::array<long, 4> legend_box(const Image& img) {
  std::array<long, 4> box = {img.width, img.height, -1, -1};
  for (long y = 0; y < img.height; ++y)
    for (long x = 0; x < img.width; ++x)
      if (same(img.pixel(x, y), kBorder))
        box = {std::min(box[0], x), std::min(box[1], y), std::max(box[2], x + 1), std::max(box[3], y + 1)};
  return box;
}

}  // namespace

TEST_CASE("line_plot's legend covers no curve when the corners are all crossed by a line", "[plot]") {
  // An X from corner to corner: lines (not points) run through all four corners of the plot area;
  // a legend in any corner would hide part of them, the middle of an edge is free.
  const std::vector<Series> cross = {{.label = "rising", .x = {0, 1}, .y = {0, 1}},
                                     {.label = "falling", .x = {0, 1}, .y = {1, 0}}};
  check_covers_nothing(cross, {.title = "X", .width = 480, .height = 320});
  // Curves that fill the top and the bottom, with data points only far apart (panel (c) of
  // bn_paper_figure1 and moving_mean.png looked like this): a band is left in the middle.
  std::vector<double> x, low, high, mid;
  for (int i = 0; i <= 12; ++i) {
    x.push_back(i);
    low.push_back(i % 2 ? 0.0 : 0.3);
    high.push_back(i % 2 ? 2.0 : 1.7);
    mid.push_back(i == 6 ? 1.0 : 0.15);
  }
  check_covers_nothing({{.label = "low", .x = x, .y = low}, {.label = "high", .x = x, .y = high}},
                       {.width = 600, .height = 400});
  check_covers_nothing({{.label = "low", .x = x, .y = low},
                        {.label = "high", .x = x, .y = high},
                        {.label = "a peak in the middle", .x = x, .y = mid, .markers = true}},
                       {.width = 600, .height = 400});
}

TEST_CASE("line_plot puts the legend outside the axes when every place inside covers a curve", "[plot]") {
  // A zigzag over the whole plot area, with lines a few pixels apart: no room inside.
  std::vector<double> x, y;
  for (int i = 0; i <= 120; ++i) x.push_back(i), y.push_back(i % 2);
  const Series zigzag{.label = "zigzag", .x = x, .y = y};
  const Image img = line_plot({zigzag}, {.title = "Dense", .width = 600, .height = 400});
  CHECK(img.width == 600);
  CHECK(img.height == 400);
  const auto [bx0, by0, bx1, by1] = legend_box(img);
  REQUIRE(bx1 > bx0);
  // Every pixel of the curve's colour outside the legend lies left of it: the plot area was
  // narrowed to make room, and the legend sits right of the axes.
  long right_of_axes = 0, curve = 0;
  for (long yy = 0; yy < img.height; ++yy)
    for (long xx = 0; xx < img.width; ++xx) {
      if (!same(img.pixel(xx, yy), series_color(0))) continue;
      const bool in_legend = xx >= bx0 && xx < bx1 && yy >= by0 && yy < by1;
      if (!in_legend) ++curve, right_of_axes += xx >= bx0 ? 1 : 0;
    }
  CHECK(curve > 1000);
  CHECK(right_of_axes == 0);
  // The legend's label is there, in black, inside its frame.
  long text = 0;
  for (long yy = by0; yy < by1; ++yy)
    for (long xx = bx0; xx < bx1; ++xx) text += same(img.pixel(xx, yy), kBlack) ? 1 : 0;
  CHECK(text > 50);
}
