// to_categorical against Keras' rules and train_test_split's cut and shuffle (model/data_utils.h).
#include "model/data_utils.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

TEST_CASE("to_categorical puts a 1 at each label, as keras.utils.to_categorical", "[data_utils]") {
  // keras.utils.to_categorical([2, 0, 1]) -> [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
  const Tensor y = to_categorical(Tensor({3}, {2, 0, 1}));
  CHECK(y.shape().str() == "(3, 3)");
  require_values(y, {0, 0, 1, 1, 0, 0, 0, 1, 0}, 0);
  // (N, 1) labels lose their trailing axis; num_classes given: (2, 1) -> (2, 4)
  const Tensor z = to_categorical(Tensor({2, 1}, {3, 1}), 4);
  CHECK(z.shape().str() == "(2, 4)");
  require_values(z, {0, 0, 0, 1, 0, 1, 0, 0}, 0);
  CHECK(to_categorical(Tensor({2, 2}, {0, 1, 1, 0}), 2).shape().str() == "(2, 2, 2)");
}

TEST_CASE("to_categorical names a label that is no class index", "[data_utils][errors]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  require_throws<ShapeError>([] { (void)to_categorical(Tensor({3}, {0, 3, 1}), 3); }, {"y[1] = 3", "0 .. 2", "(3,)"});
  require_throws<ShapeError>([] { (void)to_categorical(Tensor({2}, {0, -1})); }, {"y[1] = -1"});
  require_throws<ShapeError>([] { (void)to_categorical(Tensor({2}, {0.5f, 1})); }, {"y[0] = 0.5"});
  require_throws<ShapeError>([&] { (void)to_categorical(Tensor({1}, {nan}), 2); }, {"y[0] = nan"});
  require_throws<ConfigError>([] { (void)to_categorical(Tensor({1}, {0}), -2); }, {"num_classes", "-2"});
}

TEST_CASE("train_test_split keeps x's and y's samples together and cuts ceil(test_size * N) for the test",
          "[data_utils]") {
  // x's sample i is (i, 10 i), y's is i: after the split each y still names its x.
  std::vector<float> xv, yv;
  for (int i = 0; i < 10; ++i) xv.insert(xv.end(), {float(i), 10.0f * i}), yv.push_back(float(i));
  const Tensor x({10, 2}, xv), y({10}, yv);
  const auto s = train_test_split(x, y, 0.25, 42);  // ceil(2.5) = 3 test samples, as scikit-learn
  CHECK(s.x_train.shape().str() == "(7, 2)");
  CHECK(s.x_test.shape().str() == "(3, 2)");
  CHECK(s.y_test.shape().str() == "(3,)");
  std::vector<float> seen;
  for (const auto* part : {&s.y_train, &s.y_test})
    for (long i = 0; i < part->size(); ++i) seen.push_back((*part)[i]);
  for (long i = 0; i < 7; ++i) CHECK(s.x_train[2 * i] == s.y_train[i]);
  for (long i = 0; i < 3; ++i) CHECK(s.x_test[2 * i + 1] == 10.0f * s.y_test[i]);
  CHECK(seen != yv);  // shuffled ...
  std::ranges::sort(seen);
  CHECK(seen == yv);  // ... a permutation of every sample
  const auto again = train_test_split(x, y, 0.25, 42), other = train_test_split(x, y, 0.25, 7);
  CHECK(std::ranges::equal(again.y_test.values(), s.y_test.values()));     // the same seed, the same split
  CHECK(!std::ranges::equal(other.y_train.values(), s.y_train.values()));  // another seed, another one
  const auto kept = train_test_split(x, y, 0.2, 0, false);
  require_values(kept.y_test, {8, 9}, 0);  // no shuffle: the last samples are the test set
}

TEST_CASE("train_test_split refuses a test_size outside (0, 1), one that leaves nothing to train on, and "
          "x and y of different lengths",
          "[data_utils][errors]") {
  const Tensor x({4, 2}), y({4});
  require_throws<ConfigError>([&] { (void)train_test_split(x, y, 1.5); }, {"test_size", "1.5"});
  require_throws<ConfigError>([&] { (void)train_test_split(x, y, std::nan("")); }, {"test_size", "nan"});
  require_throws<ConfigError>([&] { (void)train_test_split(x, y, 0.9); }, {"test_size=0.9", "leaves 0"});
  require_throws<ShapeError>([&] { (void)train_test_split(x, Tensor({3})); }, {"(4, 2)", "(3,)", "axis 0"});
}
