// The picture of minnow_bench --sweep: for each swept network, time per sample (training step and
// inference, each with its roofline floor) and peak resident memory (with the minimum the training
// step needs), one row of two panels per network.
#pragma once

#include <string>
#include <vector>

#include "plot/image.h"
#include "plot/plot.h"

namespace bench {

// One point of a sweep: the swept size and what the child process measured there.
struct SweepPoint {
  double x = 0;                             // the plotted size (log2 batch, or pixels)
  double train_ms = 0, infer_ms = 0;        // per sample
  double floor_ms = 0, infer_floor_ms = 0;  // the roofline floors, per sample
  double train_rss_mb = 0, infer_rss_mb = 0, min_mb = 0;
};

// Time per sample against the swept size.
inline minnow::Image time_panel(const std::vector<SweepPoint>& pts, const std::string& title,
                                const std::string& xlabel) {
  minnow::Series train{.label = "train step", .markers = true}, infer{.label = "inference", .markers = true},
      floor{.label = "train floor", .markers = true}, infer_floor{.label = "infer floor", .markers = true};
  for (const auto& p : pts) {
    train.x.push_back(p.x), train.y.push_back(p.train_ms);
    infer.x.push_back(p.x), infer.y.push_back(p.infer_ms);
    floor.x.push_back(p.x), floor.y.push_back(p.floor_ms);
    infer_floor.x.push_back(p.x), infer_floor.y.push_back(p.infer_floor_ms);
  }
  return minnow::line_plot({train, infer, floor, infer_floor},
                           {.title = title, .xlabel = xlabel, .ylabel = "ms per sample", .ymin = 0.0});
}

// Peak resident memory against the swept size.
inline minnow::Image memory_panel(const std::vector<SweepPoint>& pts, const std::string& title,
                                  const std::string& xlabel) {
  minnow::Series train{.label = "peak RSS, train", .markers = true}, infer{.label = "peak RSS, infer", .markers = true},
      min{.label = "minimum, train", .markers = true};
  for (const auto& p : pts) {
    train.x.push_back(p.x), train.y.push_back(p.train_rss_mb);
    infer.x.push_back(p.x), infer.y.push_back(p.infer_rss_mb);
    min.x.push_back(p.x), min.y.push_back(p.min_mb);
  }
  return minnow::line_plot({train, infer, min}, {.title = title, .xlabel = xlabel, .ylabel = "MB", .ymin = 0.0});
}

// The four panels, W4 over batch sizes on top and W2 over image sizes below, written to `path`.
inline void write_sweep_png(const std::vector<SweepPoint>& w4, const std::vector<SweepPoint>& w2, long w2_batch,
                            const std::string& path) {
  const std::string bx = "log2(batch size)", px = "image pixels (width x height)";
  const std::string w2t = "W2 Conv-BN-Dense, batch " + std::to_string(w2_batch);
  minnow::write_png(
      minnow::stack(
          {time_panel(w4, "W4 Fashion-MNIST CNN: time per sample", bx), memory_panel(w4, "W4 CNN: peak memory", bx),
           time_panel(w2, w2t + ": time per sample", px), memory_panel(w2, w2t + ": peak memory", px)},
          2),
      path);
}

}  // namespace bench
