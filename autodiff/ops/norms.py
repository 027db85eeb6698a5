"""numpy.linalg.norm: vector p-norms and the matrix norms that need no
singular values, with numpy's rules for ord, axis and keepdims."""
from __future__ import annotations

import math

import numpy as np

from .base import Op, apply, check_axis, lift, raw, reduced_shape
from .piecewise import zero_gradient
from .reductions import _spread

VECTOR_ORDS = "None, 2, 1, inf, -inf, 0 or any p > 0"
MATRIX_ORDS = "None, 'fro', 1, -1, inf or -inf"


class Norm(Op):
    """‖x‖ as numpy.linalg.norm.   Vectors: ‖x‖₂ → x/‖x‖ (0 at x = 0), ‖x‖₁ → sign x, ‖x‖_p → sign x·|x|^(p−1)/‖x‖^(p−1),
    ‖x‖_∞ → sign x at the largest |x_i| (ties share); matrices: 'fro' as ‖x‖₂, 1 (∞) → sign x in the
    column (row) with the largest sum of |x| (ties share).

    The matrix 2-norm, −2 and 'nuc' need singular values and are refused.
    """

    name, numpy = "norm", ("linalg.norm",)
    local = '∂‖x‖₂/∂x = x/‖x‖₂'

    def __call__(self, x, ord=None, axis=None, keepdims=False):
        x = lift(x, self.name)
        ndim = np.ndim(raw(x))
        if axis is None:
            if ord is None:  # the 2-norm of every element, whatever the dimensions
                axes = tuple(range(ndim))
            elif ndim in (1, 2):
                axes = tuple(range(ndim))
            else:
                raise ValueError(f"norm: ord={ord!r} without axis needs a 1-D or 2-D tensor, got {ndim} dimensions")
        else:
            axis = check_axis(self.name, ndim, axis)
            axes = axis if isinstance(axis, tuple) else (axis,)
            if len(axes) > 2:
                raise ValueError(f"norm: axis must be one axis (a vector norm) or two (a matrix norm), got {axis!r}")
        if len(axes) == 2 and not (axis is None and ord is None):
            if not (ord is None or ord == "fro" or ord in (1, -1, math.inf, -math.inf)):
                raise NotImplementedError(
                    f"norm: the matrix norm ord={ord!r} is not supported (2, -2 and 'nuc' need singular values); "
                    f"use one of {MATRIX_ORDS}")
            kind = "fro" if ord in (None, "fro") else "matrix"
        else:
            if ord is None or ord == 2:
                kind = "fro"
            elif isinstance(ord, str) or isinstance(ord, bool) or not isinstance(ord, (int, float, np.number)) \
                    or not (ord > 0 or ord == 0 or ord == -math.inf):
                raise ValueError(f"norm: ord={ord!r} is not a vector norm autodiff supports; use one of {VECTOR_ORDS}")
            else:
                kind = "vector"
        return apply(self, x, ord=ord, axes=axes, kind=kind, keepdims=bool(keepdims))

    def forward(self, ctx, x, ord, axes, kind, keepdims):
        ctx.saved = (ord, axes, kind)
        a = np.abs(x)
        if kind == "fro":
            y = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
        elif kind == "matrix":
            rows, cols = axes
            inner, outer = (rows, cols) if ord in (1, -1) else (cols, rows)  # 1: columns' sums; inf: rows'
            best = np.max if ord > 0 else np.min
            y = best(np.sum(a, axis=inner, keepdims=True), axis=outer, keepdims=True)
        elif ord == math.inf:
            y = np.max(a, axis=axes, keepdims=True)
        elif ord == -math.inf:
            y = np.min(a, axis=axes, keepdims=True)
        elif ord == 0:
            y = np.sum(x != 0, axis=axes, keepdims=True).astype(x.dtype)
        elif ord == 1:
            y = np.sum(a, axis=axes, keepdims=True)
        else:
            y = np.sum(a ** ord, axis=axes, keepdims=True) ** (1.0 / ord)
        return y if keepdims else y.reshape([n for i, n in enumerate(y.shape) if i not in axes])

    def vjp(self, ctx, g, out, x):
        ord, axes, kind = ctx.saved
        xv = raw(x)
        spread = _spread(g, x.shape, axes)
        y = out.reshape(reduced_shape(x.shape, axes))
        if kind == "fro":
            return (spread * x / np.where(raw(y) == 0, 1.0, y),)  # y = 0 only at x = 0: gradient 0 there
        sign = np.sign(xv)
        if kind == "matrix":
            rows, cols = axes
            inner, outer = (rows, cols) if ord in (1, -1) else (cols, rows)
            return (spread * sign * _shares(np.sum(np.abs(xv), axis=inner, keepdims=True), raw(y), outer),)
        if ord in (math.inf, -math.inf):
            return (spread * sign * _shares(np.abs(xv), raw(y), axes),)
        if ord == 0:
            return (zero_gradient(spread),)  # a count of nonzeros: piecewise constant
        if ord == 1:
            return (spread * sign,)
        # sign x·|x|^(p−1)/‖x‖^(p−1), with |x| replaced by 1 where x = 0 (sign x = 0 there; no 0^(negative))
        power = np.where(xv == 0, 1.0, np.abs(x)) ** (ord - 1.0)
        return (spread * sign * power / np.where(raw(y) == 0, 1.0, y) ** (ord - 1.0),)


def _shares(values: np.ndarray, best: np.ndarray, axes) -> np.ndarray:
    """1/(number of ties) where ``values`` equals the chosen ``best``, 0 elsewhere."""
    winners = values == best
    return winners / np.sum(winners, axis=axes, keepdims=True)


norm = Norm()
