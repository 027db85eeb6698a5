"""Ops that only rearrange elements: squeeze, expand_dims, ravel, moveaxis
(a new shape or axis order) and flip, fliplr, flipud, roll (a new order along
axes). Each element lands in exactly one place, so each vjp is the inverse
rearrangement of g."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op, apply, check_axis, lift, raw
from .shape import Transpose


def _axes_tuple(who: str, axis: Any, ndim: int, name: str = "axis") -> tuple[int, ...]:
    """An int or a sequence of ints, each in [−ndim, ndim), as non-negative axes (repeats allowed)."""
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    try:
        axes = tuple(axes)
    except TypeError:
        raise TypeError(f"{who}: {name} must be an int or a tuple of ints, got {axis!r}") from None
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{who}: {name} must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{who}: {name} {a} is out of range for {ndim} dimensions")
    return tuple(int(a) % ndim for a in axes)


class Squeeze(Op):
    """y = x without axes of length 1.   dL/dx = g reshaped back."""

    name, numpy, method = "squeeze", ("squeeze",), "squeeze"
    local = "moves elements: dL/dx = g reshaped back"

    def __call__(self, a: Any, axis: Any = None) -> Any:
        x = lift(a, self.name)
        shape = np.shape(raw(x))
        axis = check_axis(self.name, len(shape), axis)
        for i in () if axis is None else (axis if isinstance(axis, tuple) else (axis,)):
            if shape[i] != 1:
                raise ValueError(f"squeeze: axis {i} has length {shape[i]}, not 1, in shape {shape}")
        return apply(self, x, axis=axis)

    def forward(self, ctx, x, axis):
        return np.squeeze(x, axis)

    def vjp(self, ctx, g, out, x):
        return (g.reshape(np.shape(x)),)


class ExpandDims(Op):
    """y = x with new axes of length 1 at ``axis``.   dL/dx = g reshaped back."""

    name, numpy = "expand_dims", ("expand_dims",)
    local = "moves elements: dL/dx = g reshaped back"

    def __call__(self, a: Any, axis: Any) -> Any:
        x = lift(a, self.name)
        n_new = 1 if isinstance(axis, (int, np.integer)) else len(tuple(axis))
        axes = _axes_tuple(self.name, axis, np.ndim(raw(x)) + n_new)
        if len(set(axes)) != len(axes):
            raise ValueError(f"expand_dims: repeated axis in {axis}")
        return apply(self, x, axis=axes)

    def forward(self, ctx, x, axis):
        return np.expand_dims(x, axis)

    def vjp(self, ctx, g, out, x):
        return (g.reshape(np.shape(x)),)


class Ravel(Op):
    """y = x flattened to 1-D in C order (ravel; Tensor.flatten).   dL/dx = g reshaped back."""

    name, numpy, method = "ravel", ("ravel",), "ravel"
    local = "moves elements: dL/dx = g reshaped back"

    def __call__(self, a: Any, order: str = "C") -> Any:
        if order != "C":
            raise TypeError(f"ravel: only order='C' is supported on a Tensor, got order={order!r}")
        return apply(self, lift(a, self.name))

    def forward(self, ctx, x):
        return np.ravel(x)

    def vjp(self, ctx, g, out, x):
        return (g.reshape(np.shape(x)),)


class MoveAxis(Transpose):
    """y = x with axes ``source`` moved to ``destination``, the others in order.   dL/dx = g with the inverse permutation."""

    name, numpy = "moveaxis", ("moveaxis",)

    def __call__(self, a: Any, source: Any, destination: Any) -> Any:  # type: ignore[override]
        x = lift(a, self.name)
        ndim = np.ndim(raw(x))
        source = _axes_tuple(self.name, source, ndim, "source")
        destination = _axes_tuple(self.name, destination, ndim, "destination")
        if len(source) != len(destination):
            raise ValueError(f"moveaxis: {len(source)} source axes but {len(destination)} destinations")
        if len(set(source)) != len(source) or len(set(destination)) != len(destination):
            raise ValueError("moveaxis: repeated axis in source or destination")
        order = [n for n in range(ndim) if n not in source]
        for dest, src in sorted(zip(destination, source)):
            order.insert(dest, src)
        return apply(self, x, axes=tuple(order))


class Flip(Op):
    """y = x in reverse order along ``axis`` (all axes for None).   dL/dx = g flipped back."""

    name, numpy = "flip", ("flip",)
    local = "moves elements: dL/dx = g flipped back"

    def __call__(self, m: Any, axis: Any = None) -> Any:
        x = lift(m, self.name)
        return apply(self, x, axis=check_axis(self.name, np.ndim(raw(x)), axis))

    def forward(self, ctx, x, axis):
        ctx.saved = axis
        return np.flip(x, axis)

    def vjp(self, ctx, g, out, x):
        return (np.flip(g, ctx.saved),)


class FlipLR(Flip):
    """y = x with its columns (axis 1) reversed.   dL/dx = g flipped back."""

    name, numpy = "fliplr", ("fliplr",)

    def __call__(self, m: Any) -> Any:  # type: ignore[override]
        x = lift(m, self.name)
        if np.ndim(raw(x)) < 2:
            raise ValueError(f"fliplr: needs at least 2 dimensions, got shape {np.shape(raw(x))}")
        return apply(self, x, axis=1)


class FlipUD(Flip):
    """y = x with its rows (axis 0) reversed.   dL/dx = g flipped back."""

    name, numpy = "flipud", ("flipud",)

    def __call__(self, m: Any) -> Any:  # type: ignore[override]
        x = lift(m, self.name)
        if np.ndim(raw(x)) < 1:
            raise ValueError("flipud: needs at least 1 dimension, got a 0-d tensor")
        return apply(self, x, axis=0)


class Roll(Op):
    """y = x shifted cyclically by ``shift`` along ``axis`` (the flattened x for None).   dL/dx = g rolled back by −shift."""

    name, numpy = "roll", ("roll",)
    local = "moves elements: dL/dx = g rolled back"

    def __call__(self, a: Any, shift: Any, axis: Any = None) -> Any:
        x = lift(a, self.name)
        shifts = shift if isinstance(shift, (tuple, list)) else (shift,)
        if not shifts or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in shifts):
            raise TypeError(f"roll: shift must be an int or a tuple of ints, got {shift!r}")
        shift = tuple(int(s) for s in shifts) if isinstance(shift, (tuple, list)) else int(shift)
        if axis is not None:
            axis = _axes_tuple(self.name, axis, np.ndim(raw(x)))
            if isinstance(shift, tuple) and len(shift) not in (1, len(axis)) and len(axis) != 1:
                raise ValueError(f"roll: {len(shift)} shifts for {len(axis)} axes")
        return apply(self, x, shift=shift, axis=axis)

    def forward(self, ctx, x, shift, axis):
        ctx.saved = (shift, axis)
        return np.roll(x, shift, axis)

    def vjp(self, ctx, g, out, x):
        shift, axis = ctx.saved
        back = tuple(-s for s in shift) if isinstance(shift, tuple) else -shift
        return (np.roll(g, back, axis),)


squeeze, expand_dims, ravel, moveaxis = Squeeze(), ExpandDims(), Ravel(), MoveAxis()
flip, fliplr, flipud, roll = Flip(), FlipLR(), FlipUD(), Roll()
