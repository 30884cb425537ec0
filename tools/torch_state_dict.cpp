#include "tools/torch_state_dict.h"

#include <algorithm>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "io/npz.h"

namespace minnow {

namespace {

// How a minnow weight lies in torch.
enum class Layout { AsIs, DenseKernel, ConvKernel };

struct TorchEntry {
  std::string key;  // "features.1.running_var"
  const Layer* layer;
  Parameter* param;
  Layout layout;
};

// The torch key suffix and layout of weight `weight` of a layer of class `cls` ("" when none).
std::pair<std::string, Layout> torch_name(const std::string& cls, const std::string& weight) {
  if (cls == "BatchNormalization" || cls == "LayerNormalization" || cls == "GroupNormalization") {
    if (weight == "gamma") return {"weight", Layout::AsIs};
    if (weight == "beta") return {"bias", Layout::AsIs};
    if (weight == "moving_mean") return {"running_mean", Layout::AsIs};
    if (weight == "moving_variance") return {"running_var", Layout::AsIs};
  }
  if (cls == "Dense" || cls == "Conv2D") {
    if (weight == "kernel") return {"weight", cls == "Dense" ? Layout::DenseKernel : Layout::ConvKernel};
    if (weight == "bias") return {"bias", Layout::AsIs};
  }
  return {"", Layout::AsIs};
}

// The weights of the mapped layers with their torch keys; checks the map.
std::vector<TorchEntry> entries_of(const Model& model, const TorchModuleNames& names, bool strict, const char* what) {
  std::set<std::string> layer_names;
  for (const auto& l : model.layers()) layer_names.insert(l->name());
  for (const auto& [layer, prefix] : names)
    if (!layer_names.count(layer))
      throw UsageError(fmt::format("{}: model '{}' has no layer named '{}' (mapped to torch module '{}')", what,
                                   model.name(), layer, prefix));
  std::vector<TorchEntry> out;
  std::vector<std::string> unmapped;
  for (const auto& l : model.layers()) {
    if (l->weights().empty()) continue;
    const auto it = names.find(l->name());
    if (it == names.end()) {
      unmapped.push_back(l->name());
      continue;
    }
    for (Parameter* p : l->weights()) {
      const auto [suffix, layout] = torch_name(l->class_name(), p->name);
      if (suffix.empty())
        throw UsageError(fmt::format("{}: {} has weight '{}', which has no torch counterpart (supported: "
                                     "BatchNormalization, Dense, Conv2D, LayerNormalization, GroupNormalization)",
                                     what, l->describe(), p->name));
      out.push_back({it->second.empty() ? suffix : it->second + "." + suffix, l.get(), p, layout});
    }
  }
  if (strict && !unmapped.empty())
    throw UsageError(fmt::format("{}: the layers {} of model '{}' have weights but no torch module name; map them, "
                                 "or pass TorchStateDictOptions{{.strict = false}} to leave them out",
                                 what, fmt::join(unmapped, ", "), model.name()));
  return out;
}

// The shape of a minnow weight of shape s in torch's layout.
Shape torch_shape(const Shape& s, Layout layout) {
  switch (layout) {
    case Layout::AsIs: return s;
    case Layout::DenseKernel: return Shape{s[1], s[0]};
    case Layout::ConvKernel: return Shape{s[3], s[2], s[0], s[1]};
  }
  return s;
}

// minnow layout (in, units) / (KH, KW, C, F) <-> torch (units, in) / (F, C, KH, KW). to_torch
// gathers the torch tensor from `minnow`; otherwise it scatters `torch` into `minnow`.
void convert(WeightValue& minnow, Tensor& torch, Layout layout, bool to_torch) {
  const Shape& s = minnow.shape();
  auto move = [&](long mi, long ti) {
    if (to_torch) torch[ti] = minnow[mi];
    else minnow[mi] = torch[ti];
  };
  if (layout == Layout::AsIs) {
    for (long i = 0; i < minnow.size(); ++i) move(i, i);
  } else if (layout == Layout::DenseKernel) {
    const long in = s[0], units = s[1];
    for (long i = 0; i < in; ++i)
      for (long o = 0; o < units; ++o) move(i * units + o, o * in + i);
  } else {
    const long KH = s[0], KW = s[1], C = s[2], F = s[3];
    for (long kh = 0; kh < KH; ++kh)
      for (long kw = 0; kw < KW; ++kw)
        for (long c = 0; c < C; ++c)
          for (long f = 0; f < F; ++f) move(((kh * KW + kw) * C + c) * F + f, ((f * C + c) * KH + kh) * KW + kw);
  }
}

bool ignored_key(const std::string& key) {
  return key == "num_batches_tracked" || key.ends_with(".num_batches_tracked");
}

}  // namespace

void save_pytorch_state_dict(const Model& model, const std::string& path, const TorchModuleNames& names,
                             const TorchStateDictOptions& options) {
  const std::vector<TorchEntry> entries = entries_of(model, names, options.strict, "save_pytorch_state_dict");
  std::vector<Tensor> values;
  values.reserve(entries.size());  // never reallocated: arrays point into it
  std::vector<NpzArray> arrays;
  for (const TorchEntry& e : entries) {
    values.emplace_back(torch_shape(e.param->value.shape(), e.layout));
    convert(e.param->value, values.back(), e.layout, /*to_torch=*/true);
    arrays.push_back({e.key, &values.back()});
  }
  save_npz(arrays, path);
}

void load_pytorch_state_dict(Model& model, const std::string& path, const TorchModuleNames& names,
                             const TorchStateDictOptions& options) {
  const std::vector<TorchEntry> entries = entries_of(model, names, options.strict, "load_pytorch_state_dict");
  const NpzReader file(path);
  std::vector<std::string> missing;
  for (const TorchEntry& e : entries)
    if (!file.contains(e.key))
      missing.push_back(fmt::format("'{}' ({} weight '{}')", e.key, e.layer->describe(), e.param->name));
  if (!missing.empty())
    throw IoError(fmt::format("state_dict file '{}' has no array {}; it holds {}. Check the map from layer names "
                              "to torch module names.",
                              path, fmt::join(missing, ", "),
                              file.keys().empty() ? "no arrays" : fmt::format("'{}'", fmt::join(file.keys(), "', '"))));
  // Read and check everything before touching the model.
  std::vector<Tensor> values;
  std::set<std::string> used;
  for (const TorchEntry& e : entries) {
    Tensor t = file.read(e.key);
    const Shape want = torch_shape(e.param->value.shape(), e.layout);
    if (t.shape() != want)
      throw IoError(fmt::format("state_dict file '{}': array '{}' has shape {}, but {} weight '{}' of shape {} needs "
                                "shape {} in torch's layout",
                                path, e.key, t.shape().str(), e.layer->describe(), e.param->name,
                                e.param->value.shape().str(), want.str()));
    values.push_back(std::move(t));
    used.insert(e.key);
  }
  if (options.strict) {
    std::vector<std::string> unexpected;
    for (const std::string& k : file.keys())
      if (!used.count(k) && !ignored_key(k)) unexpected.push_back(k);
    if (!unexpected.empty())
      throw IoError(fmt::format("state_dict file '{}' holds arrays that no mapped layer of model '{}' uses: '{}'. "
                                "Map their modules, or pass TorchStateDictOptions{{.strict = false}}",
                                path, model.name(), fmt::join(unexpected, "', '")));
  }
  // Everything is valid: assign (same sizes, so the tensors keep their storage).
  for (size_t i = 0; i < entries.size(); ++i) convert(entries[i].param->value, values[i], entries[i].layout, false);
}

}  // namespace minnow
