"""Reductions over axes: sum, mean, max, logsumexp.

A reduction's output element depends on every input element it reduces, so its
vjp spreads the upstream gradient back over the reduced axes (a broadcast):
reduce and broadcast are each other's adjoint.
"""
from __future__ import annotations

import numpy as np

from .base import Op, broadcast_to, raw, reduced_shape


def _spread(g, x_shape, axis):
    """Upstream gradient of a reduction, reshaped to keepdims and broadcast to x."""
    return broadcast_to(g.reshape(reduced_shape(x_shape, axis)), x_shape)


class Sum(Op):
    """y = Σ_axis x.   ∂y/∂x_i = 1 for every reduced element:  dL/dx = g, spread."""

    __slots__ = ("axis", "keepdims")
    name = "sum"

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def vjp(self, g, out, x):
        return (_spread(g, x.shape, self.axis),)


class Mean(Op):
    """y = (1/n) Σ_axis x.   dL/dx = g / n, spread (n = number of reduced elements)."""

    __slots__ = ("axis", "keepdims")
    name = "mean"

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        if x.size == 0:
            raise ValueError("mean of an empty tensor")
        total = x.sum(axis=self.axis, keepdims=self.keepdims)
        return total / (x.size // max(total.size, 1))

    def vjp(self, g, out, x):
        n = x.size // out.size
        if type(g) is np.ndarray and g.size == 1:  # the mean of everything: every element gets g/n
            gx = np.empty(x.shape, g.dtype)
            gx.fill(g.item() / n)
            return (gx,)
        return (_spread(g / n, x.shape, self.axis),)


class Max(Op):
    """y = max_axis x.   ∂y/∂x_i = 1 where x_i is the maximum (shared equally
    between ties, as JAX and PyTorch's amax do), 0 elsewhere."""

    __slots__ = ("axis", "keepdims")
    name = "max"

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        if x.size == 0:
            raise ValueError("max of an empty tensor")
        return np.max(x, axis=self.axis, keepdims=self.keepdims)

    def vjp(self, g, out, x):
        kept = reduced_shape(x.shape, self.axis)
        winners = raw(x) == raw(out).reshape(kept)
        share = winners / winners.sum(axis=self.axis, keepdims=True)
        return (_spread(g, x.shape, self.axis) * share,)


class LogSumExp(Op):
    """y = log Σ_axis eˣ, computed as m + log Σ e^(x − m) with m = max x, so
    that no exp overflows.   ∂y/∂x_i = e^(x_i − y): the softmax."""

    __slots__ = ("axis", "keepdims")
    name = "logsumexp"

    def __init__(self, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x):
        if x.size == 0:
            raise ValueError("logsumexp of an empty tensor")
        m = np.max(x, axis=self.axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        with np.errstate(over="ignore"):  # x − m may round to −inf: e^(−inf) = 0 is right
            shifted = x - m
        y = m + np.log(np.sum(np.exp(shifted), axis=self.axis, keepdims=True))
        if self.keepdims:
            return y
        return y.reshape(()) if self.axis is None else np.squeeze(y, axis=self.axis)

    def vjp(self, g, out, x):
        # the softmax as e^(x − max)/Σ e^(x − max), not e^(x − y): for |x| ≳ 1e16 y
        # rounds to max x and e^(x − y) would give 1 to every tied maximum
        m = np.max(raw(x), axis=self.axis, keepdims=True)
        with np.errstate(over="ignore"):
            e = np.exp(x - np.where(np.isfinite(m), m, 0.0))
        return (_spread(g, x.shape, self.axis) * (e / e.sum(axis=self.axis, keepdims=True)),)
