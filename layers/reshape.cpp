#include "layers/reshape.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace minnow {

namespace {
// (12, -1) prints as Python prints the tuple: "(12, -1)"; a 1-tuple as "(12,)".
std::string tuple_text(const std::vector<long>& t) {
  return fmt::format("({}{})", fmt::join(t, ", "), t.size() == 1 ? "," : "");
}
}  // namespace

ReshapeLayer::ReshapeLayer(std::vector<long> target_shape, const std::string& name)
    : Layer("Reshape", name), target_(std::move(target_shape)) {
  if (std::any_of(target_.begin(), target_.end(), [](long t) { return t <= 0 && t != -1; }))
    throw ConfigError(fmt::format("{}: every entry of target_shape must be positive or -1, but received "
                                  "target_shape={}",
                                  describe(), tuple_text(target_)));
  if (std::count(target_.begin(), target_.end(), -1L) > 1)
    throw ConfigError(fmt::format("{}: target_shape may have at most one -1 (inferred) entry, but received "
                                  "target_shape={}",
                                  describe(), tuple_text(target_)));
}

Shape ReshapeLayer::build_impl(const Shape& in) {
  const long count = in.num_elements_from(1);
  long known = 1;
  for (long t : target_)
    if (t != -1) known *= t;
  const bool infer = std::count(target_.begin(), target_.end(), -1L) == 1;
  if (infer ? count % known != 0 : count != known)
    throw ShapeError(fmt::format("{}: cannot reshape inputs of shape {} ({} values per sample) to target_shape={}: "
                                 "the number of values must stay the same",
                                 describe(), in, count, tuple_text(target_)));
  std::vector<long> out{Shape::kNone};
  for (long t : target_) out.push_back(t == -1 ? count / known : t);
  return Shape(out);
}

// y and dx are views (Tensor::share under another shape): relabelling copies nothing.
void ReshapeLayer::forward_impl(const Tensor& x, Tensor& y, Mode) {
  if (y_shape_.rank() == 0 || y_shape_[0] != x.shape()[0]) y_shape_ = output_shape().with_batch(x.shape()[0]);
  y.share(x, y_shape_);  // (F1)
}

void ReshapeLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  if (x_shape_.rank() == 0 || x_shape_[0] != dy.shape()[0]) x_shape_ = input_shape().with_batch(dy.shape()[0]);
  dx.share(dy, x_shape_);  // (B1)
}

LayerRef<ReshapeLayer> Reshape(std::vector<long> target_shape, const std::string& name) {
  return std::make_shared<ReshapeLayer>(std::move(target_shape), name);
}

std::shared_ptr<Layer> ReshapeLayer::clone() const { return std::make_shared<ReshapeLayer>(target_, name()); }

}  // namespace minnow
