// minnow: one include for the whole library (the target minnow::minnow), floor by floor as
// docs/design.md draws them. Installed, it is <minnow/minnow.h>.
// Left out on purpose: the kernels behind the layers (core/kernels/gemm.h, column_ops.h, matrix.h;
// threading.h, with set_num_threads, is in, and so are im2col.h and convolution.h), and the
// plotting module plot/ (its own target, minnow::plot, with libpng: include <minnow/plot/plot.h>).
// tests/core/umbrella_test.cpp checks the list.
#pragma once

// the foundation: tensors, weights, the Layer contract, the ops
#include "core/activations.h"
#include "core/error.h"
#include "core/initializers.h"
#include "core/kernels/convolution.h"
#include "core/kernels/im2col.h"
#include "core/kernels/threading.h"
#include "core/layer.h"
#include "core/layer_ref.h"
#include "core/mode.h"
#include "core/naming.h"
#include "core/ops.h"
#include "core/parameter.h"
#include "core/random.h"
#include "core/reduce.h"
#include "core/regularizers.h"
#include "core/shape.h"
#include "core/symbolic.h"
#include "core/tensor.h"
#include "core/version.h"

// the layers
#include "layers/activation.h"
#include "layers/add.h"
#include "layers/average.h"
#include "layers/average_pooling2d.h"
#include "layers/batch_normalization.h"
#include "layers/batch_normalization_options.h"
#include "layers/concatenate.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/elu.h"
#include "layers/flatten.h"
#include "layers/global_average_pooling2d.h"
#include "layers/global_max_pooling2d.h"
#include "layers/group_normalization.h"
#include "layers/input_layer.h"
#include "layers/layer_normalization.h"
#include "layers/leaky_relu.h"
#include "layers/max_pooling2d.h"
#include "layers/maximum.h"
#include "layers/merge.h"
#include "layers/multiply.h"
#include "layers/pooling2d.h"
#include "layers/prelu.h"
#include "layers/reshape.h"
#include "layers/softmax.h"
#include "layers/subtract.h"
#include "layers/up_sampling2d.h"
#include "layers/zero_padding2d.h"

// the optimizers
#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/nadam.h"
#include "optim/optimizer.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

// the model: the graph, training, losses, metrics, the summary, weight files, checkpoints
#include "model/callback.h"
#include "model/checkpoint.h"
#include "model/fit.h"
#include "model/graph_queries.h"
#include "model/losses.h"
#include "model/metrics.h"
#include "model/model.h"
#include "model/more_losses.h"
#include "model/more_metrics.h"
#include "model/progress.h"
#include "model/sequential.h"
#include "model/summary.h"
#include "model/weights_io.h"

// data and array files: IDX, .npy, .npz
#include "io/idx.h"
#include "io/npy.h"
#include "io/npz.h"

// the tools: tracing, folding, gradient checking, PyTorch state_dicts, the stepper
#include "tools/equations.h"
#include "tools/fold.h"
#include "tools/gradient_check.h"
#include "tools/stepper.h"
#include "tools/tensor_slice.h"
#include "tools/torch_state_dict.h"
#include "tools/trace.h"

// the callbacks fit calls at each step (Keras' keras.callbacks)
#include "callbacks/csv_logger.h"
#include "callbacks/early_stopping.h"
#include "callbacks/learning_rate_scheduler.h"
#include "callbacks/model_checkpoint.h"
#include "callbacks/monitor.h"
#include "callbacks/reduce_lr_on_plateau.h"
#include "callbacks/terminate_on_nan.h"
