"""Softmax and log-softmax along an axis, computed stably (shifted by the max)."""
from __future__ import annotations

import numpy as np

from .base import Op


class Softmax(Op):
    """S_j = e^(a_j) / Σ_k e^(a_k), computed as e^(a_j − max a) / Σ_k e^(a_k − max a).

    The lecture's Jacobian is D_j S_i = S_i(δ_ij − S_j), so the vector-Jacobian product is

        dL/da_j = Σ_i g_i S_i(δ_ij − S_j) = S_j (g_j − Σ_i g_i S_i)

    which never builds the N×N matrix.
    """

    __slots__ = ("axis",)
    name = "softmax"

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, a):
        e = np.exp(a - np.max(a, axis=self.axis, keepdims=True))
        return e / np.sum(e, axis=self.axis, keepdims=True)

    def vjp(self, g, out, a):
        return (out * (g - (g * out).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Op):
    """log S_j = a_j − log Σ_k e^(a_k) (log-sum-exp, finite for logits of ±1e4).

    ∂ log S_i / ∂a_j = δ_ij − S_j, so dL/da_j = g_j − S_j Σ_i g_i, with S = e^(log S).
    """

    __slots__ = ("axis",)
    name = "log_softmax"

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, a):
        shifted = a - np.max(a, axis=self.axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True))

    def vjp(self, g, out, a):
        return (g - np.exp(out) * g.sum(axis=self.axis, keepdims=True),)
