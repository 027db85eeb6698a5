"""Diagonals and triangles: diagonal, trace, diag, tril, triu.

diagonal picks the elements x[..., i, i + offset]; its vjp puts g back on that
diagonal of zeros. trace is the sum of a diagonal: every diagonal element gets
g. diag makes a matrix from a vector (the vjp reads g's diagonal) or takes a
matrix's diagonal. tril and triu keep a triangle: the vjp keeps g's triangle.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op, apply, lift, raw, reject_numpy_options
from .shape import scatter_add


def _diagonal_axes(who: str, ndim: int, axis1: Any, axis2: Any) -> tuple[int, int]:
    if ndim < 2:
        raise ValueError(f"{who}: needs at least 2 dimensions, got {ndim}")
    for a in (axis1, axis2):
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)) or not -ndim <= a < ndim:
            raise ValueError(f"{who}: axis {a!r} is out of range for {ndim} dimensions")
    if axis1 % ndim == axis2 % ndim:
        raise ValueError(f"{who}: axis1 and axis2 must be different axes, got {axis1} and {axis2}")
    return int(axis1) % ndim, int(axis2) % ndim


def onto_diagonal(g: Any, shape: tuple, offset: int, axis1: int, axis2: int) -> Any:
    """zeros(shape) with g (the diagonal as the last axis, as numpy's diagonal
    gives it) on the diagonal x[..., i, i + offset] of axes axis1, axis2."""
    n = np.shape(raw(g))[-1]
    rows, cols = np.arange(n) + max(-offset, 0), np.arange(n) + max(offset, 0)
    key: list[Any] = [slice(None)] * len(shape)
    key[axis1], key[axis2] = rows, cols
    # x[key] puts the diagonal axis where the two axes were if they are neighbours, else first
    where = min(axis1, axis2) if abs(axis1 - axis2) == 1 else 0
    return scatter_add(np.moveaxis(g, -1, where), tuple(key), shape)


class Diagonal(Op):
    """y = x[..., i, i + offset] over axes axis1, axis2, as the last axis (numpy's diagonal).   dL/dx = g on that diagonal, zeros elsewhere."""

    name, numpy, method = "diagonal", ("diagonal",), "diagonal"
    local = "picks elements: dL/dx = g on the diagonal, zeros elsewhere"

    def __call__(self, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
        x = lift(a, self.name)
        axis1, axis2 = _diagonal_axes(self.name, np.ndim(raw(x)), axis1, axis2)
        return apply(self, x, offset=int(offset), axis1=axis1, axis2=axis2)

    def forward(self, ctx, x, offset, axis1, axis2):
        ctx.saved = (offset, axis1, axis2)
        return np.diagonal(x, offset, axis1, axis2)

    def vjp(self, ctx, g, out, x):
        return (onto_diagonal(g, np.shape(raw(x)), *ctx.saved),)


class Trace(Op):
    """y = Σ_i x[..., i, i + offset] over axes axis1, axis2 (numpy's trace).   dL/dx = g on that diagonal, zeros elsewhere."""

    name, numpy, method = "trace", ("trace",), "trace"
    local = "∂ tr X/∂x_ij = 1 on the diagonal, 0 elsewhere"

    def __call__(self, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
                 out: Any = None) -> Any:
        reject_numpy_options(self.name, {"dtype": dtype, "out": out})
        x = lift(a, self.name)
        axis1, axis2 = _diagonal_axes(self.name, np.ndim(raw(x)), axis1, axis2)
        return apply(self, x, offset=int(offset), axis1=axis1, axis2=axis2)

    def forward(self, ctx, x, offset, axis1, axis2):
        n = np.diagonal(x, offset, axis1, axis2).shape[-1]
        ctx.saved = (n, offset, axis1, axis2)
        return np.trace(x, offset, axis1, axis2)

    def vjp(self, ctx, g, out, x):
        n, offset, axis1, axis2 = ctx.saved
        shape = np.shape(raw(g))
        along = np.broadcast_to(g.reshape(shape + (1,)), shape + (n,))  # g for every diagonal element
        return (onto_diagonal(along, np.shape(raw(x)), offset, axis1, axis2),)


class Diag(Op):
    """y = the matrix with v on its k-th diagonal (v 1-d), or the k-th diagonal of a matrix (numpy's diag).   dL/dv = g's k-th diagonal; dL/dX = g on the diagonal."""

    name, numpy = "diag", ("diag",)
    local = "moves elements: to or from the k-th diagonal"

    def __call__(self, v: Any, k: int = 0) -> Any:
        x = lift(v, self.name)
        if np.ndim(raw(x)) not in (1, 2):
            raise ValueError(f"diag: needs a 1-d or 2-d tensor, got shape {np.shape(raw(x))}")
        return apply(self, x, k=int(k))

    def forward(self, ctx, x, k):
        ctx.saved = k
        return np.diag(x, k)

    def vjp(self, ctx, g, out, x):
        k, shape = ctx.saved, np.shape(raw(x))
        if len(shape) == 1:
            return (np.diagonal(g, k),)
        return (onto_diagonal(g, shape, k, 0, 1),)


class Tril(Op):
    """y = x with the elements above the k-th diagonal set to 0 (of the last two axes).   dL/dx = g with the same zeros."""

    name, numpy = "tril", ("tril",)
    local = "∂y/∂x = 1 on and below the k-th diagonal, 0 above"
    triangle = staticmethod(np.tril)

    def __call__(self, m: Any, k: int = 0) -> Any:
        x = lift(m, self.name)
        if np.ndim(raw(x)) < 1:
            raise ValueError(f"{self.name}: needs at least 1 dimension, got a 0-d tensor")
        return apply(self, x, k=int(k))

    def forward(self, ctx, x, k):
        ctx.saved = k
        return self.triangle(x, k)

    def vjp(self, ctx, g, out, x):
        kept = self.triangle(np.ones(np.shape(raw(out))[-2:], dtype=bool), ctx.saved)
        return (g * kept,)  # a 1-d x was broadcast to rows: the engine sums them back


class Triu(Tril):
    """y = x with the elements below the k-th diagonal set to 0 (of the last two axes).   dL/dx = g with the same zeros."""

    name, numpy = "triu", ("triu",)
    local = "∂y/∂x = 1 on and above the k-th diagonal, 0 below"
    triangle = staticmethod(np.triu)


diagonal, trace, diag, tril, triu = Diagonal(), Trace(), Diag(), Tril(), Triu()
