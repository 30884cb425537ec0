// Checkpoints (checkpoint.h): save gathers every piece of the training state into one .npz;
// load reads and checks every piece into a Loaded, then assigns them all.
#include "model/checkpoint.h"

#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "io/npz.h"
#include "layers/dropout.h"
#include "model/internal/model_runner.h"
#include "model/internal/weights_reader.h"
#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/nadam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

namespace minnow {

namespace {

constexpr long kFormat = 1;
const std::string kInfo = "checkpoint/info", kRate = "optimizer/learning_rate", kFitRng = "rng/fit";

std::vector<DropoutLayer*> dropouts(const Model& model) {
  std::vector<DropoutLayer*> out;
  for (const auto& layer : model.layers())
    if (auto* d = dynamic_cast<DropoutLayer*>(layer.get())) out.push_back(d);
  return out;
}

// A text as a float32 array of its bytes' values (0-255, exact in float32), and back.
Tensor text_array(const std::string& text) {
  Tensor t(Shape{long(text.size())});
  for (size_t i = 0; i < text.size(); ++i) t[long(i)] = float(static_cast<unsigned char>(text[i]));
  return t;
}

std::string read_text(const NpzReader& file, const std::string& key) {
  const Tensor t = file.read(key);
  std::string text;
  for (const float v : t.values()) {
    if (t.shape().rank() != 1 || !(v >= 0 && v <= 255) || v != std::floor(v))
      throw IoError(fmt::format("checkpoint '{}': array '{}' of shape {} is not a text (bytes 0-255 in a 1-D array)",
                                file.path(), key, t.shape()));
    text.push_back(char(static_cast<unsigned char>(v)));
  }
  return text;
}

// ---- the optimizer's options ---------------------------------------------------------------

std::string number(std::optional<float> v) { return v ? fmt::format("{}", *v) : "none"; }

// Keras 3's arguments common to every optimizer, from any options struct.
template <class Options>
std::string common(const Options& o) {
  return fmt::format("weight_decay={} clipnorm={} clipvalue={} global_clipnorm={}", number(o.weight_decay),
                     number(o.clipnorm), number(o.clipvalue), number(o.global_clipnorm));
}

// Every option of minnow's optimizers but the learning rate (which a checkpoint restores), as
// "momentum=0.9 nesterov=true weight_decay=none ..."; empty for an optimizer of another class.
std::string optimizer_options(const Optimizer& optimizer) {
  if (const auto* o = dynamic_cast<const SGD*>(&optimizer))
    return fmt::format("momentum={} nesterov={} {}", o->options().momentum, o->options().nesterov,
                       common(o->options()));
  if (const auto* o = dynamic_cast<const Adam*>(&optimizer)) {  // AdamW too
    const AdamOptions& a = o->options();
    return fmt::format("beta_1={} beta_2={} epsilon={} amsgrad={} {}", a.beta_1, a.beta_2, a.epsilon, a.amsgrad,
                       common(a));
  }
  if (const auto* o = dynamic_cast<const RMSprop*>(&optimizer)) {
    const RMSpropOptions& a = o->options();
    return fmt::format("rho={} momentum={} epsilon={} centered={} {}", a.rho, a.momentum, a.epsilon, a.centered,
                       common(a));
  }
  if (const auto* o = dynamic_cast<const Nadam*>(&optimizer))
    return fmt::format("beta_1={} beta_2={} epsilon={} {}", o->options().beta_1, o->options().beta_2,
                       o->options().epsilon, common(o->options()));
  if (const auto* o = dynamic_cast<const Adamax*>(&optimizer))
    return fmt::format("beta_1={} beta_2={} epsilon={} {}", o->options().beta_1, o->options().beta_2,
                       o->options().epsilon, common(o->options()));
  if (const auto* o = dynamic_cast<const Adagrad*>(&optimizer))
    return fmt::format("initial_accumulator_value={} epsilon={} {}", o->options().initial_accumulator_value,
                       o->options().epsilon, common(o->options()));
  if (const auto* o = dynamic_cast<const Adadelta*>(&optimizer))
    return fmt::format("rho={} epsilon={} {}", o->options().rho, o->options().epsilon, common(o->options()));
  return "";
}

// ---- saving -------------------------------------------------------------------------------

std::string info_text(const Model& model, const Training& t) {
  return fmt::format("format {}\nmodel {}\noptimizer {}\noptions {}\niterations {}\nepoch {}\n", kFormat, model.name(),
                     t.optimizer->name(), optimizer_options(*t.optimizer), t.optimizer->iterations(), t.epoch);
}

// Arrays made for the file (texts, the learning rate): a list keeps their addresses stable.
struct Owned {
  std::vector<std::unique_ptr<Tensor>> tensors;
  const Tensor* add(Tensor t) { return tensors.emplace_back(std::make_unique<Tensor>(std::move(t))).get(); }
};

}  // namespace

void save_checkpoint(const Model& model, const std::string& path) {
  ModelRunner r(const_cast<Model&>(model), "save_checkpoint");  // reads the training state only
  const Training& t = r.training();
  Owned owned;
  std::vector<NpzArray> arrays;
  const std::vector<WeightEntry> entries = weight_entries(model);
  for (const WeightEntry& e : entries) arrays.push_back({e.key, &e.param->value.tensor()});
  for (const WeightEntry& e : entries)
    for (const auto& [slot, value] : t.optimizer->slots(*e.param))
      arrays.push_back({"optimizer/" + e.key + "/" + slot, value});
  arrays.push_back({kRate, owned.add(Tensor(Shape{1}, t.optimizer->learning_rate()))});
  if (t.shuffle) arrays.push_back({kFitRng, owned.add(text_array(t.shuffle->state()))});
  for (const DropoutLayer* d : dropouts(model))
    arrays.push_back({"rng/" + d->name(), owned.add(text_array(d->generator().state()))});
  arrays.push_back({kInfo, owned.add(text_array(info_text(model, t)))});
  save_npz(arrays, path);
}

namespace {

// ---- loading ------------------------------------------------------------------------------

// Everything a checkpoint holds, read and checked, not yet assigned.
struct Loaded {
  long iterations = 0, epoch = 0;
  std::vector<Tensor> weights;
  Optimizer::SlotMap slots;
  float learning_rate = 0;
  std::optional<Rng> shuffle;
  std::vector<std::pair<DropoutLayer*, Rng>> generators;
};

long read_count(const std::string& path, const std::map<std::string, std::string>& info, const std::string& key) {
  const auto it = info.find(key);
  long value = -1;
  const char* end = it == info.end() ? nullptr : it->second.data() + it->second.size();
  if (it == info.end() || std::from_chars(it->second.data(), end, value).ptr != end || value < 0)
    throw IoError(fmt::format("checkpoint '{}': its info has no valid '{}' (a count >= 0)", path, key));
  return value;
}

// "checkpoint/info": the format this code reads, and the optimizer the model was compiled with.
void read_info(const NpzReader& file, const Optimizer& optimizer, Loaded& l) {
  const std::string& path = file.path();
  if (!file.contains(kInfo))
    throw IoError(fmt::format("'{}' is not a minnow checkpoint: it has no array '{}' (a weights file? read it with "
                              "load_weights)",
                              path, kInfo));
  std::map<std::string, std::string> info;
  std::istringstream in(read_text(file, kInfo));
  for (std::string line; std::getline(in, line);) {
    const size_t space = line.find(' ');
    if (space != std::string::npos) info[line.substr(0, space)] = line.substr(space + 1);
  }
  if (read_count(path, info, "format") != kFormat)
    throw IoError(
        fmt::format("checkpoint '{}' has format {}; this minnow reads format {}", path, info["format"], kFormat));
  if (info["optimizer"] != optimizer.name())
    throw IoError(fmt::format("checkpoint '{}' holds the state of optimizer {}, but the model is compiled with {}. "
                              "Compile it with the checkpoint's optimizer.",
                              path, info["optimizer"], optimizer.name()));
  if (info["options"] != optimizer_options(optimizer))
    throw IoError(fmt::format("checkpoint '{}' holds the state of {} with the options {}, but the model's {} has the "
                              "options {}. Compile it with the checkpoint's options (the learning rate may differ: "
                              "the checkpoint's is restored).",
                              path, info["optimizer"], info["options"], optimizer.name(),
                              optimizer_options(optimizer)));
  l.iterations = read_count(path, info, "iterations");
  l.epoch = read_count(path, info, "epoch");
}

// "optimizer/<layer>/<weight>/<slot>": each must belong to a weight of the model, with its shape.
void read_slots(const NpzReader& file, const std::vector<WeightEntry>& entries, std::set<std::string>& unused,
                Loaded& l) {
  std::map<std::string, const WeightEntry*> by_key;
  for (const WeightEntry& e : entries) by_key[e.key] = &e;
  for (const std::string& key : file.keys()) {
    if (key.rfind("optimizer/", 0) != 0 || key == kRate) continue;
    const std::string rest = key.substr(10), weight = rest.substr(0, rest.rfind('/'));
    const std::string slot = rest.substr(rest.rfind('/') + 1);
    const auto it = by_key.find(weight);
    if (it == by_key.end())
      throw IoError(fmt::format("checkpoint '{}' holds optimizer slot '{}' of weight '{}', which the model does not "
                                "have. Was it saved from a model of another architecture?",
                                file.path(), slot, weight));
    Tensor value = file.read(key);
    const Parameter& p = *it->second->param;
    if (value.shape() != p.value.shape())
      throw IoError(fmt::format("checkpoint '{}': optimizer slot '{}' of weight '{}' has shape {}, but the weight has "
                                "shape {}. Was it saved from a model of another architecture?",
                                file.path(), slot, weight, value.shape(), p.value.shape()));
    l.slots[&p][slot] = std::move(value);
    unused.erase(key);
  }
}

float read_learning_rate(const NpzReader& file) {
  const Tensor rate = file.contains(kRate) ? file.read(kRate) : Tensor();
  if (rate.shape() != Shape{1} || !std::isfinite(rate[0]) || rate[0] < 0)
    throw IoError(
        fmt::format("checkpoint '{}': array '{}' must hold one finite learning rate >= 0", file.path(), kRate));
  return rate[0];
}

Rng read_generator(const NpzReader& file, const std::string& key) {
  if (!file.contains(key))
    throw IoError(fmt::format("checkpoint '{}' has no array '{}' (a Dropout's generator). Was it saved from a model "
                              "of another architecture?",
                              file.path(), key));
  Rng rng(0);
  if (!rng.set_state(read_text(file, key)))
    throw IoError(fmt::format("checkpoint '{}': array '{}' is not a generator's state", file.path(), key));
  return rng;
}

void read_generators(const NpzReader& file, const Model& model, std::set<std::string>& unused, Loaded& l) {
  if (file.contains(kFitRng)) l.shuffle = read_generator(file, kFitRng);
  unused.erase(kFitRng);
  for (DropoutLayer* d : dropouts(model)) {
    l.generators.emplace_back(d, read_generator(file, "rng/" + d->name()));
    unused.erase("rng/" + d->name());
  }
}

}  // namespace

long load_checkpoint(Model& model, const std::string& path) {
  ModelRunner r(model, "load_checkpoint");
  Training& t = r.training();
  const NpzReader file(path);
  std::set<std::string> unused(file.keys().begin(), file.keys().end());  // what remains at the end is extra
  Loaded l;
  read_info(file, *t.optimizer, l);
  const std::vector<WeightEntry> entries = weight_entries(model);
  l.weights = read_weights(entries, file, "checkpoint", unused);
  read_slots(file, entries, unused, l);
  l.learning_rate = read_learning_rate(file);
  read_generators(file, model, unused, l);
  unused.erase(kInfo), unused.erase(kRate);
  if (!unused.empty())
    throw IoError(fmt::format("checkpoint '{}' holds array '{}', which model '{}' has no use for. Was it saved from a "
                              "model of another architecture?",
                              path, *unused.begin(), model.name()));
  // Everything is valid: assign.
  assign_weights(entries, l.weights);
  t.optimizer->set_state(l.iterations, std::move(l.slots));
  t.optimizer->set_learning_rate(l.learning_rate);
  for (auto& [d, rng] : l.generators) d->generator() = rng;
  t.shuffle = l.shuffle;
  t.epoch = l.epoch;
  return l.epoch;
}

void Model::save_checkpoint(const std::string& path) const {
  require_graph();
  minnow::save_checkpoint(*this, path);
}

long Model::load_checkpoint(const std::string& path) {
  require_graph();
  return minnow::load_checkpoint(*this, path);
}

}  // namespace minnow
