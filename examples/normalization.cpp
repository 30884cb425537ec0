// normalization: seed 000, "Understanding Batch Normalization with Examples in Numpy and
// Tensorflow". Random 32x32 grayscale images (mean ~26, variance ~306), then
//   case 1  normalization of the whole data     (x - min) / (max - min)       -> range [0, 1]
//   case 2  standardization of the whole data   (x - mean) / std              -> mean 0, variance 1
//   case 3  batch normalization of the first 10 images, by hand (moments + batch_normalization)
//           and with the BatchNormalization layer (gamma 1, beta 0): both are standardization
//           of the batch, up to epsilon.
// For the data and each case: mean, variance, min, max, a histogram in the terminal, and the
// same histograms and sample images as PNG files. The computations are in normalization.h.
//
// Flags: --images N (30, as the blog), --batch N (10), --seed N, --bins N (terminal histogram
//        bins, 16), --out DIR (minnow-out/normalization)
#include "examples/normalization.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "examples/flags.h"
#include "plot/image.h"
#include "plot/plot.h"

using namespace minnow;
using namespace minnow::seed000;

namespace {

struct Flags {
  long images = 30, batch = 10, bins = 16;
  std::uint64_t seed = kDefaultSeed;
  std::string out = "minnow-out/normalization";
};

const char* const kUsage = "Usage: normalization [--images N] [--batch N] [--seed N] [--bins N] [--out DIR]\n"
                           "\n"
                           "Normalization, standardization and batch normalization of random 32x32 images, with their\n"
                           "statistics, histograms in the terminal and PNG files.\n"
                           "\n"
                           "  --images N   images (default 30)\n"
                           "  --batch N    the images batch-normalized in case 3 (default 10)\n"
                           "  --seed N     the random images (default 146: the blog's mean and variance, rounded)\n"
                           "  --bins N     bins of the terminal histograms (default 16)\n"
                           "  --out DIR    where the PNG files go (default minnow-out/normalization)\n";

Flags parse(int argc, char** argv) {
  Flags f;
  examples::FlagParser p(kUsage);
  p.value("--images", [&](const std::string& a, const char* v) { f.images = examples::parse_long(a, v, 1); });
  p.value("--batch", [&](const std::string& a, const char* v) { f.batch = examples::parse_long(a, v, 1); });
  p.value("--seed",
          [&](const std::string& a, const char* v) { f.seed = std::uint64_t(examples::parse_long(a, v, 0)); });
  p.value("--bins", [&](const std::string& a, const char* v) { f.bins = examples::parse_long(a, v, 1); });
  p.value("--out", [&](const std::string&, const char* v) { f.out = v; });
  p.parse(argc, argv);
  if (f.batch > f.images) throw ConfigError(fmt::format("--batch {} is larger than --images {}", f.batch, f.images));
  return f;
}

// Prints the statistics and the terminal histogram of x, writes its histogram as a PNG, and
// returns that plot.
Image report(const Tensor& x, const std::string& what, const Flags& flags, const std::string& file) {
  const Stats s = stats(x);
  fmt::print("  shape {}   mean {:.4f}   variance {:.4f}   min {:.4f}   max {:.4f}\n", x.shape(), s.mean, s.variance,
             s.min, s.max);
  fmt::print("{}", text_histogram(histogram(x.values(), flags.bins), 40));
  const Image plot = histogram_plot(histogram(x.values(), 60),
                                    {.title = what,
                                     .xlabel = "value",
                                     .ylabel = "count",
                                     .notes = {fmt::format("mean {:.4f}   variance {:.4f}   min {:.4g}   max {:.4g}",
                                                           s.mean, s.variance, s.min, s.max)}});
  const std::string path = flags.out + "/" + file;
  write_png(plot, path);
  fmt::print("  wrote {}\n", path);
  return plot;
}

void print_case3(const BatchNormCase& c, float epsilon) {
  fmt::print("  epsilon = {:g}\n", epsilon);
  fmt::print("    max |by hand - layer|              = {:.3g}\n", c.hand_vs_layer);
  fmt::print("    max |by hand - standardized batch| = {:.3g}\n", c.hand_vs_standardized);
  fmt::print("    max |layer   - standardized batch| = {:.3g}\n", c.layer_vs_standardized);
}

// Case 3: batch normalization of the first images, by hand and with the layer, against
// standardization; returns the layer's result and writes its histogram into *plot.
Tensor case3(const Tensor& data, const Flags& flags, Image* plot) {
  fmt::print("== Case 3: batch normalization of a mini-batch, the first {} images ==\n", flags.batch);
  const Tensor batch = images(data, 0, flags.batch);
  const BatchNormCase c = batch_norm_case(batch, 1e-3f);
  fmt::print("  By hand, as tf.nn: m = moments(batch, {{0, 1, 2}}) gives mean {:.4f} and variance {:.4f} for the\n"
             "  one channel (over {} x 32 x 32 = {} values); then batch_normalization(batch, m.mean, m.variance,\n"
             "  offset = 0, scale = 1, epsilon = 0.001) computes 1 * (x - mean) / sqrt(variance + epsilon) + 0.\n",
             c.moments.mean[0], c.moments.variance[0], flags.batch, flags.batch * 32 * 32);
  fmt::print("  With the layer: BatchNormalization() (gamma = 1, beta = 0, epsilon = 0.001) run in Mode::Training\n"
             "  normalizes with the same batch statistics. (It also moved its moving_mean from 0 to {:.4f} and\n"
             "  moving_variance from 1 to {:.4f}: momentum 0.99; see the fcn_moving_stats example.)\n",
             c.moving_mean, c.moving_variance);
  *plot = report(c.by_layer, fmt::format("Case 3: batch normalization of the first {} images", flags.batch), flags,
                 "case3_batch_normalization.png");
  fmt::print("  With gamma = 1 and beta = 0 batch normalization is standardization of the batch. The only\n"
             "  difference is epsilon: 1 / sqrt(variance + epsilon) instead of 1 / sqrt(variance).\n");
  print_case3(c, 1e-3f);
  print_case3(batch_norm_case(batch, 1e-8f), 1e-8f);
  const Stats sh = stats(c.by_hand);
  const double xhat = std::max(-sh.min, sh.max), var = c.moments.variance[0];
  const float big = float(xhat), ulp = std::nextafter(big, 2 * big) - big;
  fmt::print(
      "  With epsilon = 0.001 the largest |x_hat| = {:.4f} shrinks by x_hat * (1 - sqrt(variance / (variance +\n"
      "  epsilon))) = {:.3g}, the difference above; with epsilon = 1e-8 that is {:.1g} and what is left is float\n"
      "  rounding (floats near {:.2g} are {:.2g} apart). By hand and layer agree to {:.3g}: {}.\n\n",
      xhat, xhat * (1.0 - std::sqrt(var / (var + 1e-3))), xhat * (1.0 - std::sqrt(var / (var + 1e-8))), big, ulp,
      c.hand_vs_layer, c.hand_vs_layer <= 1e-6 ? "yes (<= 1e-6)" : "NO");
  return c.by_layer;
}

// Two images of every case in one picture, each scaled from its own minimum (black) to its
// maximum (white), as matplotlib's imshow.
std::string write_samples(const std::vector<std::pair<std::string, const Tensor*>>& cases, const Flags& flags) {
  std::vector<Image> pictures;
  std::vector<std::string> captions;
  const long second = std::min(4L, flags.batch - 1);
  for (const auto& [name, t] : cases)
    for (long i : {0L, second}) {
      pictures.push_back(to_image(*t, {.sample = i, .upscale = 5}));
      const Stats si = stats(images(*t, i, i + 1));
      captions.push_back(fmt::format("{}, image {}\n{:.3g} .. {:.3g}", name, i, si.min, si.max));
    }
  const std::string path = flags.out + "/samples.png";
  write_png(image_grid(pictures, captions, 4, fmt::format("Images 0 and {}, each scaled min..max (as imshow)", second)),
            path);
  return path;
}

}  // namespace

int main(int argc, char** argv) try {
  const Flags flags = parse(argc, argv);
  std::filesystem::create_directories(flags.out);

  fmt::print("== The data ==\n");
  fmt::print("{} random 32x32 grayscale images, (# of images, height, width, # of channels) as in the blog.\n"
             "Image i is z * s + b: z a 32x32 picture of N(0, 1) noise, s a random integer in 0..4, b one in\n"
             "0..59 (the blog's np.random.randn(32,32) * np.random.randint(5) + np.random.randint(60)); seed {}.\n"
             "The blog's data had mean 26 and variance 306.\n",
             flags.images, flags.seed);
  const Tensor data = make_images(flags.images, flags.seed);
  const Image h0 = report(data, "The data", flags, "data_histogram.png");
  const Stats s0 = stats(data);
  fmt::print(
      "  Rounded: mean {} and variance {}{}.\n\n", std::lround(s0.mean), std::lround(s0.variance),
      flags.seed == kDefaultSeed && flags.images == 30 ? " (the blog's; the default seed was picked for that)" : "");

  fmt::print("== Case 1: normalization of the whole data, (x - min) / (max - min) ==\n");
  const Tensor case1 = min_max_normalize(data);
  const Image h1 = report(case1, "Case 1: normalization (x - min) / (max - min)", flags, "case1_normalization.png");
  const Stats s1 = stats(case1);
  fmt::print("  The range is exactly [0, 1]: min == 0 is {}, max == 1 is {}. Same shape of histogram, new axis.\n\n",
             s1.min == 0.0, s1.max == 1.0);

  fmt::print("== Case 2: standardization of the whole data, (x - mean) / sqrt(variance) ==\n");
  const Tensor case2 = standardize(data);
  const Image h2 = report(case2, "Case 2: standardization (x - mean) / std", flags, "case2_standardization.png");
  fmt::print("  Mean 0 (up to rounding) and variance 1. Same shape of histogram again.\n\n");

  Image h3;
  const Tensor case3_result = case3(data, flags, &h3);

  const std::string samples =
      write_samples({{"data", &data}, {"case 1", &case1}, {"case 2", &case2}, {"case 3", &case3_result}}, flags);
  const std::string all = flags.out + "/histograms.png";
  write_png(stack({h0, h1, h2, h3}, 2), all);
  fmt::print("Visually there is no difference between the cases (each picture is scaled from its own minimum\n"
             "to its maximum): wrote {}. The four histograms side by side: {}.\n",
             samples, all);
  return 0;
} catch (const minnow::Error& e) {
  fmt::print(stderr, "normalization: {}\n", e.what());
  return 1;
}
