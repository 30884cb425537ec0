#include "layers/dropout.h"

#include <cmath>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {
std::vector<float> values_of(const Tensor& t) { return {t.values().begin(), t.values().end()}; }
}  // namespace

TEST_CASE("Dropout forward keeps u >= rate scaled by 1/(1 - rate) in training and is the identity in inference",
          "[dropout]") {
  const Tensor x({2, 4}, {1, 2, 3, 4, -1, -2, -3, -4});
  auto d = Dropout({.rate = 0.25f, .seed = 42});
  const Tensor y = d->forward(x, Mode::Training);
  // The same draws as the layer's generator: Rng(42), one uniform per element in row-major order.
  // (F2) keeps x_i where u_i >= 0.25, scaled by 1 / (1 - 0.25) = 4/3.
  Rng rng(42);
  std::vector<float> expected;
  for (long i = 0; i < x.size(); ++i) expected.push_back(rng.uniform() >= 0.25f ? x[i] * (4.0f / 3.0f) : 0.0f);
  require_values(y, expected);
  require_values(d->mask(), [&] {
    std::vector<float> m;
    for (long i = 0; i < x.size(); ++i) m.push_back(expected[size_t(i)] == 0 ? 0.0f : 4.0f / 3.0f);
    return m;
  }());
  // Backward multiplies dy by the same mask (B1): dy = 1 gives the mask.
  require_values(d->backward(Tensor({2, 4}, 1.0f)), values_of(d->mask()));
  // Inference: y = x (I1), dx = dy (B2).
  require_values(d->forward(x, Mode::Inference), {1, 2, 3, 4, -1, -2, -3, -4});
  require_values(d->backward(Tensor({2, 4}, 2.0f)), std::vector<float>(8, 2.0f));
  // rate = 0 keeps everything, unscaled, even in training.
  require_values(Dropout({.rate = 0.0f, .seed = 1})->forward(x, Mode::Training), {1, 2, 3, 4, -1, -2, -3, -4});
}

TEST_CASE("Dropout gradients match finite differences with a frozen mask, in training and inference",
          "[dropout][gradient]") {
  for (Mode mode : {Mode::Training, Mode::Inference}) {
    INFO(to_string(mode));
    auto d = Dropout({.rate = 0.4f, .seed = 3});
    d->set_mask_frozen(true);  // every forward of the check sees one mask
    require_gradients(check_layer_gradients(*d, {random_tensor({4, 3, 5}, 8)}, mode));
  }
}

TEST_CASE("Dropout has no weights, keeps the input shape and is named as Keras", "[dropout]") {
  clear_session();
  auto d = Dropout(0.5f);
  d->build(Shape{Shape::kNone, 7, 7, 32});
  CHECK(d->name() == "dropout");
  CHECK(d->output_shape().str() == "(None, 7, 7, 32)");
  CHECK(d->count_params() == 0);
  CHECK(d->weights().empty());
  CHECK(Dropout()->options().rate == 0.5f);  // Keras has no default rate; minnow takes 0.5
  CHECK(Dropout({.rate = 0.2f})->name() == "dropout_2");
}

TEST_CASE("Dropout drops about rate of the values in training, reproducibly from its seed", "[dropout][modes]") {
  const Tensor x = random_tensor({100, 100}, 5, 0.5f, 1.5f);  // no zeros: a zero output means dropped
  auto d = Dropout({.rate = 0.3f, .seed = 7});
  // Inference: the identity.
  const Tensor& inf = d->forward(x, Mode::Inference);
  CHECK(values_of(inf) == values_of(x));
  // Training: ~30% of 10000 zeros (binomial standard deviation sqrt(10000*0.3*0.7) ~ 46, so +-2% is
  // ~4 sigma); every kept value is x / 0.7.
  const Tensor first = d->forward(x, Mode::Training);
  long dropped = 0, badly_scaled = 0;
  for (long i = 0; i < x.size(); ++i) {
    if (first[i] == 0.0f) ++dropped;
    else if (std::fabs(first[i] - x[i] / 0.7f) > 1e-6f) ++badly_scaled;
  }
  CHECK(badly_scaled == 0);
  CHECK(double(dropped) / double(x.size()) == Approx(0.3).margin(0.02));
  // A new mask every training forward, and the same sequence from the same seed.
  const Tensor second = d->forward(x, Mode::Training);
  auto e = Dropout({.rate = 0.3f, .seed = 7});
  const Tensor again1 = e->forward(x, Mode::Training), again2 = e->forward(x, Mode::Training);
  CHECK(values_of(first) != values_of(second));
  CHECK(values_of(again1) == values_of(first));
  CHECK(values_of(again2) == values_of(second));
  // Without a seed the layer takes the session's next seed at construction: reproducible after
  // set_random_seed, different between two layers.
  set_random_seed(11);
  const std::uint64_t s1 = Dropout()->seed(), s2 = Dropout()->seed();
  set_random_seed(11);
  CHECK(Dropout()->seed() == s1);
  CHECK(s1 != s2);
}

TEST_CASE("Dropout with a frozen mask reuses it until unfrozen or the shape changes", "[dropout][modes]") {
  const Tensor x = random_tensor({8, 16}, 2);
  auto d = Dropout({.rate = 0.5f, .seed = 9});
  d->set_mask_frozen(true);
  const Tensor a = d->forward(x, Mode::Training);
  const Tensor b = d->forward(x, Mode::Training);
  CHECK(values_of(b) == values_of(a));
  d->forward(random_tensor({2, 16}, 3), Mode::Training);  // another shape: a new mask, kept from now on
  CHECK(d->mask().shape() == Shape{2, 16});
  d->set_mask_frozen(false);
  d->forward(x, Mode::Training);
  const Tensor c = d->forward(x, Mode::Training);
  CHECK(values_of(c) != values_of(a));
}

TEST_CASE("Dropout rejects a rate below 0, of 1 or more, or NaN, with a message that names it", "[dropout][errors]") {
  require_throws<ConfigError>([] { Dropout({.rate = 1.0f, .name = "d0"}); }, {"Dropout 'd0'", "rate", "1", "[0, 1)"});
  require_throws<ConfigError>([] { Dropout({.rate = -0.1f, .name = "d1"}); }, {"Dropout 'd1'", "rate", "-0.1"});
  require_throws<ConfigError>([] { Dropout({.rate = std::nanf(""), .name = "d2"}); }, {"Dropout 'd2'", "rate", "nan"});
  require_throws<ConfigError>([] { Dropout(1.5f); }, {"Dropout '", "rate=1.5"});
  auto d = Dropout({.rate = 0.5f, .name = "d3"});
  d->build(Shape{Shape::kNone, 4});
  require_throws<ShapeError>(
      [&] {
        d->forward(Tensor({2, 5}), Mode::Training);
      },
      {"Dropout 'd3'", "(None, 4)", "(2, 5)"});
  require_throws<UsageError>([] { Dropout({.name = "d4"})->backward(Tensor({1, 1})); }, {"Dropout 'd4'", "before"});
}
