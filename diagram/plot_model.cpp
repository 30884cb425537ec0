// plot_model and to_dot: the layer graph as DOT text, drawn by Graphviz's C library (libgvc).
#include "diagram/plot_model.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <graphviz/gvc.h>
#include <memory>
#include <mutex>
#include <random>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "model/model.h"
#include "model/summary.h"

namespace minnow {

namespace {

// Text inside an HTML-like label or a quoted DOT id: the few characters that mean something there.
std::string escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\\': out += "&#92;"; break;
      default: out += c;
    }
  }
  return out;
}

// A layer's input shapes as Keras writes them: "(None, 30)", or a list for several inputs and for
// an InputLayer ("[(None, 30)]"). A shared layer's calls all have its input shapes: its first's.
std::string input_shapes(const Model& model, const Layer& layer) {
  if (layer.class_name() == "InputLayer") return fmt::format("[{}]", layer.output_shape().str());
  const std::vector<SymbolicTensor>& inputs = model.node_of(layer).inputs;
  if (inputs.size() == 1) return inputs[0].shape().str();
  std::vector<std::string> shapes;
  for (const SymbolicTensor& in : inputs) shapes.push_back(in.shape().str());
  return fmt::format("[{}]", fmt::join(shapes, ", "));
}

std::string row(std::string_view key, std::string_view value) {
  return fmt::format(R"(<TR><TD ALIGN="LEFT">{}</TD><TD ALIGN="LEFT">{}</TD></TR>)", key, escape(value));
}

// One layer's box: a table whose first row names it, then the rows the options ask for.
std::string node(const Model& model, const Layer& layer, const PlotModelOptions& options) {
  const bool input = layer.class_name() == "InputLayer";
  const std::string title = options.show_layer_names
                                ? fmt::format("<B>{}</B>&#160;({})", escape(layer.name()), escape(layer.class_name()))
                                : escape(layer.class_name());
  const char* colour = input ? "#e8e8e8" : layer.count_params() > 0 ? "#d7e6f7" : "#f4f4f4";
  std::string rows = fmt::format(R"(<TR><TD COLSPAN="2" BGCOLOR="{}">{}</TD></TR>)", colour, title);
  if (options.show_shapes) {
    const std::string shape = layer.output_shape().str();
    const std::string output = input ? fmt::format("[{}]", shape) : shape;
    rows += row("input:", input_shapes(model, layer)) + row("output:", output);
  }
  if (options.show_params) rows += row("params:", group_thousands(layer.count_params()));
  if (options.show_trainable) {
    rows += row("trainable:", group_thousands(layer.count_trainable_params()));
    rows += row("non-trainable:", group_thousands(layer.count_params() - layer.count_trainable_params()));
  }
  return fmt::format(
      "  \"{}\" [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"4\">{}</TABLE>>];\n",
      escape(layer.name()), rows);
}

// The boxes in Keras' order: a Sequential's InputLayer (not one of its layers) first.
std::vector<const Layer*> boxes(const Model& model) {
  std::vector<const Layer*> out;
  for (const SymbolicTensor& in : model.inputs()) {
    bool listed = false;
    for (const auto& l : model.layers()) listed = listed || l.get() == in.layer.get();
    if (!listed) out.push_back(in.layer.get());
  }
  for (const auto& l : model.layers()) out.push_back(l.get());
  return out;
}

void check_options(const PlotModelOptions& options) {
  constexpr std::array<std::string_view, 4> kDirections = {"TB", "LR", "BT", "RL"};
  if (std::find(kDirections.begin(), kDirections.end(), options.rankdir) == kDirections.end())
    throw UsageError(fmt::format(R"(plot_model: rankdir must be "TB", "LR", "BT" or "RL", got "{}")", options.rankdir));
  if (options.dpi < 1 || options.dpi > 1200)
    throw UsageError(fmt::format("plot_model: dpi must be in 1..1200, got {}", options.dpi));
}

}  // namespace

std::string to_dot(const Model& model, const PlotModelOptions& options) {
  check_options(options);
  std::string dot = fmt::format("digraph \"{}\" {{\n", escape(model.name()));
  dot += fmt::format("  graph [rankdir={}, dpi={}, nodesep=0.3, ranksep=0.35];\n", options.rankdir, options.dpi);
  dot += "  node [shape=plaintext, fontname=\"DejaVu Sans\", fontsize=11];\n";
  dot += "  edge [arrowsize=0.7];\n";
  const std::vector<const Layer*> layers = boxes(model);
  for (const Layer* l : layers) dot += node(model, *l, options);
  for (const Layer* l : layers) {  // a shared layer: one box, an edge from each call's inputs
    if (l->class_name() == "InputLayer") continue;
    std::vector<const Layer*> sources;  // each edge once, as Keras' add_edge
    for (const Node* n : model.nodes_of(*l))
      for (const SymbolicTensor& in : n->inputs) {
        if (std::find(sources.begin(), sources.end(), in.layer.get()) != sources.end()) continue;
        sources.push_back(in.layer.get());
        dot += fmt::format("  \"{}\" -> \"{}\";\n", escape(in.layer->name()), escape(l->name()));
      }
  }
  return dot + "}\n";
}

namespace {

// Graphviz reports its errors through a callback; they go into the exception (under render's lock).
std::string graphviz_error;
int keep_error(char* message) {
  graphviz_error += message;
  return 0;
}

// Lays out `dot` with Graphviz's "dot" engine and renders it in `format` ("png", "svg", "pdf").
// One Graphviz context for the whole process, as Graphviz's own programs keep one: libgvc 2.42
// caches text measurements across contexts, and after one context is freed the next one reads
// the freed cache (AddressSanitizer: heap-use-after-free in textspan_size, on the second
// drawing). Graphviz is not thread-safe: every drawing holds the lock.
GVC_t* context() {
  static GVC_t* const gvc = gvContext();  // never freed: it lives as long as the process
  return gvc;
}

std::string render(const std::string& dot, const std::string& format, const std::string& path) {
  static std::mutex graphviz;
  const std::lock_guard<std::mutex> lock(graphviz);
  graphviz_error.clear();
  agseterr(AGERR);
  agseterrf(keep_error);
  GVC_t* const gvc = context();
  const std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(agmemread(dot.c_str()), agclose);
  const auto fail = [&](const char* what) {
    return IoError(fmt::format("plot_model: cannot draw '{}': Graphviz {}: {}", path, what, graphviz_error));
  };
  if (!gvc || !graph) throw fail("could not read the graph");
  if (gvLayout(gvc, graph.get(), "dot") != 0) throw fail("could not lay it out");
  char* data = nullptr;
  unsigned int length = 0;
  const int rendered = gvRenderData(gvc, graph.get(), format.c_str(), &data, &length);
  std::string bytes = rendered == 0 && data ? std::string(data, length) : std::string();
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc, graph.get());
  if (rendered != 0 || bytes.empty()) throw fail(("could not render it as " + format).c_str());
  return bytes;
}

// Writes `bytes` to `path` through a temporary file beside it, renamed into place when complete.
void write_whole(const std::string& path, const std::string& bytes) {
  namespace fs = std::filesystem;
  const std::string temporary = fmt::format("{}.tmp-{:08x}", path, std::random_device{}());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      throw IoError(fmt::format("plot_model: cannot write '{}'", path));
    }
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) {
    fs::remove(temporary, ec);
    throw IoError(fmt::format("plot_model: cannot write '{}': {}", path, ec.message()));
  }
}

}  // namespace

std::string to_svg(const Model& model, const PlotModelOptions& options) {
  const std::string svg = render(to_dot(model, options), "svg", "an SVG string");
  const size_t start = svg.find("<svg");
  return start == std::string::npos ? svg : svg.substr(start);
}

void plot_model(const Model& model, const std::string& path, const PlotModelOptions& options) {
  const std::string extension = std::filesystem::path(path).extension().string();
  constexpr std::array<std::string_view, 4> kFormats = {".png", ".svg", ".pdf", ".dot"};
  if (std::find(kFormats.begin(), kFormats.end(), extension) == kFormats.end())
    throw UsageError(fmt::format("plot_model: path '{}' must end in .png, .svg, .pdf or .dot", path));
  const std::string dot = to_dot(model, options);
  write_whole(path, extension == ".dot" ? dot : render(dot, extension.substr(1), path));
}

}  // namespace minnow
