// The training report opened in a real browser: Debian's chromium, headless, reads the file
// (file://), and the test checks the DOM it built (every section, the charts with their points,
// the page's one script having run), that the console shows no script error, and a screenshot:
// not blank, with the title, the diagram and the summary where the layout puts them.
// Skipped, with a warning, where chromium is not installed (scripts/deps.sh installs it for the tests).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plot/image.h"
#include "report/training_report.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;
namespace fs = std::filesystem;

namespace {

const char* chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(path)) return path;
  return nullptr;
}

// Runs chromium headless on `page` with `flags`; returns what it printed on stdout and stderr.
std::pair<std::string, std::string> run_chromium(const fs::path& page, const std::string& flags) {
  const fs::path dir = page.parent_path();
  const std::string command =
      fmt::format("'{}' --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --hide-scrollbars "
                  "--user-data-dir='{}' {} 'file://{}' > '{}' 2> '{}'",
                  chromium(), (dir / "profile").string(), flags, page.string(), (dir / "out.txt").string(),
                  (dir / "err.txt").string());
  CHECK(std::system(command.c_str()) == 0);
  const auto text = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  return {text(dir / "out.txt"), text(dir / "err.txt")};
}

// The console's script errors in chromium's log (--enable-logging=stderr).
bool has_script_error(const std::string& log) {
  return log.find("Uncaught") != std::string::npos || log.find("SyntaxError") != std::string::npos;
}

fs::path write_report(const fs::path& dir) {
  clear_session();
  set_random_seed(3);
  auto inp = Input({6});
  auto x = ReLU()(BatchNormalization({.momentum = 0.9f})(Dense(8)(inp)));
  Model model(inp, Dense(3, "softmax")(x), "small");
  model.compile("sgd", "sparse_categorical_crossentropy", {"accuracy"});
  const Tensor xs = random_tensor({64, 6}, 11, 1.0f, 3.0f);
  Tensor ys(Shape{64});
  for (long i = 0; i < 64; ++i) ys[i] = float(i % 3);
  TrainingReport report(model, {.path = (dir / "report.html").string(), .probe_x = &xs, .probe_y = &ys, .every = 2});
  std::ostringstream warnings;  // fit's: too few steps for the moving statistics
  FitOptions opt{.epochs = 2, .batch_size = 16, .verbose = 0, .out = &warnings};  // 4 steps per epoch
  opt.callbacks = {&report};
  model.fit(xs, ys, opt);
  return dir / "report.html";
}

// The fraction of pixels of `image` inside the box whose colour is within 4 of (r, g, b).
double colour_fraction(const Image& image, long x0, long y0, long x1, long y1, int r, int g, int b) {
  long hits = 0, all = 0;
  for (long y = y0; y < std::min(y1, image.height); ++y)
    for (long x = x0; x < std::min(x1, image.width); ++x, ++all) {
      const std::uint8_t* p = &image.pixels[size_t((y * image.width + x) * image.channels)];
      hits += std::abs(p[0] - r) <= 4 && std::abs(p[1] - g) <= 4 && std::abs(p[2] - b) <= 4;
    }
  return all ? double(hits) / double(all) : 0.0;
}

}  // namespace

TEST_CASE("Chromium opens the report: every section, charts with points, no script error, a real picture",
          "[report][browser]") {
  if (!chromium()) {
    WARN("skipped: chromium is not installed (apt-get install chromium)");
    return;
  }
  const fs::path dir = fs::temp_directory_path() / "minnow_report_browser_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path page = write_report(dir);

  const auto [dom, log] = run_chromium(page, "--enable-logging=stderr --v=0 --dump-dom");
  INFO("chromium's log:\n" << log);
  for (const char* id : {"model", "curves", "layers", "batchnorm", "histograms"})
    CHECK(dom.find(fmt::format("<section id=\"{}\"", id)) != std::string::npos);
  CHECK(dom.find("<body data-charts=\"") != std::string::npos);  // the page's script ran
  const size_t at = dom.find("data-charts=\"") + 13;
  CHECK(std::stol(dom.substr(at, 4)) > 40);
  CHECK(dom.find("<circle class=\"point\"") != std::string::npos);
  CHECK_FALSE(has_script_error(log));

  const auto [out, shot_log] =
      run_chromium(page, "--window-size=1280,1400 --screenshot='" + (dir / "shot.png").string() + "'");
  const Image shot = read_png((dir / "shot.png").string());
  REQUIRE(shot.width == 1280);
  REQUIRE(shot.height == 1400);
  CHECK(colour_fraction(shot, 0, 0, 1280, 1400, 255, 255, 255) < 0.97);     // not blank
  CHECK(colour_fraction(shot, 0, 10, 600, 45, 255, 255, 255) < 0.99);       // the title's letters at the top
  CHECK(colour_fraction(shot, 20, 150, 500, 1100, 215, 230, 247) > 0.002);  // the diagram's blue headers, left
  CHECK(colour_fraction(shot, 380, 150, 1280, 600, 247, 247, 247) > 0.05);  // the summary's grey box, right
}

TEST_CASE("The browser check sees a script error when a page has one", "[report][browser]") {
  if (!chromium()) {
    WARN("skipped: chromium is not installed (apt-get install chromium)");
    return;
  }
  const fs::path dir = fs::temp_directory_path() / "minnow_report_browser_error";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "broken.html") << "<!DOCTYPE html><html><body><script>no_such_function();</script></body></html>";
  const auto [dom, log] = run_chromium(dir / "broken.html", "--enable-logging=stderr --v=0 --dump-dom");
  INFO("chromium's log:\n" << log);
  CHECK(has_script_error(log));
}
