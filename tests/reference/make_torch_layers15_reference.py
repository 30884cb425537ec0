#!/usr/bin/env python3
"""Reference numbers TensorFlow.js 4.22 cannot give, appended to keras_layers15_reference.txt
(the records of make_keras_layers15_reference.js come first; same format, "<key>: v1 v2 ...").

- Keras 3's hard_sigmoid, relu6(x + 3) / 6: TF.js's 'hardSigmoid' is tf.keras 2.x's 0.2 x + 0.5.
  PyTorch's torch.nn.functional.hardsigmoid is the same function as Keras 3's.
- The ELU layer with alpha != 1: TF.js's ELU layer refuses any alpha but 1.
  torch.nn.functional.elu(x, alpha) is Keras' ELU(alpha).
- gelu, exact (activation.gelu.torch.*), in float64: in float32, 1 + erf(x / sqrt 2) cancels
  where x << 0 (erf near -1), so float32 gelu (PyTorch's and TF.js's alike) loses digits there:
  4e-5 relative at x = -3. TF.js's erf (Abramowitz and Stegun 7.1.26) adds an absolute error
  up to 1.5e-7. minnow computes x erfc(-x / sqrt 2) / 2, which keeps them.

Run (Debian 12's python3-torch, PyTorch 1.13.1, which reports 1.13.0a0; CPU, float32):
    NODE_PATH=/path/to/node_modules node make_keras_layers15_reference.js > keras_layers15_reference.txt
    /usr/bin/python3 make_torch_layers15_reference.py >> keras_layers15_reference.txt
It reads its inputs (activation.x, activation.g, image.x) from the file the first command wrote.
"""
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def records():
    out = {}
    with open(os.path.join(HERE, "keras_layers15_reference.txt")) as f:
        for line in f:
            key, _, values = line.partition(": ")
            out[key] = [float(v) for v in values.split()]
    return out


def put(key, t):
    print(f"{key}: " + " ".join(format(float(v), ".9g") for v in t.detach().reshape(-1).tolist()))


ref = records()
x = torch.tensor(ref["activation.x"], dtype=torch.float32, requires_grad=True)
g = torch.tensor(ref["activation.g"], dtype=torch.float32)
y = torch.nn.functional.hardsigmoid(x)
(y * g).sum().backward()
put("activation.hard_sigmoid.y", y)
put("activation.hard_sigmoid.dx", x.grad)

x64 = x.detach().double().requires_grad_(True)
y = torch.nn.functional.gelu(x64)
(y * g.double()).sum().backward()
put("activation.gelu.torch.y", y)
put("activation.gelu.torch.dx", x64.grad)

img = torch.tensor(ref["image.x"], dtype=torch.float32)
put("elu_0.5.y", torch.nn.functional.elu(img, alpha=0.5))
