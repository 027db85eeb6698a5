"""Products and running sums: prod, cumsum, cumprod, with exact gradients when
some elements are zero.

The gradient of a product is the product of the other factors. In a plain
backward pass where every product is a normal float (no zero factor, no
underflow, no overflow) it is computed as (product)/x_i. Otherwise (a zero
factor makes that 0/0, a subnormal product has lost digits), and always in the
create_graph pass (whose derivatives of 1/x_i would square tiny x_i), the
products of the others are formed with no division: for prod, the product of
the factors before i times the product of those after it (two exclusive
running products); for cumprod, a doubling scan (below). Both are built from
ops, so they are differentiated again exactly, zeros included.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Node, Op, apply, check_axis, lift, raw, reduced_shape, reject_numpy_options
from .reductions import _spread


# ----- moving elements along one axis, for arrays and Tensors alike --------------------------
def _index(axis: int, part: Any) -> tuple:
    return (slice(None),) * axis + (part,)


def _reverse(a: Any, axis: int) -> Any:
    return a[_index(axis, slice(None, None, -1))]


def _shift(a: Any, d: int, axis: int, fill: float) -> Any:
    """a moved d places along ``axis`` (towards the end for d > 0, the start for
    d < 0), with ``fill`` where nothing arrives: a gather and a where."""
    n = a.shape[axis]
    source = np.arange(n) - d
    arrives = ((source >= 0) & (source < n)).reshape((n,) + (1,) * (a.ndim - axis - 1))
    return np.where(arrives, a[_index(axis, np.clip(source, 0, n - 1))], fill)


def _exclusive_cumprod(a: Any, axis: int) -> Any:
    """Π_{k<i} a_k along the axis (1 for the first element)."""
    return np.cumprod(_shift(a, 1, axis, 1.0), axis=axis)


def _reverse_cumsum(a: Any, axis: int) -> Any:
    """Σ_{j≥i} a_j along the axis."""
    return _reverse(np.cumsum(_reverse(a, axis), axis=axis), axis)


def _weighted_suffix_sums(x: Any, g: Any, axis: int) -> Any:
    """s_i = Σ_{j≥i} g_j Π_{i<k≤j} x_k along the axis, with no division.

    s obeys s_i = g_i + x_{i+1} s_{i+1}. Write s_i = b_i + a_i s_{i+d}, starting
    from b = g, a_i = x_{i+1}, d = 1; substituting s_{i+d} doubles d:
    b_i ← b_i + a_i b_{i+d}, a_i ← a_i a_{i+d}. Once d ≥ n, s = b: ⌈log₂ n⌉ steps
    of products and sums, exact with zeros."""
    n = x.shape[axis]
    b, a, d = g, _shift(x, -1, axis, 0.0), 1
    while d < n:
        b = b + a * _shift(b, -d, axis, 0.0)
        if 2 * d < n:
            a = a * _shift(a, -d, axis, 0.0)
        d *= 2
    return b


def _product_of_others(x: Any, axis: Any) -> Any:
    """Π_{k≠i} x_k over the reduced axes, for every element i: the reduced axes
    are moved last and flattened, then (product before i) · (product after i)."""
    ndim = x.ndim
    if ndim == 0:
        return np.ones_like(raw(x))
    reduced = tuple(range(ndim)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    kept = [a for a in range(ndim) if a not in reduced]
    order = tuple(kept) + tuple(reduced)
    moved = x.transpose(order)
    rows = moved.reshape(moved.shape[:len(kept)] + (-1,))
    last = rows.ndim - 1
    before = _exclusive_cumprod(rows, last)
    after = _reverse(_exclusive_cumprod(_reverse(rows, last), last), last)
    return (before * after).reshape(moved.shape).transpose(tuple(np.argsort(order).tolist()))


def _divide_by_x(x: Any, out: Any) -> bool:
    """True when (product)/x_i is exact enough: a plain pass, and every product
    a normal float (finite, and not zero nor subnormal)."""
    if isinstance(x, Node):
        return False
    magnitudes = np.abs(out)
    return bool(np.all((magnitudes >= np.finfo(out.dtype).tiny) & (magnitudes < np.inf)))


# ----- the ops --------------------------------------------------------------------------------
class Prod(Op):
    """y = Π_axis x.   ∂y/∂x_i = Π_{k≠i} x_k: y/x_i when every y is a normal float,
    else formed without division (exact with one zero and with several)."""

    name, numpy, method = "prod", ("prod",), "prod"
    local = '∂(Π_k x_k)/∂x_i = Π_{k≠i} x_k'

    def __call__(self, x, axis=None, dtype=None, out=None, keepdims=False, **numpy_options):
        reject_numpy_options(self.name, {"dtype": dtype, "out": out, **numpy_options})
        x = lift(x, self.name)
        return apply(self, x, axis=check_axis(self.name, np.ndim(raw(x)), axis), keepdims=bool(keepdims))

    def forward(self, ctx, x, axis, keepdims):
        ctx.saved = axis
        return np.prod(x, axis=axis, keepdims=keepdims)

    def vjp(self, ctx, g, out, x):
        axis = ctx.saved
        spread = _spread(g, x.shape, axis)
        if _divide_by_x(x, out):
            return (spread * out.reshape(reduced_shape(x.shape, axis)) / x,)
        return (spread * _product_of_others(x, axis),)


class _Running(Op):
    """Shared by cumsum and cumprod: numpy's ``(x, axis, dtype, out)``; axis=None runs over the flattened x."""

    def __call__(self, x, axis=None, dtype=None, out=None):
        reject_numpy_options(self.name, {"dtype": dtype, "out": out})
        x = lift(x, self.name)
        ndim = np.ndim(raw(x))
        if axis is not None and (isinstance(axis, tuple) or ndim == 0):
            raise ValueError(f"{self.name}: axis must be None or one int for a tensor with {ndim} dimensions, got {axis!r}")
        return apply(self, x, axis=check_axis(self.name, ndim, axis))

    def vjp(self, ctx, g, out, x):
        axis = ctx.saved
        if axis is None:  # the output runs over x flattened
            return (self.along(g, out, x.reshape(-1), 0).reshape(x.shape),)
        return (self.along(g, out, x, axis),)


class CumSum(_Running):
    """y_j = Σ_{i≤j} x_i along the axis.   dL/dx_i = Σ_{j≥i} g_j (a running sum from the end)."""

    name, numpy, method = "cumsum", ("cumsum",), "cumsum"
    local = '∂y_j/∂x_i = 1 for i ≤ j'

    def forward(self, ctx, x, axis):
        ctx.saved = axis
        return np.cumsum(x, axis=axis)

    def along(self, g, out, x, axis):
        return _reverse_cumsum(g, axis)


class CumProd(_Running):
    """y_j = Π_{i≤j} x_i along the axis.   dL/dx_i = Σ_{j≥i} g_j Π_{k≤j, k≠i} x_k:
    (Σ_{j≥i} g_j y_j)/x_i when every y is a normal float, else (Π_{k<i} x_k) · s_i with
    s_i = Σ_{j≥i} g_j Π_{i<k≤j} x_k from a doubling scan (no division)."""

    name, numpy, method = "cumprod", ("cumprod",), "cumprod"
    local = '∂y_j/∂x_i = Π_{k≤j, k≠i} x_k for i ≤ j'

    def forward(self, ctx, x, axis):
        ctx.saved = axis
        return np.cumprod(x, axis=axis)

    def along(self, g, out, x, axis):
        if _divide_by_x(x, out):
            return _reverse_cumsum(g * out, axis) / x
        return _exclusive_cumprod(x, axis) * _weighted_suffix_sums(x, g, axis)


prod, cumsum, cumprod = Prod(), CumSum(), CumProd()
