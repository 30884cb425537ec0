// The examples' model diagrams: Keras' plot_model with shapes and the trainable / non-trainable
// split, written as <dir>/<name>.png (diagram/plot_model.h draws it with Graphviz).
#pragma once

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "diagram/plot_model.h"
#include "model/model.h"

namespace minnow::examples {

// Draws `model` into <dir>/<name>.png and says where, in one line.
inline void write_diagram(const Model& model, const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  const std::string path = (std::filesystem::path(dir) / (name + ".png")).string();
  plot_model(model, path, {.show_shapes = true, .show_trainable = true});
  fmt::print("The model's diagram: {}\n", path);
}

}  // namespace minnow::examples
