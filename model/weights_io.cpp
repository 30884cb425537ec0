#include "model/weights_io.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "io/npz.h"
#include "model/internal/weights_reader.h"

namespace minnow {

namespace {

// "dense, batch_normalization": the layers the file's keys name, in file order (a checkpoint's
// other arrays, model/checkpoint.h, left out).
std::string layers_in_file(const std::vector<std::string>& keys) {
  std::vector<std::string> layers;
  for (const std::string& k : keys) {
    const std::string layer = k.substr(0, k.find('/'));
    if (layer == "optimizer" || layer == "rng" || layer == "checkpoint") continue;
    if (std::find(layers.begin(), layers.end(), layer) == layers.end()) layers.push_back(layer);
  }
  return layers.empty() ? "(none)" : fmt::format("{}", fmt::join(layers, ", "));
}

}  // namespace

std::vector<WeightEntry> weight_entries(const Model& model) {
  std::vector<WeightEntry> out;
  for (const auto& layer : model.layers())
    for (Parameter* p : layer->weights()) out.push_back({layer->name() + "/" + p->name, layer.get(), p});
  return out;
}

std::vector<Tensor> read_weights(const std::vector<WeightEntry>& entries, const NpzReader& file, const char* what,
                                 std::set<std::string>& unused) {
  const std::string& path = file.path();
  std::vector<Tensor> values;
  values.reserve(entries.size());
  for (const WeightEntry& e : entries) {
    const Shape& expected = e.param->value.shape();
    if (!file.contains(e.key))
      throw IoError(fmt::format("{} '{}' has no array '{}' (layer '{}', weight '{}' of shape {}); the file holds "
                                "arrays of the layers {}. Was it saved from a model of another architecture? (Layer "
                                "names come from per-session counters: name the layers, or build the model in a "
                                "fresh session.)",
                                what, path, e.key, e.layer->name(), e.param->name, expected.str(),
                                layers_in_file(file.keys())));
    Tensor t = file.read(e.key);
    if (t.shape() != expected)
      throw IoError(
          fmt::format("{} '{}': layer '{}' expects weight '{}' of shape {}, but array '{}' has shape {}. Was it "
                      "saved from a model of another architecture?",
                      what, path, e.layer->name(), e.param->name, expected.str(), e.key, t.shape().str()));
    values.push_back(std::move(t));
    unused.erase(e.key);
  }
  return values;
}

void assign_weights(const std::vector<WeightEntry>& entries, const std::vector<Tensor>& values) {
  for (size_t i = 0; i < entries.size(); ++i)
    std::copy(values[i].values().begin(), values[i].values().end(), entries[i].param->value.values().begin());
}

void save_weights(const Model& model, const std::string& path) {
  std::vector<NpzArray> arrays;
  for (const WeightEntry& e : weight_entries(model)) arrays.push_back({e.key, &e.param->value.tensor()});
  save_npz(arrays, path);
}

void load_weights(Model& model, const std::string& path) {
  const NpzReader file(path);
  std::set<std::string> unused(file.keys().begin(), file.keys().end());  // what remains at the end is extra
  // Read and check everything before touching the model.
  const std::vector<WeightEntry> entries = weight_entries(model);
  const std::vector<Tensor> values = read_weights(entries, file, "weights file", unused);
  for (const std::string& key : file.keys())
    if (unused.count(key))
      throw IoError(
          fmt::format("weights file '{}' holds array '{}' of layer '{}', which model '{}' does not have. Was it "
                      "saved from a model of another architecture?",
                      path, key, key.substr(0, key.find('/')), model.name()));
  assign_weights(entries, values);  // everything is valid
}

}  // namespace minnow
