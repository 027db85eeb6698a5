"""(f) jacobian: the softmax Jacobian and the logistic-loss Hessian as n grows."""
from __future__ import annotations

import math
from functools import partial

import numpy as np

import autodiff as ad

from ..harness import Case, Context
from .common import AUTODIFF, NUMPY, _case


HESSIAN_ROWS = 100


def _softmax_input(n):
    return np.random.default_rng(n).normal(size=n)


def _logistic_problem(n):
    rng = np.random.default_rng(n)
    X = rng.normal(size=(HESSIAN_ROWS, n)) / math.sqrt(n)
    y = (rng.random(HESSIAN_ROWS) < 0.5).astype(np.float64)
    return X, y, rng.normal(size=n) * 0.1


def jac_numpy(n):
    x = _softmax_input(n)

    def step():
        e = np.exp(x - x.max())
        s = e / e.sum()
        return np.diag(s) - np.outer(s, s)
    return step


def hess_numpy(n):
    X, y, w = _logistic_problem(n)

    def step():
        s = 1 / (1 + np.exp(-(X @ w)))
        return X.T @ (X * (s * (1 - s))[:, None]) / len(X)
    return step


def jac_autodiff(n):
    x = _softmax_input(n)
    jac = ad.jacobian(ad.softmax)
    return lambda: jac(x)


def hess_autodiff(n):
    X, y, w = _logistic_problem(n)

    def loss(w):
        yhat = ad.sigmoid(X @ w)
        return -ad.mean(y * ad.log(yhat) + (1 - y) * ad.log(1 - yhat))
    hess = ad.hessian(loss)
    return lambda: hess(w)


def jac_torch(n):
    import torch
    from torch.autograd.functional import jacobian
    x = torch.from_numpy(_softmax_input(n))
    return lambda: jacobian(lambda t: torch.softmax(t, 0), x)


def hess_torch(n):
    import torch
    from torch.autograd.functional import hessian
    X, y, w = (torch.from_numpy(a) for a in _logistic_problem(n))

    def loss(w):
        yhat = torch.sigmoid(X @ w)
        return -torch.mean(y * torch.log(yhat) + (1 - y) * torch.log(1 - yhat))
    return lambda: hessian(loss, w)


def jac_autograd(n):
    import autograd
    import autograd.numpy as anp
    x = _softmax_input(n)

    def softmax(x):
        e = anp.exp(x - anp.max(x))
        return e / anp.sum(e)
    jac = autograd.jacobian(softmax)
    return lambda: jac(x)


def hess_autograd(n):
    import autograd
    import autograd.numpy as anp
    from autograd.scipy.special import expit
    X, y, w = _logistic_problem(n)

    def loss(w):
        yhat = expit(X @ w)
        return -anp.mean(y * anp.log(yhat) + (1 - y) * anp.log(1 - yhat))
    hess = autograd.hessian(loss)
    return lambda: hess(w)


def build_jacobian(ctx: Context) -> list[Case]:
    cases: list[Case] = []
    sizes = (2, 8, 32) if ctx.quick else (2, 8, 32, 128)
    for what, contenders in (("softmax Jacobian", [(NUMPY, jac_numpy), (AUTODIFF, jac_autodiff),
                                                   ("torch", jac_torch), ("autograd", jac_autograd)]),
                             (f"logistic-loss Hessian ({HESSIAN_ROWS} rows)",
                              [(NUMPY, hess_numpy), (AUTODIFF, hess_autodiff), ("torch", hess_torch),
                               ("autograd", hess_autograd)])):
        for n in sizes:
            for name, make in contenders:
                _case(cases, "jacobian", f"{what}, n={n}", name, partial(make, n), unit="call",
                      baseline=name == NUMPY, note="closed form" if name == NUMPY else "")
    return cases
