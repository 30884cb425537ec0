// The summaries other than the classic one (model/summary.cpp dispatches on SummaryOptions::style):
// Keras 3's box table (model/summary_keras3.cpp) and torchinfo's table (model/summary_torchinfo.cpp).
#pragma once

#include <string>

namespace minnow {

class Model;

std::string keras3_summary_text(const Model& model);
std::string torchinfo_summary_text(const Model& model, long batch_size);

}  // namespace minnow
