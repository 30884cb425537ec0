// The training report's page: one HTML file with inline SVG charts and CSS, nothing fetched.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "core/error.h"
#include "core/version.h"
#include "diagram/plot_model.h"
#include "layers/batch_normalization.h"
#include "model/model.h"
#include "model/summary.h"
#include "report/svg_chart.h"
#include "report/training_report.h"

namespace minnow {

namespace {

constexpr const char* kStyle =
    R"(body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0 24px 40px;color:#222;background:#fff}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:28px}
h3{font-size:14px;margin:14px 0 4px}nav a{margin-right:14px}.grid{display:flex;flex-wrap:wrap;gap:10px}
.chart .tick{font-size:10px;fill:#555}.chart .title{font-size:12px;font-weight:bold}.chart .label{font-size:10px;fill:#333}
.chart .legend{font-size:10px}pre{font-size:11px;background:#f7f7f7;padding:8px;overflow-x:auto}
.note{color:#555;font-size:13px;max-width:900px}.model{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.diagram svg{max-width:420px;height:auto})";

// An exponential moving average (TensorBoard's smoothing, weight 0.9 on the past).
std::vector<double> smoothed(const std::vector<double>& v) {
  std::vector<double> out;
  double last = v.empty() ? 0.0 : v[0];
  for (const double x : v) out.push_back(last = 0.9 * last + 0.1 * x);
  return out;
}

std::vector<double> counting(size_t n, double from = 1) {
  std::vector<double> x;
  for (size_t i = 0; i < n; ++i) x.push_back(from + double(i));
  return x;
}

// Loss and each metric: per epoch (training and validation) and per step (raw and smoothed).
std::string curves(const std::map<std::string, std::vector<double>>& epochs,
                   const std::map<std::string, std::vector<double>>& steps, const std::vector<double>& step_x,
                   const std::vector<double>& lr) {
  std::string html = R"(<section id="curves"><h2>Loss and metrics</h2><div class="grid">)";
  for (const auto& [key, values] : epochs) {
    if (key.starts_with("val_") && epochs.count(key.substr(4))) continue;  // drawn with its training values
    std::vector<ChartSeries> s = {
        {.label = key.starts_with("val_") ? "validation" : "training", .x = counting(values.size()), .y = values}};
    if (epochs.count("val_" + key))
      s.push_back({.label = "validation", .x = counting(values.size()), .y = epochs.at("val_" + key), .dashed = true});
    html += svg_line_chart(s, {.title = key + " per epoch", .xlabel = "epoch", .ylabel = key, .integer_x = true});
  }
  for (const auto& [key, values] : steps) {
    const std::vector<ChartSeries> lines = {{.label = "per step", .x = step_x, .y = values, .points = false},
                                            {.label = "smoothed", .x = step_x, .y = smoothed(values), .points = false}};
    html += svg_line_chart(lines, {.title = key + " per step", .xlabel = "step", .ylabel = key});
  }
  const std::vector<ChartSeries> rate = {{.label = "learning rate", .x = counting(lr.size()), .y = lr}};
  html += svg_line_chart(rate, {.title = "learning rate", .xlabel = "epoch", .ylabel = "rate", .integer_x = true});
  return html + "</div></section>";
}

// One layer over training: its output's statistics, the dead / saturated fraction, the gradient
// norm at its output, and each weight's norm and gradient norm.
std::string layer(const std::vector<ReportSample>& samples, size_t i) {
  std::vector<double> x, mean, sd, lo, hi, dead, sat, grad;
  for (const ReportSample& s : samples) {
    const LayerTrace& t = s.trace.layers[i];
    x.push_back(double(s.step)), mean.push_back(t.output.mean), sd.push_back(t.output.stddev);
    lo.push_back(t.output.min), hi.push_back(t.output.max), dead.push_back(t.output.zero_fraction);
    sat.push_back(t.saturated_fraction.value_or(NAN)), grad.push_back(t.output_grad_norm.value_or(NAN));
  }
  const LayerTrace& last = samples.back().trace.layers[i];
  std::string html = fmt::format(R"(<div class="layer" data-layer="{0}"><h3>{0} ({1})</h3><div class="grid">)",
                                 html_escape(last.name), html_escape(last.class_name));
  const std::vector<ChartSeries> output = {{.label = "mean", .x = x, .y = mean},
                                           {.label = "std", .x = x, .y = sd},
                                           {.label = "min", .x = x, .y = lo, .dashed = true},
                                           {.label = "max", .x = x, .y = hi, .dashed = true}};
  const ChartOptions small{.title = "output", .xlabel = "step", .width = 330, .height = 200};
  html += svg_line_chart(output, small);
  std::vector<ChartSeries> fractions = {{.label = "dead (= 0)", .x = x, .y = dead}};
  if (last.saturated_fraction) fractions.push_back({.label = "saturated", .x = x, .y = sat});
  ChartOptions options = small;
  options.title = "dead / saturated fraction";
  html += svg_line_chart(fractions, options);
  const std::vector<ChartSeries> gradient = {{.label = "||dL/dy||", .x = x, .y = grad}};
  options.title = "gradient at the output", options.log_y = true;
  html += svg_line_chart(gradient, options);
  for (size_t w = 0; w < last.weights.size(); ++w) {
    std::vector<double> norm, wgrad;
    for (const ReportSample& s : samples) {
      const WeightTrace& t = s.trace.layers[i].weights[w];
      norm.push_back(std::sqrt(double(t.value.size) * (t.value.stddev * t.value.stddev + t.value.mean * t.value.mean)));
      wgrad.push_back(t.grad_norm.value_or(NAN));
    }
    std::vector<ChartSeries> lines = {{.label = "||w||", .x = x, .y = norm}};
    if (last.weights[w].trainable) lines.push_back({.label = "||dL/dw||", .x = x, .y = wgrad, .dashed = true});
    options.title = last.weights[w].name;
    html += svg_line_chart(lines, options);
  }
  return html + "</div></div>";
}

// Every BatchNormalization: the moving mean and variance of its first channels, converging to
// the probe batch's own statistics (dashed), and the updates seen against the averaging window.
std::string batch_norms(const Model& model, const std::vector<ReportSample>& samples) {
  std::string html = "<section id=\"batchnorm\"><h2>BatchNormalization: moving statistics</h2>";
  html += "<p class=\"note\">In training, each step moves the moving statistics toward the batch's: "
          "moving = momentum * moving + (1 - momentum) * batch. After about 1 / (1 - momentum) steps they "
          "average the recent batches; before that they still remember their start (mean 0, variance 1), and "
          "inference (predict, evaluate) normalizes with them.</p>";
  if (samples.empty() || samples[0].batch_norms.empty())
    return html + "<p>This model has no BatchNormalization.</p></section>";
  for (size_t b = 0; b < samples[0].batch_norms.size(); ++b) {
    const std::string& name = samples[0].batch_norms[b].name;
    const auto* bn = dynamic_cast<const BatchNormalizationLayer*>(&model.get_layer(name));
    const BatchNormalizationOptions& o = bn->options();
    const double w_new = o.momentum_meaning == MomentumMeaning::WeightOnOld ? 1.0 - o.momentum : o.momentum;
    html += fmt::format(
        "<div class=\"bn\" data-layer=\"{}\"><h3>{}</h3><p class=\"note\">{} updates seen (training steps); "
        "the window 1 / {:.3g} = {:.0f} steps.</p><div class=\"grid\">",
        html_escape(name), html_escape(name), samples.back().step, w_new, 1.0 / w_new);
    for (const bool variance : {false, true}) {
      std::vector<ChartSeries> series;
      for (size_t c = 0; c < samples[0].batch_norms[b].batch_mean.size(); ++c) {
        ChartSeries moving{.label = fmt::format("ch. {}", c), .colour = long(c)};
        ChartSeries batch{.label = "", .dashed = true, .points = false, .colour = long(c), .legend = false};
        for (const ReportSample& s : samples) {
          const ReportSample::BatchNorm& r = s.batch_norms[b];
          moving.x.push_back(double(s.step)), batch.x.push_back(double(s.step));
          moving.y.push_back(variance ? r.moving_variance[c] : r.moving_mean[c]);
          batch.y.push_back(variance ? r.batch_variance[c] : r.batch_mean[c]);
        }
        series.push_back(std::move(moving)), series.push_back(std::move(batch));
      }
      html += svg_line_chart(series, {.title = variance ? "moving variance (dashed: the probe batch's variance)"
                                                        : "moving mean (dashed: the probe batch's mean)",
                                      .xlabel = "step",
                                      .width = 520,
                                      .height = 280});
    }
    html += "</div></div>";
  }
  return html + "</section>";
}

// The histograms of every snapshot: activations and trainable weights, one row per point in time.
std::string histograms(const std::vector<ReportSample>& samples) {
  std::string html = "<section id=\"histograms\"><h2>Histograms of activations and weights</h2>";
  for (const ReportSample& s : samples) {
    if (s.histograms.empty()) continue;
    html += fmt::format(R"(<h3>after {} steps</h3><div class="grid snapshot" data-step="{}">)", s.step, s.step);
    for (const auto& [name, h] : s.histograms) html += svg_histogram(h, {.title = name, .width = 260, .height = 170});
    html += "</div>";
  }
  return html + "</section>";
}

}  // namespace

std::string TrainingReport::html() const {
  std::string page = fmt::format("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>"
                                 "<style>{}</style></head><body>",
                                 html_escape(options_.title), kStyle);
  page += fmt::format(
      "<header><h1>{}</h1><p class=\"note\">{} steps; the probe batch of {} samples traced every {} "
      "steps ({} samples). Written by minnow {}.</p><nav><a href=\"#model\">model</a><a href=\"#curves\">"
      "loss and metrics</a><a href=\"#layers\">layers</a><a href=\"#batchnorm\">BatchNormalization</a>"
      "<a href=\"#histograms\">histograms</a></nav></header>",
      html_escape(options_.title), steps_done_, options_.probe_x->shape()[0], every_, samples_.size(), version());
  page += R"(<section id="model"><h2>The model</h2><div class="model"><div class="diagram">)" +
          to_svg(model_, {.show_shapes = true, .show_trainable = true, .dpi = 72}) + "</div><pre class=\"summary\">" +
          html_escape(model_.summary()) + "</pre></div></section>";
  page += curves(epoch_logs_, step_logs_, steps_, epoch_lr_);
  page += "<section id=\"layers\"><h2>Layers over training</h2><p class=\"note\">Each layer on the probe batch, "
          "in training mode, at every sample: the output, the fraction of outputs that are exactly 0 (dead ReLU units) "
          "or saturated (sigmoid, tanh), the gradient arriving at the output, and every weight's norm and gradient "
          "norm.</p>";
  for (size_t i = 0; !samples_.empty() && i < samples_[0].trace.layers.size(); ++i) page += layer(samples_, i);
  page += "</section>" + batch_norms(model_, samples_) + histograms(samples_);
  // The one script: counts the charts into the page, so a reader (or a test) sees that it ran.
  page += "<script>document.body.dataset.charts = document.querySelectorAll('svg.chart').length;</script>";
  return page + "</body></html>\n";
}

void TrainingReport::on_train_end(const Logs& /*logs*/) {
  namespace fs = std::filesystem;
  const auto start = std::chrono::steady_clock::now();
  const std::string page = html();
  const fs::path path(options_.path);
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const std::string temporary = fmt::format("{}.tmp-{:08x}", options_.path, std::random_device{}());
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  out << page;
  out.close();
  std::error_code ec;
  if (out) fs::rename(temporary, path, ec);
  if (!out || ec) {
    fs::remove(temporary, ec);
    throw IoError(fmt::format("TrainingReport: cannot write '{}'", options_.path));
  }
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace minnow
