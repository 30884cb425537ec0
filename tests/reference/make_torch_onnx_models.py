#!/usr/bin/python3
"""PyTorch models exported with torch.onnx.export, for load_onnx's tests (tests/onnx/onnx_torch_test.cpp).

Run by hand from the repository's root, with Debian's python3-torch (torch 1.13.1; torch.__version__
reports 1.13.0a0) and numpy:
    /usr/bin/python3 -P tests/reference/make_torch_onnx_models.py
It writes, for each model NAME, tests/reference/onnx/torch_NAME.onnx (exported in eval mode,
opset 13, or 17 for LayerNorm, with a dynamic batch axis; "cnn" with TrainingMode.PRESERVE so that
its BatchNorm2d stays a node of its own, the others with the default, which folds a BatchNorm2d
into its Conv) and torch_NAME.npz holding "input" (torch's
layout: NCHW for images) and "output" (torch's output for that input, float32). Every
BatchNorm has running statistics far from 0 and 1 (set by a few training-mode forwards on shifted
data) and every weight comes from torch.manual_seed(0), so the files are reproducible.
"""
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx")


class MatMulAdd(nn.Module):
    """x @ W + b written out, which the exporter writes as MatMul then Add (nn.Linear gives Gemm)."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out) * 0.3)
        self.bias = nn.Parameter(torch.randn(n_out) * 0.3)

    def forward(self, x):
        return torch.matmul(x, self.weight) + self.bias


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))

    def forward(self, x):
        x = self.stem(x)
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.head(torch.relu(x + y))


class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 1)
        self.b = nn.Conv2d(3, 6, 3, padding=1)
        self.head = nn.Sequential(nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(10 * 4 * 4, 3), nn.Softmax(dim=1))

    def forward(self, x):
        return self.head(torch.cat([self.a(x), self.b(x)], dim=1))


class Gates(nn.Module):
    """Products, differences and maxima of two branches, then a strided Conv padded on every side
    and an AvgPool2d counting its padding (each read back as ZeroPadding2D before the layer),
    upsampling, PReLU, ELU and a global max pooling."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3, padding=1)
        self.b = nn.Conv2d(3, 4, 1)
        self.down = nn.Conv2d(4, 6, 3, stride=2, padding=1)
        self.prelu = nn.PReLU(6)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.avg = nn.AvgPool2d(3, stride=2, padding=1)  # count_include_pad=True, torch's default
        self.elu = nn.ELU(0.5)
        self.head = nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(6, 4), nn.SELU(), nn.Linear(4, 3),
                                  nn.Hardsigmoid())

    def forward(self, x):
        p, q = self.a(x), self.b(x)
        y = torch.maximum(p * q, p - q)
        y = self.prelu(self.down(y))  # (nn.ZeroPad2d computes its pads in a subgraph load_onnx does not read)
        return self.head(self.elu(self.avg(self.up(y))))


def models():
    """name -> (a function making the model, the input's shape, the opset)."""
    return {
        "mlp": (lambda: nn.Sequential(nn.Linear(10, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 4),
                              nn.Softmax(dim=1)), (5, 10), 13),
        "cnn": (lambda: nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(8, 16, 5, padding=2), nn.ReLU6(), nn.AvgPool2d(2), nn.Flatten(),
                              nn.Linear(16 * 2 * 2, 10)), (4, 3, 8, 8), 13, "preserve"),
        "strided": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(4, 6, 2, stride=2),
                                  nn.Sigmoid(), nn.Flatten(), nn.Linear(6 * 2 * 2, 3), nn.Tanh()), (3, 3, 9, 9), 13),
        "strided_even": (lambda: nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(),
                                       nn.Linear(4 * 4 * 4, 2)), (2, 3, 8, 8), 13),
        "residual": (Residual, (2, 3, 6, 6), 13),
        "branches": (Branches, (2, 3, 8, 8), 13),
        "matmul": (lambda: nn.Sequential(MatMulAdd(6, 8), nn.LeakyReLU(0.1), nn.Linear(8, 2)), (4, 6), 13),
        "maxpool_padded": (lambda: nn.Sequential(nn.MaxPool2d(3, stride=2, padding=1), nn.Flatten()), (2, 3, 8, 8), 13),
        "gates": (Gates, (2, 3, 8, 8), 13),
        "activations": (lambda: nn.Sequential(nn.Linear(6, 8), nn.Softplus(), nn.Linear(8, 8), nn.LeakyReLU(0.01),
                                      nn.Linear(8, 4), nn.ELU(), nn.Linear(4, 3), nn.Hardsigmoid()), (4, 6), 13),
        "layernorm": (lambda: nn.Sequential(nn.Linear(6, 16), nn.LayerNorm(16), nn.Tanh(), nn.Linear(16, 3)), (4, 6), 17),
    }


def give_running_statistics(model, shape):
    """A few training-mode forwards on shifted, scaled data: running stats far from 0 and 1."""
    model.train()
    with torch.no_grad():
        for _ in range(5):
            model(torch.randn(*shape) * 2.0 + 0.7)
    model.eval()


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (make, shape, opset, *mode) in models().items():
        torch.manual_seed(0)
        model = make()
        with torch.no_grad():
            for module in model.modules():
                for pname, p in module.named_parameters(recurse=False):
                    norm = isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm)) and pname == "weight"
                    p.copy_(torch.randn_like(p) * 0.3 + (1.0 if norm else 0.0))  # gamma near 1
        give_running_statistics(model, shape)
        x = torch.randn(*shape)
        with torch.no_grad():
            y = model(x)
        path = os.path.join(OUT, f"torch_{name}.onnx")
        # The default (TrainingMode.EVAL) folds a BatchNorm2d into the Conv before it; PRESERVE keeps
        # it as a BatchNormalization node (in inference form, the model being in eval mode).
        training = torch.onnx.TrainingMode.PRESERVE if mode else torch.onnx.TrainingMode.EVAL
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True,
                          training=training)
        np.savez(os.path.join(OUT, f"torch_{name}.npz"), input=x.numpy().astype(np.float32),
                 output=y.numpy().astype(np.float32))
        print(f"{name}: input {tuple(x.shape)} -> output {tuple(y.shape)}, opset {opset}")


if __name__ == "__main__":
    main()
