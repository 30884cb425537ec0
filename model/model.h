// Model and Sequential: a graph of layers, run forward in topological order and backward in
// reverse, as Keras' functional API and Sequential.
//
//   auto inputs = Input({30});
//   auto x = Dense(50)(inputs);
//   auto bn = BatchNormalization()(x);
//   auto outputs = Dense(5)(bn);
//   Model model(inputs, outputs);
//   model.summary(std::cout);
//
// The graph is a DAG: a tensor may feed several layers (their gradients are summed in
// backward). Each layer is used once per model. Layers are listed as Keras lists them: by
// depth from the inputs, ties in the order the graph was walked from the outputs.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/layer.h"

namespace minnow {

class BatchNormalizationLayer;
class Loss;
class Metric;
class Optimizer;
class ProgressBar;
struct SummaryOptions;

// (epoch counted from 0, the current learning rate) -> the learning rate for that epoch.
using LearningRateSchedule = std::function<double(long epoch, double lr)>;

// fit()'s options, with Keras' names and defaults.

struct FitOptions {
  long epochs = 1;
  long batch_size = 32;
  double validation_split = 0.0;         // the last fraction of x, y held out (before shuffling)
  const Tensor* validation_x = nullptr;  // or explicit validation data (takes precedence)
  const Tensor* validation_y = nullptr;
  bool shuffle = true;          // reshuffle the training samples every epoch...
  std::uint64_t seed = 0;       // ...with this seed
  int verbose = 1;              // 0 no progress, 1 progress bar, 2 one line per epoch
  bool check_inputs = true;     // before training, reject NaN / infinity in x and y and
                                // targets the loss refuses (labels out of range), in the
                                // training and the validation data
  std::ostream* out = nullptr;  // where the progress and fit's warnings go (default std::cout)
  // Keras' LearningRateScheduler: before each epoch (0-based), the optimizer's learning rate
  // becomes schedule(epoch, current rate); History records it under "lr". Empty: unchanged.
  LearningRateSchedule learning_rate_schedule = nullptr;
};

// What fit() returns: per-epoch values, keyed as Keras' History.history ("loss", "accuracy",
// "val_loss", "val_accuracy").
struct History {
  std::map<std::string, std::vector<double>> history;
  std::vector<double> seconds_per_epoch;
};

using Logs = std::map<std::string, double>;  // "loss" -> 0.4521, "accuracy" -> 0.8412

class Model {
 public:
  Model(const SymbolicTensor& input, const SymbolicTensor& output, const std::string& name = "");
  Model(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs,
        const std::string& name = "");
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const std::string& name() const { return name_; }
  // The layers in Keras' order (a functional model lists its InputLayers; a Sequential does not).
  const std::vector<std::shared_ptr<Layer>>& layers() const;
  Layer& get_layer(const std::string& name) const;
  const std::vector<SymbolicTensor>& inputs() const { return inputs_; }
  const std::vector<SymbolicTensor>& outputs() const { return outputs_; }
  // The call (node) of `layer` that this model runs (a layer may also belong to other models).
  const Node& node_of(const Layer& layer) const;

  // ---- computing ----
  // Runs every layer in order on a batch; the result stays valid until the next forward.
  const Tensor& forward(const Tensor& x, Mode mode);
  std::vector<const Tensor*> forward(const std::vector<const Tensor*>& xs, Mode mode);
  // Given dL/dy for the output(s) of the last forward, runs every layer's backward in reverse
  // order (assigning weight gradients) and returns dL/dx for the input(s).
  // With input_gradients = false, dL/dx for the model's inputs is not computed (training needs
  // only the weight gradients: the first layers then skip their dL/dx) and the result is empty.
  const Tensor& backward(const Tensor& dy, bool input_gradients = true);
  std::vector<const Tensor*> backward(const std::vector<const Tensor*>& dys);

  // ---- training (model/fit.cpp) ----
  // Keras' compile: the optimizer, the loss, and metrics (only "accuracy" / "acc" so far: the
  // variant that fits the loss, as Keras picks it).
  void compile(std::shared_ptr<Optimizer> optimizer, std::shared_ptr<Loss> loss,
               const std::vector<std::string>& metrics = {});
  void compile(const std::string& optimizer, const std::string& loss, const std::vector<std::string>& metrics = {});
  // Trains for options.epochs epochs on mini-batches of (x, y); x's first axis is the sample.
  History fit(const Tensor& x, const Tensor& y, const FitOptions& options = {});
  // Loss and metrics over (x, y) in inference mode, in batches.
  Logs evaluate(const Tensor& x, const Tensor& y, long batch_size = 32, int verbose = 0, std::ostream* out = nullptr);
  // The model's output for x in inference mode, in batches.
  Tensor predict(const Tensor& x, long batch_size = 32);
  // One optimizer step on one batch (training mode); returns the batch's loss and metrics.
  Logs train_on_batch(const Tensor& x, const Tensor& y);
  // The batch's loss and metrics in inference mode, without any update.
  Logs test_on_batch(const Tensor& x, const Tensor& y);
  Optimizer& optimizer() const;
  const Loss& loss() const;

  // ---- weights on disk (model/weights_io.h: an .npz keyed "layer/weight") ----
  void save_weights(const std::string& path) const;
  void load_weights(const std::string& path);

  // ---- weights ----
  std::vector<Parameter*> weights() const;
  std::vector<Parameter*> trainable_weights() const;
  std::vector<Parameter*> non_trainable_weights() const;
  long count_params() const;
  // Keras' get_weights / set_weights: copies of every weight's value, in weights() order.
  // set_weights checks the count and every shape first: a mismatch is a ShapeError naming the
  // weight and both shapes, and no weight changes.
  std::vector<Tensor> get_weights() const;
  void set_weights(const std::vector<Tensor>& values);
  // Keras' model.trainable: freezes or unfreezes every layer.
  void set_trainable(bool trainable);

  // ---- summary (model/summary.h) ----
  std::string summary() const;
  void summary(std::ostream& out) const;
  // With options: SummaryOptions{.show_weights = true} lists every weight under its layer.
  std::string summary(const SummaryOptions& options) const;
  void summary(std::ostream& out, const SummaryOptions& options) const;
  // Keras' rule for the narrow layout: one layer per depth, one input per layer.
  bool is_sequential_like() const;

 protected:
  // For Sequential: a model named after `prefix` whose graph comes later.
  struct Deferred {};
  Model(Deferred, const std::string& prefix, const std::string& name);
  void set_graph(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs);
  void require_graph() const;
  // Called by forward before it runs: a Sequential without an input shape builds itself here.
  virtual void prepare(const std::vector<const Tensor*>& xs);
  bool has_graph_ = false;
  bool list_inputs_ = true;  // false for Sequential: its InputLayer is not one of its layers

 private:
  // One call of a layer, in execution order; slots index the model's tensors.
  struct Step {
    std::shared_ptr<Layer> layer;
    int node_index = 0;
    std::vector<int> input_slots;
    int output_slot = 0;
    int depth = 0;
  };

  std::string name_;
  std::vector<SymbolicTensor> inputs_, outputs_;
  std::vector<Step> steps_;                                // every non-input node, topologically sorted
  std::vector<std::shared_ptr<Layer>> layers_;             // Keras' model.layers
  std::vector<std::pair<const Layer*, int>> layer_nodes_;  // each layer's node in this model
  std::vector<int> input_slots_, output_slots_;
  void run_forward(std::span<const Tensor* const> xs, Mode mode);
  void forward_copy(std::span<const Tensor* const> xs, Mode mode);
  // forward without copying x: for fit() and friends, which keep x alive until backward.
  const Tensor& forward_borrowed(const Tensor& x, Mode mode);
  std::vector<Tensor> owned_inputs_;  // the public forward's copy of the batch
  std::vector<const Tensor*> owned_pointers_;
  void run_backward(std::span<const Tensor* const> dys, bool input_gradients);
  std::vector<const Tensor*> values_;       // per slot, during forward
  std::vector<const Tensor*> step_inputs_;  // scratch for one step's inputs
  std::vector<Tensor> grads_;               // per slot, during backward: sums (fan-out) and input gradients
  std::vector<const Tensor*> grad_of_;      // per slot: where its gradient is (a layer's dx or grads_)
  std::vector<bool> grad_set_;
  std::vector<bool> is_input_slot_;
  Tensor no_gradient_;                         // what backward returns without input gradients
  std::vector<std::uint64_t> forward_counts_;  // per step: its layer's forward_count() after our forward
  bool has_forward_ = false;
  friend class GraphBuilder;

  // Training state (model/fit.cpp).
  struct StepResult {
    double loss;
    long samples;
  };
  void require_compiled(const char* what) const;
  void prepare_training();
  // Before fit trains: x's sample shape fits the input; y fits the loss (shape, label range).
  void check_sample_shape(const char* what, const Tensor& x) const;
  void check_targets(const Tensor& y) const;
  StepResult train_step(const Tensor& x, const Tensor& y, long epoch, long step);
  // fit's named steps.
  void check_fit_arguments(const Tensor& x, const Tensor& y, const FitOptions& opt) const;
  long split_validation(const Tensor& x, const Tensor& y, const FitOptions& opt, Tensor& val_x, Tensor& val_y) const;
  void schedule_learning_rate(const FitOptions& opt, long epoch);
  double train_epoch(const Tensor& x, const Tensor& y, const std::vector<long>& idx, long n, long epoch,
                     const FitOptions& opt, ProgressBar& bar);
  void warn_one_sample(ProgressBar& bar, long epoch, long step, long steps);
  bool warned_one_sample_ = false;
  StepResult test_step(const Tensor& x, const Tensor& y);
  Logs logs(double loss_mean) const;
  std::shared_ptr<Optimizer> optimizer_;
  std::shared_ptr<Loss> loss_;
  std::vector<std::shared_ptr<Metric>> metrics_;
  Tensor loss_grad_;                      // dL/dy of the last training step
  std::vector<Parameter*> moving_state_;  // non-trainable weights a forward may change
  std::vector<Tensor> moving_backup_;     // their values before the current step
  std::vector<Parameter*> train_params_;  // the trainable weights, fixed for a fit() call
  std::vector<Tensor> weights_backup_;    // their values before the current step
  // fit's BatchNormalization warnings: per layer, how many times this model's training steps have
  // updated its moving statistics (F4) since they held their initial values (known = false when
  // they did not: loaded, set by hand or moved by another model; then nothing is said), and the
  // moving mean as this model's training left it (to notice a change from outside).
  struct MovingStatistics {
    long updates = 0;
    bool known = true;
    Tensor last_mean;
  };
  std::map<const Layer*, MovingStatistics> moving_statistics_;
  std::vector<std::pair<BatchNormalizationLayer*, MovingStatistics*>> batch_norms_;  // this model's
  void track_moving_statistics();  // prepare_training: finds this model's BatchNormalizations
  void count_moving_updates();     // after a training step
  void remember_moving_means();    // after training
  // The warning after fit when a BatchNormalization's moving statistics have seen too few
  // updates to forget their initial values; empty when none has.
  std::string moving_statistics_warning() const;
};

class Sequential : public Model {
 public:
  explicit Sequential(const std::string& name = "");
  Sequential(const std::vector<LayerRef<Layer>>& layers, const std::string& name = "");

  // Appends a layer; the first element may also be an Input(...) that fixes the input shape.
  void add(const LayerRef<Layer>& layer);
  void add(const SymbolicTensor& input);
  // Builds a model whose input shape was not given (shape with or without the batch axis as None).
  void build(const Shape& input_shape);
  bool built() const { return has_graph_; }

 private:
  void prepare(const std::vector<const Tensor*>& xs) override;
  void connect(const std::shared_ptr<Layer>& layer);
  SymbolicTensor input_, output_;
  std::vector<std::shared_ptr<Layer>> pending_;  // added before the input shape was known
};

}  // namespace minnow
