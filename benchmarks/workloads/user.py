"""user_style: the engine used the way a student writes it, in a process that has imported PyTorch.

The other workloads give autodiff its best conditions: the parameters updated
through ``.data``, the fused losses, the deep chains in a process of their own.
Here the code is what a student types after the lecture:

- the loss written out afresh every step, from the public operators and methods
  (``p.log()``, ``z.log_softmax(axis=-1)``, one-hot targets);
- the parameters updated in place under ``ad.no_grad()`` (``w -= lr * w.grad;
  w.grad = None``), or replaced by new leaf Tensors each step;
- all of it in the harness's own process, which has imported PyTorch (imported
  here if the contenders filter left it out) and the other installed peers,
  so that Python's garbage collector walks their objects as it would in a
  notebook that compares the two libraries.

The cases: the Iris full-batch step (ratios to hand-written numpy), an MNIST
epoch with the written-out softmax cross-entropy (ratios to numpy), and the
100,000-op chain (ratios to PyTorch, timed in this same process).
"""
from __future__ import annotations

import gc
from functools import partial

import numpy as np

import autodiff as ad

from ..harness import Case, Context
from .chain import CHAIN_C, chain_autodiff, chain_torch
from .common import AUTODIFF, NUMPY, _case, iris_data
from .iris import IRIS_FINER, IRIS_LR, iris_numpy
from .mnist import BATCH, MNIST_LR, _batches, _epoch_data, epoch_autodiff, epoch_numpy

WORKLOAD = "user_style"
IN_PLACE = "autodiff (in-place update)"
FRESH = "autodiff (new leaves each step)"
WRITTEN = "autodiff (written-out loss)"
FUSED_USER = "autodiff (fused cross_entropy)"
FUSED_TODAY = "autodiff (fused, mnist_epoch's loop)"
TORCH = "torch"
USER_CHAIN_N = 100_000
USER_CHAIN_N_QUICK = 10_000


def with_torch_imported(ctx: Context) -> None:
    """Import PyTorch into this process (when installed), whichever contenders run:
    the user-style targets are measured in a process that has it."""
    if ctx.cache.get("user_style: torch") is not None:
        return
    ctx.cache["user_style: torch"] = True
    try:
        import torch  # noqa: F401
    except ImportError:
        ctx.note("user_style: PyTorch is not installed, so these rows ran without it in the process")
        return
    ctx.note(f"user_style: run in the harness's process, which has imported PyTorch and the other installed "
             f"peers (the garbage collector tracked {len(gc.get_objects()):,} objects when the first case was "
             "set up)")


# ----- Iris: p = sigmoid(X @ w + b), the loss written out ---------------------------------
def iris_in_place(X, y):
    """The parameters stay the same leaves; updated in place under no_grad."""
    w = ad.Tensor(np.zeros((X.shape[1], 1)), requires_grad=True)
    b = ad.Tensor(0.0, requires_grad=True)

    def step():
        nonlocal w, b
        p = ad.sigmoid(X @ w + b)
        loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
        loss.backward()
        with ad.no_grad():
            w -= IRIS_LR * w.grad
            b -= IRIS_LR * b.grad
        w.grad = None
        b.grad = None
        return loss
    return step


def iris_fresh_leaves(X, y):
    """New leaf Tensors every step, made from the updated arrays."""
    state = [ad.Tensor(np.zeros((X.shape[1], 1)), requires_grad=True), ad.Tensor(0.0, requires_grad=True)]

    def step():
        w, b = state
        p = ad.sigmoid(X @ w + b)
        loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
        loss.backward()
        state[0] = ad.Tensor(w.data - IRIS_LR * w.grad, requires_grad=True)
        state[1] = ad.Tensor(b.data - IRIS_LR * b.grad, requires_grad=True)
        return loss
    return step


def iris_torch_user(X, y):
    import torch
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    w = torch.zeros((X.shape[1], 1), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)

    def step():
        nonlocal w, b
        p = torch.sigmoid(Xt @ w + b)
        loss = -(yt * p.log() + (1 - yt) * (1 - p).log()).mean()
        loss.backward()
        with torch.no_grad():
            w -= IRIS_LR * w.grad
            b -= IRIS_LR * b.grad
        w.grad = None
        b.grad = None
        return loss
    return step


# ----- MNIST: one epoch, -(Y * z.log_softmax(axis=-1)).sum(axis=-1).mean() ----------------------
def epoch_written_out(X, y, Y, fused=False):
    W = ad.Tensor(np.zeros((X.shape[1], 10), dtype=X.dtype), requires_grad=True)
    b = ad.Tensor(np.zeros(10, dtype=X.dtype), requires_grad=True)
    batches = _batches(len(X))

    def epoch():
        nonlocal W, b
        for s in batches:
            z = X[s] @ W + b
            if fused:
                loss = ad.cross_entropy(z, y[s])
            else:
                loss = -(Y[s] * z.log_softmax(axis=-1)).sum(axis=-1).mean()
            loss.backward()
            with ad.no_grad():
                W -= MNIST_LR * W.grad
                b -= MNIST_LR * b.grad
            W.grad = None
            b.grad = None
        return loss
    return epoch


def epoch_torch_user(X, y, Y):
    import torch
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    W = torch.zeros((X.shape[1], 10), dtype=Xt.dtype, requires_grad=True)
    b = torch.zeros(10, dtype=Xt.dtype, requires_grad=True)
    batches = _batches(len(X))

    def epoch():
        nonlocal W, b
        for s in batches:
            z = Xt[s] @ W + b
            loss = -(Yt[s] * z.log_softmax(dim=-1)).sum(dim=-1).mean()
            loss.backward()
            with torch.no_grad():
                W -= MNIST_LR * W.grad
                b -= MNIST_LR * b.grad
            W.grad = None
            b.grad = None
        return loss
    return epoch


def build_user_style(ctx: Context) -> list[Case]:
    cases: list[Case] = []

    def setup(make, data):
        with_torch_imported(ctx)
        return make(*data())

    iris = partial(iris_data, ctx)
    for name, make, note in [
            (NUMPY, iris_numpy, "the lecture's gradient by hand"),
            (IN_PLACE, iris_in_place, "w -= lr * w.grad under no_grad; w.grad = None"),
            (FRESH, iris_fresh_leaves, "w = Tensor(w.data - lr * w.grad, requires_grad=True)"),
            (TORCH, iris_torch_user, "the same code in PyTorch")]:
        _case(cases, WORKLOAD, "Iris GD step, 150x4, float64, loss written out", name,
              partial(setup, make, iris), baseline=name == NUMPY, finer=IRIS_FINER, note=note)

    mnist = partial(_epoch_data, ctx, np.float32)
    for name, make, note in [
            (NUMPY, epoch_numpy, "softmax gradient by hand"),
            (WRITTEN, epoch_written_out, "-(Y * z.log_softmax(axis=-1)).sum(axis=-1).mean(), one-hot Y"),
            (FUSED_USER, partial(epoch_written_out, fused=True), "ad.cross_entropy(z, y), in-place update"),
            (FUSED_TODAY, epoch_autodiff, "ad.cross_entropy(z, y), W.data = W.data - lr * W.grad"),
            (TORCH, epoch_torch_user, "the written-out loss in PyTorch")]:
        _case(cases, WORKLOAD, f"MNIST epoch, batch {BATCH}, float32", name, partial(setup, make, mnist),
              unit="epoch", baseline=name == NUMPY, repeat=3 if ctx.quick else None, note=note)

    n = USER_CHAIN_N_QUICK if ctx.quick else USER_CHAIN_N
    for name, make in [(TORCH, chain_torch), (AUTODIFF, chain_autodiff)]:
        _case(cases, WORKLOAD, f"chain n={n}, in this process", name, partial(setup, make, lambda: (n,)),
              unit="chain", baseline=name == TORCH, repeat=5 if n >= 100_000 else None,
              note=f"y = y * {CHAIN_C}; y = y + 0.0, then backward")
    return cases
