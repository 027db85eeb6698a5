"""Softmax and log-softmax along an axis, computed stably (shifted by the max)."""
from __future__ import annotations

import numpy as np

from .base import READS_NONE, Node, Op, apply, apply1, check_axis, lift, raw, rows_along, short_rows, sum_rows


class _AlongAxis(Op):
    def __call__(self, x, axis=-1):
        if type(axis) is int and isinstance(x, Node) and -x.data.ndim <= axis < x.data.ndim:
            return apply1(self, x, axis % x.data.ndim)  # one axis in range, as check_axis leaves it
        x = lift(x, self.name)
        ndim = x.data.ndim if isinstance(x, Node) else np.ndim(x)
        if ndim == 0:
            raise ValueError(f"{self.name}: needs a tensor with at least one dimension, got a 0-d tensor")
        return apply(self, x, axis=check_axis(self.name, ndim, axis))


class Softmax(_AlongAxis):
    """S_j = e^(a_j) / Σ_k e^(a_k).   D_j S_i = S_i(δ_ij − S_j), so dL/da_j = S_j (g_j − Σ_i g_i S_i).

    Computed as e^(a_j − max a) / Σ_k e^(a_k − max a); the vjp never builds
    the N×N Jacobian.
    """

    name, method = "softmax", "softmax"
    local = 'D_j S_i = S_i(δ_ij − S_j)'
    reads = READS_NONE

    def forward(self, ctx, a, axis):
        ctx.saved = axis
        rows = rows_along(a, axis)
        if rows is not None:  # the same along the rows of the transpose, a copy of our own
            rows -= np.maximum.reduce(rows, axis=0)  # written in place: just an optimization
            np.exp(rows, out=rows)
            rows /= np.add.reduce(rows, axis=0)
            return np.ascontiguousarray(rows.T)
        e = np.exp(a - np.max(a, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)

    def vjp(self, ctx, g, out, a):
        return (out * (g - (g * out).sum(axis=ctx.saved, keepdims=True)),)

    def plain_vjp(self, ctx, g, out, a):
        if not short_rows(g, ctx.saved):
            return self.vjp(ctx, g, out, a)
        return (out * (g - sum_rows(g * out)[:, None]),)


class LogSoftmax(_AlongAxis):
    """log S_j = a_j − log Σ_k e^(a_k).   ∂ log S_i/∂a_j = δ_ij − S_j, so dL/da_j = g_j − S_j Σ_i g_i."""

    name, method = "log_softmax", "log_softmax"
    local = '∂log S_i/∂a_j = δ_ij − S_j'
    reads = READS_NONE

    def forward(self, ctx, a, axis):
        ctx.saved = axis
        rows = rows_along(a, axis)
        if rows is not None:  # the same along the rows of the transpose, a copy of our own
            rows -= np.maximum.reduce(rows, axis=0)  # written in place: just an optimization
            rows -= np.log(np.add.reduce(np.exp(rows), axis=0))
            return np.ascontiguousarray(rows.T)
        shifted = a - np.max(a, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))

    def vjp(self, ctx, g, out, a):
        return (g - np.exp(out) * g.sum(axis=ctx.saved, keepdims=True),)

    def plain_vjp(self, ctx, g, out, a):
        if not short_rows(g, ctx.saved):
            return self.vjp(ctx, g, out, a)
        return (g - np.exp(out) * sum_rows(g)[:, None],)


softmax, log_softmax = Softmax(), LogSoftmax()
