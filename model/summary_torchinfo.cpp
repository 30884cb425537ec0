// A PyTorch user's view of a model (SummaryStyle::Torchinfo): what torchinfo 1.8
// (torchinfo/model_statistics.py, formatting.py, layer_info.py) prints for
//   summary(model, input_size=(batch, ...), col_names=("output_size", "num_params", "mult_adds"))
//
// Rules (re-derived from torchinfo's source; torchinfo cannot be installed here):
//  - Columns: the layer column, 40 characters unless a name needs more (then the longest
//    len(name) + 5 * depth + 1, rounded up to a multiple of 5), then three columns of 25:
//    Output Shape, Param #, Mult-Adds. A row is each field left-aligned in its width followed by a
//    space, with the trailing spaces stripped. The "=" dividers span 40 + 3 * 25 = 115 characters.
//  - Rows: the model itself first (depth 0: "Sequential" or "Model", its output shape, "--",
//    "--"), then each layer at depth 1 as "├─Dense: 1-1" (class: depth-index). An InputLayer has no
//    PyTorch module and no row; its shape is the input of the estimates.
//  - Shapes are lists with the batch: [1, 50], keeping minnow's layout (NHWC, not PyTorch's NCHW),
//    so a Conv2D's output prints as [1, 100, 200, 30].
//  - Param #: PyTorch's parameters only. BatchNormalization's moving_mean and moving_variance are
//    buffers in PyTorch (running_mean, running_var), not parameters: a BatchNormalization of 50
//    features counts 100, and the totals leave them out. "--" for none; in parentheses when none
//    of the layer's parameters is trainable (a frozen layer, requires_grad = False).
//  - Mult-Adds (torchinfo's calculate_macs): each parameter's count times the batch, or, for a
//    layer whose class name contains "Conv", times batch * the output's spatial size (all axes but
//    batch and channels). "--" for 0. The total is printed in millions ("(M)", or (G) from 1e9,
//    (T) from 1e12) with two decimals, or none when it is a whole number ("(M): 0").
//    (torchinfo 1.8.0 on Python 3.11+ prints "(Units.MEGABYTES)", the enum's name: a bug.)
//  - Estimates, in MB of 1e6 bytes, float32: Input size = the inputs' values * 4; Forward/backward
//    pass size = 2 * 4 * the output values of every layer with parameters; Params size = 4 * the
//    parameters; Estimated Total Size = their sum.
//  - A module called more than once (a shared layer) has a row per call; the further calls' Param #
//    is "(recursive)" and their parameters are counted once, their mult-adds and outputs per call.
//    (torchinfo orders rows by call; minnow puts a layer's calls together, in layers() order.)
//  - The text ends with the last divider and a newline (torchinfo's text has none; print adds it).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/internal/summary_styles.h"
#include "model/model.h"
#include "model/sequential.h"
#include "model/summary.h"

namespace minnow {
namespace {

constexpr long kColumnWidth = 25;

// What torchinfo knows of one row.
struct Row {
  std::string name;
  long depth = 1;
  std::string shape;
  long params = 0, trainable = 0, macs = 0, output_values = 0;
  bool recursive = false;  // a further call of a shared layer
};

std::string torch_shape(const Shape& shape, long batch) {
  std::string out = "[";
  for (long i = 0; i < shape.rank(); ++i) out += fmt::format("{}{}", i ? ", " : "", i == 0 ? batch : shape[i]);
  return out + "]";
}

// PyTorch keeps BatchNormalization's moving statistics as buffers, not parameters.
bool is_buffer(const Parameter& p) { return p.name == "moving_mean" || p.name == "moving_variance"; }

Row layer_row(const Layer& l, long index, long batch) {
  const Shape out = l.output_shape().with_batch(batch);
  Row r{fmt::format("{}: 1-{}", l.class_name(), index), 1, torch_shape(out, batch)};
  r.output_values = out.num_elements();
  const bool conv = l.class_name().find("Conv") != std::string::npos;
  const long per_param = conv && out.rank() > 2 ? r.output_values / out[-1] : batch;
  for (const Parameter* p : l.weights()) {
    if (is_buffer(*p)) continue;
    r.params += p->size();
    if (p->trainable()) r.trainable += p->size();
    r.macs += p->size() * per_param;
  }
  return r;
}

// Python's f"{text:<{width}} ": padded to `width` characters (UTF-8 code points), then a space.
std::string cell(const std::string& text, long width) {
  long characters = 0;
  for (char c : text) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return text + std::string(size_t(std::max(0L, width - characters)) + 1, ' ');
}

std::string format_row(const std::string& name, long name_width, const std::vector<std::string>& fields) {
  std::string line = cell(name, name_width);
  for (const std::string& f : fields) line += cell(f, kColumnWidth);
  line.erase(line.find_last_not_of(' ') + 1);
  return line + "\n";
}

std::string params_cell(const Row& r) {
  if (r.recursive) return "(recursive)";
  if (r.params == 0) return "--";
  return r.trainable > 0 ? group_thousands(r.params) : fmt::format("({})", group_thousands(r.params));
}

// torchinfo's format_output_num: a whole number of units prints without decimals ("(M): 0").
std::string mult_adds_total(long macs) {
  const char* unit = macs >= 1000000000000L ? "T" : macs >= 1000000000L ? "G" : "M";
  const double value = double(macs) / (macs >= 1000000000000L ? 1e12 : macs >= 1000000000L ? 1e9 : 1e6);
  if (value == std::floor(value)) return fmt::format("({}): {}", unit, group_thousands(long(value)));
  const std::string digits = fmt::format("{:.2f}", value);  // "{:,.2f}": group the whole part
  const size_t dot = digits.find('.');
  return fmt::format("({}): {}{}", unit, group_thousands(std::stol(digits.substr(0, dot))), digits.substr(dot));
}

std::string megabytes(long bytes) { return fmt::format("{:.2f}", double(bytes) / 1e6); }

}  // namespace

std::string torchinfo_summary_text(const Model& model, long batch_size) {
  std::vector<Row> rows;
  for (const auto& l : model.layers())
    for (size_t call = 0; l->class_name() != "InputLayer" && call < model.nodes_of(*l).size(); ++call) {
      rows.push_back(layer_row(*l, long(rows.size()) + 1, batch_size));
      rows.back().recursive = call > 0;
    }
  const std::string model_class = dynamic_cast<const Sequential*>(&model) ? "Sequential" : "Model";
  long name_width = long(model_class.size()) + 1;
  for (const Row& r : rows) name_width = std::max(name_width, long(r.name.size()) + 5 * r.depth + 1);
  name_width = name_width >= 40 ? (name_width + 4) / 5 * 5 : 40;
  const std::string divider(size_t(name_width + 3 * kColumnWidth), '=');

  std::string out = divider + "\n" +
                    format_row("Layer (type:depth-idx)", name_width, {"Output Shape", "Param #", "Mult-Adds"}) +
                    divider + "\n";
  out += format_row(model_class, name_width, {torch_shape(model.outputs()[0].shape(), batch_size), "--", "--"});
  long params = 0, trainable = 0, macs = 0, output_bytes = 0, input_bytes = 0;
  for (const Row& r : rows) {
    out +=
        format_row("├─" + r.name, name_width, {r.shape, params_cell(r), r.macs > 0 ? group_thousands(r.macs) : "--"});
    params += r.recursive ? 0 : r.params;
    trainable += r.recursive ? 0 : r.trainable;
    macs += r.macs;
    if (r.params > 0) output_bytes += 2L * 4 * r.output_values;
  }
  for (const SymbolicTensor& in : model.inputs()) input_bytes += 4 * in.shape().with_batch(batch_size).num_elements();
  out += divider + "\n";
  out += fmt::format("Total params: {}\nTrainable params: {}\nNon-trainable params: {}\n", group_thousands(params),
                     group_thousands(trainable), group_thousands(params - trainable));
  out += fmt::format("Total mult-adds {}\n{}\n", mult_adds_total(macs), divider);
  out += fmt::format("Input size (MB): {}\n", megabytes(input_bytes));
  out += fmt::format("Forward/backward pass size (MB): {}\n", megabytes(output_bytes));
  out += fmt::format("Params size (MB): {}\n", megabytes(4 * params));
  out += fmt::format("Estimated Total Size (MB): {}\n", megabytes(input_bytes + output_bytes + 4 * params));
  return out + divider + "\n";
}

}  // namespace minnow
