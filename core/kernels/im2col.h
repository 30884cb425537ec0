// The lowering of a 2-D window to a matrix product: the geometry of a window sliding over NHWC
// data (Conv2D, pooling), im2col, which copies every window's patch into one row of a matrix,
// and col2im, its adjoint.
#pragma once

namespace minnow {

// Geometry of a 2-D window sliding over NHWC data (Conv2D, pooling), TensorFlow's rules:
//   valid: OH = ceil((H - KH + 1) / SH),  no padding
//   same:  OH = ceil(H / SH),  pad_total = max((OH - 1)*SH + KH - H, 0),
//          pad_top = pad_total / 2 (the odd extra row goes to the bottom); likewise for W.
struct WindowGeometry {
  long N = 0, H = 0, W = 0, C = 0;  // input
  long KH = 1, KW = 1, SH = 1, SW = 1;
  long OH = 0, OW = 0;  // output
  long pad_top = 0, pad_left = 0;
};
WindowGeometry window_geometry(long H, long W, long C, long KH, long KW, long SH, long SW, bool same_padding);

// im2col: x (N, H, W, C) -> col (N*OH*OW, KH*KW*C); row (n, oh, ow) holds the input patch
// under the window in (kh, kw, c) order, zeros where the window hangs over the padding.
// This order makes a Keras kernel (KH, KW, C, F) the (KH*KW*C) x F right operand as it lies.
void im2col(const float* x, const WindowGeometry& g, float* col);
// col2im, the adjoint of im2col: dx = 0, then each patch row of dcol is added back where it
// came from (overlapping windows add up). dx is (N, H, W, C).
void col2im(const float* dcol, const WindowGeometry& g, float* dx);
// The same for the rows [row_begin, row_end) of col only (col points at row_begin's patch), so
// a convolution can work in chunks that stay in cache; col2im_add adds into dx without zeroing it.
void im2col(const float* x, const WindowGeometry& g, float* col, long row_begin, long row_end);
void col2im_add(const float* dcol, const WindowGeometry& g, float* dx, long row_begin, long row_end);

}  // namespace minnow
