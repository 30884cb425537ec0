// Image: an 8-bit picture (grayscale or RGB) and its files, for the examples' figures.
//
// Pixels are row-major with the channels interleaved, as in PNG: pixel (x, y) channel c sits at
// (y * width + x) * channels + c, x to the right, y down. PNG files are written and read with
// libpng (Debian's libpng-dev), never with an encoder of our own; binary PPM/PGM (P6/P5), the
// simplest format an image viewer or ImageMagick writes, is read too.
//
// A tensor becomes an image by a linear map of [low, high] to [0, 255], then rounding and
// clipping:  byte = clamp(round(255 * (v - low) / (high - low)), 0, 255).
// By default low and high are the picture's own minimum and maximum (what matplotlib's imshow
// does), so a picture and its normalized or standardized version look the same. Give fixed
// bounds (e.g. 0 and 1) to compare pictures on one scale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace minnow {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

struct Image {
  long width = 0, height = 0, channels = 0;  // channels: 1 (gray) or 3 (RGB)
  std::vector<std::uint8_t> pixels;

  Image() = default;
  // A width x height picture with every byte set to `fill` (255: white).
  Image(long width, long height, long channels, std::uint8_t fill = 255);

  bool empty() const { return pixels.empty(); }
  std::uint8_t* pixel(long x, long y) { return &pixels[size_t((y * width + x) * channels)]; }
  const std::uint8_t* pixel(long x, long y) const { return &pixels[size_t((y * width + x) * channels)]; }
  // Sets pixel (x, y) when it lies inside the picture (gray pictures take the colour's mean).
  void set(long x, long y, Rgb color);
};

// How to_image maps floats to bytes (see the top of this file).
struct ToImageOptions {
  long sample = 0;              // which image of an (N, H, W, C) tensor
  std::optional<float> low{};   // default: the picture's minimum
  std::optional<float> high{};  // default: the picture's maximum
  long upscale = 1;             // each pixel becomes an upscale x upscale block (nearest neighbour)
};

// One picture of x: x is (H, W), (H, W, C) or (N, H, W, C) with C = 1 (gray) or 3 (RGB).
// A constant picture (low == high) becomes mid-gray. Throws ShapeError for other shapes.
Image to_image(const Tensor& x, const ToImageOptions& options = {});
// The picture as a (1, H, W, C) tensor with values in [0, 1] (byte / 255).
Tensor to_tensor(const Image& image);

// Nearest-neighbour enlargement: every pixel becomes a factor x factor block.
Image upscale(const Image& image, long factor);
// The picture resampled to width x height; each new pixel is the mean of the old pixels its
// area covers (a box filter), so shrinking does not alias.
Image resize(const Image& image, long width, long height);
// The gray picture as RGB (an RGB picture is returned unchanged).
Image to_rgb(const Image& image);
// Copies `src` into `dst` with its top-left corner at (x, y), clipped to dst; src is made to
// match dst's channels.
void paste(Image& dst, const Image& src, long x, long y);

// PNG files through libpng. write_png throws IoError when the file cannot be written.
void write_png(const Image& image, const std::string& path);
// Any PNG (palette, 16-bit, alpha composited onto white) as 8-bit gray or RGB.
Image read_png(const std::string& path);
// Binary PPM (P6, RGB) or PGM (P5, gray) with maxval 255.
Image read_ppm(const std::string& path);
// PNG or PPM/PGM, told apart by the file's first bytes. Throws IoError otherwise.
Image read_image(const std::string& path);

}  // namespace minnow
