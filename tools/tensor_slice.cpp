#include "tools/tensor_slice.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

namespace {

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// An integer (optional sign, digits) or nullopt for an empty field; throws for anything else.
std::optional<long> parse_bound(const std::string& field, const std::string& text) {
  const std::string f = trim(field);
  if (f.empty()) return std::nullopt;
  size_t i = f[0] == '-' || f[0] == '+' ? 1 : 0;
  const bool digits = i < f.size() && std::all_of(f.begin() + long(i), f.end(), [](char c) { return std::isdigit(c); });
  if (!digits || f.size() > 12)
    throw UsageError(
        fmt::format("'{}': '{}' is not an integer (a slice axis is a:b, a:, :b, : or an index a)", text, f));
  return std::stol(f);
}

SliceAxis parse_axis(const std::string& field, const std::string& text) {
  const size_t colon = field.find(':');
  if (colon == std::string::npos) {
    SliceAxis a{parse_bound(field, text), std::nullopt, true};
    if (!a.start) throw UsageError(fmt::format("'{}': an empty axis in the slice (use ':' for a whole axis)", text));
    return a;
  }
  if (field.find(':', colon + 1) != std::string::npos)
    throw UsageError(fmt::format("'{}': slices with a step (a:b:c) are not supported", text));
  return {parse_bound(field.substr(0, colon), text), parse_bound(field.substr(colon + 1), text), false};
}

// A position of an axis of size n written as v (negative: from the end), clipped to [0, n].
long clip(long v, long n) { return std::clamp(v < 0 ? v + n : v, 0L, n); }

}  // namespace

TensorRef parse_tensor_ref(const std::string& text_as_typed) {
  const std::string text = trim(text_as_typed);
  TensorRef ref;
  const size_t open = text.find('[');
  ref.name = trim(text.substr(0, open));
  if (ref.name.empty()) throw UsageError(fmt::format("'{}': no tensor name (try 'p dense/kernel')", text));
  if (open == std::string::npos) return ref;
  if (text.back() != ']' || text.find('[', open + 1) != std::string::npos)
    throw UsageError(
        fmt::format("'{}': a slice is written name[a:b, c:d], with one pair of brackets at the end", text));
  ref.slice_text = text.substr(open);
  const std::string inside = text.substr(open + 1, text.size() - open - 2);
  size_t from = 0;
  while (true) {
    const size_t comma = inside.find(',', from);
    ref.axes.push_back(parse_axis(inside.substr(from, comma - from), text));
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return ref;
}

std::vector<AxisRange> resolve_slice(const std::vector<SliceAxis>& axes, const Shape& shape, const std::string& what) {
  if (long(axes.size()) > shape.rank())
    throw UsageError(fmt::format("{}: the slice names {} axes, but the tensor has shape {} ({} axes)", what,
                                 axes.size(), shape.str(), shape.rank()));
  std::vector<AxisRange> out;
  for (long k = 0; k < shape.rank(); ++k) {
    const long n = shape[k];
    if (size_t(k) >= axes.size()) {
      out.push_back({0, n, true});
      continue;
    }
    const SliceAxis& a = axes[size_t(k)];
    if (a.index) {
      const long i = *a.start < 0 ? *a.start + n : *a.start;
      if (i < 0 || i >= n)
        throw UsageError(fmt::format("{}: index {} is out of range for axis {} of size {} (shape {})", what, *a.start,
                                     k, n, shape.str()));
      out.push_back({i, i + 1, false});
      continue;
    }
    const long start = a.start ? clip(*a.start, n) : 0, stop = a.stop ? clip(*a.stop, n) : n;
    out.push_back({start, std::max(start, stop), true});
  }
  return out;
}

Tensor slice_tensor(const Tensor& t, const std::vector<AxisRange>& ranges) {
  std::vector<long> dims;
  for (const AxisRange& r : ranges)
    if (r.keep_axis) dims.push_back(r.stop - r.start);
  if (dims.empty()) dims.push_back(1);
  Tensor out{Shape(dims)};
  if (out.empty()) return out;
  const std::vector<long>& full = t.shape().dims();
  std::vector<long> at(ranges.size());
  for (size_t k = 0; k < ranges.size(); ++k) at[k] = ranges[k].start;
  for (long o = 0; o < out.size(); ++o) {
    long flat = 0;
    for (size_t k = 0; k < at.size(); ++k) flat = flat * full[k] + at[k];
    out[o] = t[flat];
    for (size_t k = at.size(); k-- > 0;) {  // the next position, last axis fastest
      if (++at[k] < ranges[k].stop) break;
      at[k] = ranges[k].start;
    }
  }
  return out;
}

namespace {

std::string number(float v) { return fmt::format("{:>10.4f}", v); }

// Rows of `cols` values from t, starting at value `first`, `rows` of them.
std::string grid(const Tensor& t, long first, long rows, long cols, long& budget) {
  std::string out;
  for (long r = 0; r < rows && budget > 0; ++r) {
    std::string line = " ";
    for (long c = 0; c < cols && budget > 0; ++c, --budget) line += number(t[first + r * cols + c]);
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string format_values(const Tensor& t, long max_values) {
  const Shape& s = t.shape();
  long budget = max_values;
  std::string out;
  if (s.rank() <= 1) {
    out = grid(t, 0, 1, t.size(), budget);
  } else if (s.rank() == 2) {
    out = grid(t, 0, s[0], s[1], budget);
  } else {
    const long rows = s[-2], cols = s[-1], plane = rows * cols, planes = t.size() / std::max(plane, 1L);
    for (long p = 0; p < planes && budget > 0; ++p) {
      std::string title = "[";
      for (long k = 0, rest = p; k < s.rank() - 2; ++k) {
        const long below = s.num_elements_from(k + 1) / plane;
        title += fmt::format("{}, ", rest / below);
        rest %= below;
      }
      out += title + ":, :]\n" + grid(t, p * plane, rows, cols, budget);
    }
  }
  if (budget <= 0 && max_values < t.size())
    out += fmt::format("  ... {} of {} values shown; slice further to see the rest\n", max_values, t.size());
  return out;
}

}  // namespace minnow
