// ModelCheckpoint (model_checkpoint.h).
#include "callbacks/model_checkpoint.h"

#include <cctype>
#include <filesystem>
#include <ostream>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "model/checkpoint.h"
#include "model/weights_io.h"

namespace minnow {

namespace {

// One placeholder "{name:spec}" with its value.
std::string fill(const std::string& filepath, const std::string& field, long epoch, const Logs& logs) {
  const size_t colon = field.find(':');
  const std::string name = field.substr(0, colon), spec = colon == std::string::npos ? "" : field.substr(colon);
  size_t digits = 0;  // a width or precision of 1000 or more would build a huge name: refused
  for (const char c : spec)
    if ((digits = std::isdigit(static_cast<unsigned char>(c)) ? digits + 1 : 0) > 3)
      throw ConfigError(fmt::format("ModelCheckpoint: filepath '{}': the width or precision in {{{}}} is too large",
                                    filepath, field));
  try {
    if (name == "epoch") return fmt::format(fmt::runtime("{" + spec + "}"), epoch);
    const auto it = logs.find(name);
    if (it != logs.end()) return fmt::format(fmt::runtime("{" + spec + "}"), it->second);
  } catch (const fmt::format_error& e) {
    throw ConfigError(fmt::format("ModelCheckpoint: filepath '{}': the format of {{{}}} does not fit its value ({})",
                                  filepath, field, e.what()));
  }
  std::vector<std::string> keys{"epoch"};
  for (const auto& [key, v] : logs) keys.push_back(key);
  throw ConfigError(fmt::format("ModelCheckpoint: filepath '{}' names {{{}}}, which is not one of: {}", filepath, name,
                                fmt::join(keys, ", ")));
}

}  // namespace

std::string checkpoint_path(const std::string& filepath, long epoch, const Logs& logs) {
  std::string path;
  for (size_t i = 0; i < filepath.size(); ++i) {
    const char c = filepath[i];
    if ((c == '{' || c == '}') && i + 1 < filepath.size() && filepath[i + 1] == c) {
      path += c, ++i;  // {{ and }}
    } else if (c == '{') {
      const size_t end = filepath.find('}', i);
      if (end == std::string::npos)
        throw ConfigError(
            fmt::format("ModelCheckpoint: filepath '{}' opens a '{{' at {} that never closes", filepath, i));
      path += fill(filepath, filepath.substr(i + 1, end - i - 1), epoch, logs);
      i = end;
    } else if (c == '}') {
      throw ConfigError(
          fmt::format("ModelCheckpoint: filepath '{}' has a lone '}}' at {} (write }}}} for one)", filepath, i));
    } else {
      path += c;
    }
  }
  return path;
}

ModelCheckpoint::ModelCheckpoint(ModelCheckpointOptions options)
    : options_(std::move(options)), monitor_("ModelCheckpoint", options_.monitor, options_.mode) {
  if (options_.filepath.empty()) throw ConfigError("ModelCheckpoint: filepath is empty");
}

void ModelCheckpoint::on_train_begin(const Logs& /*logs*/) {
  if (options_.save_best_only) monitor_.check(params());
  Logs sample;  // the path's placeholders checked before any training, against the keys to come
  for (const std::string& key : params().log_keys) sample[key] = 0;
  if (!params().log_keys.empty()) checkpoint_path(options_.filepath, 1, sample);
  best_ = monitor_.worst();
  last_path_.clear();
}

void ModelCheckpoint::save(const std::string& path) {
  const std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ignored;  // a folder that cannot be made shows in save_weights' own error
  if (!folder.empty()) std::filesystem::create_directories(folder, ignored);
  if (options_.save_training_state) save_checkpoint(model("ModelCheckpoint"), path);
  else save_weights(model("ModelCheckpoint"), path);
  last_path_ = path;
}

void ModelCheckpoint::on_epoch_end(long epoch, Logs& logs) {
  const std::string path = checkpoint_path(options_.filepath, epoch + 1, logs);
  const bool talk = options_.verbose > 0;
  if (!options_.save_best_only) {
    if (talk) out() << fmt::format("\nEpoch {}: saving model to {}\n", epoch + 1, path);
    return save(path);
  }
  const double current = monitor_.value(logs);
  if (!monitor_.improved(current, best_)) {
    if (talk) out() << fmt::format("\nEpoch {}: {} did not improve from {:.5f}\n", epoch + 1, options_.monitor, best_);
    return;
  }
  if (talk)
    out() << fmt::format("\nEpoch {}: {} improved from {:.5f} to {:.5f}, saving model to {}\n", epoch + 1,
                         options_.monitor, best_, current, path);
  best_ = current;
  save(path);
}

}  // namespace minnow
