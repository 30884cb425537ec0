#include "plot/image.h"

#include <png.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

Image::Image(long w, long h, long c, std::uint8_t fill)
    : width(w), height(h), channels(c), pixels(size_t(w * h * c), fill) {
  if (w < 0 || h < 0 || (c != 1 && c != 3))
    throw ShapeError(fmt::format("Image: expected width, height >= 0 and 1 or 3 channels, but received {}x{} "
                                 "with {} channels",
                                 w, h, c));
}

void Image::set(long x, long y, Rgb color) {
  if (x < 0 || y < 0 || x >= width || y >= height) return;
  std::uint8_t* p = pixel(x, y);
  if (channels == 3) p[0] = color.r, p[1] = color.g, p[2] = color.b;
  else p[0] = std::uint8_t((int(color.r) + color.g + color.b) / 3);
}

Image to_image(const Tensor& x, const ToImageOptions& opt) {
  const Shape& s = x.shape();
  const long rank = s.rank();
  if (rank < 2 || rank > 4)
    throw ShapeError(fmt::format("to_image expects a tensor of shape (H, W), (H, W, C) or (N, H, W, C), but "
                                 "received {}",
                                 s));
  const long H = s[rank == 4 ? 1 : 0], W = s[rank == 4 ? 2 : 1], C = rank == 2 ? 1 : s[rank - 1];
  const long N = rank == 4 ? s[0] : 1;
  if (C != 1 && C != 3)
    throw ShapeError(
        fmt::format("to_image expects 1 (gray) or 3 (RGB) channels, but received {} channels in {}", C, s));
  if (opt.sample < 0 || opt.sample >= N)
    throw ShapeError(fmt::format("to_image: sample {} is not one of the {} images of {}", opt.sample, N, s));
  if (opt.upscale < 1) throw ConfigError(fmt::format("to_image: upscale must be >= 1, but received {}", opt.upscale));
  const float* v = x.data() + opt.sample * H * W * C;
  const long n = H * W * C;
  const float low = opt.low ? *opt.low : (n ? *std::min_element(v, v + n) : 0.0f);
  const float high = opt.high ? *opt.high : (n ? *std::max_element(v, v + n) : 0.0f);
  Image img(W, H, C);
  for (long i = 0; i < n; ++i) {
    const double t = high > low ? 255.0 * (double(v[i]) - low) / (double(high) - low) : 127.5;
    img.pixels[size_t(i)] = std::uint8_t(std::clamp(std::lround(t), 0L, 255L));
  }
  return opt.upscale > 1 ? upscale(img, opt.upscale) : img;
}

Tensor to_tensor(const Image& image) {
  Tensor t({1, image.height, image.width, image.channels});
  for (long i = 0; i < t.size(); ++i) t[i] = float(image.pixels[size_t(i)]) / 255.0f;
  return t;
}

Image upscale(const Image& image, long factor) {
  if (factor < 1) throw ConfigError(fmt::format("upscale: factor must be >= 1, but received {}", factor));
  Image out(image.width * factor, image.height * factor, image.channels);
  for (long y = 0; y < out.height; ++y)
    for (long x = 0; x < out.width; ++x)
      std::memcpy(out.pixel(x, y), image.pixel(x / factor, y / factor), size_t(image.channels));
  return out;
}

Image resize(const Image& image, long width, long height) {
  if (width < 1 || height < 1 || image.empty())
    throw ConfigError(
        fmt::format("resize: cannot resize a {}x{} picture to {}x{}", image.width, image.height, width, height));
  Image out(width, height, image.channels);
  const double sx = double(image.width) / double(width), sy = double(image.height) / double(height);
  for (long y = 0; y < height; ++y) {
    const long y0 = long(std::floor(double(y) * sy)), y1 = std::max(y0 + 1, long(std::ceil(double(y + 1) * sy)));
    for (long x = 0; x < width; ++x) {
      const long x0 = long(std::floor(double(x) * sx)), x1 = std::max(x0 + 1, long(std::ceil(double(x + 1) * sx)));
      for (long c = 0; c < image.channels; ++c) {
        double sum = 0;
        long count = 0;
        for (long yy = y0; yy < std::min(y1, image.height); ++yy)
          for (long xx = x0; xx < std::min(x1, image.width); ++xx) sum += image.pixel(xx, yy)[c], ++count;
        out.pixel(x, y)[c] = std::uint8_t(std::lround(sum / double(std::max(count, 1L))));
      }
    }
  }
  return out;
}

Image to_rgb(const Image& image) {
  if (image.channels == 3) return image;
  Image out(image.width, image.height, 3);
  for (long i = 0; i < image.width * image.height; ++i)
    for (long c = 0; c < 3; ++c) out.pixels[size_t(3 * i + c)] = image.pixels[size_t(i)];
  return out;
}

void paste(Image& dst, const Image& src_in, long x0, long y0) {
  const Image src = dst.channels == 3 ? to_rgb(src_in) : src_in;
  if (src.channels != dst.channels)
    throw ShapeError("paste: cannot paste an RGB picture into a gray one; make the destination RGB");
  for (long y = std::max(0L, -y0); y < src.height && y + y0 < dst.height; ++y)
    for (long x = std::max(0L, -x0); x < src.width && x + x0 < dst.width; ++x)
      std::memcpy(dst.pixel(x + x0, y + y0), src.pixel(x, y), size_t(src.channels));
}

// ---- files --------------------------------------------------------------------------------

void write_png(const Image& image, const std::string& path) {
  if (image.empty()) throw IoError(fmt::format("write_png: the picture for '{}' is empty", path));
  png_image png;  // libpng's simplified API: one struct, one call
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = png_uint_32(image.width);
  png.height = png_uint_32(image.height);
  png.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  if (!png_image_write_to_file(&png, path.c_str(), 0, image.pixels.data(), 0, nullptr))
    throw IoError(fmt::format("write_png: cannot write '{}': {}. Check that the folder exists and is writable", path,
                              png.message));
}

Image read_png(const std::string& path) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, path.c_str()))
    throw IoError(fmt::format("read_png: cannot read '{}': {}", path, png.message));
  const bool color = png.format & PNG_FORMAT_FLAG_COLOR;
  png.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  Image image;
  try {
    image = Image(long(png.width), long(png.height), color ? 3 : 1, 255);  // white under any transparency
  } catch (...) {
    png_image_free(&png);
    throw;
  }
  if (!png_image_finish_read(&png, nullptr, image.pixels.data(), 0, nullptr))
    throw IoError(fmt::format("read_png: cannot decode '{}': {}", path, png.message));
  return image;
}

namespace {

// The next whitespace-separated token of a PNM header, skipping # comments.
std::string pnm_token(std::istream& in) {
  std::string token;
  int ch;
  while ((ch = in.get()) != EOF) {
    if (ch == '#') {
      while ((ch = in.get()) != EOF && ch != '\n') {
      }
    } else if (std::isspace(ch)) {
      if (!token.empty()) break;
    } else {
      token += char(ch);
    }
  }
  return token;
}

}  // namespace

Image read_ppm(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("read_ppm: cannot open '{}'", path));
  const std::string magic = pnm_token(in);
  if (magic != "P6" && magic != "P5")
    throw IoError(
        fmt::format("read_ppm: '{}' is not a binary PPM (P6) or PGM (P5) file (it starts with '{}')", path, magic));
  long w = 0, h = 0, maxval = 0;
  try {
    w = std::stol(pnm_token(in)), h = std::stol(pnm_token(in)), maxval = std::stol(pnm_token(in));
  } catch (const std::exception&) {
    throw IoError(fmt::format("read_ppm: '{}' has a malformed header", path));
  }
  if (w < 1 || h < 1 || w > 65536 || h > 65536 || maxval != 255)
    throw IoError(fmt::format("read_ppm: '{}' is {}x{} with maxval {}; expected sizes in 1..65536 and maxval 255", path,
                              w, h, maxval));
  Image image(w, h, magic == "P6" ? 3 : 1);
  in.read(reinterpret_cast<char*>(image.pixels.data()), std::streamsize(image.pixels.size()));
  if (in.gcount() != std::streamsize(image.pixels.size()))
    throw IoError(fmt::format("read_ppm: '{}' ends before its {}x{} pixels", path, w, h));
  return image;
}

Image read_image(const std::string& path) {
  unsigned char head[8] = {};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("read_image: cannot open '{}'", path));
  in.read(reinterpret_cast<char*>(head), 8);
  if (in.gcount() == 8 && png_sig_cmp(head, 0, 8) == 0) return read_png(path);
  if (in.gcount() >= 2 && head[0] == 'P' && (head[1] == '6' || head[1] == '5')) return read_ppm(path);
  throw IoError(fmt::format("read_image: '{}' is neither a PNG nor a binary PPM/PGM file", path));
}

}  // namespace minnow
