#include "layers/conv2d.h"

#include <omp.h>

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/kernels/column_ops.h"
#include "core/kernels/gemm.h"
#include "core/kernels/threading.h"

namespace minnow {

Conv2DLayer::Conv2DLayer(const Conv2DOptions& options)
    : Layer("Conv2D", options.name), opt_(options), activation_(parse_activation(options.activation, describe())) {
  if (opt_.filters <= 0)
    throw ConfigError(
        fmt::format("{}: filters must be a positive integer, but received filters={}", describe(), opt_.filters));
  if (opt_.kernel_size[0] <= 0 || opt_.kernel_size[1] <= 0)
    throw ConfigError(fmt::format("{}: kernel_size must be positive, but received kernel_size=({}, {})", describe(),
                                  opt_.kernel_size[0], opt_.kernel_size[1]));
  if (opt_.strides[0] <= 0 || opt_.strides[1] <= 0)
    throw ConfigError(fmt::format("{}: strides must be positive, but received strides=({}, {})", describe(),
                                  opt_.strides[0], opt_.strides[1]));
  if (opt_.padding != "valid" && opt_.padding != "same")
    throw ConfigError(
        fmt::format("{}: padding must be 'valid' or 'same', but received padding='{}'", describe(), opt_.padding));
  check_initializer(opt_.kernel_initializer, describe() + ": kernel_initializer");
  check_initializer(opt_.bias_initializer, describe() + ": bias_initializer");
}

Shape Conv2DLayer::build_impl(const Shape& in) {
  if (in.rank() != 4)
    throw ShapeError(fmt::format("{} expects inputs of shape (None, H, W, C), but received {}", describe(), in));
  const long KH = opt_.kernel_size[0], KW = opt_.kernel_size[1];
  if (opt_.padding == "valid" && (KH > in[1] || KW > in[2]))
    throw ShapeError(fmt::format("{}: kernel_size=({}, {}) is larger than the input's {}x{} (input shape {}) with "
                                 "padding='valid'. Use padding='same' or a smaller kernel.",
                                 describe(), KH, KW, in[1], in[2], in));
  g_ = window_geometry(in[1], in[2], in[3], KH, KW, opt_.strides[0], opt_.strides[1], opt_.padding == "same");
  kernel_ = &add_weight("kernel", {KH, KW, in[3], opt_.filters}, opt_.kernel_initializer, true);
  if (opt_.use_bias) bias_ = &add_weight("bias", {opt_.filters}, opt_.bias_initializer, true);
  return {Shape::kNone, g_.OH, g_.OW, opt_.filters};
}

namespace {

// Rows of X per chunk: about 64K floats (256 KB), so a chunk and its rows of Z stay in cache.
long chunk_rows(long patch) { return std::max<long>(16, 65536 / patch / 16 * 16); }

// The weight gradient is summed over at most this many groups of chunks, whatever the threads.
constexpr long kGroups = 16;

}  // namespace

ConstMatrixMap Conv2DLayer::patches(const Tensor& x, long r0, long r1, Tensor& scratch) const {
  const long patch = g_.KH * g_.KW * g_.C;
  if (g_.KH == 1 && g_.KW == 1 && g_.SH == 1 && g_.SW == 1) return {x.data() + r0 * g_.C, r1 - r0, g_.C};
  im2col(x.data(), g_, scratch.data(), r0, r1);
  return {scratch.data(), r1 - r0, patch};
}

void Conv2DLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  g_.N = x.shape()[0];
  const long rows = g_.N * g_.OH * g_.OW, patch = g_.KH * g_.KW * g_.C, F = opt_.filters;
  const auto K = std::as_const(kernel_->value).matrix(patch, F);  // (KH*KW*C, F)
  const long chunk = chunk_rows(patch), chunks = (rows + chunk - 1) / chunk;
  const int T = threads_for(rows * patch * F);
  scratch_.resize(size_t(T));
  for (Tensor& s : scratch_) s.resize({chunk, patch});
  parallel_for(chunks, T, [&](long i) {
    const long r0 = i * chunk, r1 = std::min(rows, r0 + chunk);
    const ConstMatrixMap X = patches(x, r0, r1, scratch_[size_t(omp_get_thread_num())]);  // (F1) (r1-r0, patch)
    MatrixMap Z(y.data() + r0 * F, r1 - r0, F);                                           // (r1-r0, F)
    gemm(X, Op::None, K, Op::None, Z, false, 1);                                          // (F2)
    if (bias_) Z.rowwise() += bias_->value.row();                                         // (F2) + b
    activation_forward(activation_, Z, Z);                                                // (F3)
  });
}

void Conv2DLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  const Tensor& x = input();
  const long rows = g_.N * g_.OH * g_.OW, patch = g_.KH * g_.KW * g_.C, F = opt_.filters;
  const float* dZ = dy.data();  // (B1) (N*OH*OW, F); a linear activation passes dy through
  if (activation_ != ActivationKind::Linear) {
    dz_.resize(dy.shape());
    activation_backward(activation_, output().matrix(), dy.matrix(), dz_.matrix());
    dZ = dz_.data();
  }
  const long chunk = chunk_rows(patch), chunks = (rows + chunk - 1) / chunk, groups = std::min(kGroups, chunks);
  const long part = patch * F + F;  // one group's dK and db
  partials_.resize({groups, part});
  const int T = threads_for(rows * patch * F);
  scratch_.resize(size_t(T));
  for (Tensor& s : scratch_) s.resize({chunk, patch});
  parallel_for(groups, T, [&](long gi) {
    MatrixMap dK(partials_.data() + gi * part, patch, F);
    RowVectorMap db(partials_.data() + gi * part + patch * F, F);
    dK.setZero(), db.setZero();
    for (long i = gi * chunks / groups; i < (gi + 1) * chunks / groups; ++i) {
      const long r0 = i * chunk, r1 = std::min(rows, r0 + chunk);
      const ConstMatrixMap X = patches(x, r0, r1, scratch_[size_t(omp_get_thread_num())]);  // (F1) again
      const ConstMatrixMap dZc(dZ + r0 * F, r1 - r0, F);
      gemm(X, Op::Transpose, dZc, Op::None, dK, /*accumulate=*/true, 1);  // (B2) dK += X^T dZ
      add_rows(dZc, db);                                                  // (B3)
    }
  });
  sums_.setZero(part);
  add_rows(std::as_const(partials_).matrix(groups, part), RowVectorMap(sums_.data(), part));  // groups in order
  if (kernel_->trainable()) kernel_->grad.row() = sums_.head(patch * F);                      // (B2)
  if (bias_ && bias_->trainable()) bias_->grad.row() = sums_.tail(F);                         // (B3)
  if (input_gradients_needed()) input_gradient(dZ, dx);
}

void Conv2DLayer::input_gradient(const float* dZ, Tensor& dx) {
  const long patch = g_.KH * g_.KW * g_.C, F = opt_.filters, pixels = g_.OH * g_.OW;
  const auto K = std::as_const(kernel_->value).matrix(patch, F);
  if (g_.KH == 1 && g_.KW == 1 && g_.SH == 1 && g_.SW == 1) {  // X is x: dx = dX
    gemm(ConstMatrixMap(dZ, g_.N * pixels, F), Op::None, K, Op::Transpose, dx.matrix(g_.N * pixels, g_.C));  // (B4)
    return;
  }
  if (g_.SH == 1 && g_.SW == 1) return input_gradient_stride1(dZ, dx);
  // One image per thread at a time, so that overlapping windows never add into dx concurrently.
  const long chunk = chunk_rows(patch);
  const int T = threads_for(g_.N * pixels * patch * F);
  parallel_for(g_.N, T, [&](long n) {
    float* dx_n = dx.data() + n * g_.H * g_.W * g_.C;
    std::fill(dx_n, dx_n + g_.H * g_.W * g_.C, 0.0f);
    Tensor& dcol = scratch_[size_t(omp_get_thread_num())];
    for (long r0 = n * pixels; r0 < (n + 1) * pixels; r0 += chunk) {
      const long r1 = std::min((n + 1) * pixels, r0 + chunk);
      MatrixMap dX(dcol.data(), r1 - r0, patch);
      gemm(ConstMatrixMap(dZ + r0 * F, r1 - r0, F), Op::None, K, Op::Transpose, dX, false, 1);  // (B4)
      col2im_add(dcol.data(), g_, dx.data(), r0, r1);                                           // (B5)
    }
  });
}

// With stride 1, (B4)-(B5) together are a convolution of dZ (N, OH, OW, F) with the kernel turned
// by 180 degrees and its in/out axes swapped, K'[kh', kw', f, c] = K[KH-1-kh', KW-1-kw', c, f],
// padded so that the output is (N, H, W, C):
//   dx[n, i, j, c] = sum over kh', kw', f of dZ[n, i - pt' + kh', j - pl' + kw', f] K'[kh', kw', f, c]
// with pt' = KH-1-pad_top, pl' = KW-1-pad_left (cells outside dZ are 0). That is im2col + GEMM
// again, written straight into dx in chunks: no col2im, no overlapping writes.
void Conv2DLayer::input_gradient_stride1(const float* dZ, Tensor& dx) {
  const long F = opt_.filters, C = g_.C, patch = g_.KH * g_.KW * F, rows = g_.N * g_.H * g_.W;
  WindowGeometry t = g_;  // the turned convolution: input dZ, output dx
  t.H = g_.OH, t.W = g_.OW, t.C = F, t.OH = g_.H, t.OW = g_.W;
  t.pad_top = g_.KH - 1 - g_.pad_top, t.pad_left = g_.KW - 1 - g_.pad_left;
  turned_.resize({patch, C});
  const float* K = kernel_->value.data();  // (KH, KW, C, F)
  for (long kh = 0; kh < g_.KH; ++kh)
    for (long kw = 0; kw < g_.KW; ++kw)
      for (long c = 0; c < C; ++c)
        for (long f = 0; f < F; ++f)
          turned_[((kh * g_.KW + kw) * F + f) * C + c] =
              K[(((g_.KH - 1 - kh) * g_.KW + (g_.KW - 1 - kw)) * C + c) * F + f];
  const long chunk = chunk_rows(patch), chunks = (rows + chunk - 1) / chunk;
  const int T = threads_for(rows * patch * C);
  scratch_.resize(std::max(scratch_.size(), size_t(T)));
  for (Tensor& s : scratch_) s.resize({chunk, std::max(patch, g_.KH * g_.KW * C)});
  parallel_for(chunks, T, [&](long i) {
    const long r0 = i * chunk, r1 = std::min(rows, r0 + chunk);
    float* X = scratch_[size_t(omp_get_thread_num())].data();
    im2col(dZ, t, X, r0, r1);
    gemm(ConstMatrixMap(X, r1 - r0, patch), Op::None, std::as_const(turned_).matrix(), Op::None,
         MatrixMap(dx.data() + r0 * C, r1 - r0, C), false, 1);  // (B4)-(B5)
  });
}

LayerRef<Conv2DLayer> Conv2D(const Conv2DOptions& options) { return std::make_shared<Conv2DLayer>(options); }

LayerRef<Conv2DLayer> Conv2D(long filters, Size2D kernel_size, const std::string& padding, Size2D strides,
                             const std::string& activation) {
  return Conv2D(Conv2DOptions{.filters = filters,
                              .kernel_size = kernel_size,
                              .strides = strides,
                              .padding = padding,
                              .activation = activation});
}

std::shared_ptr<Layer> Conv2DLayer::clone() const {
  Conv2DOptions o = opt_;
  o.name = name();
  return std::make_shared<Conv2DLayer>(o);
}

}  // namespace minnow
