// ModelCheckpoint: saves the model's weights at the end of epochs (Keras'
// keras.callbacks.ModelCheckpoint, with its arguments and defaults).
//   ModelCheckpoint best({.filepath = "minnow-out/ckpt-{epoch:02d}-{val_loss:.3f}.npz",
//                         .save_best_only = true});
// The file is a weights file (model/weights_io.h: every weight, moving statistics included,
// written under a temporary name and renamed, so a crash never leaves half a file); a minnow
// model's architecture is its C++ code, so Keras' save_weights_only is always true here. With
// save_training_state, each file is a checkpoint instead (model/checkpoint.h: the optimizer's
// state, the generators and the epoch too), which load_checkpoint resumes from exactly.
// filepath may name the epoch (from 1, as Keras) and any quantity of the epoch's logs, in
// Python's format syntax, which fmt shares: {epoch}, {epoch:02d}, {val_loss:.2f}; {{ is a brace.
// With save_best_only, a file is written only when the monitored quantity improved on the best
// so far (Keras compares without a min_delta): "min" current < best, "max" current > best.
#pragma once

#include <string>

#include "callbacks/monitor.h"

namespace minnow {

struct ModelCheckpointOptions {
  std::string filepath{};
  std::string monitor = "val_loss";
  int verbose = 0;  // 1: a line per epoch, "Epoch 3: val_loss improved from 0.41230 to 0.39871, saving model to ..."
  bool save_best_only = false;
  std::string mode = "auto";
  bool save_training_state = false;  // true: save_checkpoint's whole training state, not save_weights
};

class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(ModelCheckpointOptions options);
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(long epoch, Logs& logs) override;

  double best() const { return best_; }
  const std::string& last_path() const { return last_path_; }  // the last file written; empty: none

 private:
  void save(const std::string& path);
  ModelCheckpointOptions options_;
  Monitor monitor_;
  double best_ = 0;
  std::string last_path_;
};

// filepath with {epoch} (given from 1) and the logs' quantities filled in; a ConfigError naming
// the placeholder for one that is not in the logs or a format that does not fit a number.
std::string checkpoint_path(const std::string& filepath, long epoch, const Logs& logs);

}  // namespace minnow
