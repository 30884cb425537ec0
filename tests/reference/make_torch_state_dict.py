#!/usr/bin/env python3
"""A PyTorch state_dict as .npz for minnow's load_pytorch_state_dict test (tests/tools/torch_state_dict_test.cpp).

    /usr/bin/python3 tests/reference/make_torch_state_dict.py            writes tests/reference/torch_small_cnn.npz
                                                                         and prints the numbers the test holds
    /usr/bin/python3 tests/reference/make_torch_state_dict.py FILE.npz   loads FILE.npz (e.g. written by minnow's
                                                                         save_pytorch_state_dict) into the same
                                                                         module with strict=True and prints its
                                                                         eval output on the same input

The model, with the minnow layer each module maps to:
    features.0  Conv2d(3, 4, 3, padding=1)   Conv2D(4, (3, 3), padding="same")   "conv"
    features.1  BatchNorm2d(4)               BatchNormalization(pytorch())        "bn_conv"
    features.2  ReLU                         Activation("relu")
    pool, flat  AdaptiveAvgPool2d(1),Flatten GlobalAveragePooling2D
    head.0      Linear(4, 5)                 Dense(5)                             "fc"
    head.1      BatchNorm1d(5)               BatchNormalization(pytorch())        "bn_fc"
It is seeded and trained for 3 SGD steps in train() mode, so that the running statistics and the
weights are not their initial values; the .npz holds every key of its state_dict, the int64
num_batches_tracked included. Numbers in the test were printed by torch 1.13.1 (Debian
python3-torch 1.13.1+dfsg-4, torch.__version__ 1.13.0a0), numpy 1.24.2, CPU, float32.
"""
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

torch.use_deterministic_algorithms(True)
HERE = os.path.dirname(os.path.abspath(__file__))


def fmt(a):
    return "{" + ", ".join("{:.9g}".format(float(v) + 0.0) for v in np.asarray(a, dtype=np.float64).ravel()) + "}"


def make_model():
    return nn.Sequential(OrderedDict([
        ("features", nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())),
        ("pool", nn.AdaptiveAvgPool2d(1)),
        ("flat", nn.Flatten()),
        ("head", nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5))),
    ]))


# The input the test feeds both: (2, 5, 5, 3) NHWC, i.e. (2, 3, 5, 5) NCHW for torch; normal
# values rounded to quarters, so that they print exactly.
X_NHWC = (np.round(np.random.default_rng(7).standard_normal((2, 5, 5, 3)) * 6) / 4).astype(np.float32)


def eval_output(model):
    model.eval()
    with torch.no_grad():
        return model(torch.tensor(X_NHWC).permute(0, 3, 1, 2).contiguous()).numpy()


def main():
    print("torch", torch.__version__, "numpy", np.__version__)
    if len(sys.argv) > 1:
        model = make_model()
        state = {k: torch.from_numpy(v) for k, v in np.load(sys.argv[1]).items()}
        print("load_state_dict(strict=True):", model.load_state_dict(state, strict=True))
        print("eval output", fmt(eval_output(model)))
        return
    torch.manual_seed(2024)
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for _ in range(3):
        x = torch.randn(6, 3, 5, 5) * 2.0 + 0.5
        target = torch.randn(6, 5)
        opt.zero_grad()
        nn.functional.mse_loss(model(x), target).backward()
        opt.step()
    state = model.state_dict()
    path = os.path.join(HERE, "torch_small_cnn.npz")
    np.savez(path, **{k: v.numpy() for k, v in state.items()})
    print("wrote", path)
    for k, v in state.items():
        print("  {:<32} {} {}".format(k, tuple(v.shape), str(v.dtype)))
    print("input NHWC", fmt(X_NHWC))
    print("eval output", fmt(eval_output(model)))
    print("bn_fc running_var (head.1.running_var)", fmt(state["head.1.running_var"]))
    print("conv weight[1, 2, 0, 2] (features.0.weight)", "{:.9g}".format(float(state["features.0.weight"][1, 2, 0, 2])))
    print("fc weight[3, 1] (head.0.weight)", "{:.9g}".format(float(state["head.0.weight"][3, 1])))


main()
