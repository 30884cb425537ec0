#include "plot/plot.h"

#include <cmath>
#include <limits>

#include "plot/font.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

long count_color(const Image& img, Rgb c, long x0 = 0, long y0 = 0, long x1 = -1, long y1 = -1) {
  if (x1 < 0) x1 = img.width;
  if (y1 < 0) y1 = img.height;
  long n = 0;
  for (long y = y0; y < y1; ++y)
    for (long x = x0; x < x1; ++x) {
      const std::uint8_t* p = img.pixel(x, y);
      n += p[0] == c.r && p[1] == c.g && p[2] == c.b;
    }
  return n;
}

}  // namespace

TEST_CASE("histogram counts values into equal bins as numpy.histogram with a range", "[plot]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Bins over [0, 4]: [0, 1) [1, 2) [2, 3) [3, 4]; -1 and 5 are outside, NaN is skipped.
  const std::vector<float> v = {0, 0.5f, 0.99f, 1, 2.5f, 4, 4, -1, 5, nan};
  const Histogram h = histogram(v, 4, 0.0, 4.0);
  CHECK(h.counts == std::vector<long>{3, 1, 1, 2});
  CHECK(h.total() == 7);
  CHECK(h.bin_width() == 1.0);
  CHECK(h.edge(0) == 0.0);
  CHECK(h.edge(3) == 3.0);
  CHECK(h.edge(4) == 4.0);
}

TEST_CASE("histogram takes the values' minimum and maximum as its range by default", "[plot]") {
  // [1, 5] in 2 bins: [1, 3) holds 1 and 2; [3, 5] holds 3, 4 and 5 (the last bin is closed).
  const std::vector<float> v = {5, 1, 2, 3, 4};
  const Histogram h = histogram(v, 2);
  CHECK(h.low == 1.0);
  CHECK(h.high == 5.0);
  CHECK(h.counts == std::vector<long>{2, 3});
  // A constant gets numpy's range [v - 0.5, v + 0.5].
  const std::vector<float> same = {7, 7, 7};
  const Histogram c = histogram(same, 3);
  CHECK(c.low == 6.5);
  CHECK(c.high == 7.5);
  CHECK(c.counts == std::vector<long>{0, 3, 0});
  // A value on an inner edge belongs to the bin on its right.
  const std::vector<float> edges = {1, 2, 2.5f};
  CHECK(histogram(edges, 3, 0.0, 3.0).counts == std::vector<long>{0, 1, 2});
  require_throws<ConfigError>([&] { histogram(v, 0); }, {"bins must be >= 1", "bins=0"});
  require_throws<ConfigError>([&] { histogram(v, 3, 2.0, 2.0); }, {"low < high", "[2, 2]"});
}

TEST_CASE("text_histogram prints one line per bin with bars scaled to the largest count", "[plot]") {
  const Histogram h{0.0, 2.0, {3, 1}};
  CHECK(text_histogram(h, 6) == "[0.00, 1.00) ###### 3\n"
                                "[1.00, 2.00] ##     1\n");
  // Empty bins have no bar; a small non-empty bin still gets one '#'; columns are aligned.
  const Histogram g{-1.0, 2.0, {0, 100, 1}};
  CHECK(text_histogram(g, 4) == "[-1.00,  0.00)        0\n"
                                "[ 0.00,  1.00) #### 100\n"
                                "[ 1.00,  2.00] #      1\n");
}

TEST_CASE("draw_text draws the 5x7 glyphs, scaled, with a 6-pixel advance", "[plot]") {
  CHECK(text_width("ab") == 11);
  CHECK(text_width("ab", 2) == 22);
  CHECK(text_width("abc\nd") == 17);
  Image img(12, 8, 3);
  draw_text(img, 0, 0, "I-", kBlack);
  // 'I' row 0 is ".###.": pixels 1..3 of row 0 are ink, 0 and 4 paper.
  for (long x = 0; x < 5; ++x) CHECK((img.pixel(x, 0)[0] == 0) == (x >= 1 && x <= 3));
  // '-' starts 6 pixels on; its row 3 is "#####".
  for (long x = 6; x < 11; ++x) CHECK(img.pixel(x, 3)[0] == 0);
  CHECK(img.pixel(6, 2)[0] == 255);
  CHECK(font::ink('\x01', 1, 0) == font::ink('?', 1, 0));  // unknown characters print as '?'
}

TEST_CASE("line_plot makes a picture of the requested size with the series drawn inside the axes", "[plot]") {
  std::vector<double> x, a, b;
  for (int i = 0; i <= 20; ++i) x.push_back(i), a.push_back(std::sin(i * 0.3)), b.push_back(0.05 * i);
  const Image img =
      line_plot({{.label = "sine", .x = x, .y = a}, {.label = "ramp", .x = x, .y = b, .markers = true}},
                {.title = "Two series", .xlabel = "step", .ylabel = "value", .width = 400, .height = 300});
  CHECK(img.width == 400);
  CHECK(img.height == 300);
  CHECK(img.channels == 3);
  // Both series' colours appear in the middle of the picture (the plot area), and the margins
  // stay white at the corners.
  CHECK(count_color(img, series_color(0), 100, 60, 380, 240) > 100);
  CHECK(count_color(img, series_color(1), 100, 60, 380, 240) > 100);
  CHECK(count_color(img, kWhite, 0, 0, 5, 5) == 25);
  CHECK(count_color(img, kWhite, 395, 295, 400, 300) == 25);
  // The title is drawn in black in the top rows.
  CHECK(count_color(img, kBlack, 0, 0, 400, 30) > 20);
  // Non-finite points leave a gap; points far outside given axis ranges are clipped, quickly.
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const Image gaps = line_plot({{.x = {0, 1, 2, 3, 4, 5, 6}, .y = {0, 0.5, nan, 1e12, 0.25, 1, -inf}}},
                               {.width = 300, .height = 200, .ymin = 0.0, .ymax = 1.0});
  CHECK(count_color(gaps, series_color(0)) > 200);
  CHECK(count_color(gaps, series_color(0), 0, 0, 300, 12) == 0);  // nothing above the plot area
  require_throws<ConfigError>(
      [] {
        line_plot({{.label = "bad", .x = {1, 2}, .y = {1}}});
      },
      {"'bad'", "2 x values but 1 y values"});
  require_throws<ConfigError>([] { line_plot({}); }, {"no (finite) point"});
}

TEST_CASE("histogram_plot draws one bar per non-empty bin in the bar colour", "[plot]") {
  const Histogram h{0.0, 4.0, {1, 4, 0, 2}};
  const Rgb color{200, 10, 10};
  const Image img = histogram_plot(h, {.title = "Bars", .width = 320, .height = 240}, color);
  CHECK(img.width == 320);
  CHECK(img.height == 240);
  const long bar = count_color(img, color);
  CHECK(bar > 1000);
  // Along one row through the lower part of the bars the colour appears in three separate runs.
  long y = 0;
  for (long yy = img.height - 1; yy >= 0 && y == 0; --yy)
    if (count_color(img, color, 0, yy, img.width, yy + 1) > 0) y = yy;
  long runs = 0;
  bool inside = false;
  for (long x = 0; x < img.width; ++x) {
    const std::uint8_t* p = img.pixel(x, y);
    const bool is_bar = p[0] == color.r && p[1] == color.g && p[2] == color.b;
    runs += is_bar && !inside;
    inside = is_bar;
  }
  CHECK(runs == 3);
}

TEST_CASE("image_grid places gray pictures as RGB with captions and a title", "[plot]") {
  Image a(10, 10, 1, 0), b(10, 10, 1, 100);
  const Image grid = image_grid({a, b}, {"a", "b"}, 2, "Two");
  CHECK(grid.channels == 3);
  CHECK(grid.width > 20);
  CHECK(count_color(grid, {0, 0, 0}) > 100);         // picture a (and the text)
  CHECK(count_color(grid, {100, 100, 100}) == 100);  // picture b, whole
  require_throws<ConfigError>([] { image_grid({}, {}, 2); }, {"at least one picture"});
}
