"""(d) overhead: tiny graphs, time per node."""
from __future__ import annotations

from functools import partial

import numpy as np

import autodiff as ad

from ..harness import Case, Context
from .common import AUTODIFF, NUMPY, _case


OPS = 10          # a chain of 10 ops: (x * c + d) five times, then a sum
C, D = 1.0001, 0.5


def overhead_numpy(size, backward):
    x = np.ones(size)

    def step():
        y = x
        for _ in range(OPS // 2):
            y = y * C
            y = y + D
        y.sum()
        if backward:  # d sum / dy = 1; add passes the gradient through; mul multiplies it by C
            g = np.ones_like(x)
            for _ in range(OPS // 2):
                g = g * C
    return step


def overhead_autodiff(size, backward):
    x = ad.Tensor(np.ones(size), requires_grad=True)

    def step():
        y = x
        for _ in range(OPS // 2):
            y = y * C
            y = y + D
        s = y.sum()
        if backward:
            s.backward()
            x.grad = None
    return step


def overhead_torch(size, backward):
    import torch
    x = torch.ones(size, dtype=torch.float64, requires_grad=True)

    def step():
        y = x
        for _ in range(OPS // 2):
            y = y * C
            y = y + D
        s = y.sum()
        if backward:
            s.backward()
            x.grad = None
    return step


def overhead_autograd(size, backward):
    import autograd

    def f(x):
        y = x
        for _ in range(OPS // 2):
            y = y * C
            y = y + D
        return y.sum()
    gradient = autograd.grad(f)
    x = np.ones(size)
    return lambda: gradient(x)


def overhead_mygrad(size, backward):
    import mygrad as mg
    x = mg.tensor(np.ones(size))

    def step():
        y = x
        for _ in range(OPS // 2):
            y = y * C
            y = y + D
        s = y.sum()
        if backward:
            s.backward()
    return step


def overhead_micrograd(size, backward):
    """One Value per element: a 10-element op is 10 micrograd nodes."""
    from micrograd.engine import Value
    xs = [Value(1.0) for _ in range(size)]

    def step():
        ys = xs
        for _ in range(OPS // 2):
            ys = [v * C for v in ys]
            ys = [v + D for v in ys]
        s = sum(ys[1:], ys[0])
        if backward:
            for v in xs:
                v.grad = 0
            s.backward()
    return step


def build_overhead(ctx: Context) -> list[Case]:
    cases: list[Case] = []
    contenders = [(NUMPY, overhead_numpy), (AUTODIFF, overhead_autodiff), ("torch", overhead_torch),
                  ("autograd", overhead_autograd), ("mygrad", overhead_mygrad), ("micrograd", overhead_micrograd)]
    for backward in (False, True):
        for size in (1, 10):
            name = f"{'forward+backward' if backward else 'forward'}, {size} element{'s' * (size > 1)}"
            for contender, make in contenders:
                if contender == "autograd" and not backward:
                    continue  # autograd records only inside grad
                _case(cases, "overhead", name, contender, partial(make, size, backward), unit="node",
                      per=OPS + 1, baseline=contender == NUMPY,
                      note=f"node = {size} Values" if contender == "micrograd" and size > 1 else "")
    return cases
