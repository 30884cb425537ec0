// CSVLogger (callbacks/csv_logger.h): the file Keras' CSVLogger writes.
#include "callbacks/scripted.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("CSVLogger writes Keras' CSV: sorted keys, epochs from 0, numbers as Python prints them", "[callbacks]") {
  const auto dir = scratch_folder("csv_logger");
  const auto path = dir / "log.csv";
  auto model = small_model();
  Scripted script;
  script.values = {
      {"loss", {0.5, 0.25}}, {"accuracy", {0.0, 1.0}}, {"val_loss", {1e-05, 0.1}}, {"val_accuracy", {0.5, 1}}};
  CSVLogger log(path.string());
  fit_scripted(*model, script, {&log}, 2);
  CHECK(file_text(path) == "epoch,accuracy,loss,val_accuracy,val_loss\n"
                           "0,0.0,0.5,0.5,1e-05\n"
                           "1,1.0,0.25,1.0,0.1\n");
  // append continues the file under its header; a new logger without append starts it again.
  CSVLogger more(path.string(), ';', true);
  fit_scripted(*model, script, {&more}, 1);
  CHECK(file_text(path) == "epoch,accuracy,loss,val_accuracy,val_loss\n"
                           "0,0.0,0.5,0.5,1e-05\n"
                           "1,1.0,0.25,1.0,0.1\n"
                           "0;0.0;0.5;0.5;1e-05\n");
  CSVLogger fresh(path.string(), ';');
  fit_scripted(*model, script, {&fresh}, 1);
  CHECK(file_text(path) == "epoch;accuracy;loss;val_accuracy;val_loss\n0;0.0;0.5;0.5;1e-05\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("CSVLogger names the file it cannot open, before training", "[callbacks]") {
  const auto dir = scratch_folder("csv_logger_bad");
  auto model = small_model();
  CSVLogger log(dir.string());  // a folder, not a file
  FitOptions opt{.verbose = 0};
  opt.callbacks = {&log};
  require_throws_unchanged<IoError>(*model, [&] { model->fit(kX, kY, opt); },
                                    {"CSVLogger", "cannot open", dir.string()});
  std::filesystem::remove_all(dir);
}
