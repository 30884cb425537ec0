// The two models of the thread "What exactly is Batch Normalization doing?" (seed 002), as
// examples/keras_summaries.cpp shows them and examples/step.cpp steps through them:
//   tabular  Input(30) -> Dense(50) -> BatchNormalization -> Dense(5)
//   image    Input(100, 200, 3) -> Conv2D(30, (4, 4), padding='same') -> BatchNormalization
//                               -> Flatten -> Dense(10)
// Layer names follow the session's counters (clear_session() first for Keras' fresh names).
#pragma once

#include <memory>

#include "minnow.h"

namespace minnow::examples {

struct SeedModel {
  std::unique_ptr<Model> model;
  LayerRef<BatchNormalizationLayer> bn;  // the model's BatchNormalization
};

inline SeedModel seed_tabular_model() {
  SeedModel m;
  auto inp = Input({30});
  auto x = Dense(50)(inp);
  m.bn = BatchNormalization();
  auto out = Dense(5)(m.bn(x));
  m.model = std::make_unique<Model>(inp, out);
  return m;
}

inline SeedModel seed_image_model() {
  SeedModel m;
  auto img = Input({100, 200, 3});
  auto c = Conv2D({.filters = 30, .kernel_size = {4, 4}, .padding = "same"})(img);
  m.bn = BatchNormalization();
  auto out = Dense(10)(Flatten()(m.bn(c)));
  m.model = std::make_unique<Model>(img, out);
  return m;
}

}  // namespace minnow::examples
