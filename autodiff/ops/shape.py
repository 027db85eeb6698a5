"""Ops that move elements without changing them: reshape, transpose, indexing,
broadcasting. Their Jacobians are 0/1 matrices, so each vjp moves the upstream
gradient back to where the elements came from."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op, apply


class Reshape(Op):
    """y = x viewed with another shape.   dL/dx = g reshaped back."""

    __slots__ = ("shape",)
    name = "reshape"

    def __init__(self, shape):
        self.shape = shape

    def explain_error(self, error):
        return f"cannot reshape {np.size(self.args[0])} elements into shape {self.shape}"

    def forward(self, x):
        return x.reshape(self.shape)

    def vjp(self, g, out, x):
        return (g.reshape(x.shape),)


class Transpose(Op):
    """y = x with its axes permuted.   dL/dx = g with the inverse permutation."""

    __slots__ = ("axes",)
    name = "transpose"

    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        return np.transpose(x, self.axes)

    def vjp(self, g, out, x):
        if self.axes is None:
            return (g.transpose(),)
        return (g.transpose(tuple(np.argsort([a % x.ndim for a in self.axes]))),)


class BroadcastTo(Op):
    """y = x broadcast to a shape.   dL/dx = g summed over the copies
    (the engine's un-broadcasting does exactly that)."""

    __slots__ = ("shape",)
    name = "broadcast_to"

    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def vjp(self, g, out, x):
        return (g,)


def _has_array_index(key: Any) -> bool:
    keys = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, (np.ndarray, list)) for k in keys)


class GetItem(Op):
    """y = x[key]: basic slicing or integer-array indexing (``P[np.arange(m), y]``
    picks P_y in each row).   dL/dx = g scattered back into zeros, added where an
    element was picked more than once."""

    __slots__ = ("key",)
    name = "getitem"

    def __init__(self, key):
        self.key = key

    def forward(self, x):
        return x[self.key]

    def vjp(self, g, out, x):
        return (scatter_add(g, self.key, x.shape),)


class ScatterAdd(Op):
    """y = zeros(shape) with y[key] += g: the adjoint of x[key].
    dL/dg = (upstream)[key]."""

    __slots__ = ("key", "shape")
    name = "scatter_add"

    def __init__(self, key, shape):
        self.key, self.shape = key, shape

    def forward(self, g):
        y = np.zeros(self.shape, dtype=g.dtype)
        if _has_array_index(self.key):
            np.add.at(y, self.key, g)
        else:
            y[self.key] = g  # basic indexing picks each element once
        return y

    def vjp(self, upstream, out, g):
        return (upstream[self.key],)


def scatter_add(g: Any, key: Any, shape: tuple) -> Any:
    from ..tensor import Tensor
    if isinstance(g, Tensor):
        return apply(ScatterAdd(key, shape), g)
    return ScatterAdd(key, shape).forward(g)
