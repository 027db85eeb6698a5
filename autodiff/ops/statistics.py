"""Reductions for statistics: min, var and std over axes (numpy's signatures:
axis, keepdims, ddof; out= and dtype= are refused)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op, apply, check_axis, lift, raw, reduced_shape, reject_numpy_options
from .reductions import Max, _spread


class Min(Max):
    """y = min_axis x.   ∂y/∂x_i = 1 where x_i is the minimum (shared equally
    between ties, as for max), 0 elsewhere."""

    name, numpy, method = "min", ("min", "amin"), "min"
    local = '∂min/∂x_i = 1 at the minimum, 0 elsewhere'

    def forward(self, ctx, x, axis=None, keepdims=False):
        if x.size == 0:
            raise ValueError("min of an empty tensor")
        ctx.saved = axis
        return np.min(x, axis=axis, keepdims=keepdims)


class _Moment(Op):
    """Shared by var and std: numpy's ``(x, axis, dtype, out, ddof, keepdims)``,
    with numpy 2's ``correction=`` as another name for ddof."""

    def __call__(self, x: Any, axis: Any = None, dtype: Any = None, out: Any = None,  # type: ignore[override]
                 ddof: Any = 0, keepdims: bool = False, *, correction: Any = None, **numpy_options: Any) -> Any:
        reject_numpy_options(self.name, {"dtype": dtype, "out": out, **numpy_options})
        if correction is not None:
            if ddof != 0:
                raise TypeError(f"{self.name}: give ddof or correction, not both")
            ddof = correction
        if isinstance(ddof, bool) or not isinstance(ddof, (int, float, np.integer, np.floating)):
            raise TypeError(f"{self.name}: ddof must be a number, got {ddof!r}")
        x = lift(x, self.name)
        shape = np.shape(raw(x))
        axis = check_axis(self.name, len(shape), axis)
        reduced = range(len(shape)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
        n = int(np.prod([shape[a] for a in reduced]))  # elements per reduction
        if not n - ddof > 0:
            raise ValueError(f"{self.name}: ddof={ddof} leaves no degrees of freedom: each reduction has "
                             f"{n} element{'s' if n != 1 else ''}, and the divisor n − ddof must be positive")
        return apply(self, x, axis=axis, keepdims=bool(keepdims), ddof=float(ddof))


def _centred(x, axis):
    """x − mean(x) over the reduced axes, kept broadcastable."""
    return x - x.mean(axis=axis, keepdims=True)


class Var(_Moment):
    """y = Σ (x − x̄)² / (n − ddof) over the axes.   dL/dx = g · 2(x − x̄)/(n − ddof)
    (the term from x̄ sums to zero)."""

    name, numpy, method = "var", ("var",), "var"
    local = '∂var/∂x_i = 2(x_i − x̄)/(n − ddof)'

    def forward(self, ctx, x, axis, keepdims, ddof):
        ctx.saved = (axis, ddof)
        return np.var(x, axis=axis, ddof=ddof, keepdims=keepdims)

    def vjp(self, ctx, g, out, x):
        axis, ddof = ctx.saved
        n = x.size // max(out.size, 1)
        return (_spread(g, x.shape, axis) * _centred(x, axis) * (2.0 / (n - ddof)),)


class Std(_Moment):
    """y = √var.   dL/dx = g · (x − x̄)/((n − ddof) y); 0 where y = 0
    (a constant slice: a kink, like |x| at 0)."""

    name, numpy, method = "std", ("std",), "std"
    local = '∂std/∂x_i = (x_i − x̄)/((n − ddof) std)'

    def forward(self, ctx, x, axis, keepdims, ddof):
        ctx.saved = (axis, ddof)
        return np.std(x, axis=axis, ddof=ddof, keepdims=keepdims)

    def vjp(self, ctx, g, out, x):
        axis, ddof = ctx.saved
        n = x.size // max(out.size, 1)
        y = out.reshape(reduced_shape(x.shape, axis))
        safe = np.where(raw(y) == 0, 1.0, y)  # y = 0 only where every x equals x̄: the gradient is 0 there
        return (_spread(g, x.shape, axis) * _centred(x, axis) / (safe * (n - ddof)),)


min, var, std = Min(), Var(), Std()
