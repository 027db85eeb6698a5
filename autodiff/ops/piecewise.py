"""Piecewise functions: rounding (sign, floor, ceil, round, rint, trunc), the
NaN-ignoring fmax and fmin, clip, where, and mod.

The rounding functions are constant between their jumps, so their derivative
is 0 wherever it exists: they are ops with a zero gradient (as in PyTorch), so
that a graph through them stays connected and ``backward`` gives zeros rather
than a missing gradient. The masks that choose where a gradient goes are
computed from the numpy values (``raw``): they are constant for the
derivative.
"""
from __future__ import annotations

import numpy as np

from .base import Node, Op, apply, lift, raw, reject_numpy_options


def zero_gradient(g):
    """A gradient of zeros shaped like g: a numpy array, or a constant Tensor under create_graph."""
    zeros = np.zeros(raw(g).shape, raw(g).dtype)
    return type(g)(zeros) if isinstance(g, Node) else zeros


class _Step(Op):
    """A piecewise-constant function: dL/dx = 0 (where the derivative exists)."""

    local = 'd/dx = 0 (constant between jumps)'

    def __call__(self, x, out=None):
        reject_numpy_options(self.name, {"out": out})
        return apply(self, lift(x, self.name))

    def vjp(self, ctx, g, out, x):
        return (zero_gradient(g),)


class Sign(_Step):
    """y = sign x ∈ {−1, 0, 1}.   f'(x) = 0 (no derivative at 0)."""

    name, numpy = "sign", ("sign",)

    kernel = np.sign
class Floor(_Step):
    """y = ⌊x⌋.   f'(x) = 0 (no derivative at the integers)."""

    name, numpy = "floor", ("floor",)

    kernel = np.floor
class Ceil(_Step):
    """y = ⌈x⌉.   f'(x) = 0 (no derivative at the integers)."""

    name, numpy = "ceil", ("ceil",)

    kernel = np.ceil
class Rint(_Step):
    """y = x rounded to the nearest integer, halves to even.   f'(x) = 0 (no derivative at the halves)."""

    name, numpy = "rint", ("rint",)

    kernel = np.rint
class Trunc(_Step):
    """y = x rounded towards 0.   f'(x) = 0 (no derivative at the nonzero integers)."""

    name, numpy = "trunc", ("trunc",)

    kernel = np.trunc
class Round(_Step):
    """y = x rounded to ``decimals`` decimals, halves to even (numpy's round).   f'(x) = 0 (no derivative at the jumps)."""

    name, numpy, method = "round", ("round", "around"), "round"

    def __call__(self, x, decimals=0, out=None):
        reject_numpy_options(self.name, {"out": out})
        if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
            raise TypeError(f"round: decimals must be an int, got {decimals!r}")
        return apply(self, lift(x, self.name), decimals=int(decimals))

    def forward(self, ctx, x, decimals):
        return np.round(x, decimals)


# ----- choices between arguments ------------------------------------------------------------
class Fmax(Op):
    """z = max(x, y), NaN ignored (the other argument wins).   dL/dx = g where x wins (or y is NaN); a tie shares g equally."""

    name, numpy = "fmax", ("fmax",)
    local = ('∂fmax/∂x = 1 where x wins', '∂fmax/∂y = 1 where y wins')

    kernel = np.fmax

    def vjp(self, ctx, g, out, x, y):
        return _pick_ignoring_nan(ctx, g, raw(x), raw(y), np.greater)


class Fmin(Op):
    """z = min(x, y), NaN ignored (the other argument wins).   dL/dx = g where x wins (or y is NaN); a tie shares g equally."""

    name, numpy = "fmin", ("fmin",)
    local = ('∂fmin/∂x = 1 where x wins', '∂fmin/∂y = 1 where y wins')

    kernel = np.fmin

    def vjp(self, ctx, g, out, x, y):
        return _pick_ignoring_nan(ctx, g, raw(x), raw(y), np.less)


def _pick_ignoring_nan(ctx, g, x, y, wins):
    """The gradient of fmax/fmin: to the winner, halved on a tie; a NaN never wins
    unless both are NaN (then x takes it, as the output is NaN either way)."""
    need_x, need_y = ctx.needs
    share_x = np.where(np.isnan(y), 1.0, np.where(np.isnan(x), 0.0, wins(x, y) + 0.5 * (x == y)))
    return (g * share_x if need_x else None), (g * (1.0 - share_x) if need_y else None)


_UNSET = object()


class Clip(Op):
    """y = min(max(x, lo), hi), as numpy's clip (hi wins when lo > hi).
    dL/dx = g where lo ≤ x ≤ hi (bounds included, as PyTorch's clamp), dL/dlo = g where x < lo, dL/dhi = g where y = hi < x."""

    name, numpy, method = "clip", ("clip",), "clip"
    local = ('∂clip/∂x = 1 inside [lo, hi]', '∂clip/∂lo = 1 below lo', '∂clip/∂hi = 1 above hi')

    def __call__(self, x, a_min=_UNSET, a_max=_UNSET, out=None, *, min=_UNSET, max=_UNSET, **numpy_options):
        reject_numpy_options(self.name, {"out": out, **numpy_options})
        lo, hi = _bound("a_min", a_min, "min", min), _bound("a_max", a_max, "max", max)
        # a missing bound is an infinite one: it never wins, and no gradient is asked of it
        lo = -np.inf if lo is None else lift(lo, self.name)
        hi = np.inf if hi is None else lift(hi, self.name)
        return apply(self, lift(x, self.name), lo, hi)

    def forward(self, ctx, x, lo, hi):
        return np.minimum(np.maximum(x, lo), hi)

    def vjp(self, ctx, g, out, x, lo, hi):
        xv, lov, hiv = raw(x), raw(lo), raw(hi)
        above = np.maximum(xv, lov) > hiv  # the output is hi
        below = ~above & (xv < lov)        # the output is lo
        need_x, need_lo, need_hi = ctx.needs
        return (np.where(above | below, 0.0, g) if need_x else None,
                np.where(below, g, 0.0) if need_lo else None,
                np.where(above, g, 0.0) if need_hi else None)


def _bound(numpy_name, numpy_value, short_name, short_value):
    """One bound of clip, given as a_min (a_max) or as numpy 2's min (max), or None."""
    if numpy_value is not _UNSET and short_value is not _UNSET:
        raise TypeError(f"clip: give {numpy_name} or {short_name}, not both")
    value = short_value if numpy_value is _UNSET else numpy_value
    return None if value is _UNSET else value


class Where(Op):
    """z = x where condition, else y (numpy's where(condition, x, y)).   dL/dx = g where condition, dL/dy = g elsewhere.

    The condition is a boolean array (not differentiated); a Tensor condition
    counts by its values (nonzero is True). ``where(condition)`` alone is
    numpy's ``nonzero``: a tuple of index arrays.
    """

    name, numpy = "where", ("where",)
    local = ('∂z/∂x = 1 where the condition holds', '∂z/∂y = 1 where it does not')

    def __call__(self, condition, x=_UNSET, y=_UNSET):
        values = np.asarray(raw(condition))
        if x is _UNSET and y is _UNSET:
            return np.nonzero(values)
        if x is _UNSET or y is _UNSET:
            raise TypeError("where: give both x and y, or neither (then the indices where condition holds)")
        # a copy of the condition: a later change to the caller's array cannot change the gradient
        return apply(self, lift(x, self.name), lift(y, self.name), condition=values.astype(bool))

    def forward(self, ctx, x, y, condition):
        ctx.saved = condition
        return np.where(condition, x, y)

    def vjp(self, ctx, g, out, x, y):
        condition = ctx.saved
        need_x, need_y = ctx.needs
        return (np.where(condition, g, 0.0) if need_x else None), (np.where(condition, 0.0, g) if need_y else None)


class Mod(Op):
    """z = x mod y = x − y⌊x/y⌋, with the sign of y (numpy's mod and remainder, Python's %).
    dL/dx = g, dL/dy = −g⌊x/y⌋ (between the jumps, where ⌊x/y⌋ is constant)."""

    name, numpy, symbol, method = "mod", ("mod", "remainder"), "%", "__mod__"
    local = ('∂(x mod y)/∂x = 1', '∂(x mod y)/∂y = −⌊x/y⌋')

    kernel = np.mod

    def vjp(self, ctx, g, out, x, y):
        need_x, need_y = ctx.needs
        # floor_divide is numpy's ⌊x/y⌋ consistent with its mod: x = y·(x // y) + x mod y
        quotient = np.floor_divide(raw(x), raw(y))
        return (g if need_x else None), (-g * quotient if need_y else None)


sign, floor, ceil, rint, trunc, round = Sign(), Floor(), Ceil(), Rint(), Trunc(), Round()
fmax, fmin, clip, where, mod = Fmax(), Fmin(), Clip(), Where(), Mod()
