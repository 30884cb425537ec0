// normalization_family: BatchNorm, LayerNorm, InstanceNorm and GroupNorm side by side on one
// seeded NHWC batch (N, H, W, C) = (2, 4, 4, 6), as Figure 2 of Wu & He, "Group Normalization"
// (2018) draws them. All four compute x_hat = (x - mean) / sqrt(var + epsilon) with the same
// ops (ops.h moments and batch_normalization); they differ only in which values share a mean
// and a variance. For each one this prints the reduced axes, how many values make one statistic,
// how many statistics there are, the first few means and variances, and checks that the output
// has mean ~0 and variance ~1 over every reduced set. docs/normalization-family.md explains it.
#include <algorithm>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "examples/flags.h"
#include "minnow.h"

using namespace minnow;

namespace {

constexpr long N = 2, H = 4, W = 4, C = 6;

struct Member {
  std::string name;   // the normalization, as the paper calls it
  std::string layer;  // the minnow layer that computes it
  std::string axes;   // which axes one statistic reduces over
  std::shared_ptr<Layer> l;
  Shape view;  // the data viewed so that `reduce` are the reduced axes
  std::vector<long> reduce;
};

std::string first(const Tensor& t, long n) {
  std::string s;
  for (long i = 0; i < std::min(n, t.size()); ++i) s += fmt::format("{}{:7.3f}", i ? " " : "", t[i]);
  return s + (t.size() > n ? " ..." : "");
}

}  // namespace

const char* const kUsage =
    "Usage: normalization_family\n"
    "\n"
    "BatchNorm, LayerNorm, InstanceNorm and GroupNorm side by side on one seeded batch: the axes\n"
    "each one reduces, how many values make one statistic and how many statistics there are. It\n"
    "has no flags.\n";

int main(int argc, char** argv) {
  examples::FlagParser(kUsage).parse_or_exit("normalization_family", argc, argv);
  // Channel c is shifted by 2c and scaled by (1 + c/2), so the statistics differ per channel.
  Tensor x({N, H, W, C});
  Rng rng(2018);
  for (long i = 0; i < x.size(); ++i) {
    const long c = i % C;
    x[i] = 2.0f * float(c) + (1.0f + 0.5f * float(c)) * rng.normal();
  }
  const long G = 3;
  std::vector<Member> family = {
      {"BatchNorm", "BatchNormalization()", "N, H, W (per channel)", BatchNormalization().ptr(), x.shape(), {0, 1, 2}},
      {"LayerNorm",
       "LayerNormalization({.axis = {1, 2, 3}})",
       "H, W, C (per sample)",
       LayerNormalization({.axis = {1, 2, 3}}).ptr(),
       x.shape(),
       {1, 2, 3}},
      {"InstanceNorm",
       fmt::format("GroupNormalization({{.groups = {}}})", C),
       "H, W (per sample and channel)",
       GroupNormalization({.groups = C}).ptr(),
       x.shape(),
       {1, 2}},
      {"GroupNorm",
       fmt::format("GroupNormalization({{.groups = {}}})", G),
       fmt::format("H, W, C/G (per sample and group of {} channels)", C / G),
       GroupNormalization({.groups = G}).ptr(),
       Shape{N, H, W, G, C / G},
       {1, 2, 4}},
  };

  fmt::print("A batch (N, H, W, C) = ({}, {}, {}, {}), {} values; channel c has mean ~2c.\n\n", N, H, W, C, x.size());
  bool all_ok = true;
  for (Member& m : family) {
    Tensor xv = x;
    xv.reshape(m.view);
    const Moments in = moments(xv, m.reduce);  // the statistics the layer uses (training mode)
    Tensor y = m.l->forward(x, Mode::Training);
    y.reshape(m.view);
    const Moments out = moments(y, m.reduce);
    double worst_mean = 0, worst_var = 0;
    for (long i = 0; i < out.mean.size(); ++i) {
      worst_mean = std::max(worst_mean, double(std::abs(out.mean[i])));
      worst_var = std::max(worst_var, double(std::abs(out.variance[i] - 1.0f)));
    }
    // The output variance is var / (var + epsilon), a little under 1.
    const bool ok = worst_mean < 1e-5 && worst_var < 1e-2;
    all_ok = all_ok && ok;
    fmt::print("{}  =  {}\n", m.name, m.layer);
    fmt::print("  reduces over     {}\n", m.axes);
    fmt::print("  values per stat  {}\n", x.size() / in.mean.size());
    fmt::print("  statistics       {}  (shape {})\n", in.mean.size(), in.mean.shape());
    fmt::print("  means            {}\n", first(in.mean, 6));
    fmt::print("  variances        {}\n", first(in.variance, 6));
    fmt::print("  output: max |mean| = {:.1e}, max |variance - 1| = {:.1e}  {}\n\n", worst_mean, worst_var,
               ok ? "ok" : "FAILED");
  }
  fmt::print("{}\n", all_ok ? "Every output has mean ~0 and variance ~1 over each reduced set."
                            : "Some output is not normalized: see FAILED above.");
  return all_ok ? 0 : 1;
}
