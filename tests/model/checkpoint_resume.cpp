// The program the checkpoint test runs in fresh processes (tests/model/checkpoint_test.cpp):
//   minnow_checkpoint_resume <adam|sgd> straight <dir>   4 epochs, weights to <dir>/straight.npz
//   minnow_checkpoint_resume <adam|sgd> first <dir>      2 epochs, checkpoint to <dir>/ckpt.npz
//   minnow_checkpoint_resume <adam|sgd> second <dir>     loads <dir>/ckpt.npz, trains epochs 3 and 4,
//                                                        weights to <dir>/resumed.npz
// Exits 0 on success, 1 with the error on standard error otherwise.
#include <exception>
#include <iostream>
#include <string>

#include "model/checkpoint_model.h"

using namespace minnow;
using namespace minnow::testing;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: minnow_checkpoint_resume <adam|sgd> <straight|first|second> <dir>\n";
    return 1;
  }
  const std::string optimizer = argv[1], step = argv[2], dir = argv[3];
  try {
    auto model = checkpoint_model(optimizer);
    Tensor x, y;
    checkpoint_data(x, y);
    if (step == "straight") {
      model->fit(x, y, checkpoint_fit(4));
      model->save_weights(dir + "/straight.npz");
    } else if (step == "first") {
      model->fit(x, y, checkpoint_fit(2));
      model->save_checkpoint(dir + "/ckpt.npz");
    } else {
      const long done = model->load_checkpoint(dir + "/ckpt.npz");
      model->fit(x, y, checkpoint_fit(4, done));
      model->save_weights(dir + "/resumed.npz");
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  return 0;
}
