// The classic tf.keras 2.x model summary (TensorFlow 2.0 to 2.6), character for character.
//
// Rules (from tf.keras' print_summary):
//  - Sequential-like models (one layer per depth, one input per layer) use 65 columns ending at
//    29, 55, 65: Layer (type) | Output Shape | Param #. Other graphs use 98 columns ending at
//    32, 53, 65, 98 and add "Connected to" (name[node][tensor], one inbound tensor per row).
//  - A row: for each field, replace the last character of the line so far with a space (except
//    before the first field), append the field, cut at the column's end, pad to it. So a long
//    name is cut: "batch_normalization_2 (Batch".
//  - A functional model's InputLayer prints its shape as a list: [(None, 30)].
//  - Totals count each weight once, comma-grouped; frozen weights count as non-trainable.
//
// SummaryOptions{.show_weights = true} adds, under each layer's row, one line per weight
// (docs/summary.md):
//    "  " name (16 wide) shape (14 wide) count (9, right) bytes (9, right: 200 B, 5.9 KB) "  " status
// status is "trainable", "non-trainable" (created so: moving_mean, moving_variance) or "frozen"
// (a trainable weight of a layer with trainable = false). A bias that a following
// BatchNormalization cancels gets two more lines saying so. Without the option the text is the
// classic one, unchanged.
//
// SummaryOptions{.style = SummaryStyle::Keras3} prints Keras 3's box table instead
// (model/summary_keras3.cpp), SummaryStyle::Torchinfo a PyTorch user's view, torchinfo's table with
// Mult-Adds and the memory estimates (model/summary_torchinfo.cpp); docs/summary.md shows both.
#pragma once

#include <string>

namespace minnow {

class Model;

// Keras2: the classic tf.keras 2.x text (the default); Keras3: Keras 3's box table with the
// parameters' memory; Torchinfo: torchinfo's table, Mult-Adds and memory estimates.
enum class SummaryStyle { Keras2, Keras3, Torchinfo };

struct SummaryOptions {
  bool show_weights = false;                  // list every weight under its layer's row (Keras2 only)
  SummaryStyle style = SummaryStyle::Keras2;  // which summary
  long batch_size = 1;                        // Torchinfo: the batch of the shapes and estimates
};

std::string summary_text(const Model& model, const SummaryOptions& options = {});

// 1234567 -> "1,234,567"
std::string group_thousands(long n);

// Keras 3's size of a weight memory: 8020 -> "7.83 KB", 400 -> "400.00 B" (1 KB = 1024 bytes).
std::string readable_memory_size(double bytes);

}  // namespace minnow
