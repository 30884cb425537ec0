// Callback's context (callback.h): the model, fit's parameters and the output stream.
#include "model/callback.h"

#include <iostream>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

void Callback::on_train_begin(const Logs& /*logs*/) {}
void Callback::on_train_end(const Logs& /*logs*/) {}
void Callback::on_epoch_begin(long /*epoch*/, const Logs& /*logs*/) {}
void Callback::on_epoch_end(long /*epoch*/, Logs& /*logs*/) {}
void Callback::on_train_batch_begin(long /*batch*/, const Logs& /*logs*/) {}
void Callback::on_train_batch_end(long /*batch*/, const Logs& /*logs*/) {}

void Callback::set_context(Model& model, CallbackParams params, std::ostream* out) {
  model_ = &model;
  params_ = std::move(params);
  out_ = out;
  stop_ = false;
}

Model& Callback::model(const char* who) const {
  if (!model_)
    throw UsageError(fmt::format("{}: no model yet; pass the callback to fit (FitOptions::callbacks), or call "
                                 "set_context(model, params) first in a hand-written loop",
                                 who));
  return *model_;
}

std::ostream& Callback::out() const { return out_ ? *out_ : std::cout; }

}  // namespace minnow
