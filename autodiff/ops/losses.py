"""Fused, numerically stable losses. Each takes (input, target) as PyTorch does
and reduces with ``reduction`` = "mean" (default), "sum" or "none".

Fused, because the composition log(σ(z)) or log(softmax(z)) overflows or loses
every digit for large |z| while the fused formula does not, and because the
gradient of the fusion is the lecture's simple (p − y)/m.
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .base import Op, apply
from .elementwise import Sigmoid
from .softmax import Softmax

LOG_FLOOR = -100.0  # log 0 is clamped here, as PyTorch's binary_cross_entropy does
REDUCTIONS = ("mean", "sum", "none")


class _Loss(Op):
    """Shared: per-element losses reduced by mean, sum or none."""

    __slots__ = ("reduction", "cache")

    def __init__(self, reduction: str = "mean"):
        if reduction not in REDUCTIONS:
            raise ValueError(f"{self.name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction
        self.cache = None

    def reduce(self, losses):
        if self.reduction == "mean":
            return losses.sum() / losses.size  # ndarray.mean() costs more for small arrays
        return losses.sum() if self.reduction == "sum" else losses

    def weights(self, g, n):
        """dL/d(per-element loss): g/n for the mean, g otherwise."""
        if self.reduction != "mean":
            return g
        if type(g) is np.ndarray and g.ndim == 0:  # the usual scalar loss: a Python float
            return g.item() / n                    # is 10x cheaper than a 0-d array here
        return g / n


def _plain(x) -> bool:
    """True in a plain backward (numpy values), False under create_graph (Tensors)."""
    return not isinstance(x, Tensor)


class BinaryCrossEntropy(_Loss):
    """L = −[y log p + (1 − y) log(1 − p)], log clamped at −100 so p ∈ {0, 1} stays finite.

    ∂L/∂p = (p − y) / (p(1 − p)),   ∂L/∂y = −(log p − log(1 − p)).
    Through p = σ(z) this becomes the lecture's (p − y); use the fused
    binary_cross_entropy_with_logits for that.
    """

    __slots__ = ()
    name = "binary_cross_entropy"

    def forward(self, p, y):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p), LOG_FLOOR)
        self.cache = (log_p, log_q)
        return self.reduce(-(y * log_p + (1.0 - y) * log_q))

    def vjp(self, g, out, p, y):
        w = self.weights(g, p.size)
        need_p, need_y = self.needs
        gp = gy = None
        if need_p:
            denom = p * (1.0 - p)
            gp = w * (p - y) / (np.maximum(denom, 1e-12) if _plain(denom) else denom)
        if need_y:
            log_p, log_q = self.cache if _plain(p) else (np.log(p), np.log(1.0 - p))
            gy = -w * (log_p - log_q)
        return gp, gy


class BinaryCrossEntropyWithLogits(_Loss):
    """L = −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − z·y + log(1 + e^(−|z|)),
    finite for any z.

    ∂L/∂z = σ(z) − y: the lecture's ŷ − y (divided by m for the mean).
    ∂L/∂y = −z.
    """

    __slots__ = ()
    name = "binary_cross_entropy_with_logits"

    def forward(self, z, y):
        e = np.exp(-np.abs(z))  # ≤ 1: never overflows
        self.cache = e
        return self.reduce(np.maximum(z, 0.0) - z * y + np.log1p(e))

    def vjp(self, g, out, z, y):
        w = self.weights(g, z.size)
        need_z, need_y = self.needs
        gz = gy = None
        if need_z:
            if _plain(z):  # σ(z) = e^min(z, 0) / (1 + e^(−|z|)), reusing forward's e^(−|z|), in place
                gz = np.minimum(z, 0.0)
                if type(gz) is not np.ndarray:  # a 0-d z gives a numpy scalar
                    gz = np.array(gz)
                np.exp(gz, out=gz)
                gz /= self.cache + 1.0
                gz -= y
                gz *= w
            else:
                gz = w * (apply(Sigmoid(), z) - y)
        if need_y:
            gy = -w * z
        return gz, gy


class CrossEntropy(_Loss):
    """xent = −Σ_k Y_k log S_k(z), with log S(z) = z − logsumexp(z), for logits z
    of shape (m, K) and targets Y given as integer labels (m,) or as rows of
    probabilities (m, K), e.g. one-hot. With a label y: xent = −log P_y.

    The lecture's Jacobian of the cross-entropy loss: ∂xent/∂z_i = S_i − δ_yi,
    i.e. dL/dz = (P − Y) / m for the mean (times Σ_k Y_k when rows of Y do not sum to 1).
    ∂xent/∂Y_k = −log S_k.
    """

    __slots__ = ("labels", "flat")
    name = "cross_entropy"

    def __init__(self, labels=None, reduction="mean"):
        super().__init__(reduction)
        self.labels = labels
        self.flat = None

    def forward(self, z, target=None):
        # Computed on the transpose (K, m), made contiguous: numpy reduces over a
        # short last axis slowly (10 µs for 128 × 10 in float32); over the first
        # axis the same max and sum are elementwise passes over K rows (1–2 µs).
        zt = np.ascontiguousarray(z.T)
        shifted = zt - zt.max(axis=0)
        e = np.exp(shifted)
        total = e.sum(axis=0)
        log_total = np.log(total)
        self.cache = (e, total, shifted, log_total)
        if self.labels is not None:
            # element (y_i, i) of a contiguous (K, m) array, as one flat index:
            # a 1-D index is 3x cheaper than the pair of index arrays
            m = len(self.labels)
            self.flat = self.labels * m + np.arange(m)
            picked = shifted.ravel()[self.flat]  # log-odds of P_y
            return self.reduce(log_total - picked)
        return self.reduce(np.sum(target.T * (log_total - shifted), axis=0))

    def _one_hot(self, z):
        y = np.zeros(z.shape, dtype=z.dtype)
        y[np.arange(len(self.labels)), self.labels] = 1.0
        return y

    def vjp(self, g, out, z, target=None):
        w = self.weights(g, z.shape[0])
        need_z = self.needs[0]
        need_target = len(self.needs) > 1 and self.needs[1]
        gz = gt = None
        if _plain(z):  # on forward's transposed (K, m) arrays; the gradients are transposed back
            e, total, shifted, log_total = self.cache
            if need_z:
                p = e / total  # a new contiguous array, so ravel() is a view of it
                if self.labels is not None:
                    p.ravel()[self.flat] -= 1.0  # p is ours: P − Y in place
                    p *= w
                    gz = p.T
                else:
                    yt = target.T
                    gz = ((p * np.sum(yt, axis=0) - yt) * w).T
            if need_target:
                gt = ((log_total - shifted) * w).T
            return (gz,) if self.labels is not None else (gz, gt)
        w = w.reshape(w.shape + (1,))
        p = apply(Softmax(-1), z)
        y = self._one_hot(z) if self.labels is not None else target
        if need_z:
            gz = (p * y.sum(axis=-1, keepdims=True) - y) * w
        if need_target:
            gt = -np.log(p) * w
        return (gz,) if self.labels is not None else (gz, gt)
