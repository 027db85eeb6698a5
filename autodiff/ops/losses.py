"""Fused, numerically stable losses. Each takes (input, target) as PyTorch does
and reduces with ``reduction`` = "mean" (default), "sum" or "none".

Fused, because the composition log(σ(z)) or log(softmax(z)) overflows or loses
every digit for large |z| while the fused formula does not, and because the
gradient of the fusion is the lecture's simple (p − y)/m.

Each loss has one ``vjp``, written with numpy calls that also run on Tensors
(the plain and the ``create_graph`` pass), and a ``plain_vjp`` kernel that
reuses what forward computed: just an optimization, tested against ``vjp``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import Op, apply, inside_vjp, lift, raw
from .elementwise import sigmoid
from .softmax import log_softmax, softmax

LOG_FLOOR = -100.0  # log 0 is clamped here, as PyTorch's binary_cross_entropy does
REDUCTIONS = ("mean", "sum", "none")


def _reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return losses.sum() / losses.size  # ndarray.mean() costs more for small arrays
    return losses.sum() if reduction == "sum" else losses


def _weights(g: Any, n: int, reduction: str) -> Any:
    """dL/d(per-element loss): g/n for the mean, g otherwise."""
    if reduction != "mean":
        return g
    if type(g) is np.ndarray and g.ndim == 0:  # the usual scalar loss: a Python float
        return g.item() / n                    # is 10x cheaper than a 0-d array here
    return g / n


def _check_reduction(who: str, reduction: Any) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{who}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def _check_finite(who: str, what: str, x: Any) -> None:
    x = np.asarray(x)
    if not np.all(np.isfinite(x)):
        bad = np.argwhere(~np.isfinite(x))[0]
        raise ValueError(f"{who}: {what} holds {x[tuple(bad)]} at index {tuple(bad.tolist())}")


def _check_unit_interval(who: str, what: str, x: Any) -> None:
    _check_finite(who, what, x)
    x = np.asarray(x)
    if x.size and (x.min() < 0 or x.max() > 1):
        bad = np.argwhere((x < 0) | (x > 1))[0]
        raise ValueError(f"{who}: {what} must lie in [0, 1]; found {x[tuple(bad)]} at index {tuple(bad.tolist())}")


def _same_shape(who: str, input: Any, target: Any) -> None:
    if type(target) is np.ndarray and target.shape == input.shape:  # the common case, no np.shape calls
        return
    if np.shape(input) != np.shape(target):
        raise ValueError(
            f"{who}: input shape {np.shape(input)} and target shape {np.shape(target)} differ "
            "(they are not broadcast: (m, 1) against (m,) would silently compare every pair)")


def _finite_or_explained(op: Op, args: tuple, params: dict, **named: Any) -> Any:
    """The fused losses are finite for finite inputs, so the inputs are searched
    for the NaN or inf (to name it) only when the loss is not: no cost otherwise."""
    with np.errstate(invalid="ignore", over="ignore"):
        out = apply(op, *args, **params)
    value = out.data
    if not (math.isfinite(value) if value.ndim == 0 else np.isfinite(value).all()):
        for what, x in named.items():
            _check_finite(op.name, what, raw(x))
    return out


class BinaryCrossEntropy(Op):
    """L = −[y log p + (1 − y) log(1 − p)].   ∂L/∂p = (p − y)/(p(1 − p)),  ∂L/∂y = −(log p − log(1 − p)).

    The logs are clamped at −100 so that p ∈ {0, 1} stays finite. Through
    p = σ(z) the gradient becomes the lecture's (p − y); use the fused
    binary_cross_entropy_with_logits for that.
    """

    name = "binary_cross_entropy"
    local = ('∂L/∂ŷ = −y/ŷ + (1 − y)/(1 − ŷ)   (over m for the mean)', '∂L/∂y = −(log ŷ − log(1 − ŷ))')

    def __call__(self, input: Any, target: Any, reduction: str = "mean") -> Any:
        who = self.name
        p, y = lift(input, who), lift(target, who)
        _same_shape(who, raw(p), raw(y))
        _check_unit_interval(who, "input probabilities", raw(p))
        _check_unit_interval(who, "targets", raw(y))
        return apply(self, p, y, reduction=_check_reduction(who, reduction))

    def forward(self, ctx, p, y, reduction):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p), LOG_FLOOR)
        ctx.saved = (reduction, log_p, log_q)
        return _reduce(-(y * log_p + (1.0 - y) * log_q), reduction)

    def vjp(self, ctx, g, out, p, y):
        reduction = ctx.saved[0]
        w = _weights(g, p.size, reduction)
        need_p, need_y = ctx.needs
        gp = gy = None
        if need_p:
            gp = w * (p - y) / np.maximum(p * (1.0 - p), 1e-12)
        if need_y:
            with np.errstate(divide="ignore"):
                gy = -w * (np.maximum(np.log(p), LOG_FLOOR) - np.maximum(np.log1p(-p), LOG_FLOOR))
        return gp, gy

    def plain_vjp(self, ctx, g, out, p, y):
        reduction, log_p, log_q = ctx.saved
        w = _weights(g, p.size, reduction)
        need_p, need_y = ctx.needs
        gp = (w * (p - y) / np.maximum(p * (1.0 - p), 1e-12)) if need_p else None
        gy = (-w * (log_p - log_q)) if need_y else None
        return gp, gy


class BinaryCrossEntropyWithLogits(Op):
    """L = max(z, 0) − z·y + log(1 + e^(−|z|)) = −[y log σ(z) + (1 − y) log(1 − σ(z))].   ∂L/∂z = σ(z) − y,  ∂L/∂y = −z.

    Finite for any z. ∂L/∂z is the lecture's ŷ − y (divided by m for the mean).
    """

    name = "binary_cross_entropy_with_logits"
    local = ('∂L/∂z = ŷ − y   (over m for the mean)', '∂L/∂y = −z')

    def __call__(self, input: Any, target: Any, reduction: str = "mean") -> Any:
        who = self.name
        z, y = lift(input, who), lift(target, who)
        _same_shape(who, raw(z), raw(y))
        return _finite_or_explained(self, (z, y), {"reduction": _check_reduction(who, reduction)},
                                    logits=z, targets=y)

    def forward(self, ctx, z, y, reduction):
        e = np.exp(-np.abs(z))  # ≤ 1: never overflows
        ctx.saved = (reduction, e)
        return _reduce(np.maximum(z, 0.0) - z * y + np.log1p(e), reduction)

    def vjp(self, ctx, g, out, z, y):
        w = _weights(g, z.size, ctx.saved[0])
        need_z, need_y = ctx.needs
        return (w * (inside_vjp(sigmoid, z) - y) if need_z else None), (-w * z if need_y else None)

    def plain_vjp(self, ctx, g, out, z, y):
        reduction, e = ctx.saved
        w = _weights(g, z.size, reduction)
        need_z, need_y = ctx.needs
        gz = None
        if need_z:  # σ(z) = e^min(z, 0) / (1 + e^(−|z|)), reusing forward's e^(−|z|), in place
            gz = np.minimum(z, 0.0)
            if type(gz) is not np.ndarray:  # a 0-d z gives a numpy scalar
                gz = np.array(gz)
            np.exp(gz, out=gz)
            gz /= e + 1.0
            gz -= y
            gz *= w
        return gz, (-w * z if need_y else None)


def _labels(who: str, target: Any, n_classes: int) -> np.ndarray | None:
    """Integer class labels from ``target``, or None when it is a probability table."""
    values = np.asarray(raw(target))
    if values.dtype.kind == "f":
        if not np.all(np.isfinite(values)):
            _check_finite(who, "target", values)
        if not np.all(values == np.round(values)):
            return None
    elif values.dtype.kind not in "biu":
        raise TypeError(f"{who}: target must be integer labels or a float table, got dtype {values.dtype}")
    labels = values.astype(np.intp, copy=False)
    # one reduction instead of two: seen as unsigned, a negative label is huge
    if labels.size and labels.view(np.uintp).max() >= n_classes:
        bad = np.flatnonzero((labels < 0) | (labels >= n_classes))[0]
        raise ValueError(f"{who}: label {values[bad]} at index {bad} is not a class in 0..{n_classes - 1}")
    return labels


class CrossEntropy(Op):
    """xent = −Σ_k Y_k log S_k(z).   ∂xent/∂z_i = S_i − Y_i (the lecture's S_i − δ_yi),  ∂xent/∂Y_k = −log S_k.

    For logits z of shape (m, K) and targets given as integer labels (m,) or
    as rows of probabilities (m, K), e.g. one-hot; log S(z) = z − logsumexp(z).
    With a label y: xent = −log P_y, and dL/dz = (P − Y)/m for the mean (times
    Σ_k Y_k when rows of Y do not sum to 1).
    """

    name = "cross_entropy"
    local = ('∂xent/∂z_i = S_i − δ_yi   (over m for the mean)', '∂xent/∂Y_k = −log S_k')

    def __call__(self, input: Any, target: Any, reduction: str = "mean") -> Any:
        who = self.name
        reduction = _check_reduction(who, reduction)
        z = lift(input, who)
        if np.ndim(raw(z)) == 1:  # one sample: a row
            from .shape import reshape
            out = self(reshape(z, (1, -1)), np.asarray(raw(target))[None], reduction)
            return reshape(out, ()) if reduction == "none" else out
        if np.ndim(raw(z)) != 2:
            raise ValueError(f"{who}: logits must have shape (m, K) or (K,), got {np.shape(raw(z))}")
        m, k = np.shape(raw(z))
        t_shape = np.shape(raw(target))
        if t_shape == (m,):
            labels = _labels(who, target, k)
            if labels is None:
                values = np.asarray(raw(target))
                bad = np.flatnonzero(values != np.round(values))[0]
                raise ValueError(f"{who}: float labels must be whole numbers; found {values[bad]} at index {bad}")
            return _finite_or_explained(self, (z,), {"labels": labels, "reduction": reduction}, logits=z)
        if t_shape != (m, k):
            raise ValueError(
                f"{who}: target of shape {t_shape} fits neither integer labels of shape {(m,)} "
                f"nor probability rows (one-hot) of shape {(m, k)} for logits of shape {(m, k)}")
        target = lift(target, who)
        return _finite_or_explained(self, (z, target), {"labels": None, "reduction": reduction},
                                    logits=z, target=target)

    def forward(self, ctx, z, target=None, labels=None, reduction="mean"):
        # Computed on the transpose (K, m), made contiguous: numpy reduces over a
        # short last axis slowly (10 µs for 128 × 10 in float32); over the first
        # axis the same max and sum are elementwise passes over K rows (1–2 µs).
        zt = np.ascontiguousarray(z.T)
        shifted = zt - zt.max(axis=0)
        e = np.exp(shifted)
        total = e.sum(axis=0)
        log_total = np.log(total)
        if labels is not None:
            # element (y_i, i) of a contiguous (K, m) array, as one flat index:
            # a 1-D index is 3x cheaper than the pair of index arrays
            m = len(labels)
            flat = labels * m + np.arange(m)
            ctx.saved = (reduction, labels, (e, total, shifted, log_total, flat))
            return _reduce(log_total - shifted.ravel()[flat], reduction)
        ctx.saved = (reduction, None, (e, total, shifted, log_total, None))
        return _reduce(np.sum(target.T * (log_total - shifted), axis=0), reduction)

    def vjp(self, ctx, g, out, z, target=None):
        reduction, labels, _ = ctx.saved
        w = _weights(g, z.shape[0], reduction)
        if reduction == "none":
            w = w.reshape(w.shape + (1,))
        if labels is not None:
            y = np.zeros(z.shape, dtype=z.dtype)
            y[np.arange(len(labels)), labels] = 1.0
        else:
            y = target
        need_z = ctx.needs[0]
        need_target = len(ctx.needs) > 1 and ctx.needs[1]
        gz = (inside_vjp(softmax, z) * y.sum(axis=-1, keepdims=True) - y) * w if need_z else None
        gt = -inside_vjp(log_softmax, z) * w if need_target else None
        return (gz,) if labels is not None else (gz, gt)

    def plain_vjp(self, ctx, g, out, z, target=None):
        # on forward's transposed (K, m) arrays; the gradients are transposed back
        reduction, labels, (e, total, shifted, log_total, flat) = ctx.saved
        w = _weights(g, z.shape[0], reduction)
        need_z = ctx.needs[0]
        need_target = len(ctx.needs) > 1 and ctx.needs[1]
        gz = gt = None
        if need_z:
            p = e / total  # a new contiguous array, so ravel() is a view of it
            if labels is not None:
                p.ravel()[flat] -= 1.0  # p is ours: P − Y in place
                p *= w
                gz = p.T
            else:
                yt = target.T
                gz = ((p * np.sum(yt, axis=0) - yt) * w).T
        if need_target:
            gt = ((log_total - shifted) * w).T
        return (gz,) if labels is not None else (gz, gt)


binary_cross_entropy = BinaryCrossEntropy()
binary_cross_entropy_with_logits = BinaryCrossEntropyWithLogits()
cross_entropy = CrossEntropy()
