#include "diagram/plot_model.h"

#include <filesystem>
#include <fstream>

#include "plot/image.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("minnow_diagram_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// The seed's tabular model: Input(30) -> Dense(50) -> BatchNormalization -> Dense(5).
std::unique_ptr<Model> tabular_model() {
  auto inp = Input({30});
  auto out = Dense(5)(BatchNormalization()(Dense(50)(inp)));
  return std::make_unique<Model>(inp, out);
}

// The seed's image model: Input(100, 200, 3) -> Conv2D(30, 4x4, same) -> BN -> Flatten -> Dense(10).
std::unique_ptr<Model> image_model() {
  auto inp = Input({100, 200, 3});
  auto c = Conv2D({.filters = 30, .kernel_size = {4, 4}, .padding = "same"})(inp);
  auto out = Dense(10)(Flatten()(BatchNormalization()(c)));
  return std::make_unique<Model>(inp, out);
}

// A residual block: dense's output fans out to dense_1 and to the Add that merges them.
std::unique_ptr<Model> residual_model() {
  auto inp = Input({8});
  auto a = Dense(16)(inp);
  auto b = Dense(16)(ReLU()(a));
  auto out = Dense(2)(Add()({a, b}));
  return std::make_unique<Model>(inp, out, "residual");
}

}  // namespace

TEST_CASE("to_dot draws the seed's tabular model as its golden DOT text, with shapes", "[diagram]") {
  clear_session();
  const auto model = tabular_model();
  CHECK(to_dot(*model, {.show_shapes = true}) == read_test_file("golden/diagram_seed_tabular.dot"));
}

TEST_CASE("to_dot draws the seed's image model with its trainable and non-trainable counts", "[diagram]") {
  clear_session();
  const auto model = image_model();
  const std::string dot = to_dot(*model, {.show_shapes = true, .show_trainable = true});
  CHECK(dot == read_test_file("golden/diagram_seed_image.dot"));
  // BatchNormalization's 120 weights: gamma and beta trainable, the moving statistics not.
  CHECK(dot.find("<TD ALIGN=\"LEFT\">trainable:</TD><TD ALIGN=\"LEFT\">60</TD>") != std::string::npos);
  CHECK(dot.find("<TD ALIGN=\"LEFT\">non-trainable:</TD><TD ALIGN=\"LEFT\">60</TD>") != std::string::npos);
}

TEST_CASE("to_dot draws a residual model's fan-out and merge as edges, left to right", "[diagram]") {
  clear_session();
  const auto model = residual_model();
  const std::string dot = to_dot(*model, {.show_params = true, .rankdir = "LR"});
  CHECK(dot == read_test_file("golden/diagram_residual.dot"));
  CHECK(dot.find("\"dense\" -> \"add\"") != std::string::npos);    // the skip connection
  CHECK(dot.find("\"dense_1\" -> \"add\"") != std::string::npos);  // the block's branch
}

TEST_CASE("A Sequential is drawn with its InputLayer first, as Keras draws it", "[diagram]") {
  clear_session();
  Sequential model;
  model.add(Input({30}));
  model.add(Dense(50));
  model.add(Dense(5));
  const std::string dot = to_dot(model, {.show_layer_names = false});
  const auto input = dot.find("InputLayer");
  REQUIRE(input != std::string::npos);
  CHECK(input < dot.find("Dense"));
  CHECK(dot.find("<B>") == std::string::npos);  // no names, only the classes
}

TEST_CASE("plot_model renders a PNG of the expected size, and SVG, PDF and DOT files", "[diagram]") {
  clear_session();
  const auto model = tabular_model();
  const std::string dir = temp_dir("formats");
  plot_model(*model, dir + "/model.png", {.show_shapes = true});
  const Image png = read_png(dir + "/model.png");
  // Four boxes stacked top to bottom at 96 dpi: a few hundred pixels wide, taller than wide.
  CHECK(png.width > 150);
  CHECK(png.width < 600);
  CHECK(png.height > png.width);
  CHECK(png.height < 1200);
  long dark = 0;  // the lettering and the lines
  for (const unsigned char v : png.pixels) dark += v < 128;
  CHECK(dark > 1000);

  plot_model(*model, dir + "/model.svg");
  const std::string svg = file_text(dir + "/model.svg");
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("batch_normalization") != std::string::npos);
  plot_model(*model, dir + "/model.pdf");
  CHECK(file_text(dir + "/model.pdf").rfind("%PDF", 0) == 0);
  plot_model(*model, dir + "/model.dot");
  CHECK(file_text(dir + "/model.dot") == to_dot(*model));
  // Only the four pictures: no temporary file is left behind.
  CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) == 4);
}

TEST_CASE("plot_model refuses an unknown format, a bad option or an unwritable path, and writes nothing", "[diagram]") {
  clear_session();
  const auto model = tabular_model();
  const std::string dir = temp_dir("errors");
  require_throws<UsageError>([&] { plot_model(*model, dir + "/model.jpeg"); }, {"plot_model", "model.jpeg", ".png"});
  require_throws<UsageError>([&] { plot_model(*model, dir + "/model.png", {.rankdir = "up"}); },
                             {"plot_model", "rankdir", "\"up\""});
  require_throws<UsageError>([&] { (void)to_dot(*model, {.dpi = 0}); }, {"plot_model", "dpi", "0"});
  require_throws<IoError>([&] { plot_model(*model, dir + "/no/such/folder/model.png"); },
                          {"plot_model", "cannot write", "model.png"});
  CHECK(std::filesystem::is_empty(dir));
}

TEST_CASE("Names with the characters DOT and HTML labels reserve are escaped and still draw", "[diagram]") {
  clear_session();
  auto inp = Input({4}, "in\"put");
  auto out = Dense(DenseOptions{.units = 2, .name = "a<b>&\\c"})(inp);
  Model model(inp, out, "m\"odel");
  const std::string dot = to_dot(model);
  CHECK(dot.find("digraph \"m&quot;odel\"") != std::string::npos);
  CHECK(dot.find("\"in&quot;put\" -> \"a&lt;b&gt;&amp;&#92;c\"") != std::string::npos);
  const std::string dir = temp_dir("names");
  plot_model(model, dir + "/model.svg");
  CHECK(file_text(dir + "/model.svg").find("a&lt;b&gt;&amp;") != std::string::npos);
}
