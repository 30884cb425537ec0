#include "io/idx.h"

#include <algorithm>
#include <numeric>

#include "io/bomb_util.h"
#include "io/io_test_util.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;
using namespace std::string_literals;

TEST_CASE("read_idx reads raw and gzipped unsigned-byte files of 1 to 4 dimensions", "[idx]") {
  TempDir dir;
  const std::vector<std::vector<std::uint32_t>> shapes = {{5}, {2, 3}, {2, 3, 2}, {1, 2, 2, 3}, {0, 28, 28}};
  for (const auto& dims : shapes) {
    const size_t n = std::accumulate(dims.begin(), dims.end(), size_t(1), std::multiplies<>());
    const std::string data = pattern(n);
    write_bytes(dir.file("raw"), idx_bytes(dims, data));
    write_gz(dir.file("packed.gz"), idx_bytes(dims, data));
    for (const std::string& file : {dir.file("raw"), dir.file("packed.gz")}) {
      const Tensor t = read_idx(file);
      INFO(file << ": shape " << t.shape().str());
      REQUIRE(t.shape() == Shape(std::vector<long>(dims.begin(), dims.end())));
      for (size_t i = 0; i < n; ++i) REQUIRE(t[long(i)] == float(static_cast<unsigned char>(data[i])));
    }
  }
  // gzip allows several members one after the other; they read as one stream.
  write_gz(dir.file("a.gz"), idx_bytes({4}, "\x01\x02"));
  write_gz(dir.file("b.gz"), "\x03\xff");
  write_bytes(dir.file("two-members.gz"), read_bytes(dir.file("a.gz")) + read_bytes(dir.file("b.gz")));
  require_values(read_idx(dir.file("two-members.gz")), {1, 2, 3, 255}, 0.0f);
}

TEST_CASE("read_idx reports each malformed file with its name and what is wrong", "[idx][errors]") {
  TempDir dir;
  const std::string data = pattern(24);
  struct Case {
    std::string bytes;
    std::vector<std::string> message;
  };
  const std::vector<Case> cases = {
      {"\x01\x00\x08\x01\x00\x00\x00\x02"s + "ab", {"bad magic number", "must be 0", "0x01 0x00"}},
      {"PK\x03\x04", {"bad magic number", "0x50 0x4b"}},
      {idx_bytes({2, 3}, data, 0x0D), {"type 0x0d", "32-bit floats", "0x08"}},
      {"\x00\x00\x08\x00"s, {"0 dimensions", "1 to 4"}},
      {idx_bytes({1, 1, 1, 1, 1}, "x"), {"5 dimensions", "1 to 4"}},
      {"\x00\x00"s, {"truncated", "2 bytes"}},
      {idx_bytes({2, 3}, "").substr(0, 9), {"truncated", "header", "12 bytes, found 9"}},
      {idx_bytes({2, 3, 4}, data.substr(0, 20)), {"truncated", "(2, 3, 4)", "need 24 data bytes, found 20"}},
      {idx_bytes({4294967295u, 4294967295u, 4294967295u}, data), {"truncated", "more than 2^64"}},
      {idx_bytes({2, 3, 4}, data + "xyz"), {"3 bytes of trailing garbage", "24 data bytes", "(2, 3, 4)"}},
  };
  for (const Case& c : cases) {
    INFO("file of " << c.bytes.size() << " bytes");
    write_bytes(dir.file("bad"), c.bytes);
    std::vector<std::string> parts = c.message;
    parts.push_back(dir.file("bad"));
    require_throws<IoError>([&] { read_idx(dir.file("bad")); }, parts);
  }
  require_throws<IoError>([&] { read_idx(dir.file("absent.gz")); }, {dir.file("absent.gz"), "does not exist"});
  require_throws<IoError>([&] { read_idx(dir.path().string()); }, {"folder"});

  // The same checks hold inside a gzip stream; and a damaged stream is reported as such.
  write_gz(dir.file("short.gz"), idx_bytes({2, 3, 4}, data.substr(0, 20)));
  require_throws<IoError>([&] { read_idx(dir.file("short.gz")); },
                          {dir.file("short.gz"), "need 24 data bytes, found 20"});
  write_gz(dir.file("good.gz"), idx_bytes({64, 64}, pattern(64 * 64)));
  const std::string gz = read_bytes(dir.file("good.gz"));
  write_bytes(dir.file("cut.gz"), gz.substr(0, gz.size() / 2));
  require_throws<IoError>([&] { read_idx(dir.file("cut.gz")); }, {dir.file("cut.gz"), "truncated", "gzip"});
  std::string damaged = gz;
  for (size_t i = 12; i < damaged.size() - 8; i += 5) damaged[i] = char(~damaged[i]);
  write_bytes(dir.file("damaged.gz"), damaged);
  require_throws<IoError>([&] { read_idx(dir.file("damaged.gz")); }, {dir.file("damaged.gz"), "corrupt gzip stream"});
  std::string bad_crc = gz;  // the data decompresses, but its CRC-32 (the trailer's first 4 bytes) disagrees
  bad_crc[bad_crc.size() - 8] = char(~bad_crc[bad_crc.size() - 8]);
  write_bytes(dir.file("crc.gz"), bad_crc);
  require_throws<IoError>([&] { read_idx(dir.file("crc.gz")); }, {dir.file("crc.gz"), "corrupt gzip stream", "check"});
}

TEST_CASE("read_idx inflates a gzip stream only as far as its header needs: a bomb fails a few KB past the data",
          "[idx][bomb]") {
  // One 28x28 image followed by 64 MiB of zeros: about 64 KB of gzip, which used to inflate whole
  // before failing. The stream is also cut 1 KB before its end: a reader that inflated everything
  // would report it truncated; one that stops 4 KiB past the image reports the trailing garbage.
  TempDir dir;
  const std::string image = idx_bytes({1, 28, 28}, pattern(784));
  write_gz_bomb(dir.file("bomb.gz"), image, std::uint64_t(64) << 20);
  const std::string whole = read_bytes(dir.file("bomb.gz"));
  REQUIRE(whole.size() < (size_t(200) << 10));
  const std::string cut = whole.substr(0, whole.size() - 1024);
  write_bytes(dir.file("cut.gz"), cut);
  for (const std::string& file : {dir.file("bomb.gz"), dir.file("cut.gz")}) {
    INFO(file);
    const std::string message = error_message<IoError>([&] { read_idx(file); });
    INFO(message);
    for (const std::string& part : {file, std::string("more than 4096 bytes of trailing garbage"),
                                    std::string("784 data bytes"), std::string("(1, 28, 28)")})
      CHECK(message.find(part) != std::string::npos);
    CHECK(message.find("truncated") == std::string::npos);
  }
  require_throws<IoError>([&] { decode_idx(cut, "in memory"); }, {"in memory", "more than 4096 bytes"});

  // Up to 4 KiB of trailing bytes inside the stream are counted exactly.
  write_gz(dir.file("tail.gz"), image + std::string(4096, 'x'));
  require_throws<IoError>([&] { read_idx(dir.file("tail.gz")); }, {"4096 bytes of trailing garbage", "784 data"});
  write_gz(dir.file("exact.gz"), image);
  CHECK(read_idx(dir.file("exact.gz")).shape() == Shape{1, 28, 28});
}

TEST_CASE("read_idx refuses a declared size too large for a tensor, or for its gzip stream, before allocating",
          "[idx][bomb][errors]") {
  TempDir dir;
  // 2^32 values declared by a 30-byte stream: the limit is 2^30 values (4 GiB as float32).
  write_gz(dir.file("huge.gz"), idx_bytes({65536, 65536}, ""));
  require_throws<IoError>([&] { read_idx(dir.file("huge.gz")); },
                          {dir.file("huge.gz"), "too large", "4294967296 values", "2^30"});
  // 47 MB declared by a stream of a few dozen bytes, which cannot inflate to more than 1032 times its size.
  write_gz(dir.file("short.gz"), idx_bytes({60000, 28, 28}, pattern(100)));
  require_throws<IoError>([&] { read_idx(dir.file("short.gz")); },
                          {dir.file("short.gz"), "truncated", "47040000 data bytes", "cannot inflate"});
  // Uncompressed, the file's size tells at once.
  write_bytes(dir.file("short"), idx_bytes({65536, 65536}, pattern(100)));
  require_throws<IoError>([&] { read_idx(dir.file("short")); },
                          {dir.file("short"), "truncated", "4294967296 data bytes, found 100"});
}

TEST_CASE("load_mnist with a limit reads the headers and the first `limit` samples only", "[idx]") {
  // Files whose headers declare 60,000 samples but which hold 10: the first 10 load, all cannot.
  TempDir dir;
  const std::string folder = dir.path().string();
  std::string labels;
  for (int i = 0; i < 10; ++i) labels += char(9 - i);
  const std::string pixels = pattern(10 * 784);
  for (bool gzip : {true, false}) {
    INFO((gzip ? "gzip" : "uncompressed"));
    std::filesystem::remove_all(dir.path());
    std::filesystem::create_directories(dir.path());
    const std::string images_file = dir.file(gzip ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte");
    const std::string labels_file = dir.file(gzip ? "train-labels-idx1-ubyte.gz" : "train-labels-idx1-ubyte");
    if (gzip) {
      write_gz(images_file, idx_bytes({60000, 28, 28}, pixels));
      write_gz(labels_file, idx_bytes({60000}, labels));
    } else {
      write_bytes(images_file, idx_bytes({60000, 28, 28}, pixels));
      write_bytes(labels_file, idx_bytes({60000}, labels));
    }
    const Dataset ten = load_mnist(folder, "train", 10);
    REQUIRE(ten.images.shape() == Shape{10, 28, 28, 1});
    REQUIRE(ten.labels.shape() == Shape{10});
    for (long i = 0; i < 10 * 784; ++i)
      REQUIRE(ten.images[i] == float(static_cast<unsigned char>(pixels[size_t(i)])) / 255.0f);
    require_values(ten.labels, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 0.0f);
    CHECK(load_mnist(folder, "train", 3).labels.shape() == Shape{3});

    require_throws<IoError>([&] { load_mnist(folder, "train", 11); },
                            {images_file, "truncated", "first 11 items", "8624 data bytes, found 7840"});
    require_throws<IoError>([&] { load_mnist(folder, "train"); },
                            {images_file, "truncated", "(60000, 28, 28)", "47040000 data bytes"});
  }
}

TEST_CASE("load_mnist pairs images with labels, scales pixels to [0, 1] and keeps the first `limit` samples", "[idx]") {
  TempDir dir;
  // Three 2x2 images, gzipped; their labels uncompressed: either form is found.
  write_gz(dir.file("train-images-idx3-ubyte.gz"),
           idx_bytes({3, 2, 2}, "\x00\x33\x66\x99\xcc\xff\x00\x00\x01\x02\x03\x04"s));
  write_bytes(dir.file("train-labels-idx1-ubyte"), idx_bytes({3}, "\x07\x00\x09"s));
  const Dataset all = load_mnist(dir.path().string(), "train");
  CHECK(all.images.shape() == Shape{3, 2, 2, 1});
  CHECK(all.labels.shape() == Shape{3});
  require_values(all.images, {0, 0.2f, 0.4f, 0.6f, 0.8f, 1, 0, 0, 1 / 255.f, 2 / 255.f, 3 / 255.f, 4 / 255.f}, 1e-7f);
  require_values(all.labels, {7, 0, 9}, 0.0f);

  const Dataset two = load_mnist(dir.path().string(), "train", 2);
  CHECK(two.images.shape() == Shape{2, 2, 2, 1});
  require_values(two.images, {0, 0.2f, 0.4f, 0.6f, 0.8f, 1, 0, 0}, 1e-7f);
  require_values(two.labels, {7, 0}, 0.0f);
  CHECK(load_mnist(dir.path().string(), "train", 10).images.shape() == Shape{3, 2, 2, 1});
}

TEST_CASE("load_mnist reports missing files, mismatched counts and bad arguments", "[idx][errors]") {
  TempDir dir;
  const std::string folder = dir.path().string();
  require_throws<IoError>(
      [&] { load_mnist(folder + "/nowhere", "train"); },
      {folder + "/nowhere", "train-images-idx3-ubyte", "train-images-idx3-ubyte.gz", "does not exist"});
  write_bytes(dir.file("train-images-idx3-ubyte"), idx_bytes({3, 2, 2}, pattern(12)));
  require_throws<IoError>([&] { load_mnist(folder, "train"); }, {folder, "train-labels-idx1-ubyte.gz"});
  require_throws<IoError>([&] { load_mnist(folder, "test"); }, {folder, "t10k-images-idx3-ubyte", ".gz"});
  write_bytes(dir.file("train-labels-idx1-ubyte"), idx_bytes({4}, pattern(4)));
  require_throws<IoError>([&] { load_mnist(folder, "train"); }, {"3 images", "4 labels", "train-labels-idx1-ubyte"});
  write_bytes(dir.file("train-labels-idx1-ubyte"), idx_bytes({3, 1}, pattern(3)));
  require_throws<IoError>([&] { load_mnist(folder, "train"); }, {"(3, 1)", "labels must be (N,)"});
  require_throws<ConfigError>([&] { load_mnist(folder, "validation"); }, {"'validation'", "'train' or 'test'"});
  require_throws<ConfigError>([&] { load_mnist(folder, "train", -1); }, {"limit", "-1"});
}

TEST_CASE("Fashion-MNIST from Debian's dataset-fashion-mnist loads with its known sizes and first labels",
          "[idx][fashion-mnist]") {
  const std::string folder = default_fashion_mnist_dir();
  if (!std::filesystem::is_directory(folder)) {
    WARN("skipped: " << folder << " is missing (install the dataset-fashion-mnist package)");
    return;
  }
  // The expected values were read independently with Python's gzip module from the same files.
  const Dataset train = load_mnist(folder, "train");
  CHECK(train.images.shape() == Shape{60000, 28, 28, 1});
  CHECK(train.labels.shape() == Shape{60000});
  const std::vector<float> first_train = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9, 1, 0, 6, 4};
  CHECK(std::vector<float>(train.labels.data(), train.labels.data() + 20) == first_train);
  std::vector<long> per_class(10, 0);
  for (float label : train.labels.values()) per_class.at(size_t(label))++;
  CHECK(per_class == std::vector<long>(10, 6000));
  CHECK(train.images.at({0, 14, 14, 0}) == Approx(217 / 255.0f));
  double first_image_sum = 0;
  for (long i = 0; i < 28 * 28; ++i) first_image_sum += train.images[i];
  CHECK(first_image_sum == Approx(76247 / 255.0));
  const auto [low, high] = std::minmax_element(train.images.values().begin(), train.images.values().end());
  CHECK(*low == 0.0f);
  CHECK(*high == 1.0f);

  const Dataset test = load_mnist(folder, "test", 100);
  CHECK(test.images.shape() == Shape{100, 28, 28, 1});
  const std::vector<float> first_test = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0};
  CHECK(std::vector<float>(test.labels.data(), test.labels.data() + 20) == first_test);
  CHECK(test.images.at({0, 14, 14, 0}) == Approx(110 / 255.0f));
  CHECK(load_mnist(folder, "test").labels.size() == 10000);
}
