// A Model's weights: every layer's, in the layers' order (model.h).
#include <fmt/format.h>

#include "core/error.h"
#include "model/model.h"
#include "model/weights_io.h"

namespace minnow {

std::vector<Parameter*> Model::weights() const {
  std::vector<Parameter*> out;
  for (const auto& l : graph_.layers)
    for (Parameter* p : l->weights()) out.push_back(p);
  return out;
}

std::vector<Parameter*> Model::trainable_weights() const {
  std::vector<Parameter*> out;
  for (Parameter* p : weights())
    if (p->trainable()) out.push_back(p);
  return out;
}

std::vector<Parameter*> Model::non_trainable_weights() const {
  std::vector<Parameter*> out;
  for (Parameter* p : weights())
    if (!p->trainable()) out.push_back(p);
  return out;
}

std::vector<Tensor> Model::get_weights() const {
  std::vector<Tensor> out;
  for (const Parameter* p : weights()) out.push_back(p->value);
  return out;
}

void Model::set_weights(const std::vector<Tensor>& values) {
  const std::vector<Parameter*> ps = weights();
  if (values.size() != ps.size())
    throw ShapeError(fmt::format("Model '{}': set_weights received {} arrays, but the model has {} weights", name_,
                                 values.size(), ps.size()));
  for (size_t i = 0; i < ps.size(); ++i)
    if (values[i].shape() != ps[i]->value.shape())
      throw ShapeError(fmt::format("Model '{}': set_weights received an array of shape {} (position {}) for weight "
                                   "'{}' of shape {}; no weight was changed",
                                   name_, values[i].shape(), i, ps[i]->full_name(), ps[i]->value.shape()));
  for (size_t i = 0; i < ps.size(); ++i) ps[i]->value = values[i];
}

long Model::count_params() const {
  long n = 0;
  for (const auto& l : graph_.layers) n += l->count_params();
  return n;
}

void Model::set_trainable(bool trainable) {
  for (const auto& l : graph_.layers) l->set_trainable(trainable);
}

void Model::save_weights(const std::string& path) const {
  require_graph();
  minnow::save_weights(*this, path);
}

void Model::load_weights(const std::string& path) {
  require_graph();
  minnow::load_weights(*this, path);
}

}  // namespace minnow
