// What the callbacks that watch a quantity share: the quantity's name in the logs and whether
// larger is better, with Keras' rules.
//   mode "min": lower is better; "max": higher is better; "auto": "max" when the name holds "acc"
//   (accuracy, val_accuracy, sparse_categorical_accuracy) or ends with "auc", else "min".
// improved(current, reference, min_delta):
//   min: current < reference - min_delta        max: current > reference + min_delta
#pragma once

#include <string>

#include "model/callback.h"

namespace minnow {

class Monitor {
 public:
  // A ConfigError naming `who` for a mode other than "auto", "min" or "max".
  Monitor(std::string who, std::string name, const std::string& mode);
  const std::string& name() const { return name_; }
  bool maximize() const { return maximize_; }
  // The worst value, before the first epoch: +inf for min, -inf for max.
  double worst() const;
  bool improved(double current, double reference, double min_delta = 0) const;
  // At on_train_begin: a ConfigError when fit's logs will not hold the quantity (listing those
  // they will hold). With no list (a hand-written loop), the check waits for value().
  void check(const CallbackParams& params) const;
  // The quantity in an epoch's logs; a ConfigError naming the keys there are when it is missing.
  double value(const Logs& logs) const;

 private:
  std::string who_, name_;
  bool maximize_ = false;
};

// A number as Python prints it (repr of a float): the shortest text that reads back the same
// double, with ".0" on whole numbers; "nan", "inf". Keras' messages and CSV files show numbers so.
std::string python_float(double value);

}  // namespace minnow
