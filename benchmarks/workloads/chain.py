"""(e) deep_chain: y = y * c + 0.0 repeated, forward + backward, time and memory."""
from __future__ import annotations

from functools import partial

import numpy as np

import autodiff as ad

from ..harness import Case, Context
from .common import AUTODIFF, NUMPY, _case


CHAIN_C = 1.0000001


def chain_numpy(n):
    x = np.array(1.0)

    def step():
        y = x
        for _ in range(n // 2):
            y = y * CHAIN_C
            y = y + 0.0
        g = np.array(1.0)
        for _ in range(n // 2):
            g = g * CHAIN_C
        return g
    return step


def chain_autodiff(n):
    x = ad.Tensor(1.0, requires_grad=True)

    def step():
        y = x
        for _ in range(n // 2):
            y = y * CHAIN_C
            y = y + 0.0
        y.backward()
        x.grad = None
    return step


def chain_torch(n):
    import torch
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)

    def step():
        y = x
        for _ in range(n // 2):
            y = y * CHAIN_C
            y = y + 0.0
        y.backward()
        x.grad = None
    return step


def chain_autograd(n):
    import autograd

    def f(x):
        y = x
        for _ in range(n // 2):
            y = y * CHAIN_C
            y = y + 0.0
        return y
    gradient = autograd.grad(f)
    return lambda: gradient(1.0)


def chain_mygrad(n):
    import mygrad as mg
    x = mg.tensor(1.0)

    def step():
        y = x
        for _ in range(n // 2):
            y = y * CHAIN_C
            y = y + 0.0
        y.backward()
    return step


def chain_micrograd(n):
    from micrograd.engine import Value
    x = Value(1.0)

    def step():
        y = x
        for _ in range(n // 2):
            y = y * CHAIN_C
            y = y + 0.0
        x.grad = 0
        y.backward()  # recursive topological sort: RecursionError beyond ~1,000 nodes
    return step


CHAIN_REFERENCE = {"torch": 0.8, "autograd": 3.5, "mygrad": 5.8}


def build_deep_chain(ctx: Context) -> list[Case]:
    cases: list[Case] = []
    contenders = [(NUMPY, chain_numpy), (AUTODIFF, chain_autodiff), ("torch", chain_torch),
                  ("autograd", chain_autograd), ("mygrad", chain_mygrad), ("micrograd", chain_micrograd)]
    for n in ((1_000,) if ctx.quick else (1_000, 10_000, 100_000)):
        for name, make in contenders:
            _case(cases, "deep_chain", f"n={n}", name, partial(make, n), unit="chain",
                  baseline=name == NUMPY, reference=CHAIN_REFERENCE.get(name) if n == 100_000 else None,
                  repeat=5 if n >= 100_000 else None, probe=not ctx.quick and name != NUMPY, isolated=True)
    return cases
