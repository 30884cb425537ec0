// Keras 3's model summary (SummaryStyle::Keras3), as keras/src/utils/summary_utils.py
// (print_summary) prints it through rich when standard output is not a terminal.
//
// Rules (re-derived from Keras 3's print_summary and rich's Table, rich/table.py, _ratio.py,
// _wrap.py, box.py; neither can be installed here, so the golden texts are reconstructed):
//  - Width: Keras takes min(88, or 108 for a graph that is not sequential-like, terminal columns
//    - 4). Without a terminal (a pipe, a file, a test) Python's shutil reports 80 columns, so the
//    table is 76 wide, always: that is the width printed here.
//  - Columns: Layer (type) | Output Shape | Param # (right-aligned), plus Connected to for a
//    graph that is not sequential-like (model.is_sequential_like(), Keras' rule). Keras gives
//    column i the width int(p_i * 76) - int(p_{i-1} * 76), p = 0.45, 0.80, 1.0 (narrow) or 0.3,
//    0.56, 0.74, 1.0 (wide): 34, 26, 16 and 22, 20, 14, 20.
//  - rich adds one space of padding on each side of a cell and one border between and around
//    the columns; the table must still be 76 wide, so it takes the excess (3n + 1 for n columns)
//    from the columns in turn, column i giving round(excess left / columns left) (Python's round,
//    half to even): columns 33, 24, 15 and 21, 19, 12, 19 wide, padding included.
//  - Cells wrap at spaces (rich's divide_line without folding): "batch_normalization
//    (BatchNormalization)" takes two lines; a single word longer than its cell is cut to the
//    cell's width with a final "…". Left-aligned cells are padded on the right, Param # on the
//    left. Names are taken as one character cell per byte (ASCII).
//  - Box: rich's default HEAVY_HEAD: ┏━┳┓ above, ┃ around the header, ┡━╇┩ under it, │ around
//    the rows, ├─┼┤ between rows (Keras sets show_lines), └─┴┘ at the bottom.
//  - Cells: "name (Class)"; the output shape "(None, 50)", an InputLayer's too (no list brackets
//    in Keras 3); the parameter count comma-grouped; Connected to: "name[node][tensor]" for each
//    input, joined by ", ", or "-".
//  - Under the table " Total params: 2,005 (7.83 KB)", " Trainable params: ..." and
//    " Non-trainable params: ...", the size of float32 weights (4 bytes each) in base 1024 with
//    two decimals (readable_memory_size). Frozen weights count as non-trainable, as in Keras.
//    Keras' " Optimizer params:" line (after training built the optimizer) is not printed.
//  - The model's and layers' names are minnow's (Keras 3 would name them "functional",
//    "input_layer", ...); no colors, no bold (rich prints none without a terminal).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/internal/summary_styles.h"
#include "model/model.h"
#include "model/summary.h"

namespace minnow {

std::string readable_memory_size(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  for (const char* unit : units) {
    if (bytes / 1024 < 1) return fmt::format("{:.2f} {}", bytes, unit);
    bytes /= 1024;
  }
  return fmt::format("{:.2f} PB", bytes);
}

namespace {

constexpr long kLineLength = 76;

// The columns' widths, padding included: Keras' positions, then rich's reduction to kLineLength.
std::vector<long> column_widths(const std::vector<double>& positions) {
  std::vector<long> widths;
  long end = 0, total = 0;
  for (double p : positions) {
    const long next = long(p * double(kLineLength));
    widths.push_back(next - end + 2);
    total += next - end + 2;
    end = next;
  }
  long excess = total - (kLineLength - long(widths.size()) - 1);
  long columns_left = long(widths.size());
  for (long& w : widths) {
    if (excess <= 0) break;
    const long take = std::min(w, long(std::nearbyint(double(excess) / double(columns_left))));
    w -= take;
    excess -= take;
    --columns_left;
  }
  return widths;
}

// rich's word wrap without folding: the text's lines for a cell `width` wide.
std::vector<std::string> wrap(const std::string& text, long width) {
  std::vector<size_t> breaks;
  long offset = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    size_t end = text.find_first_not_of(' ', pos);
    if (end == std::string::npos) break;
    end = text.find(' ', end);
    const long length = long((end == std::string::npos ? text.size() : end) - start);
    end = end == std::string::npos ? text.size() : text.find_first_not_of(' ', end);
    pos = end == std::string::npos ? text.size() : end;
    if (width - offset >= length) {
      offset += long(pos - start);
    } else if (length > width || (offset > 0 && start > 0)) {
      if (start > 0) breaks.push_back(start);
      offset = long(pos - start);
    }
  }
  std::vector<std::string> lines;
  size_t from = 0;
  for (size_t b : breaks) {
    lines.push_back(text.substr(from, b - from));
    from = b;
  }
  lines.push_back(text.substr(from));
  return lines;
}

// One line of a cell, cut with "…" if too long and aligned in `width` characters.
std::string fit(std::string line, long width, bool right) {
  const size_t kept = line.find_last_not_of(' ') + 1;  // 0 for a blank line
  if (right || long(line.size()) > width) line.resize(std::max(kept, size_t(right ? 0 : width)));
  if (long(line.size()) > width) return line.substr(0, size_t(width - 1)) + "…";  // exactly `width` characters
  const std::string pad(size_t(std::max(0L, width - long(line.size()))), ' ');
  return right ? pad + line : line + pad;
}

std::string repeat(const char* s, long n) {
  std::string out;
  for (long i = 0; i < n; ++i) out += s;
  return out;
}

// A border line: left, fill, the joint between columns, right.
std::string border(const std::vector<long>& widths, const char* left, const char* fill, const char* joint,
                   const char* right) {
  std::string out = left;
  for (size_t i = 0; i < widths.size(); ++i) {
    if (i > 0) out += joint;
    out += repeat(fill, widths[i]);
  }
  return out + right + "\n";
}

// A row of cells, as many lines as its tallest cell; column 2 (Param #) is right-aligned.
std::string table_row(const std::vector<std::string>& fields, const std::vector<long>& widths, const char* bar) {
  std::vector<std::vector<std::string>> cells;
  size_t height = 1;
  for (size_t i = 0; i < fields.size(); ++i) {
    cells.push_back(wrap(fields[i], widths[i] - 2));
    height = std::max(height, cells.back().size());
  }
  std::string out;
  for (size_t line = 0; line < height; ++line) {
    out += bar;
    for (size_t i = 0; i < cells.size(); ++i) {
      const std::string text = line < cells[i].size() ? cells[i][line] : "";
      out += fmt::format(" {} {}", fit(text, widths[i] - 2, i == 2), bar);
    }
    out += "\n";
  }
  return out;
}

std::vector<std::string> layer_fields(const Model& model, const Layer& l, bool narrow) {
  std::vector<std::string> fields = {fmt::format("{} ({})", l.name(), l.class_name()), l.output_shape().str(),
                                     group_thousands(l.count_params())};
  if (narrow) return fields;
  std::string connections;
  for (const Node* node : model.nodes_of(l))  // a shared layer: every call's inputs, as Keras 3
    for (const SymbolicTensor& in : node->inputs)
      connections += fmt::format("{}{}[{}][{}]", connections.empty() ? "" : ", ", in.layer->name(), in.node_index,
                                 in.tensor_index);
  fields.push_back(connections.empty() ? "-" : connections);
  return fields;
}

std::string totals_line(const char* what, long count) {
  return fmt::format(" {}: {} ({})\n", what, group_thousands(count), readable_memory_size(double(count) * 4));
}

}  // namespace

std::string keras3_summary_text(const Model& model) {
  const bool narrow = model.is_sequential_like();
  const std::vector<long> widths =
      column_widths(narrow ? std::vector<double>{0.45, 0.80, 1.0} : std::vector<double>{0.3, 0.56, 0.74, 1.0});
  std::vector<std::string> header = {"Layer (type)", "Output Shape", "Param #"};
  if (!narrow) header.push_back("Connected to");

  std::string out = fmt::format("Model: \"{}\"\n", model.name());
  out += border(widths, "┏", "━", "┳", "┓") + table_row(header, widths, "┃") + border(widths, "┡", "━", "╇", "┩");
  const auto& layers = model.layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i > 0) out += border(widths, "├", "─", "┼", "┤");
    out += table_row(layer_fields(model, *layers[i], narrow), widths, "│");
  }
  out += border(widths, "└", "─", "┴", "┘");
  long trainable = 0;
  for (const Parameter* p : model.trainable_weights()) trainable += p->size();
  const long total = model.count_params();
  return out + totals_line("Total params", total) + totals_line("Trainable params", trainable) +
         totals_line("Non-trainable params", total - trainable);
}

}  // namespace minnow
