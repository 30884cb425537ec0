// TerminateOnNaN (terminate_on_nan.h).
#include "callbacks/terminate_on_nan.h"

#include <cmath>
#include <ostream>

#include <fmt/format.h>

namespace minnow {

void TerminateOnNaN::on_train_batch_end(long batch, const Logs& logs) {
  const auto it = logs.find("loss");
  if (it == logs.end() || std::isfinite(it->second)) return;
  out() << fmt::format("Batch {}: Invalid loss, terminating training\n", batch);
  stop_training();
}

}  // namespace minnow
