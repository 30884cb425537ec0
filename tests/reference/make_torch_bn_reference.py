#!/usr/bin/env python3
"""Reference numbers for minnow's BatchNormalization conventions (tests/layers/batch_normalization_conventions_test.cpp).

Prints, for fixed small inputs, what PyTorch's BatchNorm1d / BatchNorm2d compute (run here, in torch), and what
Keras' documented formulas give (evaluated here with numpy in float64: TensorFlow is not installed where these
numbers were made, so the Keras column is a hand computation of the formulas of tf.keras.layers.BatchNormalization,
not a run of Keras). The C++ test holds the printed numbers; it never runs Python.

    /usr/bin/python3 tests/reference/make_torch_bn_reference.py

Numbers in the test were printed by torch 1.13.1 (Debian python3-torch 1.13.1+dfsg-4, torch.__version__ reports
1.13.0a0) and numpy 1.24.2, on CPU, float32 for torch.
"""
import numpy as np
import torch

torch.use_deterministic_algorithms(True)


def fmt(a):
    return "{" + ", ".join("{:.9g}".format(float(v) + 0.0) for v in np.asarray(a, dtype=np.float64).ravel()) + "}"


def show(name, a):
    print("  {:<28} {}".format(name, fmt(a)))


GAMMA = [1.5, -0.7, 0.9]
BETA = [0.2, 0.3, -0.1]

# (4, 3): 4 samples, 3 features; a second batch for the second step; the projection w of L = sum(y * w).
X1 = np.array([[1.0, -2.0, 0.5], [2.0, 0.0, 1.5], [3.0, 2.0, -0.5], [4.0, 6.0, 2.5]], dtype=np.float32)
X2 = np.array([[0.5, 1.0, -1.0], [1.5, -1.0, 0.0], [-0.5, 3.0, 2.0], [2.5, 0.0, 1.0]], dtype=np.float32)
W = np.array([[0.3, -0.1, 0.7], [-0.5, 0.2, 0.4], [0.9, -0.6, 0.1], [0.25, 0.8, -0.3]], dtype=np.float32)

# (2, 2, 2, 3) NHWC image batch (m = 8 per channel); torch sees it transposed to NCHW.
IMG1 = (((np.arange(24) * 37) % 23) / 4.0 - 2.5).astype(np.float32).reshape(2, 2, 2, 3)
IMG2 = (((np.arange(24) * 11) % 17) / 2.0 - 3.0).astype(np.float32).reshape(2, 2, 2, 3)
IMG_W = (((np.arange(24) * 5) % 13) / 6.0 - 1.0).astype(np.float32).reshape(2, 2, 2, 3)


def to_torch(a, image):
    t = torch.tensor(a)
    return t.permute(0, 3, 1, 2).contiguous() if image else t


def from_torch(t, image):
    t = t.detach()
    return (t.permute(0, 2, 3, 1) if image else t).numpy()


def torch_run(title, x1, x2, w, image):
    print(title)
    bn = (torch.nn.BatchNorm2d if image else torch.nn.BatchNorm1d)(3)  # momentum 0.1, eps 1e-5
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(GAMMA))
        bn.bias.copy_(torch.tensor(BETA))
    show("input x1", x1)
    show("input x2", x2)
    show("projection w", w)

    bn.train()
    x = to_torch(x1, image).requires_grad_(True)
    y = bn(x)
    (y * to_torch(w, image)).sum().backward()
    show("train y(x1)", from_torch(y, image))
    show("train dx", from_torch(x.grad, image))
    show("train dgamma", bn.weight.grad)
    show("train dbeta", bn.bias.grad)
    show("running_mean step 1", bn.running_mean)
    show("running_var step 1", bn.running_var)
    with torch.no_grad():
        bn(to_torch(x2, image))
    show("running_mean step 2", bn.running_mean)
    show("running_var step 2", bn.running_var)

    bn.eval()
    bn.weight.grad = None
    bn.bias.grad = None
    x = to_torch(x1, image).requires_grad_(True)
    y = bn(x)
    (y * to_torch(w, image)).sum().backward()
    show("eval y(x1)", from_torch(y, image))
    show("eval dx", from_torch(x.grad, image))
    show("eval dgamma", bn.weight.grad)
    show("eval dbeta", bn.bias.grad)


def keras_formulas(title, x1, x2, image):
    """tf.keras.layers.BatchNormalization's documented formulas, momentum 0.99, epsilon 1e-3, in float64."""
    print(title)
    momentum, eps = 0.99, 1e-3
    g, b = np.array(GAMMA), np.array(BETA)
    mm, mv = np.zeros(3), np.ones(3)

    def stats(x):
        x = np.asarray(x, dtype=np.float64).reshape(-1, 3)
        return x.mean(0), x.var(0)  # biased (divides by m)

    mu, var = stats(x1)
    show("train y(x1)", g * (np.asarray(x1, np.float64) - mu) / np.sqrt(var + eps) + b)
    for step, x in ((1, x1), (2, x2)):
        mu, var = stats(x)
        mm = momentum * mm + (1 - momentum) * mu
        mv = momentum * mv + (1 - momentum) * var
        show("moving_mean step {}".format(step), mm)
        show("moving_variance step {}".format(step), mv)
    show("inference y(x1)", g * (np.asarray(x1, np.float64) - mm) / np.sqrt(mv + eps) + b)


def torch_recipes(title, x1, w, image):
    """The fine-tuning recipes of docs/batchnorm-conventions.md, as torch users write them."""
    print(title)
    # requires_grad=False on weight and bias: batch statistics, running statistics updated, no affine gradient.
    bn = (torch.nn.BatchNorm2d if image else torch.nn.BatchNorm1d)(3)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(GAMMA))
        bn.bias.copy_(torch.tensor(BETA))
    bn.weight.requires_grad_(False)
    bn.bias.requires_grad_(False)
    bn.train()
    x = to_torch(x1, image).requires_grad_(True)
    y = bn(x)
    (y * to_torch(w, image)).sum().backward()
    show("requires_grad=False y(x1)", from_torch(y, image))
    show("requires_grad=False dx", from_torch(x.grad, image))
    show("requires_grad=False run_mean", bn.running_mean)
    print("  requires_grad=False weight.grad is None:", bn.weight.grad is None)
    # track_running_stats=False: batch statistics in eval() too, nothing to update.
    bn = (torch.nn.BatchNorm2d if image else torch.nn.BatchNorm1d)(3, track_running_stats=False)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(GAMMA))
        bn.bias.copy_(torch.tensor(BETA))
    bn.eval()
    x = to_torch(x1, image).requires_grad_(True)
    y = bn(x)
    (y * to_torch(w, image)).sum().backward()
    show("no running stats, eval y(x1)", from_torch(y, image))
    show("no running stats, eval dx", from_torch(x.grad, image))
    print("  no running stats: running_mean is None:", bn.running_mean is None)


def torch_worked_example():
    print("torch BatchNorm1d(1), fresh, x = [1, 2, 3, 4] (the docs' worked example)")
    bn = torch.nn.BatchNorm1d(1)
    x = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    show("train y", bn(x).detach())
    show("running_mean", bn.running_mean)
    show("running_var", bn.running_var)
    bn.eval()
    show("eval y", bn(x).detach())


print("torch", torch.__version__, "numpy", np.__version__)
torch_run("torch BatchNorm1d(3), (4, 3)", X1, X2, W, image=False)
torch_run("torch BatchNorm2d(3), NHWC (2, 2, 2, 3) transposed to NCHW and back", IMG1, IMG2, IMG_W, image=True)
torch_recipes("torch recipes, (4, 3)", X1, W, image=False)
keras_formulas("Keras formulas (numpy float64), (4, 3)", X1, X2, image=False)
keras_formulas("Keras formulas (numpy float64), NHWC (2, 2, 2, 3)", IMG1, IMG2, image=True)
torch_worked_example()
