"""The layers as functions, and the losses, each a composition of autodiff ops
(so gradients of any order flow through them).

The fused, numerically stable losses of the engine are re-exported as they are:
``cross_entropy`` (logits and labels or probability rows), ``binary_cross_entropy``
(probabilities) and ``binary_cross_entropy_with_logits``. The regression losses
are written here, each with ``reduction`` "mean" (default), "sum" or "none":

    mse_loss:    (x − y)²
    l1_loss:     |x − y|
    huber_loss:  ½(x − y)² where |x − y| ≤ δ, else δ·(|x − y| − ½δ)

Input and target must have the same shape: they are not broadcast (an (m, 1)
prediction against (m,) targets would silently compare every pair).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functions as F
from ..functions import (avg_pool2d, binary_cross_entropy, binary_cross_entropy_with_logits, conv2d,
                         conv_transpose2d, cross_entropy, log_softmax, max_pool2d, relu, sigmoid, softmax, tanh)
from ..tensor import Tensor
from ._random import as_generator

__all__ = ["linear", "flatten", "dropout", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "batch_norm",
           "relu", "sigmoid", "tanh", "softmax", "log_softmax",
           "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "mse_loss", "l1_loss", "huber_loss"]

REDUCTIONS = ("mean", "sum", "none")


def linear(x: Any, weight: Any, bias: Any = None) -> Tensor:
    """x @ weightᵀ + bias, with weight of shape (out_features, in_features)."""
    out = F.matmul(x, F.transpose(weight))
    return out if bias is None else out + bias


def flatten(x: Any, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Merge the axes start_dim..end_dim into one (by default all but the batch axis)."""
    shape = np.shape(x.data if isinstance(x, Tensor) else x)
    ndim = len(shape)
    if not (-ndim <= start_dim < ndim and -ndim <= end_dim < ndim) or start_dim % ndim > end_dim % ndim:
        raise ValueError(f"flatten: start_dim={start_dim}, end_dim={end_dim} do not select a range of axes "
                         f"of an input of shape {shape}")
    start, end = start_dim % ndim, end_dim % ndim
    return F.reshape(x, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def dropout(x: Any, p: float = 0.5, training: bool = True, rng: Any = None) -> Tensor:
    """Zero each element with probability p and scale the others by 1/(1 − p), so the
    expected value is unchanged; the identity when not ``training``."""
    check_probability("dropout", p)
    x = x if isinstance(x, Tensor) else Tensor(x)
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep = as_generator(rng, "dropout").random(x.shape) >= p
    return x * (keep * (1.0 / (1.0 - p))).astype(x.dtype)


def batch_norm(x: Any, running_mean: np.ndarray | None, running_var: np.ndarray | None, weight: Any = None,
               bias: Any = None, training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) of x (N, C, ...) and scale and shift it by weight and bias (C,).

    training: by the mean and biased variance of the batch (over every axis but 1); the
    running statistics, if given, move towards them by ``momentum`` (the variance's unbiased
    version, as PyTorch). Otherwise by running_mean and running_var (PyTorch's argument order)."""
    shape = np.shape(x.data if isinstance(x, Tensor) else x)
    if len(shape) < 2:
        raise ValueError(f"batch_norm: the input must have a channel axis (N, C, ...), got shape {shape}")
    channels = (1, shape[1]) + (1,) * (len(shape) - 2)  # a (C,) vector broadcast along axis 1
    axes = (0,) + tuple(range(2, len(shape)))
    if training:
        n = math.prod(shape) // shape[1]
        if n < 2:
            raise ValueError(f"batch_norm: training needs more than one value per channel to estimate a "
                             f"variance, got an input of shape {shape}")
        mean = F.mean(x, axis=axes, keepdims=True)
        centred = x - mean
        var = F.mean(centred * centred, axis=axes, keepdims=True)
        normalised = centred / F.sqrt(var + eps)
        if running_mean is not None and running_var is not None:
            running_mean *= 1.0 - momentum
            running_mean += momentum * mean.data.reshape(-1)
            running_var *= 1.0 - momentum
            running_var += momentum * var.data.reshape(-1) * (n / (n - 1))
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation (training=False) needs running_mean and running_var")
        # copies, so that the graph never holds the buffers, which training updates in place
        mean_array = np.array(running_mean).reshape(channels)
        inverse = 1.0 / np.sqrt(np.asarray(running_var).reshape(channels) + eps)
        normalised = (x - mean_array) * inverse
    if weight is not None:
        normalised = normalised * F.reshape(weight, channels)
    if bias is not None:
        normalised = normalised + F.reshape(bias, channels)
    return normalised


def check_probability(who: str, p: Any) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= p <= 1:
        raise ValueError(f"{who}: p must be a probability in [0, 1], got {p!r}")


# ----- regression losses --------------------------------------------------------------------
def _difference(who: str, input: Any, target: Any, reduction: str) -> Tensor:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{who}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    input_shape = np.shape(input.data if isinstance(input, Tensor) else input)
    target_shape = np.shape(target.data if isinstance(target, Tensor) else target)
    if input_shape != target_shape:
        raise ValueError(f"{who}: input shape {input_shape} and target shape {target_shape} differ "
                         "(they are not broadcast: (m, 1) against (m,) would compare every pair)")
    for what, x in (("input", input), ("target", target)):  # name a NaN or inf rather than return one
        values = np.asarray(x.data if isinstance(x, Tensor) else x)
        if values.dtype.kind not in "biuf":
            raise TypeError(f"{who}: {what} must be numeric, got dtype {values.dtype}")
        if not np.isfinite(values).all():
            bad = tuple(np.argwhere(~np.isfinite(values))[0].tolist())
            raise ValueError(f"{who}: {what} holds {values[bad]} at index {bad}")
    return F.sub(input, target)


def _overflow_reported_after() -> Any:
    """numpy stays quiet while a loss is computed from finite inputs: if it overflows
    (|x − y| near 1e308), _reduce raises an error naming the loss instead."""
    return np.errstate(over="ignore", invalid="ignore")


def _reduce(who: str, losses: Tensor, reduction: str) -> Tensor:
    out = F.mean(losses) if reduction == "mean" else F.sum(losses) if reduction == "sum" else losses
    if not np.isfinite(out.data).all():  # the inputs are finite (checked): an overflow
        raise FloatingPointError(f"{who}: the loss overflowed for finite input and target")
    return out


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """The squared error (x − y)², reduced."""
    with _overflow_reported_after():
        d = _difference("mse_loss", input, target, reduction)
        return _reduce("mse_loss", d * d, reduction)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """The absolute error |x − y|, reduced (its gradient at x = y is 0)."""
    with _overflow_reported_after():
        d = _difference("l1_loss", input, target, reduction)
        return _reduce("l1_loss", F.abs(d), reduction)


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Quadratic for small errors, linear for large ones (robust to outliers).

    Written without a branch: with a = |x − y| and c = min(a, δ) = a − relu(a − δ),
    ½c² + δ·(a − c) is ½a² when a ≤ δ and δ·(a − ½δ) when a > δ, and the gradient
    follows from the ops: (x − y) inside, δ·sign(x − y) outside."""
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.floating)) or not delta > 0 \
            or not np.isfinite(delta):
        raise ValueError(f"huber_loss: delta must be a positive number, got {delta!r}")
    with _overflow_reported_after():
        d = _difference("huber_loss", input, target, reduction)
        a = F.abs(d)
        c = a - F.relu(a - delta)
        return _reduce("huber_loss", 0.5 * (c * c) + delta * (a - c), reduction)
