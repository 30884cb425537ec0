// A tiny bitmap font for the plots' text: printable ASCII (' ' to '~') in 5x7 pixel glyphs.
//
// Each glyph is drawn in a cell of kGlyphWidth x kGlyphHeight pixels: rows 0-6 hold capitals,
// digits and the body of lower-case letters; row 7 holds the descenders of g, j, p, q and y.
// Text advances kAdvance pixels per character and kLineHeight pixels per line (at scale 1).
// The glyphs are data, written by hand in plot/font.cpp as rows of '#' (ink) and '.' (paper).
#pragma once

namespace minnow::font {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 8;
inline constexpr int kAdvance = 6;
inline constexpr int kLineHeight = 10;

// True when pixel (col, row) of character c's glyph is ink. Characters outside ' '..'~' are
// drawn as '?'.
bool ink(char c, int col, int row);

}  // namespace minnow::font
