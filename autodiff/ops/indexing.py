"""Indexing with integer arrays (take, take_along_axis) and its differentiable
inverse, index_put: a new tensor equal to x except at ``key``, where it holds v.

take and take_along_axis pick elements, perhaps several times: like x[key],
their vjp scatters g back into zeros, adding where an element was picked more
than once. index_put's output takes every element from x or from v: each
gets the upstream gradient of the places it fills.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op, apply, check_axis, lift, raw
from .shape import index_key, scatter_add


def _integer_indices(who: str, indices: Any) -> np.ndarray:
    array = np.asarray(raw(indices))
    if array.dtype.kind not in "iu":
        raise TypeError(f"{who}: indices must be integers, got dtype {array.dtype}")
    return array.astype(np.intp, copy=False)


class Take(Op):
    """y = x[..., indices, ...] along ``axis`` (of the flattened x for None; numpy's take).   dL/dx = g scattered back, summed over repeated indices."""

    name, numpy, method = "take", ("take",), "take"
    local = "picks elements: dL/dx = g scattered back into zeros"

    def __call__(self, a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
        if out is not None:
            raise TypeError("take: out= is not supported on a Tensor (apply numpy to tensor.detach().data)")
        x = lift(a, self.name)
        shape = np.shape(raw(x))
        if isinstance(axis, tuple):
            raise TypeError(f"take: axis must be an int or None, got {axis!r}")
        axis = check_axis(self.name, len(shape), axis)
        idx = _integer_indices(self.name, indices)
        n = int(np.prod(shape)) if axis is None else shape[axis]
        if mode == "wrap":
            idx = np.mod(idx, n)
        elif mode == "clip":  # numpy's clip mode clips negative indices to 0 as well
            idx = np.clip(idx, 0, n - 1)
        elif mode != "raise":
            raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
        if idx.size and (idx.min() < -n or idx.max() >= n):
            bad = idx[(idx < -n) | (idx >= n)].flat[0]
            raise IndexError(f"take: index {bad} is out of bounds for {n} elements "
                             f"{'in all' if axis is None else f'along axis {axis}'} of shape {shape}")
        return apply(self, x, indices=idx, axis=axis)

    def forward(self, ctx, x, indices, axis):
        ctx.saved = (indices, axis)
        return np.take(x, indices, axis)

    def vjp(self, ctx, g, out, x):
        indices, axis = ctx.saved
        shape = np.shape(raw(x))
        if axis is None:
            return (scatter_add(g, (indices,), (int(np.prod(shape)),)).reshape(shape),)
        return (scatter_add(g, (slice(None),) * axis + (indices,), shape),)


def _along_axis_key(indices: np.ndarray, axis: int, shape: tuple) -> tuple:
    """The integer-array key with x[key] = take_along_axis(x, indices, axis)."""
    ndim = len(shape)
    return tuple(indices if d == axis else np.arange(shape[d]).reshape((-1,) + (1,) * (ndim - d - 1))
                 for d in range(ndim))


class TakeAlongAxis(Op):
    """y[..., j, ...] = x[..., indices[..., j, ...], ...] along ``axis`` (numpy's take_along_axis).   dL/dx = g scattered back, summed over repeats."""

    name, numpy = "take_along_axis", ("take_along_axis",)
    local = "picks elements: dL/dx = g scattered back into zeros"

    def __call__(self, arr: Any, indices: Any, axis: Any = -1) -> Any:
        x = lift(arr, self.name)
        idx = _integer_indices(self.name, indices)
        shape = np.shape(raw(x))
        if axis is None:
            if idx.ndim != 1:
                raise ValueError(f"take_along_axis: with axis=None the indices must be 1-d, got shape {idx.shape}")
            n = int(np.prod(shape))
        else:
            if isinstance(axis, tuple) or not shape:
                raise ValueError(f"take_along_axis: axis must be one axis of a tensor of shape {shape}")
            axis = check_axis(self.name, len(shape), axis)
            if idx.ndim != len(shape):
                raise ValueError(f"take_along_axis: indices need {len(shape)} dimensions like the tensor, "
                                 f"got shape {idx.shape}")
            n = shape[axis]
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"take_along_axis: an index is out of bounds for {n} elements along the axis")
        return apply(self, x, indices=idx, axis=axis)

    def forward(self, ctx, x, indices, axis):
        ctx.saved = (indices, axis)
        return np.take_along_axis(x, indices, axis)

    def vjp(self, ctx, g, out, x):
        indices, axis = ctx.saved
        shape = np.shape(raw(x))
        if axis is None:
            return (scatter_add(g, (indices,), (int(np.prod(shape)),)).reshape(shape),)
        return (scatter_add(g, _along_axis_key(indices, axis, shape), shape),)


def _written_last(shape: tuple, key: tuple) -> Any:
    """Which elements of x[key] numpy actually stores by y[key] = v: all of them
    (None) unless the key names an element twice, when the last write wins."""
    if all(k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer)) for k in key):
        return None  # basic indexing names each element once
    picked_shape = np.empty(shape, dtype=np.int8)[key].shape
    order = np.arange(int(np.prod(picked_shape)), dtype=np.intp).reshape(picked_shape)
    owner = np.full(shape, -1, dtype=np.intp)
    owner[key] = order  # the same assignment as the forward's, on positions
    won = owner[key] == order
    return None if won.all() else won


class IndexPut(Op):
    """y = x with y[key] = v, a new tensor (x is not changed).   dL/dx = g with zeros at key,  dL/dv = g[key] summed over v's broadcast (0 for values overwritten by a repeated index)."""

    name = "index_put"
    local = ("∂y/∂x = 1 outside key, 0 at key", "∂y[key]/∂v = 1")

    def __call__(self, x: Any, key: Any, v: Any) -> Any:
        x, v = lift(x, self.name), lift(v, self.name)
        key = index_key(key)
        v_shape = np.shape(raw(v))
        try:
            target = np.empty(np.shape(raw(x)), dtype=np.int8)[key].shape
        except IndexError as error:
            raise IndexError(f"index_put: key {key!r} does not index shape {np.shape(raw(x))}: {error}") from None
        try:  # numpy's own rule, on a small dummy: v broadcasts to x[key] (leading axes of length 1 dropped)
            np.zeros(np.shape(raw(x)), dtype=np.int8)[key] = np.zeros(v_shape, dtype=np.int8)
        except ValueError:
            raise ValueError(f"index_put: a value of shape {v_shape} cannot fill x[key] of shape {target}") from None
        while len(v_shape) > len(target) and v_shape[0] == 1:
            v_shape = v_shape[1:]
        return apply(self, x, v, key=key, value_shape=v_shape)

    def forward(self, ctx, x, v, key, value_shape):
        y = np.array(x, copy=True)
        y[key] = np.reshape(v, value_shape)  # without the leading axes of length 1 that numpy would drop
        ctx.saved = key
        return y

    def vjp(self, ctx, g, out, x, v):
        key = ctx.saved
        gx = gv = None
        if ctx.needs[0]:
            kept = np.ones(np.shape(raw(x)), dtype=bool)
            kept[key] = False
            gx = g * kept
        if ctx.needs[1]:
            gv = g[key]
            won = _written_last(np.shape(raw(x)), key)
            if won is not None:
                gv = gv * won
            extra = np.ndim(raw(v)) - np.ndim(raw(gv))
            if extra > 0:  # v had leading axes of length 1 that the assignment dropped
                gv = gv.reshape((1,) * extra + np.shape(raw(gv)))
        return gx, gv


take, take_along_axis, index_put = Take(), TakeAlongAxis(), IndexPut()
