// Stepper: one training step of a model cut at its seams, driven by a learner's keys.
//
//   Stepper s(model, batches);        // a compiled model; batches(k) returns batch k (x, y)
//   fmt::print("{}", s.run("f"));     // the first layer's forward, as text
//   fmt::print("{}", run_script(s, "f f f l b b b o p dense/kernel[0:3, 0:4]; q"));
//
// The step is train_on_batch's (model/model_runner.cpp), one piece per key:
//   f   forward of the next layer: y = layer.forward(its inputs, mode) (Layer::forward, the path
//       Model::forward takes), with the layer's tagged equations, output shape and statistics
//   l   the loss L(y_pred, y) and dL/dy_pred, with compile()'s loss (after every forward)
//   b   backward of the next layer, last to first: dy = the sum of what its consumers sent back
//   o   the optimizer: the first o runs optimizer.apply_gradients(trainable weights) once, as
//       train_on_batch does; each o shows the next weight before and after, and the rule
//   n   the next batch (k + 1); m   training <-> inference mode. Both start the pass over.
//   p T print tensor T (shape, statistics, values), T as tools/tensor_slice.h reads it:
//         x, y                      the batch and its targets
//         LAYER/output              the layer's output         LAYER/grad   dL/dy at its output
//         LAYER/dx                  dL/dx, what its backward sent to its inputs
//         LAYER/WEIGHT              a weight (dense/kernel)    LAYER/WEIGHT.grad  its dL/dw
//         loss/grad                 dL/dy_pred
//   s   BatchNormalization's batch statistics next to its moving statistics (the last BN run)
//   e   the equations the last thing run computed;  g  where the step is in the graph;  h  keys;  q  quit
// A training forward runs BatchNormalization's (F4): the moving statistics move, as in
// train_on_batch (and again when the pass starts over in training mode). A learner's mistake
// (b before l, a tensor that does not exist, a slice out of range) is an "error: ..." line
// naming the command, the tensor and the shape; run() never throws for it.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/mode.h"
#include "core/tensor.h"

namespace minnow {

class Layer;
class Model;
struct Parameter;

struct StepperBatch {
  Tensor x, y;
};
// Batch k (0, 1, ...) of a session; the same k must give the same batch (seed it).
using BatchSource = std::function<StepperBatch(long k)>;

class Stepper {
 public:
  // model: compiled, one input and one output, alive as long as the stepper.
  Stepper(Model& model, BatchSource batches, Mode mode = Mode::Training);
  // One command: a key ("f") or "p <tensor>"; returns the text it prints.
  std::string run(const std::string& command);
  bool quit() const { return quit_; }
  // Where the step is, one line: "batch 1, training mode, next: f (forward dense, 2/4)".
  std::string status() const;

  // ---- the state, for tests and for programs that show it their own way ----
  const std::vector<Layer*>& layers() const { return layers_; }  // the input layer first
  size_t forward_done() const { return next_forward_; }          // layers run forward (input: 1)
  size_t backward_done() const { return backward_done_; }        // layers run backward
  std::optional<double> loss() const { return loss_; }
  const Tensor& output_grad(const Layer& layer) const;  // dL/dy reaching layer's output
  const StepperBatch& batch() const { return batch_; }
  Mode mode() const { return mode_; }
  long batch_index() const { return batch_index_; }
  bool updated() const { return updated_; }  // the optimizer has run on this batch

 private:
  enum class Last { Nothing, Forward, Loss, Backward, Update };
  std::string dispatch(const std::string& command);
  std::string forward();
  std::string compute_loss();
  std::string backward();
  std::string update();
  std::string next_batch();
  std::string toggle_mode();
  std::string start_pass();
  std::string hint() const;
  std::string next_action() const;
  std::string help() const;
  // stepper_views.cpp: what the learner looks at
  std::string print(const std::string& expression) const;
  std::string batch_norm_stats() const;
  std::string equations() const;
  std::string graph() const;
  const Tensor& find_tensor(const std::string& name) const;
  const Layer& find_layer(const std::string& name, const std::string& what) const;

  Model& model_;
  BatchSource batches_;
  Mode mode_;
  std::vector<Layer*> layers_;
  StepperBatch batch_;
  long batch_index_ = 0;
  size_t next_forward_ = 1, backward_done_ = 0, updates_shown_ = 0;
  std::optional<double> loss_;
  Tensor loss_grad_;
  std::map<const Layer*, Tensor> grads_;  // dL/dy of each layer, summed as its consumers run backward
  std::vector<Parameter*> trainable_;
  std::vector<Tensor> before_update_;
  bool updated_ = false, quit_ = false;
  Last last_ = Last::Nothing;
  const Layer *last_layer_ = nullptr, *last_bn_ = nullptr;     // of the last f or b; the last BN run forward
  std::map<const Layer*, std::vector<Tensor>> moving_before_;  // a BN's moving statistics before its forward
};

// Splits a key script into commands: every character is a key, blanks separate nothing, and
// p takes the rest up to ';' (or the end) as its tensor: "ffb p dense/kernel[0:3, 0:4]; q".
std::vector<std::string> split_keys(const std::string& keys);
// Runs the commands of a key script, each after a prompt line "step> <command>", and returns
// the transcript: plain text, no terminal control codes. It stops at q.
std::string run_script(Stepper& stepper, const std::string& keys);
// The same on a terminal: single keys from in_fd in raw mode (termios; restored on return, on
// SIGINT, SIGTERM and SIGHUP), p reads a line with echo; writes to out_fd. Returns 0 at q or end of input.
int run_terminal(Stepper& stepper, int in_fd, int out_fd);

}  // namespace minnow
