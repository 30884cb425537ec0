// The tagged equations of the layers, losses and optimizers, as their headers write them:
//   layer_equations(bn).forward  ->  {"(F1)  mu_c = (1/m) sum x, ...", "(F2)  x_hat = ...", ...}
// Each line is a line of the header named by `source` (tests/tools/equations_test.cpp checks
// every one against the file), so "(F2)" here is "(F2)" there. For a layer, the lines are those
// of its last forward: BatchNormalization's (F1)-(F3) or (I1), with (F4) when it moved its
// moving statistics; Dropout's (F1)-(F3) or (I1); the backward lines follow the same branch.
#pragma once

#include <string>
#include <vector>

namespace minnow {

class Layer;
class Loss;
class Optimizer;

struct Equations {
  std::string source;                 // the header the lines come from: "layers/dense.h"
  std::vector<std::string> forward;   // the forward's (F..) lines; a loss's L; an optimizer's (U..)
  std::vector<std::string> backward;  // the backward's (B..) lines; a loss's dL/dy_pred
};

// A layer's equations (any class of layers/; an unknown class has none, source "").
Equations layer_equations(const Layer& layer);
// The loss's formula and gradient, for its variant (probabilities or logits).
Equations loss_equations(const Loss& loss);
// The optimizer's update rules (every case its header lists) in `forward`.
Equations optimizer_equations(const Optimizer& optimizer);

}  // namespace minnow
