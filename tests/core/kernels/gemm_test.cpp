#include "core/kernels/gemm.h"

#include <cmath>
#include <cstring>

#include "test_util.h"

using namespace minnow;
using namespace minnow::testing;

namespace {

struct Case {
  long m, n, k;
};

// The stored shape of A or B when op(A) is rows x cols.
Shape stored(long rows, long cols, Op op) { return op == Op::None ? Shape{rows, cols} : Shape{cols, rows}; }

// Tall, wide, square, tiny, long-k and odd shapes: every way gemm splits its work.
const std::vector<Case> kCases = {{1, 1, 1},      {3, 5, 7},       {64, 50, 30},   {60, 100, 784}, {500, 3, 144},
                                  {5, 700, 16},   {16, 10, 20000}, {7, 9, 5000},   {301, 97, 133}, {2000, 30, 48},
                                  {48, 2000, 27}, {130, 131, 1},   {3000, 10, 16}, {1500, 16, 64}};

}  // namespace

TEST_CASE("gemm equals the plain Eigen product for every op combination and shape", "[gemm]") {
  for (const Case& c : kCases)
    for (Op op_a : {Op::None, Op::Transpose})
      for (Op op_b : {Op::None, Op::Transpose})
        for (bool accumulate : {false, true}) {
          INFO("m=" << c.m << " n=" << c.n << " k=" << c.k << " op_a=" << int(op_a) << " op_b=" << int(op_b)
                    << " accumulate=" << accumulate);
          const Tensor A = random_tensor(stored(c.m, c.k, op_a), 1);
          const Tensor B = random_tensor(stored(c.k, c.n, op_b), 2);
          Tensor fast = random_tensor({c.m, c.n}, 3), ref = fast;
          gemm(A.matrix(), op_a, B.matrix(), op_b, fast.matrix(), accumulate);
          gemm_reference(A.matrix(), op_a, B.matrix(), op_b, ref.matrix(), accumulate);
          const float tol = 1e-5f * float(c.k) + 1e-5f;
          for (long i = 0; i < fast.size(); ++i) REQUIRE(std::fabs(fast[i] - ref[i]) <= tol);
        }
}

TEST_CASE("gemm gives the same bits with 1, 2 and 3 threads", "[gemm]") {
  for (const Case& c : kCases)
    for (Op op_a : {Op::None, Op::Transpose})
      for (Op op_b : {Op::None, Op::Transpose}) {
        INFO("m=" << c.m << " n=" << c.n << " k=" << c.k);
        const Tensor A = random_tensor(stored(c.m, c.k, op_a), 4);
        const Tensor B = random_tensor(stored(c.k, c.n, op_b), 5);
        Tensor one({c.m, c.n}), two({c.m, c.n}), three({c.m, c.n});
        gemm(A.matrix(), op_a, B.matrix(), op_b, one.matrix(), false, 1);
        gemm(A.matrix(), op_a, B.matrix(), op_b, two.matrix(), false, 2);
        gemm(A.matrix(), op_a, B.matrix(), op_b, three.matrix(), false, 3);
        REQUIRE(std::memcmp(one.data(), two.data(), sizeof(float) * size_t(one.size())) == 0);
        REQUIRE(std::memcmp(one.data(), three.data(), sizeof(float) * size_t(one.size())) == 0);
      }
}

TEST_CASE("gemm rejects operands that do not multiply", "[gemm]") {
  const Tensor A({2, 3}), B({4, 5});
  Tensor C({2, 5});
  require_throws<ShapeError>([&] { gemm(A.matrix(), Op::None, B.matrix(), Op::None, C.matrix()); },
                             {"gemm", "2x3", "4x5"});
}
