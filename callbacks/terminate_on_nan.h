// TerminateOnNaN: ends training at the first batch whose loss is NaN or infinite (Keras'
// keras.callbacks.TerminateOnNaN), printing "Batch 17: Invalid loss, terminating training".
// Without it, fit throws an Error at such a batch. With it, fit keeps the weights from before
// that batch (the step is undone), finishes the epoch (its logs show the nan loss) and returns
// its History, as Keras returns.
#pragma once

#include "model/callback.h"

namespace minnow {

class TerminateOnNaN : public Callback {
 public:
  void on_train_batch_end(long batch, const Logs& logs) override;
};

}  // namespace minnow
