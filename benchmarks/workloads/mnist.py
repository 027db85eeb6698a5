"""(b) mnist_epoch: one epoch of mini-batch SGD of softmax regression, float32 and
float64; (c) mnist_accuracy: ``SoftmaxRegression()`` defaults against scikit-learn's lbfgs."""
from __future__ import annotations

from functools import partial

import numpy as np

import autodiff as ad

from ..harness import Case, Context
from .common import AUTODIFF, NUMPY, _case, mnist_standardized


BATCH, MNIST_LR = 128, 0.1


def _epoch_data(ctx: Context, dtype):
    """Standardized training images in ``dtype``, shuffled once (the same order for all)."""
    X, y, _, _ = mnist_standardized(ctx, dtype)
    key = ("epoch", np.dtype(dtype).name)
    if key not in ctx.cache:
        order = np.random.default_rng(0).permutation(len(X))
        Xs, ys = np.ascontiguousarray(X[order]), y[order]
        Y = np.zeros((len(ys), 10), dtype=dtype)
        Y[np.arange(len(ys)), ys] = 1
        ctx.cache[key] = (Xs, ys, Y)
    return ctx.cache[key]


def _batches(n: int) -> list[slice]:
    return [slice(s, s + BATCH) for s in range(0, n, BATCH)]


def epoch_numpy(X, y, Y):
    W, b = np.zeros((X.shape[1], 10), dtype=X.dtype), np.zeros(10, dtype=X.dtype)
    state = [W, b]
    batches = _batches(len(X))

    def epoch():
        W, b = state
        for s in batches:
            Xb, Yb = X[s], Y[s]
            Z = Xb @ W + b
            Z -= Z.max(axis=1, keepdims=True)
            P = np.exp(Z)
            P /= P.sum(axis=1, keepdims=True)
            G = (P - Yb) / len(Xb)
            W = W - MNIST_LR * (Xb.T @ G)
            b = b - MNIST_LR * G.sum(axis=0)
        state[:] = [W, b]
    return epoch


def epoch_autodiff(X, y, Y):
    W = ad.Tensor(np.zeros((X.shape[1], 10), dtype=X.dtype), requires_grad=True)
    b = ad.Tensor(np.zeros(10, dtype=X.dtype), requires_grad=True)
    batches = _batches(len(X))

    def epoch():
        for s in batches:
            loss = ad.cross_entropy(X[s] @ W + b, y[s])
            loss.backward()
            W.data = W.data - MNIST_LR * W.grad
            b.data = b.data - MNIST_LR * b.grad
            W.grad = b.grad = None
    return epoch


def epoch_torch(X, y, Y):
    import torch
    import torch.nn.functional as F
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    dtype = Xt.dtype
    W = torch.zeros((X.shape[1], 10), dtype=dtype, requires_grad=True)
    b = torch.zeros(10, dtype=dtype, requires_grad=True)
    batches = _batches(len(X))

    def epoch():
        for s in batches:
            loss = F.cross_entropy(Xt[s] @ W + b, yt[s])
            loss.backward()
            with torch.no_grad():
                W.sub_(MNIST_LR * W.grad)
                b.sub_(MNIST_LR * b.grad)
            W.grad = b.grad = None
    return epoch


def epoch_autograd(X, y, Y):
    import autograd
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp

    def loss(W, b, Xb, Yb):
        Z = Xb @ W + b
        return -anp.mean(anp.sum(Yb * (Z - logsumexp(Z, axis=1, keepdims=True)), axis=1))
    gradient = autograd.grad(loss, argnum=(0, 1))
    state = [np.zeros((X.shape[1], 10), dtype=X.dtype), np.zeros(10, dtype=X.dtype)]
    batches = _batches(len(X))

    def epoch():
        W, b = state
        for s in batches:
            dW, db = gradient(W, b, X[s], Y[s])
            W, b = W - MNIST_LR * dW, b - MNIST_LR * db
        state[:] = [W, b]
    return epoch


def epoch_mygrad(X, y, Y):
    import mygrad as mg
    from mygrad.nnet.losses import softmax_crossentropy
    W = mg.tensor(np.zeros((X.shape[1], 10), dtype=X.dtype))
    b = mg.tensor(np.zeros(10, dtype=X.dtype))
    batches = _batches(len(X))

    def epoch():
        for s in batches:
            loss = softmax_crossentropy(X[s] @ W + b, y[s])
            loss.backward()
            W.data -= MNIST_LR * W.grad
            b.data -= MNIST_LR * b.grad
    return epoch


EPOCH_REFERENCE = {NUMPY: 0.14 / 3, "mygrad": 0.33 / 3, "torch": 1.35 / 3, "autograd": 1.39 / 3}


def build_mnist_epoch(ctx: Context) -> list[Case]:
    cases: list[Case] = []
    contenders = [(NUMPY, epoch_numpy), (AUTODIFF, epoch_autodiff), ("torch", epoch_torch),
                  ("autograd", epoch_autograd), ("mygrad", epoch_mygrad)]
    for dtype in (np.float32, np.float64):
        for name, make in contenders:
            ref = EPOCH_REFERENCE.get(name) if dtype is np.float32 and not ctx.quick else None
            _case(cases, "mnist_epoch", f"epoch, batch {BATCH}, {np.dtype(dtype).name}", name,
                  lambda make=make, dtype=dtype: make(*_epoch_data(ctx, dtype)), unit="epoch",
                  baseline=name == NUMPY, reference=ref, repeat=3 if ctx.quick else None,
                  note="fused cross_entropy" if name == AUTODIFF else "")
    return cases


# ======================================================================================
# (c) mnist_accuracy: SoftmaxRegression defaults vs scikit-learn's lbfgs
# ======================================================================================
ACCURACY_DTYPE = np.float32  # images as float32 before scaling: both contenders get the same float32 arrays
ACCURACY_GOAL = 0.925


def _have_models_linear(ctx: Context) -> bool:
    try:
        from models.linear import SoftmaxRegression  # noqa: F401
        return True
    except ImportError as error:
        ctx.note(f"models.linear.SoftmaxRegression not available ({error}); skipping it")
        return False


def fit_softmax_regression(X, y):
    from models.linear import SoftmaxRegression

    def fit():
        return SoftmaxRegression().fit(X, y)
    return fit


def fit_sklearn(X, y):
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return LogisticRegression(solver="lbfgs", C=10, max_iter=100).fit(X, y)
    return fit


def build_mnist_accuracy(ctx: Context) -> list[Case]:
    cases: list[Case] = []

    def setup(make):
        X, y, _, _ = mnist_standardized(ctx, ACCURACY_DTYPE)
        return make(X, y)

    def accuracy(model):
        _, _, X_test, y_test = mnist_standardized(ctx, ACCURACY_DTYPE)
        return {"test_accuracy": float(np.mean(model.predict(X_test) == y_test))}

    name = "fit, standardized " + ("sample" if ctx.quick else "MNIST") + f", {np.dtype(ACCURACY_DTYPE).name}"
    if ctx.wants("autodiff") and _have_models_linear(ctx):
        _case(cases, "mnist_accuracy", name, "autodiff SoftmaxRegression()", partial(setup, fit_softmax_regression),
              unit="fit", warmup=0, number=1, repeat=1 if ctx.quick else 3, after=accuracy)
    if ctx.quick:
        ctx.note("--quick: scikit-learn's fit is skipped (it takes 10 s or more)")
        return cases
    _case(cases, "mnist_accuracy", name, "sklearn LogisticRegression(lbfgs, C=10, max_iter=100)",
          partial(setup, fit_sklearn), unit="fit", warmup=0, number=1, repeat=1, after=accuracy,
          baseline=True)
    return cases
