// The options of BatchNormalization (layers/batch_normalization.h, whose equation tags and
// controls (a)-(c) these name): the convention of the moving statistics' update (F4), the three
// controls, the initializers, and the two conventions as presets, keras() and pytorch().
#pragma once

#include <string>

#include "core/initializers.h"

namespace minnow {

// (F4): what `momentum` weighs. WeightOnOld: Keras, moving = momentum * moving + (1 - momentum) * batch.
// WeightOnNew: PyTorch, running = (1 - momentum) * running + momentum * batch.
enum class MomentumMeaning { WeightOnOld, WeightOnNew };
// (F4): the batch variance v_c the moving variance moves towards. Auto: tf.keras 2.x's rule,
// Bessel-corrected on rank-4 inputs with the channel axis last or 1 (its fused kernel), biased
// otherwise. Biased: var_c everywhere (Keras 3, TensorFlow.js, tf.keras 2.x with fused=False).
// Unbiased: var_c * m / (m - 1) everywhere (PyTorch).
enum class UpdateVariance { Auto, Biased, Unbiased };
// Control (a): the statistics that normalize x.
enum class NormalizeWith { Auto, BatchStatistics, MovingStatistics };
// Control (b): whether a Mode::Training forward runs (F4).
enum class MovingStatisticsUpdate { Auto, Always, Never };
// Control (c): whether gamma and beta are trainable. (There is no "Always": set_trainable(false)
// freezes every weight of a layer, as in Keras; to train gamma and beta while normalizing with
// the moving statistics, keep the layer trainable and set (a) and (b).)
enum class GammaBetaTraining { Auto, Never };

struct BatchNormalizationOptions {
  long axis = -1;
  float momentum = 0.99f;
  MomentumMeaning momentum_meaning = MomentumMeaning::WeightOnOld;
  float epsilon = 1e-3f;
  UpdateVariance moving_variance_update = UpdateVariance::Auto;                    // (F4): v_c
  bool center = true;                                                              // learn beta
  bool scale = true;                                                               // learn gamma
  NormalizeWith normalize_with = NormalizeWith::Auto;                              // (a)
  MovingStatisticsUpdate update_moving_statistics = MovingStatisticsUpdate::Auto;  // (b)
  GammaBetaTraining train_gamma_beta = GammaBetaTraining::Auto;                    // (c)
  Initializer beta_initializer = "zeros";
  Initializer gamma_initializer = "ones";
  Initializer moving_mean_initializer = "zeros";
  Initializer moving_variance_initializer = "ones";
  std::string name = "";

  // tf.keras.layers.BatchNormalization's convention: the defaults above.
  static BatchNormalizationOptions keras() { return {}; }
  // torch.nn.BatchNorm1d / 2d's convention: momentum 0.1 weighing the new value, eps 1e-5, the
  // unbiased batch variance in (F4) on every input. Everything else stays as above (set the name after).
  static BatchNormalizationOptions pytorch() {
    BatchNormalizationOptions o;
    o.momentum = 0.1f;
    o.momentum_meaning = MomentumMeaning::WeightOnNew;
    o.epsilon = 1e-5f;
    o.moving_variance_update = UpdateVariance::Unbiased;
    return o;
  }
};

}  // namespace minnow
