// Keras' plot_model: a picture of a model's layer graph, drawn by Graphviz (its C library).
//   plot_model(model, "minnow-out/model.png", {.show_shapes = true});
//   std::string dot = to_dot(model);  // the same graph as Graphviz's DOT text
// One box per layer: its name and class (Keras' "dense (Dense)"), and on request its input and
// output shapes, its parameter count and the trainable / non-trainable split. An edge runs from
// every layer to each layer that reads its output, so fan-out and the merges (Add, Concatenate)
// show as they are wired. A Sequential's input is drawn as its InputLayer, as Keras draws it.
// Built as its own target (minnow::diagram), so the library itself needs no Graphviz.
#pragma once

#include <string>

namespace minnow {

class Model;

// Keras' plot_model options, with its names and defaults (show_params is minnow's addition).
struct PlotModelOptions {
  bool show_shapes = false;      // input and output shapes, batch as None: "(None, 30)"
  bool show_layer_names = true;  // "dense (Dense)"; false: "Dense"
  bool show_params = false;      // the layer's parameter count: "params: 1,550"
  bool show_trainable = false;   // its trainable and non-trainable counts
  std::string rankdir = "TB";    // "TB" top to bottom, "LR" left to right (Graphviz's rankdir)
  int dpi = 96;                  // the resolution of a PNG
};

// The graph as DOT text: deterministic, one node per layer in Keras' order, then the edges.
std::string to_dot(const Model& model, const PlotModelOptions& options = {});

// The drawing as SVG text (an <svg> element, without the XML prologue: it can go into a page).
// Throws as plot_model does when Graphviz cannot draw it.
std::string to_svg(const Model& model, const PlotModelOptions& options = {});

// Draws the graph into `path`; its extension picks the format: .png, .svg, .pdf or .dot (the
// text of to_dot). The file is written under a temporary name beside it and renamed into place,
// so a failure never leaves half a picture. Throws UsageError for an unknown extension or an
// option out of range, IoError when Graphviz cannot draw or the file cannot be written.
void plot_model(const Model& model, const std::string& path, const PlotModelOptions& options = {});

}  // namespace minnow
