// CSVLogger: one line per epoch in a CSV file (Keras' keras.callbacks.CSVLogger).
//   CSVLogger log("minnow-out/fashion_mnist/training.csv");
// The file, as Keras writes it:
//   epoch,accuracy,loss,val_accuracy,val_loss           the keys in alphabetical order
//   0,0.8412000536918640,0.4521...,...                  epoch from 0; numbers as Python prints them
// Every line is flushed as it is written, so the file follows training and keeps what was done if
// training stops. With append, an existing file is continued (its header kept).
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "model/callback.h"

namespace minnow {

class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string filename, char separator = ',', bool append = false);
  void on_train_begin(const Logs& logs) override;  // opens the file: an IoError if it cannot
  void on_epoch_end(long epoch, Logs& logs) override;
  void on_train_end(const Logs& logs) override;

 private:
  std::string filename_;
  char separator_;
  bool append_;
  std::ofstream file_;
  bool header_written_ = false;
  std::vector<std::string> keys_;
};

}  // namespace minnow
