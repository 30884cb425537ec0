#include "core/kernels/column_ops.h"

#include <cstring>

#include "core/kernels/threading.h"
#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

// Shapes that exercise the wide rows (few columns), leftover rows, one and many blocks.
const std::vector<std::pair<long, long>> kShapes = {{1, 1},     {7, 3},      {64, 50},  {1000, 3},
                                                    {5000, 30}, {20001, 16}, {300, 128}};

RowVector random_row(long n, std::uint64_t seed, float low, float high) {
  const Tensor t = random_tensor({n}, seed, low, high);
  return t.row();
}

bool same_bits(const RowVector& a, const RowVector& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * size_t(a.size())) == 0;
}

}  // namespace

TEST_CASE("the fast BatchNormalization kernels agree with their reference loops", "[column_ops]") {
  for (const auto& [rows, C] : kShapes) {
    INFO("rows=" << rows << " C=" << C);
    const Tensor x = random_tensor({rows, C}, 1, 3, 7), dy = random_tensor({rows, C}, 2);
    RowVector mean, var, mean_ref, var_ref;
    column_moments(x.matrix(), mean, var);
    column_moments_reference(x.matrix(), mean_ref, var_ref);
    for (long c = 0; c < C; ++c) {
      CHECK(mean[c] == Approx(mean_ref[c]).epsilon(1e-6));
      CHECK(var[c] == Approx(var_ref[c]).epsilon(1e-5).margin(1e-6));
    }
    const RowVector inv = (var.array() + 1e-3f).rsqrt().matrix(), gamma = random_row(C, 3, 0.5f, 2),
                    beta = random_row(C, 4, -1, 1);
    Tensor y({rows, C}), y_ref({rows, C});
    normalize_columns(x.matrix(), mean, inv, gamma, beta, y.matrix());
    normalize_columns_reference(x.matrix(), mean, inv, gamma, beta, y_ref.matrix());
    for (long i = 0; i < y.size(); ++i) REQUIRE(y[i] == Approx(y_ref[i]).margin(1e-5));
    RowVector s, sx, s_ref, sx_ref;
    batch_norm_sums(dy.matrix(), x.matrix(), mean, inv, s, sx);
    batch_norm_sums_reference(dy.matrix(), x.matrix(), mean, inv, s_ref, sx_ref);
    for (long c = 0; c < C; ++c) {
      CHECK(s[c] == Approx(s_ref[c]).margin(1e-4));
      CHECK(sx[c] == Approx(sx_ref[c]).margin(1e-4));
    }
    Tensor dx({rows, C}), dx_ref({rows, C});
    const RowVector scale = gamma.cwiseProduct(inv) / float(rows);
    batch_norm_input_gradient(dy.matrix(), x.matrix(), mean, inv, scale, s, sx, float(rows), dx.matrix());
    batch_norm_input_gradient_reference(dy.matrix(), x.matrix(), mean, inv, scale, s, sx, float(rows), dx_ref.matrix());
    for (long i = 0; i < dx.size(); ++i) REQUIRE(dx[i] == Approx(dx_ref[i]).margin(1e-4));
  }
}

TEST_CASE("column_moments keeps the variance's digits under a large mean", "[column_ops]") {
  Tensor x_({4096, 2});
  for (long r = 0; r < 4096; ++r) x_.at({r, 0}) = 1000.0f + (r % 2 ? 0.01f : -0.01f), x_.at({r, 1}) = float(r % 2);
  const Tensor& x = x_;
  RowVector mean, var, mean_ref, var_ref;
  column_moments(x.matrix(), mean, var);
  column_moments_reference(x.matrix(), mean_ref, var_ref);  // two passes: no cancellation
  CHECK(var_ref[0] == Approx(0.0001).epsilon(0.01));
  CHECK(var[0] == Approx(var_ref[0]).epsilon(1e-5));
  CHECK(mean[1] == Approx(0.5));
  CHECK(var[1] == Approx(0.25));
}

TEST_CASE("the BatchNormalization kernels give the same bits with 1 and 2 threads", "[column_ops]") {
  const int threads = num_threads();
  for (const auto& [rows, C] : kShapes) {
    INFO("rows=" << rows << " C=" << C);
    const Tensor x = random_tensor({rows, C}, 5, -2, 9), dy = random_tensor({rows, C}, 6);
    RowVector mean[2], var[2], s[2], sx[2];
    for (int t : {1, 2}) {
      set_num_threads(t);
      column_moments(x.matrix(), mean[t - 1], var[t - 1]);
      batch_norm_sums(dy.matrix(), x.matrix(), mean[0], var[0], s[t - 1], sx[t - 1]);
    }
    CHECK(same_bits(mean[0], mean[1]));
    CHECK(same_bits(var[0], var[1]));
    CHECK(same_bits(s[0], s[1]));
    CHECK(same_bits(sx[0], sx[1]));
  }
  set_num_threads(threads);
}
