// A roofline floor for minnow_bench: the least time a phase could take on this machine, from the
// work it must do (FLOPs at the run's sgemm rate) and the memory it must move (bytes at the run's
// STREAM triad bandwidth), whichever is larger. measured / floor says how far from the machine's
// limits a workload runs.
//
// The model, per layer with batch N (every count in floats of 4 bytes):
//   FLOPs     Dense and Conv2D multiply-adds x 2 (other layers count 0); a training step = 3 x forward
//   forward   reads its input and its parameters and writes its output once: in + out + params
//   backward  reads dy, its input and its weights, writes dx (not for the first layer, whose input
//             is the data) and the weight gradients: out + in + params + in + trainable
//   update    SGD reads w and g and writes w: 3 x trainable (momentum: + read/write v = 5);
//             Adam reads w, g, m, v and writes w, m, v: 7 x trainable
//   the loss's own bytes (read y_pred and y) are not counted: small beside the layers'.
// Minimum memory: every parameter, (training) their gradients and the optimizer's state, every
// layer's output for the batch and the input batch. It is also the working set that decides which
// bandwidth the bytes move at: a step whose minimum fits in L2 (or L3) moves them at that cache's.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "minnow.h"

namespace bench {

// Multiply-adds of one sample's forward pass through a Dense or Conv2D layer (0 for others).
inline double layer_macs_per_sample(const minnow::Layer& l) {
  if (const auto* d = dynamic_cast<const minnow::DenseLayer*>(&l))
    return double(d->input_shape()[1]) * double(d->options().units);
  if (const auto* c = dynamic_cast<const minnow::Conv2DLayer*>(&l)) {
    const minnow::Shape &in = c->input_shape(), &out = c->output_shape();
    return double(out[1]) * double(out[2]) * double(out[3]) * double(c->options().kernel_size[0]) *
           double(c->options().kernel_size[1]) * double(in[3]);
  }
  return 0;
}

// Multiply-adds of one sample's forward pass through the model's Dense and Conv2D layers.
inline double forward_macs_per_sample(const minnow::Model& model) {
  double macs = 0;
  for (const auto& l : model.layers()) macs += layer_macs_per_sample(*l);
  return macs;
}

// Floats an optimizer reads and writes per trainable parameter, and the state it keeps per one.
struct UpdateCost {
  double traffic = 3, state = 0;
};

inline UpdateCost update_cost(const minnow::Optimizer& opt) {
  if (dynamic_cast<const minnow::Adam*>(&opt)) return {7, 2};
  if (const auto* sgd = dynamic_cast<const minnow::SGD*>(&opt))
    return sgd->options().momentum > 0 ? UpdateCost{5, 1} : UpdateCost{3, 0};
  return {7, 2};  // other optimizers: assume Adam's two slots
}

// What one step (training or inference) of a model on a batch of N must do.
struct StepWork {
  double flops = 0;   // FLOPs
  double bytes = 0;   // bytes each layer must read and write once
  double min_mb = 0;  // memory it needs at least, MB
};

// Floats of one sample summed over a layer's inputs.
inline double input_floats(const minnow::Layer& l) {
  double n = 0;
  for (const auto& s : l.input_shapes()) n += double(s.num_elements_from(1));
  return n;
}

// The work of one step over the model's layers (the InputLayer moves nothing).
inline StepWork step_work(const minnow::Model& model, double batch, bool training, UpdateCost update) {
  StepWork w;
  double floats = 0, params_all = 0, trainable_all = 0;
  bool first = true;
  for (const auto& l : model.layers()) {
    if (l->class_name() == "InputLayer") continue;
    const double in = batch * input_floats(*l), out = batch * double(l->output_shape().num_elements_from(1));
    const double params = double(l->count_params()), trainable = double(l->count_trainable_params());
    floats += in + out + params;                                               // forward
    if (training) floats += out + in + params + (first ? 0 : in) + trainable;  // backward
    if (first) w.min_mb += batch * input_floats(*l);                           // the input batch
    w.min_mb += out;
    params_all += params, trainable_all += trainable, first = false;
  }
  if (training) floats += update.traffic * trainable_all;
  w.min_mb += params_all + (training ? (1 + update.state) * trainable_all : 0);
  w.min_mb *= 4 / 1e6;
  w.bytes = 4 * floats;
  w.flops = 2 * forward_macs_per_sample(model) * batch * (training ? 3 : 1);
  return w;
}

// The machine's ceilings, measured in the same run: the sgemm rate and the triad bandwidths of
// memory, L3 and L2 (bench/stream.h), with the caches' sizes.
struct Roof {
  double gflops = 0, dram_gbps = 0, l3_gbps = 0, l2_gbps = 0;
  double l3_mb = 0, l2_mb = 0;
  // The level holding a working set of `mb`: the smallest cache it fits in, else memory. A cache
  // without a measured bandwidth counts as memory; one measured slower than the level below it
  // (a busy shared machine) gets that level's bandwidth: a cache is never slower than memory.
  const char* level(double mb) const {
    if (mb <= l2_mb && l2_gbps > 0) return "l2";
    if (mb <= l3_mb && l3_gbps > 0) return "l3";
    return "dram";
  }
  double gbps(double mb) const {
    const std::string l = level(mb);
    const double l3 = std::max(l3_gbps, dram_gbps), l2 = std::max(l2_gbps, l3);
    return l == "l2" ? l2 : l == "l3" ? l3 : dram_gbps;
  }
};

// The floor of a phase that does `work` `steps` times: its FLOPs at the sgemm rate, its bytes at
// the bandwidth of the level that holds its working set (the phase's minimum memory).
struct Floor {
  double flops_ms = 0, bytes_ms = 0;
  const char* level = "dram";
  double ms() const { return std::max(flops_ms, bytes_ms); }
};

inline Floor floor_of(const StepWork& work, double steps, const Roof& roof) {
  Floor f;
  f.level = roof.level(work.min_mb);
  if (roof.gflops > 0) f.flops_ms = steps * work.flops / (roof.gflops * 1e9) * 1e3;
  if (roof.gbps(work.min_mb) > 0) f.bytes_ms = steps * work.bytes / (roof.gbps(work.min_mb) * 1e9) * 1e3;
  return f;
}

}  // namespace bench
