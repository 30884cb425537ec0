#include "model/checkpoint.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "io/io_test_util.h"
#include "model/checkpoint_model.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

namespace fs = std::filesystem;

// Every array of two .npz files is the same, bit for bit, and both hold the same keys.
void require_same_arrays(const std::string& a_path, const std::string& b_path) {
  const NpzReader a(a_path), b(b_path);
  REQUIRE(a.keys() == b.keys());
  REQUIRE(!a.keys().empty());
  for (const std::string& key : a.keys()) {
    INFO("array " << key);
    const Tensor ta = a.read(key), tb = b.read(key);
    REQUIRE(ta.shape() == tb.shape());
    REQUIRE(std::memcmp(ta.data(), tb.data(), sizeof(float) * size_t(ta.size())) == 0);
  }
}

// The program that trains in fresh processes (tests/model/checkpoint_resume.cpp).
void run_resume(const std::string& optimizer, const std::string& step, const TempDir& dir) {
  const auto [out, status] =
      output_of(MINNOW_CHECKPOINT_RESUME, fmt::format("{} {} '{}' 2>&1", optimizer, step, dir.path().string()));
  INFO(optimizer << " " << step << ": " << out);
  REQUIRE(status == 0);
}

std::string file_prefix(const std::string& path, size_t bytes) { return file_text(path).substr(0, bytes); }

}  // namespace

TEST_CASE("2 epochs, a checkpoint, a new process that loads it and trains 2 more: the weights of 4 epochs, bit for bit",
          "[checkpoint]") {
  for (const std::string optimizer : {"adam", "sgd"}) {
    TempDir dir;
    run_resume(optimizer, "straight", dir);
    run_resume(optimizer, "first", dir);
    run_resume(optimizer, "second", dir);
    INFO(optimizer);
    require_same_arrays(dir.file("straight.npz"), dir.file("resumed.npz"));
    // The second process did train: its weights are not the checkpoint's.
    const NpzReader ckpt(dir.file("ckpt.npz")), resumed(dir.file("resumed.npz"));
    CHECK(ckpt.read("hidden/kernel").values()[0] != resumed.read("hidden/kernel").values()[0]);
  }
}

TEST_CASE("In one process, fit resumed at initial_epoch and a loaded checkpoint both continue exactly",
          "[checkpoint]") {
  TempDir dir;
  Tensor x, y;
  checkpoint_data(x, y);
  auto straight = checkpoint_model("adam");
  straight->fit(x, y, checkpoint_fit(4));

  auto first = checkpoint_model("adam");
  first->fit(x, y, checkpoint_fit(2));
  first->save_checkpoint(dir.file("ckpt.npz"));
  const Tensor momentum = *first->optimizer().find_slot(first->get_layer("out").weight("kernel"), "momentum");

  auto loaded = checkpoint_model("adam");
  REQUIRE(loaded->load_checkpoint(dir.file("ckpt.npz")) == 2);
  require_weights_unchanged(*loaded, snapshot_weights(*first));
  CHECK(loaded->optimizer().iterations() == 8);  // 4 steps per epoch
  const Tensor* restored = loaded->optimizer().find_slot(loaded->get_layer("out").weight("kernel"), "momentum");
  REQUIRE(restored != nullptr);
  CHECK(std::memcmp(restored->data(), momentum.data(), sizeof(float) * size_t(momentum.size())) == 0);

  first->fit(x, y, checkpoint_fit(4, 2));   // the same model: fit continues its own generator
  loaded->fit(x, y, checkpoint_fit(4, 2));  // the loaded one: the checkpoint's
  require_weights_unchanged(*first, snapshot_weights(*straight));
  require_weights_unchanged(*loaded, snapshot_weights(*straight));
}

TEST_CASE("A checkpoint holds every weight, each slot, the learning rate, the generators and the epoch",
          "[checkpoint]") {
  TempDir dir;
  Tensor x, y;
  checkpoint_data(x, y);
  auto model = checkpoint_model("adam");
  model->fit(x, y, checkpoint_fit(2));
  model->save_checkpoint(dir.file("ckpt.npz"));
  const NpzReader file(dir.file("ckpt.npz"));
  for (const char* key :
       {"hidden/kernel", "hidden/bias", "norm/gamma", "norm/beta", "norm/moving_mean", "norm/moving_variance",
        "out/kernel", "optimizer/hidden/kernel/momentum", "optimizer/hidden/kernel/velocity",
        "optimizer/norm/gamma/velocity", "optimizer/learning_rate", "rng/fit", "rng/drop", "checkpoint/info"}) {
    INFO(key);
    CHECK(file.contains(key));
  }
  CHECK(!file.contains("optimizer/norm/moving_mean/momentum"));  // moving statistics have no slots
  std::string info;
  const Tensor info_array = file.read("checkpoint/info");
  for (const float v : info_array.values()) info.push_back(char(v));
  CHECK(info ==
        "format 1\nmodel classifier\noptimizer Adam\noptions beta_1=0.9 beta_2=0.999 epsilon=1e-07 amsgrad=false "
        "weight_decay=none clipnorm=none clipvalue=none global_clipnorm=none\niterations 8\nepoch 2\n");
  CHECK(file.read("optimizer/learning_rate").values()[0] == 0.01f);
}

TEST_CASE("Loading a checkpoint of another architecture or optimizer fails clearly and changes nothing",
          "[checkpoint]") {
  TempDir dir;
  Tensor x, y;
  checkpoint_data(x, y);
  auto saved = checkpoint_model("adam");
  saved->fit(x, y, checkpoint_fit(1));
  saved->save_checkpoint(dir.file("ckpt.npz"));

  auto narrow = checkpoint_model("adam", 8);
  narrow->fit(x, y, checkpoint_fit(1));
  require_throws_unchanged<IoError>(
      *narrow, [&] { narrow->load_checkpoint(dir.file("ckpt.npz")); },
      {"ckpt.npz", "layer 'hidden'", "'kernel'", "(6, 8)", "(6, 16)", "another architecture"});
  CHECK(narrow->optimizer().iterations() == 4);

  auto sgd = checkpoint_model("sgd");
  require_throws_unchanged<IoError>(*sgd, [&] { sgd->load_checkpoint(dir.file("ckpt.npz")); },
                                    {"ckpt.npz", "optimizer Adam", "compiled with SGD"});
  CHECK(sgd->optimizer().iterations() == 0);

  auto momentum = checkpoint_model("sgd");  // SGD with momentum 0.9 and Nesterov...
  momentum->save_checkpoint(dir.file("momentum.npz"));
  auto plain = checkpoint_model("plain");  // ...is not plain SGD
  require_throws_unchanged<IoError>(
      *plain, [&] { plain->load_checkpoint(dir.file("momentum.npz")); },
      {"momentum.npz", "momentum=0.9 nesterov=true", "momentum=0 nesterov=false", "options"});

  saved->save_weights(dir.file("weights.npz"));  // a weights file is not a checkpoint
  require_throws_unchanged<IoError>(*saved, [&] { saved->load_checkpoint(dir.file("weights.npz")); },
                                    {"not a minnow checkpoint", "load_weights"});
}

TEST_CASE("A truncated or corrupt checkpoint is an error, and the model and optimizer are untouched", "[checkpoint]") {
  TempDir dir;
  Tensor x, y;
  checkpoint_data(x, y);
  auto model = checkpoint_model("sgd");
  model->fit(x, y, checkpoint_fit(2));
  model->save_checkpoint(dir.file("ckpt.npz"));
  const std::string bytes = file_text(dir.file("ckpt.npz"));
  REQUIRE(bytes.size() > 1000);
  model->fit(x, y, checkpoint_fit(3, 2));  // moves on from the checkpoint
  const long iterations = model->optimizer().iterations();

  testing::write_bytes(dir.file("half.npz"), file_prefix(dir.file("ckpt.npz"), bytes.size() / 2));
  require_throws_unchanged<IoError>(*model, [&] { model->load_checkpoint(dir.file("half.npz")); }, {"half.npz"});
  std::string flipped = bytes;
  flipped[bytes.size() / 3] = char(flipped[bytes.size() / 3] ^ 0x55);  // inside an array's data
  testing::write_bytes(dir.file("flipped.npz"), flipped);
  require_throws_unchanged<IoError>(*model, [&] { model->load_checkpoint(dir.file("flipped.npz")); }, {"flipped.npz"});
  CHECK(model->optimizer().iterations() == iterations);
  require_throws_unchanged<IoError>(*model, [&] { model->load_checkpoint(dir.file("missing.npz")); }, {"missing.npz"});
}

TEST_CASE("save_checkpoint needs a compiled model, and a failed save leaves no file behind", "[checkpoint]") {
  TempDir dir;
  clear_session();
  auto in = Input({3});
  Model plain(in, Dense(2)(in));
  require_throws<UsageError>([&] { plain.save_checkpoint(dir.file("ckpt.npz")); }, {"compile", "save_checkpoint"});
  require_throws<UsageError>([&] { plain.load_checkpoint(dir.file("ckpt.npz")); }, {"compile", "load_checkpoint"});
  CHECK(dir.listing().empty());

  auto model = checkpoint_model("adam");
  require_throws<IoError>([&] { model->save_checkpoint(dir.file("no/such/folder/ckpt.npz")); }, {"ckpt.npz"});
  fs::create_directories(dir.path() / "taken" / "inside");  // a folder where the file should go
  require_throws<IoError>([&] { model->save_checkpoint(dir.file("taken")); }, {"taken"});
  CHECK(dir.listing() == std::vector<std::string>{"taken"});  // no temporary left behind
}

TEST_CASE("fit's initial_epoch must be at least 0 and below epochs", "[checkpoint][fit]") {
  Tensor x, y;
  checkpoint_data(x, y);
  auto model = checkpoint_model("sgd");
  require_throws<ConfigError>([&] { model->fit(x, y, checkpoint_fit(2, 2)); },
                              {"initial_epoch", "initial_epoch=2", "epochs=2"});
  require_throws<ConfigError>([&] { model->fit(x, y, checkpoint_fit(2, -1)); }, {"initial_epoch=-1"});
}

TEST_CASE("fit resumed at initial_epoch without a checkpoint replays the skipped epochs' shuffles from its seed",
          "[checkpoint][fit]") {
  // No state but the weights: SGD without momentum, and Dropout at rate 0 (its masks are all 1).
  TempDir dir;
  Tensor x, y;
  checkpoint_data(x, y);
  auto straight = checkpoint_model("plain", 16, 0.0f);
  straight->fit(x, y, checkpoint_fit(3));
  auto first = checkpoint_model("plain", 16, 0.0f);
  first->fit(x, y, checkpoint_fit(1));
  first->save_weights(dir.file("weights.npz"));
  auto later = checkpoint_model("plain", 16, 0.0f);
  later->load_weights(dir.file("weights.npz"));
  later->fit(x, y, checkpoint_fit(3, 1));  // a model never fit: epoch 1's order is drawn, then 2 and 3 train
  require_weights_unchanged(*later, snapshot_weights(*straight));
  auto reseeded = checkpoint_model("plain", 16, 0.0f);
  reseeded->load_weights(dir.file("weights.npz"));
  reseeded->fit(x, y, checkpoint_fit(2));  // from epoch 1 again: epoch 1's order, not epoch 2's
  CHECK(snapshot_weights(*reseeded) != snapshot_weights(*straight));
}

TEST_CASE("A generator's state, given to another, draws the same numbers, and other text is refused", "[checkpoint]") {
  Rng a(42);
  for (int i = 0; i < 5; ++i) a.uniform();
  a.normal();  // holds back the second normal number of the pair
  Rng b(7);
  REQUIRE(b.set_state(a.state()));
  CHECK(b.state() == a.state());
  for (int i = 0; i < 10; ++i) {
    CHECK(a.normal() == b.normal());
    CHECK(a.next() == b.next());
  }
  const std::string before = b.state();
  CHECK(!b.set_state("1 2 3"));
  CHECK(!b.set_state(before + " trailing"));
  CHECK(!b.set_state(""));
  CHECK(b.state() == before);
}

TEST_CASE("Optimizer::set_state replaces the step count and slots, and refuses a slot of another shape",
          "[checkpoint]") {
  SGD sgd({.momentum = 0.9f});
  Parameter p;
  p.name = "kernel";
  p.value = Tensor({2, 3});
  Optimizer::SlotMap slots;
  slots[&p]["momentum"] = Tensor({2, 3}, 0.5f);
  sgd.set_state(7, slots);
  CHECK(sgd.iterations() == 7);
  REQUIRE(sgd.slots(p).size() == 1);
  CHECK(sgd.slots(p).at("momentum")->values()[4] == 0.5f);
  slots[&p]["momentum"] = Tensor({3, 2});
  require_throws<UsageError>([&] { sgd.set_state(9, slots); }, {"momentum", "kernel", "(3, 2)", "(2, 3)"});
  CHECK(sgd.iterations() == 7);
  require_throws<UsageError>([&] { sgd.set_state(-1, {}); }, {"iterations", "-1"});
}

TEST_CASE("ModelCheckpoint with save_training_state writes each epoch's checkpoint, which resumes exactly",
          "[checkpoint][callbacks]") {
  TempDir dir;
  Tensor x, y;
  checkpoint_data(x, y);
  auto straight = checkpoint_model("sgd");
  straight->fit(x, y, checkpoint_fit(4));

  auto model = checkpoint_model("sgd");
  ModelCheckpoint every({.filepath = dir.file("ckpt-{epoch}.npz"), .save_training_state = true});
  FitOptions options = checkpoint_fit(3);
  options.callbacks = {&every};
  model->fit(x, y, options);
  CHECK(dir.listing() == std::vector<std::string>{"ckpt-1.npz", "ckpt-2.npz", "ckpt-3.npz"});

  auto resumed = checkpoint_model("sgd");
  REQUIRE(resumed->load_checkpoint(dir.file("ckpt-2.npz")) == 2);
  resumed->fit(x, y, checkpoint_fit(4, 2));
  require_weights_unchanged(*resumed, snapshot_weights(*straight));
}
