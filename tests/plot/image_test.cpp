#include "plot/image.h"

#include <png.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// A fresh, empty folder for this test's files.
std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("minnow_image_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// Reads a PNG with libpng itself (not with minnow's reader): its size, channels and bytes.
struct PngFile {
  long width = 0, height = 0, channels = 0;
  std::vector<unsigned char> pixels;
};
PngFile libpng_read(const std::string& path) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_file(&png, path.c_str()) != 0);
  PngFile f{long(png.width), long(png.height), long(PNG_IMAGE_SAMPLE_CHANNELS(png.format)), {}};
  f.pixels.resize(PNG_IMAGE_SIZE(png));
  REQUIRE(png_image_finish_read(&png, nullptr, f.pixels.data(), 0, nullptr) != 0);
  return f;
}

}  // namespace

TEST_CASE("write_png writes an RGB picture that libpng reads back with its size and pixels", "[image]") {
  Image img(5, 3, 3, 255);
  img.set(0, 0, {255, 0, 0});
  img.set(4, 0, {0, 255, 0});
  img.set(2, 2, {10, 20, 30});
  const std::string path = temp_dir("rgb") + "/rgb.png";
  write_png(img, path);
  const PngFile f = libpng_read(path);
  CHECK(f.width == 5);
  CHECK(f.height == 3);
  REQUIRE(f.channels == 3);
  auto at = [&](long x, long y, long c) { return int(f.pixels[size_t((y * 5 + x) * 3 + c)]); };
  CHECK((at(0, 0, 0) == 255 && at(0, 0, 1) == 0 && at(0, 0, 2) == 0));
  CHECK((at(4, 0, 0) == 0 && at(4, 0, 1) == 255 && at(4, 0, 2) == 0));
  CHECK((at(2, 2, 0) == 10 && at(2, 2, 1) == 20 && at(2, 2, 2) == 30));
  CHECK((at(1, 1, 0) == 255 && at(1, 1, 1) == 255 && at(1, 1, 2) == 255));
  // minnow's own reader gives the same bytes back.
  const Image back = read_png(path);
  CHECK(back.channels == 3);
  CHECK(back.pixels == img.pixels);
}

TEST_CASE("a tensor becomes a gray PNG scaled from its minimum to its maximum", "[image]") {
  // (1, 2, 3, 1): values -1 .. 4; -1 -> 0, 4 -> 255, 1.5 -> 127.5 -> 128 (rounded half away from zero)
  const Tensor x({1, 2, 3, 1}, {-1, 0, 1.5f, 2, 3, 4});
  const Image img = to_image(x);
  CHECK(img.width == 3);
  CHECK(img.height == 2);
  CHECK(img.channels == 1);
  CHECK(img.pixels == std::vector<std::uint8_t>{0, 51, 128, 153, 204, 255});
  const std::string path = temp_dir("gray") + "/gray.png";
  write_png(to_image(x, {.upscale = 2}), path);
  const PngFile f = libpng_read(path);
  CHECK(f.width == 6);
  CHECK(f.height == 4);
  CHECK(f.channels == 1);
  // Nearest-neighbour upscaling: the 2x2 block of pixel (2, 0) is all 128, pixel (0, 1) is 153.
  CHECK(int(f.pixels[4]) == 128);
  CHECK(int(f.pixels[5]) == 128);
  CHECK(int(f.pixels[6 + 4]) == 128);
  CHECK(int(f.pixels[2 * 6 + 0]) == 153);
}

TEST_CASE("to_image with fixed bounds clips, picks a sample, and draws a constant picture mid-gray", "[image]") {
  const Tensor x({2, 1, 2, 3}, {0, 0.5f, 1, 2, -1, 0.25f,  // image 0: RGB pixels (0, .5, 1), (2, -1, .25)
                                7, 7, 7, 7, 7, 7});
  const Image fixed = to_image(x, {.sample = 0, .low = 0.0f, .high = 1.0f});
  CHECK(fixed.channels == 3);
  CHECK(fixed.pixels == std::vector<std::uint8_t>{0, 128, 255, 255, 0, 64});
  const Image constant = to_image(x, {.sample = 1});
  CHECK(constant.pixels == std::vector<std::uint8_t>(6, 128));
  require_throws<ShapeError>([&] { to_image(x, {.sample = 2}); }, {"sample 2", "(2, 1, 2, 3)"});
  require_throws<ShapeError>([] { to_image(Tensor({4, 4, 2})); }, {"1 (gray) or 3 (RGB)", "2 channels"});
}

TEST_CASE("to_tensor gives a (1, H, W, C) tensor of bytes divided by 255", "[image]") {
  Image img(2, 1, 3, 0);
  img.set(1, 0, {255, 51, 0});
  const Tensor t = to_tensor(img);
  CHECK(t.shape() == Shape{1, 1, 2, 3});
  require_values(t, {0, 0, 0, 1, 0.2f, 0});
}

TEST_CASE("resize averages the pixels each new pixel covers", "[image]") {
  Image img(4, 2, 1);
  img.pixels = {0, 10, 20, 30, 40, 50, 60, 70};
  const Image half = resize(img, 2, 1);
  CHECK(half.pixels == std::vector<std::uint8_t>{25, 45});  // (0+10+40+50)/4, (20+30+60+70)/4
  const Image twice = resize(img, 8, 4);                    // enlarging repeats pixels
  CHECK(twice.pixel(1, 0)[0] == 0);
  CHECK(twice.pixel(7, 3)[0] == 70);
}

TEST_CASE("read_ppm reads binary PPM and PGM files with comments in the header", "[image]") {
  const std::string dir = temp_dir("ppm");
  {
    std::ofstream out(dir + "/a.ppm", std::ios::binary);
    out << "P6\n# made by hand\n2 1\n255\n";
    const unsigned char px[] = {1, 2, 3, 250, 251, 252};
    out.write(reinterpret_cast<const char*>(px), 6);
  }
  const Image img = read_image(dir + "/a.ppm");
  CHECK(img.width == 2);
  CHECK(img.height == 1);
  CHECK(img.channels == 3);
  CHECK(img.pixels == std::vector<std::uint8_t>{1, 2, 3, 250, 251, 252});
  {
    std::ofstream out(dir + "/short.pgm", std::ios::binary);
    out << "P5 3 3 255\n"
        << "abc";
  }
  require_throws<IoError>([&] { read_image(dir + "/short.pgm"); }, {"short.pgm", "ends before"});
  {
    std::ofstream out(dir + "/text.txt");
    out << "hello";
  }
  require_throws<IoError>([&] { read_image(dir + "/text.txt"); }, {"neither a PNG nor"});
}

TEST_CASE("write_png into a missing folder throws an IoError naming the file", "[image]") {
  require_throws<IoError>([] { write_png(Image(2, 2, 1), "/nonexistent-minnow-folder/x.png"); },
                          {"/nonexistent-minnow-folder/x.png", "cannot write"});
  require_throws<IoError>([] { read_png("/nonexistent-minnow-folder/x.png"); }, {"cannot read"});
}
