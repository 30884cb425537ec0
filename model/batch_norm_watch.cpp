#include "model/internal/batch_norm_watch.h"

#include <algorithm>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "layers/batch_normalization.h"
#include "model/model.h"

namespace minnow {

namespace {

// The weight (F4) gives a batch's statistics: 1 - momentum in Keras' meaning, momentum in PyTorch's.
double new_weight(const BatchNormalizationOptions& o) {
  return o.momentum_meaning == MomentumMeaning::WeightOnOld ? 1.0 - double(o.momentum) : double(o.momentum);
}

// How many values of one channel one sample gives the layer's statistics (F1): 1 for an (N, C)
// input, H * W for NHWC; 0 when a size is unknown.
long values_per_sample(const BatchNormalizationLayer& bn) {
  const Shape& s = bn.input_shape();
  const long rank = s.rank(), axis = bn.options().axis < 0 ? bn.options().axis + rank : bn.options().axis;
  long m = 1;
  for (long i = 1; i < rank; ++i)
    if (i != axis) m = s[i] == Shape::kNone ? 0 : m * s[i];
  return m;
}

bool all_equal(std::span<const float> values, float v) {
  return std::all_of(values.begin(), values.end(), [v](float x) { return x == v; });
}

// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole),
// the lines after the first indented by two spaces.
std::string wrap(const std::string& text, size_t width = 100) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) out += line + "\n", line = "  " + word;
    else line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return out + line;
}

// "'a'", "'a' and 'b'", "'a', 'b' and 'c'".
std::string name_list(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + ("'" + names[i] + "'");
  return s;
}

// A BatchNormalization whose moving statistics have seen too few updates.
struct Late {
  std::string name;
  long updates;
  float momentum;
  bool keras;  // momentum weighs the old value (Keras) or the new batch (PyTorch)
  double initial_share;
  // After k updates the initial values weigh (1 - w)^k: about 3 / w updates make that 5%.
  double needed() const { return 3.0 / (keras ? 1.0 - double(momentum) : double(momentum)); }
};

// What happened, for one layer or several alike ("BatchNormalization 'bn' has updated...").
std::string late_sentence(const std::vector<Late>& late) {
  std::vector<std::string> names;
  for (const Late& l : late) names.push_back(l.name);
  const Late& first = late.front();
  const bool same = std::all_of(late.begin(), late.end(), [&](const Late& l) {
    return l.updates == first.updates && l.momentum == first.momentum && l.keras == first.keras;
  });
  if (same) {
    const bool one = names.size() == 1;
    return fmt::format(
        "BatchNormalization {}{} {} updated {} moving statistics only {} time{}, but with momentum {:g}{} they need "
        "about {:.0f} updates ({}) to forget their initial values (mean 0, variance 1), which still make up {:.0f}% "
        "of them",
        one ? "" : "layers ", name_list(names), one ? "has" : "have", one ? "its" : "their", first.updates,
        first.updates == 1 ? "" : "s", first.momentum,
        first.keras ? "" : " (PyTorch's meaning: the weight of the new batch)", first.needed(),
        first.keras ? "3 / (1 - momentum)" : "3 / momentum", 100.0 * first.initial_share);
  }
  std::string what = "BatchNormalization layers " + name_list(names) +
                     " have updated their moving statistics too few times to forget their initial values (mean 0, "
                     "variance 1):";
  for (size_t i = 0; i < late.size(); ++i)
    what += fmt::format("{} '{}' {} times of about {:.0f} needed (momentum {:g}{}; initial values {:.0f}%)",
                        i == 0 ? "" : ",", late[i].name, late[i].updates, late[i].needed(), late[i].momentum,
                        late[i].keras ? "" : " as in PyTorch", 100.0 * late[i].initial_share);
  return what;
}

}  // namespace

void BatchNormWatch::track(const Model& model) {
  tracked_.clear();
  for (const auto& layer : model.layers()) {
    auto* bn = dynamic_cast<BatchNormalizationLayer*>(layer.get());
    if (!bn) continue;
    const Tensor& mean = layer->weight("moving_mean").value;
    const Tensor& variance = layer->weight("moving_variance").value;
    auto [it, first] = history_.try_emplace(bn);
    MovingStatistics& h = it->second;
    if (first) h.known = all_equal(mean.values(), 0.0f) && all_equal(variance.values(), 1.0f);
    else if (h.known && !std::equal(mean.values().begin(), mean.values().end(), h.last_mean.values().begin(),
                                    h.last_mean.values().end()))
      h.known = false;  // changed since this model's last training: loaded, set by hand, trained elsewhere
    tracked_.emplace_back(bn, &h);
  }
}

void BatchNormWatch::count_updates() {
  for (auto& [bn, h] : tracked_)
    if (bn->updated_moving_statistics()) ++h->updates;
}

void BatchNormWatch::remember() {
  for (auto& [bn, h] : tracked_) h->last_mean = bn->weight("moving_mean").value;
}

std::string BatchNormWatch::one_sample_warning(long epoch, long step, long steps) const {
  std::vector<std::string> names;
  for (const auto& [bn, h] : tracked_)
    if (bn->used_batch_statistics() && values_per_sample(*bn) == 1) names.push_back(bn->name());
  if (names.empty()) return "";
  return wrap(fmt::format(
      "Warning: batch {} of {} of epoch {} has 1 sample: BatchNormalization {} sees zero variance (one value per "
      "channel, its own mean), so it outputs beta for that sample, passes no gradient back through it, and moves "
      "its moving variance toward 0 (Keras does the same). Pick a batch_size that leaves more than 1 sample in the "
      "last batch, or drop that sample.",
      step, steps, epoch, names.size() == 1 ? name_list(names) : "layers " + name_list(names)));
}

std::string BatchNormWatch::late_warning() const {
  std::vector<Late> late;
  for (const auto& [bn, h] : tracked_) {
    const BatchNormalizationOptions& o = bn->options();
    if (!h->known || h->updates == 0 || o.normalize_with == NormalizeWith::BatchStatistics) continue;
    const double w = new_weight(o);  // (F4): after k updates the initial values weigh (1 - w)^k
    if (w <= 0 || w >= 1 || double(h->updates) * w >= 3.0) continue;
    late.push_back({bn->name(), h->updates, o.momentum, o.momentum_meaning == MomentumMeaning::WeightOnOld,
                    std::pow(1.0 - w, double(h->updates))});
  }
  if (late.empty()) return "";
  const bool all_keras = std::all_of(late.begin(), late.end(), [](const Late& l) { return l.keras; });
  const bool all_pytorch = std::none_of(late.begin(), late.end(), [](const Late& l) { return l.keras; });
  const std::string momentum_fix = all_keras     ? "a smaller momentum (0.9 needs about 30 updates)"
                                   : all_pytorch ? "a larger momentum (0.3 needs about 10 updates)"
                                                 : "a momentum that gives each new batch more weight";
  return wrap(fmt::format(
      "Warning: {}. Inference (evaluate, predict, the validation data) normalizes with these statistics, so its "
      "accuracy can be far below the training accuracy, which uses each batch's own statistics. Fix: train for more "
      "steps, use {}, or use smaller batches (more steps per epoch).",
      late_sentence(late), momentum_fix));
}

}  // namespace minnow
