// Dropout: in training, zeroes each input value with probability `rate` and scales the others by
// 1 / (1 - rate), so the expected output is the input (inverted dropout, as Keras; Srivastava et
// al. 2014, with the scaling moved from inference to training). In inference it is the identity.
//
// Shapes: x, y, the mask m and the gradients all (N, ...), any rank.
// Training (mode == Training)
//   (F1)  u ~ U[0, 1) per element, from the layer's seeded generator: a new mask every forward
//   (F2)  m = 1 / (1 - rate) where u >= rate, else 0          (tf.nn.dropout keeps u >= rate)
//   (F3)  y = m * x
// Inference (mode == Inference)
//   (I1)  y = x
// Backward, given dy
//   (B1)  after a training forward:  dx = m * dy        (m is a constant of the forward)
//   (B2)  after an inference forward: dx = dy
// No weights. Cache: the mask m of the last training forward.
// Seeds: the generator starts from options.seed or, when none is given, from the session's next
// seed (core/random.h) taken at construction; one seed always gives the same sequence of masks.
// Gradient checks: a check runs many forwards, each of which would draw a new mask, so the
// numeric derivative would not see the function backward differentiates. set_mask_frozen(true)
// makes every later training forward reuse the current mask (the first such forward draws one
// if there is none, or if the input's shape differs from the mask's); set_mask_frozen(false)
// resumes drawing a new mask every forward.
// Reference: tf.keras.layers.Dropout (noise_shape is not supported).
#pragma once

#include <cstdint>
#include <optional>

#include "core/layer.h"
#include "core/random.h"

namespace minnow {

struct DropoutOptions {
  float rate = 0.5f;  // the probability of dropping a value, in [0, 1) (Keras has no default)
  std::optional<std::uint64_t> seed = std::nullopt;  // none: next_session_seed() at construction
  std::string name = "";
};

class DropoutLayer : public Layer {
 public:
  explicit DropoutLayer(const DropoutOptions& options);
  std::shared_ptr<Layer> clone() const override;
  const DropoutOptions& options() const { return opt_; }
  std::uint64_t seed() const { return seed_; }  // the seed in use, given or drawn
  // The mask generator, where it stands now: checkpoints (model/checkpoint.h) save and restore it.
  Rng& generator() { return rng_; }
  const Rng& generator() const { return rng_; }

  // (F2) of the last training forward: 0 or 1 / (1 - rate) per element.
  const Tensor& mask() const { return mask_; }
  // True: training forwards reuse the current mask (for gradient checks); see above.
  void set_mask_frozen(bool frozen) { mask_frozen_ = frozen; }
  bool mask_frozen() const { return mask_frozen_; }

 private:
  Shape build_impl(const Shape& input_shape) override { return input_shape; }
  void forward_impl(const Tensor& x, Tensor& y, Mode mode) override;
  void backward_impl(const Tensor& dy, Tensor& dx) override;
  void draw_mask(const Shape& shape);

  DropoutOptions opt_;
  std::uint64_t seed_;
  Rng rng_;
  Tensor mask_;
  bool mask_frozen_ = false;
};

LayerRef<DropoutLayer> Dropout(const DropoutOptions& options = {});
LayerRef<DropoutLayer> Dropout(float rate, std::optional<std::uint64_t> seed = std::nullopt);

}  // namespace minnow
