"""What every workload shares: the contenders' names, how a case is declared, and the data
(Iris; MNIST from ``--data`` or the bundled sample, standardized)."""
from __future__ import annotations

import os
from typing import Any, Callable

import numpy as np

from ..harness import Case, Context


MB = 1e6
NUMPY = "numpy (hand-written)"
AUTODIFF = "autodiff"
FUSED = "autodiff (fused)"
PEER_MODULES = {"torch": "torch", "autograd": "autograd", "mygrad": "mygrad", "micrograd": "micrograd",
                "sklearn": "sklearn"}


def _case(cases: list, workload: str, case: str, contender: str, setup: Callable, **kw: Any) -> None:
    cases.append(Case(workload, case, contender, setup, needs=PEER_MODULES.get(contender.split()[0]), **kw))


# ======================================================================================
# data
# ======================================================================================
def iris_data(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Iris, 4 standardized features, 150 rows; y = 1 for virginica (not linearly separable)."""
    if "iris" not in ctx.cache:
        from models.datasets import load_iris
        X, target = load_iris(return_X_y=True)
        X = np.asarray(X, dtype=np.float64)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        y = (np.asarray(target) == 2).astype(np.float64).reshape(-1, 1)
        ctx.cache["iris"] = (X, y)
    return ctx.cache["iris"]


def mnist_raw(ctx: Context, cache: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """X_train, y_train, X_test, y_test (uint8 images) and a description of the source.

    The full MNIST from ``--data`` or ``$AUTODIFF_DATA`` (never downloaded);
    the bundled 5,000 + 1,000 sample with ``--quick`` or when it is not found."""
    if "mnist" in ctx.cache:
        return ctx.cache["mnist"]
    from models.datasets import load_mnist, load_mnist_sample, train_test_split_mnist
    bunch, source = None, "bundled sample (5,000 train / 1,000 test)"
    if ctx.quick:
        ctx.note("--quick: MNIST workloads use the bundled sample (5,000 train / 1,000 test)")
    else:
        path = ctx.data or os.environ.get("AUTODIFF_DATA")
        try:
            bunch = load_mnist(path, download=False)
            source = f"full MNIST ({bunch['n_train']:,} train / {len(bunch['data']) - bunch['n_train']:,} test)"
        except Exception as error:  # noqa: BLE001 - fall back, and say so
            ctx.note(f"full MNIST not found ({type(error).__name__}); using the bundled sample "
                     "(5,000 train / 1,000 test): pass --data DIR or set $AUTODIFF_DATA")
    if bunch is None:
        bunch = load_mnist_sample()
    X_train, X_test, y_train, y_test = train_test_split_mnist(bunch)
    out = (X_train, y_train, X_test, y_test, source)
    if cache:
        ctx.cache["mnist"] = out
    return out


def standardize(X_train: np.ndarray, X_test: np.ndarray | None, dtype: Any) -> tuple[np.ndarray, Any]:
    """models.preprocessing.StandardScaler fitted on the training images, in ``dtype``."""
    try:
        from models.preprocessing import StandardScaler
    except ImportError:  # not written yet: the same statistics by hand
        mean = X_train.mean(axis=0)
        scale = X_train.std(axis=0)
        scale[scale == 0] = 1.0
        tr = ((X_train - mean) / scale).astype(dtype)
        return tr, None if X_test is None else ((X_test - mean) / scale).astype(dtype)
    scaler = StandardScaler()
    tr = scaler.fit_transform(X_train.astype(dtype))
    return tr, None if X_test is None else scaler.transform(X_test.astype(dtype))


def mnist_standardized(ctx: Context, dtype: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    key = ("mnist_std", np.dtype(dtype).name)
    if key not in ctx.cache:
        X_train, y_train, X_test, y_test, _ = mnist_raw(ctx)
        tr, te = standardize(X_train, X_test, dtype)
        ctx.cache[key] = (tr, y_train.astype(np.int64), te, y_test.astype(np.int64))
    return ctx.cache[key]
