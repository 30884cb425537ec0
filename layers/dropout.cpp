#include "layers/dropout.h"

#include <fmt/format.h>

#include "core/error.h"

namespace minnow {

DropoutLayer::DropoutLayer(const DropoutOptions& options)
    : Layer("Dropout", options.name),
      opt_(options),
      seed_(options.seed ? *options.seed : next_session_seed()),
      rng_(seed_) {
  if (!(opt_.rate >= 0.0f && opt_.rate < 1.0f))  // also rejects NaN
    throw ConfigError(fmt::format("{}: rate must be in [0, 1), but received rate={}", describe(), opt_.rate));
}

void DropoutLayer::draw_mask(const Shape& shape) {
  mask_.resize(shape);
  const float keep_scale = 1.0f / (1.0f - opt_.rate);
  for (float& m : mask_.values()) m = rng_.uniform() >= opt_.rate ? keep_scale : 0.0f;  // (F1) (F2)
}

void DropoutLayer::forward_impl(const Tensor& x, Tensor& y, Mode mode) {
  if (mode == Mode::Inference) {
    y.row() = x.row();  // (I1)
    return;
  }
  if (!mask_frozen_ || mask_.shape() != x.shape()) draw_mask(x.shape());
  y.row() = x.row().cwiseProduct(mask_.row());  // (F3)
}

void DropoutLayer::backward_impl(const Tensor& dy, Tensor& dx) {
  if (last_mode() == Mode::Inference) dx.row() = dy.row();  // (B2)
  else dx.row() = dy.row().cwiseProduct(mask_.row());       // (B1)
}

LayerRef<DropoutLayer> Dropout(const DropoutOptions& options) { return std::make_shared<DropoutLayer>(options); }

LayerRef<DropoutLayer> Dropout(float rate, std::optional<std::uint64_t> seed) {
  return Dropout(DropoutOptions{.rate = rate, .seed = seed});
}

std::shared_ptr<Layer> DropoutLayer::clone() const {
  DropoutOptions o = opt_;
  o.name = name();
  return std::make_shared<DropoutLayer>(o);
}

}  // namespace minnow
