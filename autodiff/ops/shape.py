"""Ops that move elements without changing them: reshape, transpose, indexing,
broadcasting. Their Jacobians are 0/1 matrices, so each vjp moves the upstream
gradient back to where the elements came from."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Node, Op, apply, lift, raw


class Reshape(Op):
    """y = x viewed with another shape.   dL/dx = g reshaped back."""

    name, numpy, method = "reshape", ("reshape",), "reshape"
    local = 'moves elements: dL/dx = g reshaped back'

    def __call__(self, x, *shape, **numpy_options):
        if "newshape" in numpy_options:  # numpy < 2.1 spelling
            shape = (numpy_options.pop("newshape"),)
        if "shape" in numpy_options:
            shape = (numpy_options.pop("shape"),)
        if numpy_options.pop("order", "C") != "C" or numpy_options:
            raise TypeError(f"reshape: only the shape can be given for a Tensor, not {sorted(numpy_options) or 'order'}")
        new_shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        if len(shape) == 1 and isinstance(shape[0], (int, np.integer)):
            new_shape = (shape[0],)
        return apply(self, lift(x, self.name), shape=tuple(int(n) for n in new_shape))

    def explain_error(self, error, arrays, shape):
        return f"cannot reshape {np.size(arrays[0])} elements into shape {shape}"

    def forward(self, ctx, x, shape):
        return x.reshape(shape)

    def vjp(self, ctx, g, out, x):
        return (g.reshape(x.shape),)


class Transpose(Op):
    """y = x with its axes permuted.   dL/dx = g with the inverse permutation."""

    name = "transpose"
    numpy: tuple[str, ...] = ("transpose", "permute_dims")
    local = 'moves elements: dL/dx = g transposed back'

    def __call__(self, x, axes=None, *more):
        x = lift(x, self.name)
        ndim = np.ndim(raw(x))
        if more:  # t.transpose(1, 0)
            axes = (axes,) + more
        if axes is not None:
            axes = tuple(axes)
            if sorted(int(a) % (ndim or 1) for a in axes) != list(range(ndim)) or any(
                    not -ndim <= a < ndim for a in axes):
                raise ValueError(f"transpose: axes {axes} are not a permutation of the {ndim} axes "
                                 f"of shape {np.shape(raw(x))}")
            axes = tuple(int(a) % ndim for a in axes)
        return apply(self, x, axes=axes)

    def forward(self, ctx, x, axes):
        ctx.saved = axes
        return np.transpose(x, axes)

    def vjp(self, ctx, g, out, x):
        axes = ctx.saved
        if axes is None:
            return (g.transpose(),)
        return (g.transpose(tuple(np.argsort(axes))),)


class SwapAxes(Transpose):
    """y = x with two axes exchanged.   dL/dx = g with the same two exchanged back."""

    name, numpy, method = "swapaxes", ("swapaxes",), "swapaxes"

    def __call__(self, x, axis1, axis2):
        x = lift(x, self.name)
        ndim = np.ndim(raw(x))
        for a in (axis1, axis2):
            if not isinstance(a, (int, np.integer)) or not -ndim <= a < ndim:
                raise ValueError(f"swapaxes: axis {a!r} is out of range for a tensor with {ndim} dimensions")
        axes = list(range(ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return apply(self, x, axes=tuple(axes))


class BroadcastTo(Op):
    """y = x broadcast to a shape.   dL/dx = g summed over the copies
    (the engine's un-broadcasting does exactly that)."""

    name, numpy, method = "broadcast_to", ("broadcast_to",), "broadcast_to"
    local = 'copies elements: dL/dx = g summed over the copies'

    def __call__(self, x, shape, **numpy_options):
        if numpy_options.pop("subok", False) or numpy_options:
            raise TypeError("broadcast_to: only the shape can be given for a Tensor")
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        return apply(self, lift(x, self.name), shape=shape)

    def forward(self, ctx, x, shape):
        return np.broadcast_to(x, shape)

    def vjp(self, ctx, g, out, x):
        return (g,)


def _is_basic(key: tuple) -> bool:
    """True when every part of the index is an int, a slice, None or ``...``:
    then each element is picked at most once."""
    for k in key:
        if not (k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer)) and not isinstance(k, bool)):
            return False
    return True


def index_key(key: Any) -> Any:
    """An index with Tensors, lists and nested tuples turned into numpy arrays
    (numpy reads a tuple inside a tuple as an array of indices)."""
    if not isinstance(key, tuple):
        key = (key,)
    parts = []
    for k in key:
        if isinstance(k, Node):
            k = k.data
        if isinstance(k, (list, tuple)):
            k = np.asarray(k)
        if isinstance(k, np.ndarray) and k.dtype.kind == "f":
            if not np.all(k == np.round(k)):
                raise IndexError("getitem: float indices must hold whole numbers")
            k = k.astype(np.intp)
        parts.append(k)
    return tuple(parts)


class GetItem(Op):
    """y = x[key]: slices and integer-array indexing (``P[np.arange(m), y]``).   dL/dx = g scattered back into zeros, summed where an element was picked more than once."""

    name, method = "getitem", "__getitem__"
    local = 'picks elements: dL/dx = g scattered back into zeros'

    def __call__(self, x, key):
        return apply(self, lift(x, self.name), key=index_key(key))

    def forward(self, ctx, x, key):
        ctx.saved = key
        return x[key]

    def vjp(self, ctx, g, out, x):
        return (scatter_add(g, ctx.saved, x.shape),)


class ScatterAdd(Op):
    """y = zeros(shape) with y[key] += g: the adjoint of x[key].   dL/dg = (upstream)[key]."""

    name = "scatter_add"
    local = 'dL/dg = upstream[key]'

    def __call__(self, g, key, shape):
        return apply(self, lift(g, self.name), key=index_key(key), shape=tuple(shape))

    def forward(self, ctx, g, key, shape):
        ctx.saved = key
        return _scatter(g, key, shape)

    def vjp(self, ctx, upstream, out, g):
        return (upstream[ctx.saved],)


reshape, transpose, swapaxes, broadcast_to = Reshape(), Transpose(), SwapAxes(), BroadcastTo()
getitem, scatter_add_op = GetItem(), ScatterAdd()


def scatter_add(g: Any, key: tuple, shape: tuple) -> Any:
    """zeros(shape) with g added at key, for arrays and Tensors alike."""
    if isinstance(g, Node):
        return scatter_add_op(g, key, shape)
    return _scatter(g, key, shape)


def _scatter(g: np.ndarray, key: tuple, shape: tuple) -> np.ndarray:
    y = np.zeros(shape, dtype=g.dtype)
    if _is_basic(key):
        y[key] = g  # basic indexing picks each element once
    else:
        np.add.at(y, key, g)  # an element picked twice gets both gradients
    return y
