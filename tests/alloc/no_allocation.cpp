// A steady-state training step allocates no heap memory: every buffer (layer outputs and
// gradients, im2col chunks, GEMM packing buffers, optimizer slots) is kept from one step to the
// next. This executable replaces malloc and its relatives (operator new and Eigen's aligned
// allocations end in them) with versions that count calls, warms a model up with a few steps,
// then requires that later steps make no call at all.
#include <execinfo.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "test_util.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {
std::atomic<long> g_calls{0};
std::atomic<bool> g_counting{false};
thread_local bool t_tracing = false;
// With MINNOW_ALLOC_TRACE set, the first few counted calls print their stack (to find them).
void count() {
  if (!g_counting.load(std::memory_order_relaxed)) return;
  const long n = g_calls.fetch_add(1, std::memory_order_relaxed);
  if (n < 8 && !t_tracing && std::getenv("MINNOW_ALLOC_TRACE")) {
    t_tracing = true;
    void* frames[24];
    const int depth = backtrace(frames, 24);
    backtrace_symbols_fd(frames, depth, 2);
    write(2, "----\n", 5);
    t_tracing = false;
  }
}
}  // namespace

extern "C" {
void* malloc(size_t n) { return count(), __libc_malloc(n); }
void* calloc(size_t n, size_t s) { return count(), __libc_calloc(n, s); }
void* realloc(void* p, size_t n) { return count(), __libc_realloc(p, n); }
void* memalign(size_t a, size_t n) { return count(), __libc_memalign(a, n); }
void* aligned_alloc(size_t a, size_t n) { return count(), __libc_memalign(a, n); }
int posix_memalign(void** p, size_t a, size_t n) {
  count();
  *p = __libc_memalign(a, n);
  return *p ? 0 : ENOMEM;
}
void free(void* p) { __libc_free(p); }
}

using namespace minnow;
using namespace minnow::testing;

namespace {

// Calls made by f().
template <class F>
long allocations_in(F&& f) {
  g_calls = 0;
  g_counting = true;
  f();
  g_counting = false;
  return g_calls;
}

// The training step the examples write out: forward, loss, backward, optimizer step.
void train_steps(Model& model, Optimizer& opt, const Loss& loss, const Tensor& x, const Tensor& y, Tensor& grad,
                 int steps) {
  const std::vector<Parameter*> params = model.trainable_weights();
  for (int i = 0; i < steps; ++i) {
    loss.compute(model.forward(x, Mode::Training), y, &grad);
    model.backward(grad, /*input_gradients=*/false);
    opt.apply_gradients(params);
  }
}

}  // namespace

TEST_CASE("a training step of Dense -> BatchNormalization -> Dense allocates nothing once warm", "[alloc]") {
  auto inputs = Input({30});
  auto h = BatchNormalization()(Dense(50)(inputs));
  Model model(inputs, Dense(5)(h));
  SGD opt;
  MeanSquaredError loss;
  const Tensor x = random_tensor({64, 30}, 1), y = random_tensor({64, 5}, 2);
  const std::vector<Parameter*> params = model.trainable_weights();
  Tensor grad;
  auto step = [&] {
    loss.compute(model.forward(x, Mode::Training), y, &grad);
    model.backward(grad, /*input_gradients=*/false);
    opt.apply_gradients(params);
    model.forward(x, Mode::Inference);
  };
  for (int i = 0; i < 3; ++i) step();
  CHECK(allocations_in([&] {
          for (int i = 0; i < 5; ++i) step();
        }) == 0);
}

TEST_CASE(
    "a training step of a CNN (Conv2D, BatchNormalization, ReLU, pooling, Dense, Adam) allocates nothing once warm",
    "[alloc]") {
  auto inputs = Input({24, 24, 3});
  auto h = Conv2D({.filters = 16, .kernel_size = {3, 3}, .padding = "same"})(inputs);
  h = ReLU()(BatchNormalization()(h));
  h = MaxPooling2D()(h);
  h = Conv2D({.filters = 4, .kernel_size = {2, 2}, .padding = "same", .activation = "tanh"})(h);
  h = Flatten()(BatchNormalization()(h));
  h = BatchNormalization()(Dense(32, "relu")(h));
  Model model(inputs, Dense(3, "softmax")(h));
  Adam opt;
  MeanSquaredError loss;
  const Tensor x = random_tensor({16, 24, 24, 3}, 3), y = random_tensor({16, 3}, 4);
  Tensor grad;
  train_steps(model, opt, loss, x, y, grad, 3);
  const std::vector<Parameter*> params = model.trainable_weights();  // (its vector is made outside)
  CHECK(allocations_in([&] {
          for (int i = 0; i < 4; ++i) {
            loss.compute(model.forward(x, Mode::Training), y, &grad);
            model.backward(grad, /*input_gradients=*/false);
            opt.apply_gradients(params);
          }
        }) == 0);
}

TEST_CASE("Model::fit's steps allocate nothing: 16 steps cost what 8 steps cost", "[alloc]") {
  auto inputs = Input({8, 8, 2});
  auto h = Conv2D({.filters = 8, .kernel_size = {3, 3}, .padding = "same"})(inputs);
  h = Flatten()(ReLU()(BatchNormalization()(h)));
  Model model(inputs, Dense(4)(h));
  model.compile(std::make_shared<SGD>(), std::make_shared<MeanSquaredError>());
  const Tensor x = random_tensor({128, 8, 8, 2}, 5), y = random_tensor({128, 4}, 6);
  Tensor x8 = random_tensor({64, 8, 8, 2}, 7), y8 = random_tensor({64, 4}, 8);
  const FitOptions quiet{.epochs = 1, .batch_size = 8, .verbose = 0};
  model.fit(x, y, quiet);  // warm-up
  const long long_run = allocations_in([&] { model.fit(x, y, quiet); });
  const long short_run = allocations_in([&] { model.fit(x8, y8, quiet); });
  INFO("fit over 16 steps: " << long_run << " allocations; over 8 steps: " << short_run);
  CHECK(long_run == short_run);
}
