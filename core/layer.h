// Layer: the base of every layer, with Caffe's non-virtual interface.
//
// The public methods (build, forward, backward, weights, set_trainable) do every shape and
// call-order check and build every error message; then they call the private virtual *_impl
// hooks, so a layer's .cpp holds only its math:
//   build_impl(input_shape)        creates the weights (add_weight) and returns the output shape
//   forward_impl(x, y, mode)       writes y, caches what backward needs; changes non-trainable
//                                  state (moving statistics) only in Mode::Training
//   backward_impl(dy, dx)          ASSIGNS each trainable weight's grad for this batch and writes
//                                  dx = dL/dx. Layers never divide by the batch size: the loss
//                                  returns the batch mean, so its gradient already carries 1/N.
//                                  It may read the inputs of the last forward (input(), shared
//                                  with the caller, no copy); may skip dx when !input_gradients_needed().
// Layers with several inputs (Add, Concatenate) override the *_multi_impl hooks instead. Layers
// whose y is x relabelled (Flatten, Reshape) return views_input(): y and dx are views, never resized.
// Calling a layer on a SymbolicTensor records a Node of the functional API (core/symbolic.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/initializers.h"
#include "core/mode.h"
#include "core/parameter.h"
#include "core/symbolic.h"
#include "core/tensor.h"

namespace minnow {

class Layer : public std::enable_shared_from_this<Layer> {
 public:
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;
  const std::string& name() const { return name_; }
  const std::string& class_name() const { return class_name_; }
  std::string describe() const;                  // "Dense 'dense'": how messages name this layer
  virtual std::shared_ptr<Layer> clone() const;  // a new, unbuilt layer: same class, options, name
  // A call instance: a clone built for `input_shapes` whose weights ARE this layer's Parameters
  // (and whose trainable() is this layer's). A model runs one per further call of a shared layer.
  std::shared_ptr<Layer> call_instance(const std::vector<Shape>& input_shapes);
  // ---- the functional API ----
  SymbolicTensor operator()(const SymbolicTensor& x);
  SymbolicTensor operator()(const std::vector<SymbolicTensor>& xs);
  const std::vector<Node>& inbound_nodes() const { return nodes_; }
  // ---- shapes (the batch axis is Shape::kNone) ----
  void build(const std::vector<Shape>& input_shapes);
  void build(const Shape& input_shape) { build(std::vector<Shape>{input_shape}); }
  bool built() const { return built_; }
  const std::vector<Shape>& input_shapes() const { return input_shapes_; }
  const Shape& input_shape() const;  // of a single-input layer
  const Shape& output_shape() const;
  // ---- computing ----
  // Runs the layer on a batch; builds it from the input's shape on the first call. The layer
  // shares x's values for its backward (no copy): a write into x before backward is seen there.
  const Tensor& forward(const Tensor& x, Mode mode);
  const Tensor& forward(const std::vector<const Tensor*>& xs, Mode mode);
  // Given dL/dy for the last forward, assigns the weight gradients and returns dL/dx. With
  // input_gradients = false the caller does not need dL/dx: the layer may skip it.
  const Tensor& backward(const Tensor& dy, bool input_gradients = true);
  const std::vector<Tensor>& input_gradients() const { return dx_; }  // dL/dx_i, one per input
  const Tensor& output() const { return y_; }
  Mode last_mode() const { return last_mode_; }
  std::uint64_t forward_count() const { return forward_count_; }  // forwards run so far, anywhere
  // ---- weights ----
  std::vector<Parameter*> weights();
  std::vector<const Parameter*> weights() const;
  std::vector<Parameter*> trainable_weights();
  std::vector<Parameter*> non_trainable_weights();
  Parameter& weight(const std::string& name);  // throws UsageError when absent
  // Keras' get_weights / set_weights (copies, weights() order); a mismatch is a ShapeError, no change.
  std::vector<Tensor> get_weights() const;
  void set_weights(const std::vector<Tensor>& values);
  long count_params() const;
  long count_trainable_params() const;
  bool trainable() const { return owner_ ? owner_->trainable() : trainable_; }
  void set_trainable(bool trainable);  // Keras' layer.trainable: false freezes every weight (and BN's statistics)

 protected:
  Layer(std::string class_name, const std::string& name);  // "": snake_case(class_name)_N
  Parameter& add_weight(const std::string& name, const Shape& shape, const Initializer& init, bool trainable);

  const Tensor& input(size_t i = 0) const { return inputs_.at(i); }        // of the last forward
  bool input_gradients_needed() const { return input_gradients_needed_; }  // false: dx may stay unwritten
  virtual bool views_input() const { return false; }
  virtual Shape build_impl(const Shape& input_shape) = 0;
  virtual void forward_impl(const Tensor& x, Tensor& y, Mode mode) = 0;
  virtual void backward_impl(const Tensor& dy, Tensor& dx) = 0;
  // Multi-input layers return 2 or more (-1: any number >= 2) and override these three.
  virtual int expected_inputs() const { return 1; }
  virtual Shape build_multi_impl(const std::vector<Shape>& input_shapes);
  virtual void forward_multi_impl(const std::vector<const Tensor*>& xs, Tensor& y, Mode mode);
  virtual void backward_multi_impl(const Tensor& dy, std::vector<Tensor>& dxs);

 private:
  void check_input_count(size_t n) const;
  void check_forward_inputs(std::span<const Tensor* const> xs) const;
  const Tensor& run_forward(std::span<const Tensor* const> xs, Mode mode);
  std::string class_name_, name_;
  bool trainable_ = true, built_ = false, has_forward_ = false, input_gradients_needed_ = true;
  std::uint64_t forward_count_ = 0;
  Mode last_mode_ = Mode::Inference;
  std::vector<Shape> input_shapes_;
  Shape output_shape_;
  std::vector<std::unique_ptr<Parameter>> owned_;  // stable addresses: optimizers key on them
  std::vector<Parameter*> params_;                 // owned_, or the owner's for a call instance
  std::shared_ptr<Layer> owner_;                   // set for a call instance
  std::vector<Node> nodes_;
  std::vector<Tensor> inputs_;             // the inputs of the last forward, shared
  std::vector<const Tensor*> input_ptrs_;  // pointers to them, for the *_multi_impl hooks
  Tensor y_;                               // output of the last forward
  std::vector<Tensor> dx_;                 // input gradients of the last backward
};

}  // namespace minnow

#include "core/layer_ref.h"  // LayerRef, the handle the layer factories return
