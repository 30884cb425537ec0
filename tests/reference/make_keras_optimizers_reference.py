#!/usr/bin/env python3
"""Reference numbers for tests/optim/more_optimizers_test.cpp: Keras 3's update rules for Nadam, Adagrad, Adadelta,
Adamax, decoupled weight decay (SGD, Adam) and gradient clipping (clipnorm, clipvalue, global_clipnorm).

TensorFlow is not installed where these numbers were made, and TensorFlow.js' optimizers differ from Keras 3 (tf.train
.adagrad puts no epsilon in the root and starts the accumulator at 0.1 with other defaults; tf.train.adamax decays
the learning rate), so the Keras column is Keras 3's published update rule (keras/src/optimizers/{nadam, adagrad,
adadelta, adamax, base_optimizer}.py, read from the keras-team/keras repository) written out here with numpy in
float64. Where PyTorch's rule is the same, torch runs it too and the script stops unless the two agree to 1e-6
(relative): Adadelta, and clip_grad_norm_ for global_clipnorm. Torch's Adagrad and Adamax add epsilon elsewhere, and
torch 1.13's NAdam computes its next momentum product as mu_product * mu * mu_next (mu counted twice; later torch
releases fixed it), so none of the three is used. Nadam's first step by hand (lr 0.01, g 0.5): u_1 = 0.468,
u_2 = 0.48528, m = 0.05, v = 0.00025, m_hat = 0.48528 * 0.05 / (1 - 0.468 * 0.48528) + 0.532 * 0.5 / 0.532 = 0.531394,
sqrt(v_hat) = 0.5: w = 0.5 - 0.01 * 0.531394 / 0.5 = 0.489372, the first number printed.

    /usr/bin/python3 tests/reference/make_keras_optimizers_reference.py > tests/reference/keras_optimizers_reference.txt

Numbers were printed by numpy 1.24.2 and torch 1.13.1 (Debian python3-torch 1.13.1+dfsg-4, torch.__version__ reports
1.13.0a0). Output: one line per case and step, "case_stepN w0 w1 ...", the weights after step N (from 1); cases with
two parameters print them one after the other. The C++ test holds the inputs below.
"""
import numpy as np
import torch

W0 = [0.5, -1.0, 2.0, 0.25]
W1 = [1.5, -0.5]  # the second parameter of the clipping cases
G = [[0.5, -1.5, 2.0, 0.001], [0.3, -0.2, 1.5, -0.002], [-0.4, 0.8, 2.5, 0.0], [0.1, -1.0, -0.5, 0.003],
     [0.6, 0.0, 1.0, -0.001]]
G1 = [[3.0, -4.0], [0.2, 0.1], [-1.0, 2.0], [0.5, 0.5], [2.0, 0.0]]
STEPS = len(G)


def show(name, step, *ws):
    vals = np.concatenate([np.asarray(w, dtype=np.float64).ravel() for w in ws])
    print(f"{name}_step{step} " + " ".join(f"{v:.9g}" for v in vals))


def nadam(lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    w, m, v, u_prod = np.array(W0), np.zeros(4), np.zeros(4), 1.0
    out = []
    for t in range(1, STEPS + 1):
        g = np.array(G[t - 1])
        u_t = b1 * (1 - 0.5 * 0.96 ** t)
        u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_prod *= u_t  # Keras updates the product before the step
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        m_hat = u_next * m / (1 - u_prod * u_next) + (1 - u_t) * g / (1 - u_prod)
        v_hat = v / (1 - b2 ** t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w.copy())
    return out


def adagrad(lr=0.001, init=0.1, eps=1e-7):
    w, acc = np.array(W0), np.full(4, init)
    out = []
    for g in map(np.array, G):
        acc += g * g
        w = w - lr * g / np.sqrt(acc + eps)
        out.append(w.copy())
    return out


def adadelta(lr=0.001, rho=0.95, eps=1e-7):
    w, ag, ad = np.array(W0), np.zeros(4), np.zeros(4)
    out = []
    for g in map(np.array, G):
        ag = rho * ag + (1 - rho) * g * g
        delta = -np.sqrt(ad + eps) * g / np.sqrt(ag + eps)
        ad = rho * ad + (1 - rho) * delta * delta
        w = w + lr * delta
        out.append(w.copy())
    return out


def adamax(lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
    w, m, u = np.array(W0), np.zeros(4), np.zeros(4)
    out = []
    for t in range(1, STEPS + 1):
        g = np.array(G[t - 1])
        m += (g - m) * (1 - b1)
        u = np.maximum(b2 * u, np.abs(g))
        w = w - lr * m / ((1 - b1 ** t) * (u + eps))
        out.append(w.copy())
    return out


def sgd_momentum_wd(lr=0.1, mu=0.9, wd=0.01):
    w, vel = np.array(W0), np.zeros(4)
    out = []
    for g in map(np.array, G):
        w = w - w * wd * lr  # decoupled, before the update (base_optimizer._apply_weight_decay)
        vel = mu * vel - lr * g
        w = w + vel
        out.append(w.copy())
    return out


def adam_wd(lr=0.01, b1=0.9, b2=0.999, eps=1e-7, wd=0.1):
    w, m, v = np.array(W0), np.zeros(4), np.zeros(4)
    out = []
    for t in range(1, STEPS + 1):
        g = np.array(G[t - 1])
        w = w - w * wd * lr
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        w = w - alpha * m / (np.sqrt(v) + eps)
        out.append(w.copy())
    return out


def clip_norm(g, c):  # per variable: g * c / max(||g||, c)
    return g * c / max(np.linalg.norm(g), c)


def clip_global(gs, c):  # every gradient scaled by min(1, c / global norm)
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in gs))
    return [g * min(1.0, c / norm) for g in gs]


def sgd_clipped(kind, c, lr=0.1):
    w, w1 = np.array(W0), np.array(W1)
    out = []
    for g, g1 in zip(map(np.array, G), map(np.array, G1)):
        if kind == "clipnorm":
            g, g1 = clip_norm(g, c), clip_norm(g1, c)
        elif kind == "clipvalue":
            g, g1 = np.clip(g, -c, c), np.clip(g1, -c, c)
        else:
            g, g1 = clip_global([g, g1], c)
        w, w1 = w - lr * g, w1 - lr * g1
        out.append(np.concatenate([w, w1]))
    return out


def torch_run(make, steps_grads, params0):
    ps = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params0]
    opt = make(ps)
    out = []
    for gs in steps_grads:
        for p, g in zip(ps, gs):
            p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(np.concatenate([p.detach().numpy().copy() for p in ps]))
    return out


def agree(name, ours, theirs):
    for a, b in zip(ours, theirs):
        if not np.allclose(a, b, rtol=1e-6, atol=1e-12):
            raise SystemExit(f"{name}: the Keras rule gives {a}, torch {b}")


def main():
    cases = {
        "nadam": nadam(lr=0.01), "adagrad": adagrad(lr=0.1), "adadelta": adadelta(lr=1.0),
        "adamax": adamax(lr=0.01), "sgd_momentum_wd": sgd_momentum_wd(), "adam_wd": adam_wd(),
        "sgd_clipnorm": sgd_clipped("clipnorm", 1.0), "sgd_clipvalue": sgd_clipped("clipvalue", 0.5),
        "sgd_global_clipnorm": sgd_clipped("global_clipnorm", 2.0),
    }
    one = [[g] for g in G]
    agree("adadelta", cases["adadelta"], torch_run(
        lambda ps: torch.optim.Adadelta(ps, lr=1.0, rho=0.95, eps=1e-7), one, [W0]))

    class ClippedSGD(torch.optim.SGD):  # torch's own global-norm clipping before a plain SGD step
        def step(self):
            torch.nn.utils.clip_grad_norm_(self.param_groups[0]["params"], 2.0)
            super().step()
    agree("global_clipnorm", cases["sgd_global_clipnorm"],
          torch_run(lambda ps: ClippedSGD(ps, lr=0.1), list(zip(G, G1)), [W0, W1]))
    for name, ws in cases.items():
        for step, w in enumerate(ws, 1):
            show(name, step, w)


if __name__ == "__main__":
    main()
