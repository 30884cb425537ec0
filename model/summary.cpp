#include "model/summary.h"

#include <ostream>

#include <fmt/format.h>

#include "core/error.h"
#include "layers/batch_normalization.h"
#include "model/graph_queries.h"
#include "model/internal/summary_styles.h"
#include "model/model.h"

namespace minnow {

std::string group_thousands(long n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

namespace {

std::string row(const std::vector<std::string>& fields, const std::vector<size_t>& ends) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line.back() = ' ';
    line += fields[i];
    line.resize(ends[i], ' ');  // cuts a long field, pads a short one
  }
  return line + "\n";
}

// 200 -> "200 B", 6000 -> "5.9 KB", 24000000 -> "22.9 MB" (1 KB = 1024 B, as Keras 3 prints sizes).
std::string readable_bytes(long bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1000L * 1024) return fmt::format("{:.1f} KB", double(bytes) / 1024);
  return fmt::format("{:.1f} MB", double(bytes) / (1024.0 * 1024.0));
}

// The weight lines under a layer's row (SummaryOptions::show_weights).
std::string weight_lines(const Model& model, const Layer& l) {
  std::string out;
  for (const Parameter* p : l.weights()) {
    const char* status = p->trainable() ? "trainable" : p->trainable_by_design ? "frozen" : "non-trainable";
    out += fmt::format("  {:<16}{:<14}{:>9}{:>9}  {}\n", p->name, p->value.shape().str(), group_thousands(p->size()),
                       readable_bytes(p->size() * long(sizeof(float))), status);
    if (p->name != "bias" || (l.class_name() != "Dense" && l.class_name() != "Conv2D")) continue;
    if (const BatchNormalizationLayer* bn = following_batch_norm(model, l))
      out += fmt::format("    ^ redundant: {} subtracts the mean\n"
                         "      right after (use_bias=false saves {} params)\n",
                         bn->name(), p->size());
  }
  return out;
}

// A layer's row: name (class), output shape, parameters and, in the wide layout, what it is
// connected to (one more row per further input; a shared layer lists the inputs of each of its
// calls in this model, in the order of its nodes, as Keras 2's print_layer_summary_with_connections).
// Every call of a layer has its output shape (build refuses other input shapes), so Keras'
// "multiple" (calls of different output shapes) does not arise.
std::string layer_rows(const Model& model, const Layer& l, bool narrow, const std::vector<size_t>& ends) {
  std::string shape = l.output_shape().str();
  if (l.class_name() == "InputLayer") shape = "[" + shape + "]";
  std::vector<std::string> fields = {fmt::format("{} ({})", l.name(), l.class_name()), shape,
                                     std::to_string(l.count_params())};
  if (narrow) return row(fields, ends);
  std::vector<std::string> connections;
  for (const Node* node : model.nodes_of(l))
    for (const SymbolicTensor& in : node->inputs)
      connections.push_back(fmt::format("{}[{}][{}]", in.layer->name(), in.node_index, in.tensor_index));
  fields.push_back(connections.empty() ? "" : connections[0]);
  std::string out = row(fields, ends);
  for (size_t k = 1; k < connections.size(); ++k) out += row({"", "", "", connections[k]}, ends);
  return out;
}

}  // namespace

std::string summary_text(const Model& model, const SummaryOptions& options) {
  if (options.batch_size < 1)
    throw ConfigError(fmt::format("SummaryOptions::batch_size must be >= 1, but received {}", options.batch_size));
  if (options.show_weights && options.style != SummaryStyle::Keras2)
    throw ConfigError("SummaryOptions::show_weights lists the weights in the classic summary only "
                      "(style SummaryStyle::Keras2); the Keras3 and Torchinfo styles have no weight lines");
  if (options.style == SummaryStyle::Keras3) return keras3_summary_text(model);
  if (options.style == SummaryStyle::Torchinfo) return torchinfo_summary_text(model, options.batch_size);
  const bool narrow = model.is_sequential_like();
  const size_t width = narrow ? 65 : 98;
  const std::vector<size_t> ends = narrow ? std::vector<size_t>{29, 55, 65} : std::vector<size_t>{32, 53, 65, 98};
  std::vector<std::string> header = {"Layer (type)", "Output Shape", "Param #"};
  if (!narrow) header.push_back("Connected to");

  std::string out = fmt::format("Model: \"{}\"\n", model.name());
  out += std::string(width, '_') + "\n";
  out += row(header, ends);
  out += std::string(width, '=') + "\n";
  const auto& layers = model.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    out += layer_rows(model, *layers[i], narrow, ends);
    if (options.show_weights) out += weight_lines(model, *layers[i]);
    out += std::string(width, i + 1 == layers.size() ? '=' : '_') + "\n";
  }
  long trainable = 0;
  for (const Parameter* p : model.trainable_weights()) trainable += p->size();
  const long total = model.count_params();
  out += "Total params: " + group_thousands(total) + "\n";
  out += "Trainable params: " + group_thousands(trainable) + "\n";
  out += "Non-trainable params: " + group_thousands(total - trainable) + "\n";
  out += std::string(width, '_') + "\n";
  return out;
}

std::string Model::summary() const {
  require_graph();
  return summary_text(*this);
}

void Model::summary(std::ostream& out) const { out << summary(); }

std::string Model::summary(const SummaryOptions& options) const {
  require_graph();
  return summary_text(*this, options);
}

void Model::summary(std::ostream& out, const SummaryOptions& options) const { out << summary(options); }

}  // namespace minnow
