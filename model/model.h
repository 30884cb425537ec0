// Model: a graph of layers, run forward in topological order and backward in reverse, as Keras'
// functional API (Sequential, in sequential.h, is a Model that grows by add):
//   auto inputs = Input({30});
//   auto outputs = Dense(5)(BatchNormalization()(Dense(50)(inputs)));
//   Model model(inputs, outputs);
// The graph is a DAG: a tensor may feed several layers (their gradients are summed in backward)
// and a layer may be called several times (shared, as in a siamese network: listed once, one
// forward cache per call, weight gradients summed over the calls). The model owns its input
// tensors: forward copies a batch there once, fit / evaluate / predict gather theirs straight into
// them, and every layer reads tensors that stay alive until the next forward.
#pragma once

#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/layer.h"
#include "model/fit.h"
#include "model/internal/graph.h"

namespace minnow {

class Optimizer;
struct SummaryOptions;
struct Training;  // model/internal/training.h

class Model {
 public:
  Model(const SymbolicTensor& input, const SymbolicTensor& output, const std::string& name = "");
  Model(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs,
        const std::string& name = "");
  virtual ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  const std::string& name() const { return name_; }
  // The layers in Keras' order, each once (InputLayers too, but not in a Sequential).
  const std::vector<std::shared_ptr<Layer>>& layers() const;
  Layer& get_layer(const std::string& name) const;
  const std::vector<SymbolicTensor>& inputs() const { return graph_.inputs; }
  const std::vector<SymbolicTensor>& outputs() const { return graph_.outputs; }
  // The calls (nodes) of `layer` that this model runs, in the layer's node order (a layer may also
  // belong to other models); node_of: the first, for a layer called once.
  std::vector<const Node*> nodes_of(const Layer& layer) const;
  const Node& node_of(const Layer& layer) const;
  bool is_sequential_like() const;  // Keras' narrow summary rule: one layer per depth, one input each

  // ---- computing (model/model.cpp) ----
  // Copies the batch into the input slot(s), runs every layer; the output(s) last until the next forward.
  const Tensor& forward(const Tensor& x, Mode mode);
  std::vector<const Tensor*> forward(const std::vector<const Tensor*>& xs, Mode mode);
  // Given dL/dy for the output(s) of the last forward, runs every layer's backward in reverse order
  // (assigning weight gradients) and returns dL/dx for the input(s); with input_gradients = false
  // (training needs only the weight gradients) the first layers skip their dL/dx: the result is empty.
  const Tensor& backward(const Tensor& dy, bool input_gradients = true);
  std::vector<const Tensor*> backward(const std::vector<const Tensor*>& dys);
  // ---- training (model/fit.cpp: the free functions of model/fit.h, which these call) ----
  // Keras' compile; metrics by Keras' names (model/more_metrics.h's make_metric).
  void compile(std::shared_ptr<Optimizer> optimizer, std::shared_ptr<Loss> loss,
               const std::vector<std::string>& metrics = {});
  void compile(const std::string& optimizer, const std::string& loss, const std::vector<std::string>& metrics = {});
  // Several outputs: a loss per output, loss_weights, metrics per output (fit.h's CompileOptions).
  void compile(std::shared_ptr<Optimizer> optimizer, const CompileOptions& options);
  void compile(const std::string& optimizer, const CompileOptions& options);
  History fit(const TensorList& x, const TensorList& y, const FitOptions& options = {});
  Logs evaluate(const TensorList& x, const TensorList& y, long batch_size = 32, int verbose = 0,
                std::ostream* out = nullptr, const Tensor* sample_weight = nullptr);
  Tensor predict(const Tensor& x, long batch_size = 32);
  std::vector<Tensor> predict(const TensorList& x, long batch_size = 32);  // one tensor per output
  Logs train_on_batch(const TensorList& x, const TensorList& y);
  Logs test_on_batch(const TensorList& x, const TensorList& y);
  Optimizer& optimizer() const;
  const Loss& loss() const;  // of output 0
  // ---- weights (model/weights.cpp; on disk, model/weights_io.h: an .npz keyed "layer/weight") ----
  std::vector<Parameter*> weights() const;
  std::vector<Parameter*> trainable_weights() const;
  std::vector<Parameter*> non_trainable_weights() const;
  long count_params() const;
  // Keras' get_weights / set_weights: copies of the values, in weights() order. set_weights checks
  // the count and every shape first: a mismatch is a ShapeError naming both shapes, nothing changes.
  std::vector<Tensor> get_weights() const;
  void set_weights(const std::vector<Tensor>& values);
  void set_trainable(bool trainable);  // Keras' model.trainable: freezes or unfreezes every layer
  void save_weights(const std::string& path) const;
  void load_weights(const std::string& path);
  void save_checkpoint(const std::string& path) const;  // the whole training state: model/checkpoint.h
  long load_checkpoint(const std::string& path);        // returns the epochs done (fit's initial_epoch)
  std::string summary() const;  // model/summary.cpp; SummaryOptions{.show_weights = true}: weights too
  void summary(std::ostream& out) const;
  std::string summary(const SummaryOptions& options) const;
  void summary(std::ostream& out, const SummaryOptions& options) const;

 protected:
  struct Deferred {};
  Model(Deferred, const std::string& prefix, const std::string& name);  // Sequential's: the graph comes later
  void set_graph(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs);
  void require_graph() const;
  virtual void prepare(std::span<const Tensor* const> xs);  // before forward: a Sequential may build here
  bool has_graph_ = false;
  bool list_inputs_ = true;  // false for Sequential: its InputLayer is not one of its layers

 private:
  friend class ModelRunner;      // model/internal/model_runner.h: fills the input slots, runs, trains
  const Tensor& run(Mode mode);  // the one forward path, on the input slots; returns output 0
  void run_backward(std::span<const Tensor* const> dys, bool input_gradients);
  void check_user_forward() const;
  void check_gradients(std::span<const Tensor* const> dys) const;
  void check_inputs(std::span<const Tensor* const> xs, const char* what = nullptr);
  void load_inputs(std::span<const Tensor* const> xs);
  Training& training(const char* what) const;  // throws before compile()
  std::string name_;
  Graph graph_;
  Execution exec_;                      // the input slots, what a forward leaves for backward
  std::unique_ptr<Training> training_;  // what compile() set (model/internal/training.h)
};

}  // namespace minnow

#include "model/sequential.h"  // Sequential is a Model; model.h has always declared both
