"""Ops that copy elements: repeat, tile (each element several times) and pad
(the elements once, surrounded by constants). The gradient of an element is the
sum of the upstream gradients of its copies; the constants get none."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op, apply, check_axis, lift, raw
from .shape import scatter_add


def _whole_numbers(who: str, name: str, value: Any) -> np.ndarray:
    array = np.asarray(raw(value))
    if array.dtype.kind not in "iu" and not (array.dtype.kind == "f" and np.all(array == np.round(array))):
        raise TypeError(f"{who}: {name} must be whole numbers, got {value!r}")
    array = array.astype(np.intp)
    if np.any(array < 0):
        raise ValueError(f"{who}: {name} must not be negative, got {value!r}")
    return array


class Repeat(Op):
    """y = each element of x repeated along ``axis`` (the flattened x for None).   dL/dx = g summed over each element's copies."""

    name, numpy, method = "repeat", ("repeat",), "repeat"
    local = "copies elements: dL/dx = g summed over the copies"

    def __call__(self, a: Any, repeats: Any, axis: Any = None) -> Any:
        x = lift(a, self.name)
        shape = np.shape(raw(x))
        if isinstance(axis, tuple):
            raise TypeError(f"repeat: axis must be an int or None, got {axis!r}")
        axis = check_axis(self.name, len(shape), axis)
        counts = _whole_numbers(self.name, "repeats", repeats)
        n = int(np.prod(shape)) if axis is None else shape[axis]
        if counts.ndim > 1 or counts.size not in (1, n):
            raise ValueError(f"repeat: repeats must be one count or one per element ({n}), got shape {counts.shape}")
        reps: Any = int(counts.reshape(-1)[0]) if counts.size == 1 else counts
        return apply(self, x, repeats=reps, axis=axis)

    def forward(self, ctx, x, repeats, axis):
        ctx.saved = (repeats, axis)
        return np.repeat(x, repeats, axis)

    def vjp(self, ctx, g, out, x):
        repeats, axis = ctx.saved
        shape = np.shape(raw(x))
        lined = (int(np.prod(shape)),) if axis is None else shape  # what numpy repeats along axis k
        k = 0 if axis is None else axis
        if isinstance(repeats, int):  # the copies of element i are g[r·i : r·(i + 1)]: sum them
            gx = g.reshape(lined[:k] + (lined[k], repeats) + lined[k + 1:]).sum(axis=k + 1)
        else:  # copy j came from element source[j]
            source = np.repeat(np.arange(lined[k]), repeats)
            gx = scatter_add(g, (slice(None),) * k + (source,), lined)
        return (gx.reshape(shape),)


class Tile(Op):
    """y = x repeated as blocks, ``reps`` times along each axis.   dL/dx = g summed over the blocks."""

    name, numpy = "tile", ("tile",)
    local = "copies elements: dL/dx = g summed over the blocks"

    def __call__(self, A: Any, reps: Any) -> Any:
        x = lift(A, self.name)
        counts = _whole_numbers(self.name, "reps", reps)
        if counts.ndim > 1:
            raise ValueError(f"tile: reps must be an int or a sequence of ints, got {reps!r}")
        return apply(self, x, reps=tuple(int(r) for r in counts.reshape(-1)))

    def forward(self, ctx, x, reps):
        ctx.saved = reps
        return np.tile(x, reps)

    def vjp(self, ctx, g, out, x):
        reps, shape = ctx.saved, np.shape(raw(x))
        d = max(len(shape), len(reps))
        padded, counts = (1,) * (d - len(shape)) + shape, (1,) * (d - len(reps)) + reps
        # out's axis i is (block, position in block): split it, and sum the block axes
        blocks = g.reshape(tuple(n for pair in zip(counts, padded) for n in pair))
        return (blocks.sum(axis=tuple(range(0, 2 * d, 2))).reshape(shape),)


class Pad(Op):
    """y = x surrounded by constants, pad_width[i] = (before, after) along axis i (mode 'constant').   dL/dx = g without the padding."""

    name, numpy = "pad", ("pad",)
    local = "dL/dx = g without the padding (the constants get no gradient)"

    def __call__(self, array: Any, pad_width: Any, mode: str = "constant", **options: Any) -> Any:  # type: ignore[override]
        if mode != "constant":
            raise NotImplementedError(f"pad: only mode='constant' is differentiable in autodiff, got mode={mode!r}")
        constant = options.pop("constant_values", 0)
        if options:
            raise TypeError(f"pad: mode 'constant' takes only constant_values, not {sorted(options)}")
        if getattr(constant, "requires_grad", False):
            raise TypeError("pad: constant_values must be numbers, not a Tensor that requires grad")
        x = lift(array, self.name)
        ndim = np.ndim(raw(x))
        widths = _whole_numbers(self.name, "pad_width", pad_width)
        try:
            widths = np.broadcast_to(widths, (ndim, 2))
        except ValueError:
            raise ValueError(f"pad: pad_width {pad_width!r} does not fit {ndim} dimensions: give one "
                             "(before, after) pair, or one per axis") from None
        return apply(self, x, pad_width=tuple((int(b), int(a)) for b, a in widths),
                     constant_values=np.asarray(raw(constant)))

    def forward(self, ctx, x, pad_width, constant_values):
        ctx.saved = pad_width
        if x.ndim == 0:  # nothing to pad (numpy's pad fails on the empty list of widths)
            return np.array(x, copy=True)
        return np.pad(x, pad_width, mode="constant", constant_values=constant_values)

    def vjp(self, ctx, g, out, x):
        inside = tuple(slice(before, before + n) for (before, _), n in zip(ctx.saved, np.shape(raw(x))))
        return (g[inside],)


repeat, tile, pad = Repeat(), Tile(), Pad()
