#include "tools/equations.h"

#include <map>

#include "layers/batch_normalization.h"
#include "model/losses.h"
#include "optim/optimizer.h"

namespace minnow {

namespace {

// The layers whose equations do not depend on how they ran, by class name.
const std::map<std::string, Equations> kFixedEquations = {
    {"InputLayer", {"layers/input_layer.h", {"the batch x itself, fed to the layers that read it"}, {}}},
    {"Dense",
     {"layers/dense.h",
      {"(F1)  z = x W + b                    x (N, in), W (in, units), b (units,), z (N, units)",
       "(F2)  y = activation(z)              y (N, units)"},
      {"(B1)  dz = dy * activation'(z)       from the cached y, or z for silu / gelu (core/activations.h)",
       "(B2)  dW = x^T dz                    (in, units)", "(B3)  db = sum over the batch of dz  (units,)",
       "(B4)  dx = dz W^T                    (N, in)"}}},
    {"Conv2D",
     {"layers/conv2d.h",
      {"(F1)  X = im2col(x)                  (N*OH*OW, KH*KW*C): row (n, oh, ow) is the input patch",
       "(F2)  Z = X K + b                    K as it lies is the (KH*KW*C, F) operand; Z (N*OH*OW, F)",
       "(F3)  y = activation(Z)"},
      {"(B1)  dZ = dY * activation'(Z)       from the cached y, or Z for silu / gelu",
       "(B2)  dK = X^T dZ                    (KH*KW*C, F)", "(B3)  db = column sums of dZ         (F,)",
       "(B4)  dX = dZ K^T                    (N*OH*OW, KH*KW*C)",
       "(B5)  dx = col2im(dX)                each patch gradient added back where the patch came from"}}},
    {"Conv2DTranspose",
     {"layers/conv2d_transpose.h",
      {"(F1)  P = X K^T                      (N*H*W, KH*KW*F): row (n, h, w) is the patch that pixel adds",
       "(F2)  Z = col2im(P) + b              each patch added where the Conv2D's window (h, w) lies;",
       "(F3)  y = activation(Z)"},
      {"(B1)  dZ = dY * activation'(Z)       from the cached y, or Z for silu / gelu",
       "(B2)  dK = D^T X                     (KH*KW*F, C), as K lies", "(B3)  db = column sums of dZ         (F,)",
       "(B4)  dX = D K                       (N*H*W, C): the Conv2D's forward pass on dZ"}}},
    {"Conv1D",
     {"layers/conv1d.h",
      {"(F1)  X = im2col(x)                  (N*OL, KE*C): row (n, ol) is the window x[n, ol*S - pad_left",
       "(F2)  Z = X Ke + b                   Ke (KE*C, F): K as it lies when d = 1; for d > 1, K with",
       "(F3)  y = activation(Z)              Z (N*OL, F) IS y's layout"},
      {"(B1)  dZ = dY * activation'(Z)       from the cached y, or Z for silu / gelu",
       "(B2)  dKe = X^T dZ,  dK[j] = dKe[j*d]  (KL, C, F): the taps between are not weights",
       "(B3)  db = column sums of dZ         (F,)",
       "(B4)  dx = col2im(dZ Ke^T)           (N, L, C): each window's gradient added back where it came"}}},
    {"Activation",
     {"layers/activation.h", {"(F1)  y = f(x)"}, {"(B1)  dx = dy * f'(x), written from the cached y (or x)"}}},
    {"ReLU",
     {"layers/activation.h",
      {"(F1)  y = max_value                      if x >= max_value",
       "      y = x                              if threshold <= x < max_value",
       "      y = negative_slope * (x - threshold) otherwise"},
      {"(B1)  dx = 0                             if x >= max_value",
       "      dx = dy                            if threshold < x < max_value",
       "      dx = negative_slope * dy           if x <= threshold"}}},
    {"Flatten",
     {"layers/flatten.h",
      {"(F1)  y = x, relabelled: the data is already contiguous in row-major (NHWC) order, so the",
       "      flattening order is Keras' channels_last order: index (h*W + w)*C + c"},
      {"(B1)  dx = dy, relabelled back to x's shape"}}},
    {"Reshape",
     {"layers/reshape.h",
      {"(F1)  y = x, relabelled: row-major (NHWC) order is kept, as NumPy's / TF's reshape"},
      {"(B1)  dx = dy, relabelled back to x's shape"}}},
    {"MaxPooling2D",
     {"layers/max_pooling2d.h",
      {"(F1)  y[n,oh,ow,c] = max of x[n,h,w,c] over the real cells (h, w) of window (oh, ow);",
       "(F2)  a[n,oh,ow,c] = the flat index in x of the cell that won. Ties go to the first cell in"},
      {"(B1)  dx = 0, then dx[a[n,oh,ow,c]] += dy[n,oh,ow,c]: each window's gradient goes to its"}}},
    {"MaxPooling1D",
     {"layers/max_pooling1d.h",
      {"(F1)  y[n,o,c] = max of x[n,l,c] over the real steps l of window o; padding counts as -inf,",
       "(F2)  a[n,o,c] = the flat index in x of the step that won; ties go to the first (leftmost)"},
      {"(B1)  dx = 0, then dx[a[n,o,c]] += dy[n,o,c]: each window's gradient goes to its maximum."}}},
    {"AveragePooling2D",
     {"layers/average_pooling2d.h",
      {"(F1)  y[n,oh,ow,:] = (1 / k[oh,ow]) * sum of x[n,h,w,:] over the real cells (h, w) of window (oh, ow)"},
      {"(B1)  dx = 0, then dx[n,h,w,:] += dy[n,oh,ow,:] / k[oh,ow] for every real cell (h, w) of"}}},
    {"GlobalAveragePooling2D",
     {"layers/global_average_pooling2d.h",
      {"(F1)  y[n,c] = (1 / (H*W)) * sum over h, w of x[n,h,w,c]"},
      {"(B1)  dx[n,h,w,c] = dy[n,c] / (H*W)          every position shares the gradient equally"}}},
    {"Softmax",
     {"layers/softmax.h",
      {"(F1)  y_k = exp(x_k - max_j x_j) / sum_j exp(x_j - max_j x_j)"},
      {"(B1)  dx_k = y_k * (dy_k - sum_j dy_j y_j)"}}},
    {"Add", {"layers/add.h", {"(F1)  y = x_1 + x_2 + ... + x_k"}, {"(B1)  dx_i = dy for every i"}}},
    {"Concatenate",
     {"layers/concatenate.h",
      {"(F1)  y[:, o_i : o_i + a_i*Q] = x_i             for each i"},
      {"(B1)  dx_i = dy[:, o_i : o_i + a_i*Q]           the gradient is split back"}}},
    {"LeakyReLU",
     {"layers/leaky_relu.h",
      {"(F1)  y = x        if x > 0", "      y = a * x    otherwise"},
      {"(B1)  dx = dy      if x > 0", "      dx = a * dy  otherwise"}}},
    {"PReLU",
     {"layers/prelu.h",
      {"(F1)  y[n,i] = x[n,i]              if x[n,i] > 0", "      y[n,i] = alpha[i] * x[n,i]   otherwise"},
      {"(B1)  dx[n,i] = dy[n,i]            if x[n,i] > 0", "      dx[n,i] = alpha[i] * dy[n,i] otherwise",
       "(B2)  dalpha[j] = sum over n and over the i that map to j of dy[n,i] * min(x[n,i], 0)"}}},
    {"ELU",
     {"layers/elu.h",
      {"(F1)  y = x                        if x > 0", "      y = alpha * (exp(x) - 1)     otherwise"},
      {"(B1)  dx = dy                      if x > 0", "      dx = dy * (y + alpha)        otherwise"}}},
    {"ZeroPadding2D",
     {"layers/zero_padding2d.h",
      {"(F1)  y[n, top + h, left + w, c] = x[n,h,w,c];   y = 0 on the border"},
      {"(B1)  dx[n,h,w,c] = dy[n, top + h, left + w, c]  the border's gradient goes nowhere"}}},
    {"UpSampling2D",
     {"layers/up_sampling2d.h",
      {"(F1)  y[n, h*SH + i, w*SW + j, c] = x[n,h,w,c]          for 0 <= i < SH, 0 <= j < SW"},
      {"(B1)  dx[n,h,w,c] = sum over 0 <= i < SH, 0 <= j < SW of dy[n, h*SH + i, w*SW + j, c]"}}},
    {"GlobalMaxPooling2D",
     {"layers/global_max_pooling2d.h",
      {"(F1)  y[n,c] = max over h, w of x[n,h,w,c]",
       "(F2)  k[n,c] = the number of positions (h, w) where x[n,h,w,c] = y[n,c] (1 without ties)"},
      {"(B1)  dx[n,h,w,c] = dy[n,c] / k[n,c]   where x[n,h,w,c] = y[n,c]",
       "      dx[n,h,w,c] = 0                  elsewhere"}}},
    {"Multiply",
     {"layers/multiply.h",
      {"(F1)  y = x_1 * x_2 * ... * x_k"},
      {"(B1)  dx_i = dy * (the product of every x_j but x_i)      the product rule"}}},
    {"Subtract", {"layers/subtract.h", {"(F1)  y = x_1 - x_2"}, {"(B1)  dx_1 = dy,   dx_2 = -dy"}}},
    {"Average", {"layers/average.h", {"(F1)  y = (x_1 + x_2 + ... + x_k) / k"}, {"(B1)  dx_i = dy / k for every i"}}},
    {"Maximum",
     {"layers/maximum.h",
      {"(F1)  y = max(x_1, x_2, ..., x_k)",
       "(F2)  w = the index i of the input that holds the maximum; ties go to the first (lowest i)"},
      {"(B1)  dx_i = dy where w = i, else 0       the gradient goes to the winner only"}}},
    {"Embedding",
     {"layers/embedding.h",
      {"(F1)  y[n,t,:] = E[x[n,t], :]                     row x[n,t] of the table"},
      {"(B1)  dE = 0, then dE[x[n,t], :] += dy[n,t,:]     every occurrence of a token adds its gradient",
       "(B2)  dx = 0                                      y is flat in x between whole numbers"}}},
    {"LayerNormalization",
     {"layers/layer_normalization.h",
      {"(F1)  mu = (1/m) sum_A x,  var = (1/m) sum_A (x - mu)^2       biased; ops.h moments",
       "(F2)  x_hat = (x - mu) / sqrt(var + epsilon)                   ops.h batch_normalization",
       "(F3)  y = gamma * x_hat + beta"},
      {"(B1)  dbeta  = sum_rest dy", "(B2)  dgamma = sum_rest dy * x_hat",
       "(B3)  g = gamma * dy;   dx = k / m * (m * g - sum_A g - x_hat * sum_A (g * x_hat))"}}},
    {"GroupNormalization",
     {"layers/group_normalization.h",
      {"(F1)  mu = (1/m) sum x_g,  var = (1/m) sum (x_g - mu)^2 over the axes R (all but n and g)",
       "(F2)  x_hat = (x_g - mu) / sqrt(var + epsilon)                  ops.h batch_normalization",
       "(F3)  y = gamma_c * x_hat + beta_c                              per channel c, as in BN"},
      {"(B1)  dbeta  = sum_rest dy                    (C,)", "(B2)  dgamma = sum_rest dy * x_hat            (C,)",
       "(B3)  g = gamma_c * dy;   dx = k / m * (m * g - sum_R g - x_hat * sum_R (g * x_hat))"}}},
};

Equations batch_normalization_equations(const BatchNormalizationLayer& bn) {
  Equations e{"layers/batch_normalization.h", {}, {}};
  if (bn.used_batch_statistics())
    e.forward = {"(F1)  mu_c = (1/m) sum x,  var_c = (1/m) sum (x - mu_c)^2           biased; ops.h moments",
                 "(F2)  x_hat = (x - mu_c) / sqrt(var_c + epsilon)                     column_ops normalize_columns",
                 "(F3)  y = gamma_c * x_hat + beta_c"};
  else e.forward = {"(I1)  x_hat = (x - moving_mean) / sqrt(moving_variance + epsilon);  y = gamma * x_hat + beta"};
  if (bn.updated_moving_statistics()) {
    e.forward.emplace_back("(F4)  moving_mean     <- (1 - w_new) * moving_mean     + w_new * mu_c");
    e.forward.emplace_back("      moving_variance <- (1 - w_new) * moving_variance + w_new * v_c");
  }
  e.backward = {"(B1)  dbeta  = sum dy                          only while beta is trainable",
                "(B2)  dgamma = sum dy * x_hat                  only while gamma is trainable"};
  e.backward.emplace_back(
      bn.used_batch_statistics()
          ? "(B3)  batch statistics: dx = gamma * k / m * (m * dy - sum dy - x_hat * sum(dy * x_hat))"
          : "(B4)  moving statistics: dx = gamma * k * dy   (mu, var are constants there)");
  return e;
}

Equations dropout_equations(const Layer& dropout) {
  if (dropout.last_mode() == Mode::Training)
    return {"layers/dropout.h",
            {"(F1)  u ~ U[0, 1) per element, from the layer's seeded generator: a new mask every forward",
             "(F2)  m = 1 / (1 - rate) where u >= rate, else 0          (tf.nn.dropout keeps u >= rate)",
             "(F3)  y = m * x"},
            {"(B1)  after a training forward:  dx = m * dy        (m is a constant of the forward)"}};
  return {"layers/dropout.h", {"(I1)  y = x"}, {"(B2)  after an inference forward: dx = dy"}};
}

}  // namespace

Equations layer_equations(const Layer& layer) {
  if (const auto* bn = dynamic_cast<const BatchNormalizationLayer*>(&layer)) return batch_normalization_equations(*bn);
  if (layer.class_name() == "Dropout") return dropout_equations(layer);
  const auto it = kFixedEquations.find(layer.class_name());
  return it == kFixedEquations.end() ? Equations{} : it->second;
}

Equations loss_equations(const Loss& loss) {
  const std::string n = loss.name();
  const bool logits = loss.from_logits();
  Equations e{"model/losses.h", {}, {}};
  if (n == "mean_squared_error")
    e.forward = {"(F1)  L = 1/S sum_i (p_i - y_i)^2"}, e.backward = {"(B1)  dL/dp_i = 2 (p_i - y_i) / S"};
  else if (n == "binary_crossentropy" && !logits)
    e.forward = {"(F2)  L = -1/S sum_i [ y_i log(c_i + eps) + (1 - y_i) log(1 - c_i + eps) ],  c = clip(p)"},
    e.backward = {"(B2)  dL/dp_i = 1/S [ -y_i / (c_i + eps) + (1 - y_i) / (1 - c_i + eps) ]   (0 where clipped)"};
  else if (n == "binary_crossentropy")
    e.forward = {"(F3)  L = 1/S sum_i [ max(z_i, 0) - z_i y_i + log(1 + exp(-|z_i|)) ]"},
    e.backward = {"(B3)  dL/dz_i = (sigmoid(z_i) - y_i) / S"};
  else if (n == "categorical_crossentropy" && !logits)
    e.forward = {"(F4)  q_k = p_k / s,  s = sum_j p_j;   L = -1/R sum_rows sum_k y_k log(clip(q_k))"},
    e.backward = {"(B4)  g_k = -y_k / clip(q_k) (0 where clipped);  dL/dp_k = 1/R (g_k - sum_j g_j q_j) / s"};
  else if (n == "categorical_crossentropy")
    e.forward = {"(F5)  L = 1/R sum_rows [ sum_k y_k (lse(z) - z_k) ]"},
    e.backward = {"(B5)  dL/dz_k = 1/R (softmax(z)_k sum_j y_j - y_k)"};
  else if (n == "sparse_categorical_crossentropy" && !logits)
    e.forward = {"(F6)  L = 1/R sum_rows [ log(sum_j c_j) - log(c_t) ],   c = clip(p)"},
    e.backward = {"(B6)  dL/dp_k = 1/R (1 / sum_j c_j - [k = t] / c_t)    (0 where clipped)"};
  else if (n == "sparse_categorical_crossentropy")
    e.forward = {"(F7)  L = 1/R sum_rows [ lse(z) - z_t ]"},
    e.backward = {"(B7)  dL/dz_k = 1/R (softmax(z)_k - [k = t])"};
  else e.source.clear();
  return e;
}

Equations optimizer_equations(const Optimizer& optimizer) {
  const std::string n = optimizer.name();
  if (n == "SGD")
    return {"optim/sgd.h",
            {"(U1)  w <- w - lr g                          momentum = 0",
             "(U2)  v <- mu v - lr g                       momentum > 0; slot \"momentum\" (v), zero at start",
             "(U3)  w <- w + v                             nesterov = false",
             "(U4)  w <- w + mu v - lr g                   nesterov = true (v the new velocity of (U2))"},
            {}};
  if (n == "Adam" || n == "AdamW")
    return {
        "optim/adam.h",
        {"(U0)  w <- w - lr lambda w                                 lambda = weight_decay",
         "(U1)  alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)      both bias corrections folded into lr",
         "(U2)  m <- m + (g - m)(1 - beta_1)                         slot \"momentum\":  = beta_1 m + (1 - beta_1) g",
         "(U3)  v <- v + (g^2 - v)(1 - beta_2)                       slot \"velocity\":  = beta_2 v + (1 - beta_2) g^2",
         "(U5)  w <- w - alpha m / (sqrt(v) + eps)"},
        {}};
  if (n == "RMSprop")
    return {"optim/rmsprop.h",
            {"(U1)  v <- rho v + (1 - rho) g^2                  slot \"velocity\"",
             "(U3)  d = lr g / sqrt(v - a^2 + eps)              centered: v - a^2 estimates the variance of g",
             "      d = lr g / sqrt(v + eps)                    otherwise (eps inside the square root)",
             "(U4)  m <- momentum m + d,  w <- w - m            momentum > 0; slot \"momentum\"",
             "(U5)  w <- w - d                                  momentum = 0"},
            {}};
  return {};
}

}  // namespace minnow
