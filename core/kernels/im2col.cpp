#include "core/kernels/im2col.h"

#include <algorithm>
#include <cstring>

#include "core/kernels/matrix.h"

namespace minnow {

WindowGeometry window_geometry(long H, long W, long C, long KH, long KW, long SH, long SW, bool same_padding) {
  WindowGeometry g;
  g.H = H, g.W = W, g.C = C, g.KH = KH, g.KW = KW, g.SH = SH, g.SW = SW;
  if (same_padding) {
    g.OH = (H + SH - 1) / SH;
    g.OW = (W + SW - 1) / SW;
    g.pad_top = std::max<long>((g.OH - 1) * SH + KH - H, 0) / 2;
    g.pad_left = std::max<long>((g.OW - 1) * SW + KW - W, 0) / 2;
  } else {
    g.OH = H >= KH ? (H - KH) / SH + 1 : 0;
    g.OW = W >= KW ? (W - KW) / SW + 1 : 0;
  }
  return g;
}

void im2col(const float* x, const WindowGeometry& g, float* col, long row_begin, long row_end) {
  const long patch = g.KH * g.KW * g.C;
  for (long r = row_begin; r < row_end; ++r) {  // r = (n * OH + oh) * OW + ow
    const long n = r / (g.OH * g.OW), oh = (r / g.OW) % g.OH, ow = r % g.OW;
    float* row = col + (r - row_begin) * patch;
    const long w0 = ow * g.SW - g.pad_left;
    for (long kh = 0; kh < g.KH; ++kh) {
      const long ih = oh * g.SH - g.pad_top + kh;
      float* dst = row + kh * g.KW * g.C;
      if (ih < 0 || ih >= g.H) {
        std::memset(dst, 0, sizeof(float) * size_t(g.KW * g.C));
        continue;
      }
      const float* src_row = x + offset_nhwc(n, ih, 0, 0, g.H, g.W, g.C);
      if (w0 >= 0 && w0 + g.KW <= g.W) {  // the whole kernel row is inside: one copy
        std::memcpy(dst, src_row + w0 * g.C, sizeof(float) * size_t(g.KW * g.C));
        continue;
      }
      for (long kw = 0; kw < g.KW; ++kw) {
        const long iw = w0 + kw;
        if (iw < 0 || iw >= g.W) std::memset(dst + kw * g.C, 0, sizeof(float) * size_t(g.C));
        else std::memcpy(dst + kw * g.C, src_row + iw * g.C, sizeof(float) * size_t(g.C));
      }
    }
  }
}

void im2col(const float* x, const WindowGeometry& g, float* col) { im2col(x, g, col, 0, g.N * g.OH * g.OW); }

void col2im_add(const float* dcol, const WindowGeometry& g, float* dx, long row_begin, long row_end) {
  const long patch = g.KH * g.KW * g.C;
  for (long r = row_begin; r < row_end; ++r) {
    const long n = r / (g.OH * g.OW), oh = (r / g.OW) % g.OH, ow = r % g.OW;
    const float* row = dcol + (r - row_begin) * patch;
    for (long kh = 0; kh < g.KH; ++kh) {
      const long ih = oh * g.SH - g.pad_top + kh;
      if (ih < 0 || ih >= g.H) continue;
      for (long kw = 0; kw < g.KW; ++kw) {
        const long iw = ow * g.SW - g.pad_left + kw;
        if (iw < 0 || iw >= g.W) continue;
        float* dst = dx + offset_nhwc(n, ih, iw, 0, g.H, g.W, g.C);
        const float* src = row + (kh * g.KW + kw) * g.C;
        for (long c = 0; c < g.C; ++c) dst[c] += src[c];
      }
    }
  }
}

void col2im(const float* dcol, const WindowGeometry& g, float* dx) {
  std::fill(dx, dx + g.N * g.H * g.W * g.C, 0.0f);
  col2im_add(dcol, g, dx, 0, g.N * g.OH * g.OW);
}

}  // namespace minnow
