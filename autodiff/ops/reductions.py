"""Reductions over axes: sum, mean, max, logsumexp.

A reduction's output element depends on every input element it reduces, so its
vjp spreads the upstream gradient back over the reduced axes (a broadcast):
reduce and broadcast are each other's adjoint.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import READS_NONE, Node, Op, rows_along, short_rows, sum_rows, apply, apply1, broadcast_to_shape, check_axis, lift, raw, reduced_shape, reject_numpy_options


def _spread(g, x_shape, axis):
    """Upstream gradient of a reduction, reshaped to keepdims and broadcast to x."""
    return broadcast_to_shape(g.reshape(reduced_shape(x_shape, axis)), x_shape)


class _Reduction(Op):
    """Shared: ``op(x, axis=None, keepdims=False)``; numpy's other options are refused."""

    def __call__(self, x: Any, axis: Any = None, keepdims: bool = False, **numpy_options: Any) -> Any:  # type: ignore[override]
        if keepdims is False and not numpy_options:  # the common calls first (just an optimization)
            if axis is None:  # of everything: forward's defaults
                return apply1(self, x)
            if type(axis) is int and isinstance(x, Node) and -x.data.ndim <= axis < x.data.ndim:
                return apply1(self, x, axis % x.data.ndim)  # one axis in range, as check_axis leaves it
        reject_numpy_options(self.name, numpy_options)
        x = lift(x, self.name)
        return apply(self, x, axis=check_axis(self.name, x.data.ndim if isinstance(x, Node) else np.ndim(x), axis),
                     keepdims=bool(keepdims))


class Sum(_Reduction):
    """y = Σ_axis x.   ∂y/∂x_i = 1 for every reduced element:  dL/dx = g, spread."""

    name, numpy, method = "sum", ("sum",), "sum"
    local = '∂(Σ_i x_i)/∂x_i = 1'
    reads = READS_NONE
    reads_out = False

    def forward(self, ctx, x, axis=None, keepdims=False):
        ctx.saved = axis
        if axis is None and not keepdims:
            return np.add.reduce(x, axis=None)  # x.sum() without numpy's Python-level wrapper
        if short_rows(x, axis):
            total = sum_rows(x)
            return total[:, None] if keepdims else total
        return x.sum(axis=axis, keepdims=keepdims)

    def vjp(self, ctx, g, out, x):
        return (_spread(g, x.shape, ctx.saved),)


class Mean(_Reduction):
    """y = (1/n) Σ_axis x.   dL/dx = g / n, spread (n = number of reduced elements)."""

    name, numpy, method = "mean", ("mean",), "mean"
    local = '∂((1/m) Σ_i x_i)/∂x_i = 1/m'
    reads = READS_NONE
    reads_out = False

    def forward(self, ctx, x, axis=None, keepdims=False):
        if x.size == 0:
            raise ValueError("mean of an empty tensor")
        ctx.saved = axis
        if axis is None and not keepdims:  # the mean of everything (a loss): numpy's sum is fastest without options
            return np.add.reduce(x, axis=None) / x.size
        total = x.sum(axis=axis, keepdims=keepdims)
        return total / (x.size // total.size if total.size else 1)

    def vjp(self, ctx, g, out, x):
        n = x.size // out.size
        return (_spread(g / n, x.shape, ctx.saved),)

    def plain_vjp(self, ctx, g, out, x):
        if ctx.saved is None:  # the mean of everything (a loss): every element gets g/n
            gx = np.empty(x.shape, g.dtype)
            gx.fill(g.item() / x.size)
            return (gx,)
        return self.vjp(ctx, g, out, x)


class Max(_Reduction):
    """y = max_axis x.   ∂y/∂x_i = 1 where x_i is the maximum (shared equally
    between ties, as JAX and PyTorch's amax do), 0 elsewhere."""

    name, numpy, method = "max", ("max", "amax"), "max"
    local = '∂max/∂x_i = 1 at the maximum, 0 elsewhere'

    def forward(self, ctx, x, axis=None, keepdims=False):
        if x.size == 0:
            raise ValueError("max of an empty tensor")
        ctx.saved = axis
        rows = rows_along(x, axis)
        if rows is not None:
            top = rows.max(axis=0)
            return top[:, None] if keepdims else top
        return np.max(x, axis=axis, keepdims=keepdims)

    def vjp(self, ctx, g, out, x):
        axis = ctx.saved
        winners = raw(x) == raw(out).reshape(reduced_shape(x.shape, axis))
        share = winners / winners.sum(axis=axis, keepdims=True)
        return (_spread(g, x.shape, axis) * share,)


class LogSumExp(_Reduction):
    """y = log Σ_axis eˣ = m + log Σ e^(x − m), m = max x (no exp overflows).   ∂y/∂x_i = e^(x_i − y): the softmax."""

    name, method = "logsumexp", "logsumexp"
    local = '∂ log Σ_k e^(x_k) / ∂x_i = S_i (the softmax)'

    def forward(self, ctx, x, axis=None, keepdims=False):
        if x.size == 0:
            raise ValueError("logsumexp of an empty tensor")
        ctx.saved = axis
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        with np.errstate(over="ignore"):  # x − m may round to −inf: e^(−inf) = 0 is right
            shifted = x - m
        y = m + np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        if keepdims:
            return y
        return y.reshape(()) if axis is None else np.squeeze(y, axis=axis)

    def vjp(self, ctx, g, out, x):
        # the softmax as e^(x − max)/Σ e^(x − max), not e^(x − y): for |x| ≳ 1e16 y
        # rounds to max x and e^(x − y) would give 1 to every tied maximum
        axis = ctx.saved
        m = np.max(raw(x), axis=axis, keepdims=True)
        with np.errstate(over="ignore"):
            e = np.exp(x - np.where(np.isfinite(m), m, 0.0))
        return (_spread(g, x.shape, axis) * (e / e.sum(axis=axis, keepdims=True)),)


sum, mean, max, logsumexp = Sum(), Mean(), Max(), LogSumExp()
