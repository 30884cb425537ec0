// CSVLogger (csv_logger.h).
#include "callbacks/csv_logger.h"

#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "callbacks/monitor.h"
#include "core/error.h"

namespace minnow {

CSVLogger::CSVLogger(std::string filename, char separator, bool append)
    : filename_(std::move(filename)), separator_(separator), append_(append) {
  if (filename_.empty()) throw ConfigError("CSVLogger: filename is empty");
}

void CSVLogger::on_train_begin(const Logs& /*logs*/) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool continuing = append_ && fs::exists(filename_, ec) && fs::file_size(filename_, ec) > 0 && !ec;
  const fs::path folder = fs::path(filename_).parent_path();
  if (!folder.empty()) fs::create_directories(folder, ec);
  file_.close();
  file_.open(filename_, append_ ? std::ios::app : std::ios::trunc);
  if (!file_) throw IoError(fmt::format("CSVLogger: cannot open '{}' for writing", filename_));
  header_written_ = continuing;
  keys_.clear();
}

void CSVLogger::on_epoch_end(long epoch, Logs& logs) {
  if (keys_.empty())
    for (const auto& [key, v] : logs) keys_.push_back(key);  // a map: already alphabetical
  const std::string sep(1, separator_);
  if (!header_written_) file_ << "epoch" << sep << fmt::format("{}", fmt::join(keys_, sep)) << '\n';
  header_written_ = true;
  file_ << epoch;
  for (const std::string& key : keys_) {
    const auto it = logs.find(key);
    file_ << sep << (it == logs.end() ? "NA" : python_float(it->second));  // Keras writes NA too
  }
  file_ << '\n' << std::flush;
  if (!file_) throw IoError(fmt::format("CSVLogger: writing '{}' failed (disk full?)", filename_));
}

void CSVLogger::on_train_end(const Logs& /*logs*/) { file_.close(); }

}  // namespace minnow
