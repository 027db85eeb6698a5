"""Joining tensors (concatenate, stack, hstack, vstack, dstack, column_stack)
and splitting one (split, array_split, hsplit, vsplit, dsplit).

A join puts each input in its own slice of the output, so the gradient of
input k is the slice of g where it went (reshaped back when the join first
made it at least 1-, 2- or 3-d). A split gives several tensors; each piece is
one getitem of the input (the engine's nodes have one output), and the
gradients of the pieces add up in the input as for any fan-out.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Node, Op, apply, lift, numpy_composite, raw, reject_numpy_options
from .shape import getitem


def _operands(who: str, arrays: Any) -> list:
    """The sequence of tensors to join, lifted (a Tensor or an array is a sequence of its rows)."""
    if isinstance(arrays, (Node, np.ndarray)):
        arrays = list(arrays)  # type: ignore[arg-type]  # a Tensor iterates over its rows
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(f"{who}: expects a sequence of tensors or arrays, got {type(arrays).__name__}")
    if not arrays:
        raise ValueError(f"{who}: needs at least one tensor to join")
    return [lift(x, who) for x in arrays]


class Concatenate(Op):
    """y = the inputs end to end along ``axis`` (flattened first for None).   dL/dx_k = the slice of g that x_k filled."""

    name, numpy = "concatenate", ("concatenate",)  # np.concat is the same function
    local = "moves elements: dL/dx_k = g's slice for x_k"
    stacks = False  # stack: each input is one index along the new axis, not a slice

    def __call__(self, arrays: Any, axis: Any = 0, out: Any = None, dtype: Any = None,
                 casting: str = "same_kind") -> Any:
        reject_numpy_options(self.name, {"out": out, "dtype": dtype})
        if axis is not None and (isinstance(axis, bool) or not isinstance(axis, (int, np.integer))):
            raise TypeError(f"{self.name}: axis must be an int or None, got {axis!r}")
        return apply(self, *_operands(self.name, arrays), axis=axis)

    def join(self, arrays: tuple, axis: Any) -> np.ndarray:
        return np.concatenate(arrays, axis=axis)

    def joined_shapes(self, arrays: tuple, axis: Any) -> list[tuple]:
        """The shape each input has in the join, before it is joined."""
        return [np.shape(a) if axis is not None else (np.size(a),) for a in arrays]

    def forward(self, ctx, *arrays, axis):
        y = self.join(arrays, axis)
        ax = 0 if axis is None else int(axis) % y.ndim
        if self.stacks:
            keys = [(slice(None),) * ax + (k,) for k in range(len(arrays))]
        else:
            ends = np.cumsum([s[ax] for s in self.joined_shapes(arrays, axis)])
            keys = [(slice(None),) * ax + (slice(int(end - s[ax]), int(end)),)
                    for end, s in zip(ends, self.joined_shapes(arrays, axis))]
        ctx.saved = keys
        return y

    def vjp(self, ctx, g, out, *inputs):
        grads = []
        for key, x, needed in zip(ctx.saved, inputs, ctx.needs):
            piece = g[key] if needed else None
            if needed and np.shape(piece) != np.shape(raw(x)):
                piece = piece.reshape(np.shape(raw(x)))
            grads.append(piece)
        return tuple(grads)


class Stack(Concatenate):
    """y = the inputs (of one shape) side by side along a new axis.   dL/dx_k = g at index k of that axis."""

    name, numpy = "stack", ("stack",)
    stacks = True

    def __call__(self, arrays: Any, axis: Any = 0, out: Any = None, *, dtype: Any = None,  # type: ignore[override]
                 casting: str = "same_kind") -> Any:
        return super().__call__(arrays, axis, out, dtype, casting)

    def join(self, arrays, axis):
        return np.stack(arrays, axis=axis)


class _FixedAxisJoin(Concatenate):
    """hstack, vstack, dstack, column_stack: numpy picks the axis."""

    def __call__(self, tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Any:  # type: ignore[override]
        reject_numpy_options(self.name, {"dtype": dtype})
        return apply(self, *_operands(self.name, tup), axis=self.axis_of)

    axis_of = 0

    def join(self, arrays, axis):  # numpy's function of the op's own name chooses the axis
        return getattr(np, self.numpy[0])(arrays)

    def joined_shapes(self, arrays, axis):
        return [self.expand(a).shape for a in arrays]


class HStack(_FixedAxisJoin):
    """y = the inputs side by side along axis 1 (axis 0 for 1-d inputs).   dL/dx_k = the slice of g that x_k filled."""

    name, numpy = "hstack", ("hstack",)

    def forward(self, ctx, *arrays, axis):  # the axis depends on the inputs: 0 for vectors
        return super().forward(ctx, *arrays, axis=0 if np.ndim(arrays[0]) <= 1 else 1)

    expand = staticmethod(np.atleast_1d)


class VStack(_FixedAxisJoin):
    """y = the inputs one under the other (1-d inputs as rows).   dL/dx_k = the rows of g that x_k filled."""

    name, numpy = "vstack", ("vstack",)
    axis_of = 0

    expand = staticmethod(np.atleast_2d)


class DStack(_FixedAxisJoin):
    """y = the inputs along axis 2 (made at least 3-d first).   dL/dx_k = the slice of g that x_k filled."""

    name, numpy = "dstack", ("dstack",)
    axis_of = 2

    expand = staticmethod(np.atleast_3d)


class ColumnStack(_FixedAxisJoin):
    """y = the inputs as columns (1-d inputs as single columns).   dL/dx_k = the columns of g that x_k filled."""

    name, numpy = "column_stack", ("column_stack",)
    axis_of = 1

    @staticmethod
    def expand(a):
        return np.reshape(a, (-1, 1)) if np.ndim(a) < 2 else np.asarray(a)


concatenate, stack, hstack, vstack, dstack, column_stack = (
    Concatenate(), Stack(), HStack(), VStack(), DStack(), ColumnStack())


# ----- splitting: several tensors, each a getitem of the input --------------------------------------
def _split(who: str, ary: Any, indices_or_sections: Any, axis: Any, equal: bool) -> list:
    x = lift(ary, who)
    shape = np.shape(raw(x))
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -len(shape) <= axis < len(shape):
        raise ValueError(f"{who}: axis {axis!r} is not an axis of a tensor of shape {shape}")
    axis = int(axis) % len(shape)
    n = shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)) and not isinstance(indices_or_sections, bool):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"{who}: the number of sections must be positive, got {sections}")
        if equal and n % sections:
            raise ValueError(f"{who}: {n} elements along axis {axis} do not split into {sections} equal parts; "
                             "use array_split for unequal parts")
        size, extra = divmod(n, sections)  # array_split: the first `extra` parts get one more
        bounds = np.concatenate([[0], np.cumsum([size + 1] * extra + [size] * (sections - extra))])
    else:
        cuts = np.asarray(indices_or_sections)
        if cuts.ndim != 1 or (cuts.size and cuts.dtype.kind not in "iu"):
            raise TypeError(f"{who}: indices_or_sections must be an int or a 1-d sequence of ints, "
                            f"got {indices_or_sections!r}")
        bounds = np.concatenate([[0], cuts, [n]]).astype(np.intp)
    lead = (slice(None),) * axis
    return [getitem(x, lead + (slice(int(start), int(stop)),)) for start, stop in zip(bounds[:-1], bounds[1:])]


@numpy_composite("split")
def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Pieces of ``ary`` along ``axis``: ``n`` equal parts, or cut before each given index."""
    return _split("split", ary, indices_or_sections, axis, equal=True)


@numpy_composite("array_split")
def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Like ``split``, but ``n`` parts need not be equal (the first ones are one longer)."""
    return _split("array_split", ary, indices_or_sections, axis, equal=False)


@numpy_composite("hsplit")
def hsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 1 (axis 0 for a 1-d tensor)."""
    ndim = np.ndim(raw(lift(ary, "hsplit")))
    if ndim == 0:
        raise ValueError("hsplit: needs at least 1 dimension, got a 0-d tensor")
    return _split("hsplit", ary, indices_or_sections, 1 if ndim > 1 else 0, equal=True)


@numpy_composite("vsplit")
def vsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 0 of a tensor of at least 2 dimensions."""
    if np.ndim(raw(lift(ary, "vsplit"))) < 2:
        raise ValueError("vsplit: needs at least 2 dimensions")
    return _split("vsplit", ary, indices_or_sections, 0, equal=True)


@numpy_composite("dsplit")
def dsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 2 of a tensor of at least 3 dimensions."""
    if np.ndim(raw(lift(ary, "dsplit"))) < 3:
        raise ValueError("dsplit: needs at least 3 dimensions")
    return _split("dsplit", ary, indices_or_sections, 2, equal=True)
