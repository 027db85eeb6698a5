"""(a) iris: one gradient-descent step of logistic regression, full batch, with the
loss written out as on the slides and with the fused loss."""
from __future__ import annotations

import math
from functools import partial

import numpy as np

import autodiff as ad

from ..harness import Case, Context
from .common import AUTODIFF, FUSED, NUMPY, _case, iris_data


IRIS_LR = 0.1
IRIS_FINER = 5  # a step of 20-100 µs: 45 samples of 10 ms each instead of 9 of 50 ms (the targets are ratios of these)


def calculate_derivatives_and_cost(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float):
    """The lecture's hand-written gradient of the logistic loss."""
    m = X.shape[0]
    z = X @ w + b
    yhat = 1 / (1 + np.exp(-z))
    cost = -np.mean(y * np.log(yhat) + (1 - y) * np.log(1 - yhat))
    dz = yhat - y
    dw = X.T @ dz / m
    db = np.sum(dz) / m
    return dw, db, cost


def update(w: np.ndarray, b: float, dw: np.ndarray, db: float, learning_rate: float):
    return w - learning_rate * dw, b - learning_rate * db


def iris_numpy(X, y):
    state = [np.zeros((X.shape[1], 1)), 0.0]

    def step():
        dw, db, cost = calculate_derivatives_and_cost(X, y, state[0], state[1])
        state[0], state[1] = update(state[0], state[1], dw, db, IRIS_LR)
    return step


def iris_autodiff(X, y, fused=False):
    w = ad.Tensor(np.zeros((X.shape[1], 1)), requires_grad=True)
    b = ad.Tensor(0.0, requires_grad=True)

    def step():
        z = X @ w + b
        if fused:
            cost = ad.binary_cross_entropy_with_logits(z, y)
        else:
            yhat = ad.sigmoid(z)
            cost = -ad.mean(y * ad.log(yhat) + (1 - y) * ad.log(1 - yhat))
        cost.backward()
        w.data = w.data - IRIS_LR * w.grad
        b.data = b.data - IRIS_LR * b.grad
        w.grad = b.grad = None
    return step


def iris_torch(X, y):
    import torch
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    w = torch.zeros((X.shape[1], 1), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)

    def step():
        yhat = torch.sigmoid(Xt @ w + b)
        cost = -torch.mean(yt * torch.log(yhat) + (1 - yt) * torch.log(1 - yhat))
        cost.backward()
        with torch.no_grad():
            w.sub_(IRIS_LR * w.grad)
            b.sub_(IRIS_LR * b.grad)
        w.grad = b.grad = None
    return step


def iris_autograd(X, y):
    import autograd
    import autograd.numpy as anp
    from autograd.scipy.special import expit

    def cost(w, b):
        yhat = expit(X @ w + b)
        return -anp.mean(y * anp.log(yhat) + (1 - y) * anp.log(1 - yhat))
    gradient = autograd.grad(cost, argnum=(0, 1))
    state = [np.zeros((X.shape[1], 1)), 0.0]

    def step():
        dw, db = gradient(state[0], state[1])
        state[0], state[1] = state[0] - IRIS_LR * dw, state[1] - IRIS_LR * db
    return step


def iris_mygrad(X, y):
    import mygrad as mg
    from mygrad.nnet.activations import sigmoid
    w = mg.tensor(np.zeros((X.shape[1], 1)))
    b = mg.tensor(0.0)

    def step():
        yhat = sigmoid(X @ w + b)
        cost = -mg.mean(y * mg.log(yhat) + (1 - y) * mg.log(1 - yhat))
        cost.backward()
        w.data -= IRIS_LR * w.grad
        b.data -= IRIS_LR * b.grad
    return step


def micrograd_sigmoid(v):
    """sigmoid and log as new micrograd ops, in micrograd's own style."""
    from micrograd.engine import Value
    s = 1 / (1 + math.exp(-v.data))
    out = Value(s, (v,), "sigmoid")

    def _backward():
        v.grad += s * (1 - s) * out.grad
    out._backward = _backward
    return out


def micrograd_log(v):
    from micrograd.engine import Value
    out = Value(math.log(v.data), (v,), "log")

    def _backward():
        v.grad += out.grad / v.data
    out._backward = _backward
    return out


def iris_micrograd(X, y):
    from micrograd.engine import Value
    rows = [(list(map(float, xi)), float(yi)) for xi, yi in zip(X, y[:, 0])]
    w = [Value(0.0) for _ in range(X.shape[1])]
    b = Value(0.0)
    params = w + [b]

    def step():
        total = Value(0.0)
        for xi, yi in rows:
            z = b
            for wj, xij in zip(w, xi):
                z = z + wj * xij
            p = micrograd_sigmoid(z)
            total = total + (yi * micrograd_log(p) + (1 - yi) * micrograd_log(1 - p))
        cost = total * (-1 / len(rows))
        for v in params:
            v.grad = 0
        cost.backward()
        for v in params:
            v.data -= IRIS_LR * v.grad
    return step


IRIS_REFERENCE = {NUMPY: 11e-6, "torch": 145e-6, "mygrad": 226e-6, "autograd": 268e-6, "micrograd": 28e-3}


def build_iris(ctx: Context) -> list[Case]:
    cases: list[Case] = []
    contenders = [(NUMPY, iris_numpy), (AUTODIFF, iris_autodiff), (FUSED, partial(iris_autodiff, fused=True)),
                  ("torch", iris_torch), ("autograd", iris_autograd), ("mygrad", iris_mygrad),
                  ("micrograd", iris_micrograd)]
    for name, make in contenders:
        _case(cases, "iris", "GD step, 150x4, float64", name, lambda make=make: make(*iris_data(ctx)),
              baseline=name == NUMPY, reference=IRIS_REFERENCE.get(name), finer=IRIS_FINER,
              note="written-out loss" if name not in (NUMPY, FUSED) else "")
    return cases
