"""Arithmetic: + - * / ** unary minus and @, with full numpy broadcasting.

Each vjp returns the broadcast-shaped gradient; the engine sums it back to the
shape of each input.
"""
from __future__ import annotations

import operator

import numpy as np

from .base import READS_NONE, READS_OTHER, Op, raw


class Add(Op):
    """z = x + y.   ∂z/∂x = 1, ∂z/∂y = 1:   dL/dx = g, dL/dy = g."""

    name, numpy, symbol = "add", ("add",), "+"
    local = ('∂z/∂x = 1', '∂z/∂b = 1')
    reads = READS_NONE
    reads_out = False

    kernel = operator.add  # forward: x + y

    def vjp(self, ctx, g, out, x, y):
        return g, g


class Sub(Op):
    """z = x − y.   ∂z/∂x = 1, ∂z/∂y = −1:   dL/dx = g, dL/dy = −g."""

    name, numpy, symbol = "sub", ("subtract",), "-"
    local = ('∂(x − y)/∂x = 1', '∂(x − y)/∂y = −1')
    reads = READS_NONE
    reads_out = False

    kernel = operator.sub  # forward: x - y

    def vjp(self, ctx, g, out, x, y):
        return g, (-g if ctx.needs[1] else None)


class Mul(Op):
    """z = x · y (elementwise).   dL/dx = g · y, dL/dy = g · x."""

    name, numpy, symbol = "mul", ("multiply",), "*"
    local = ('∂(xy)/∂x = y', '∂(xy)/∂y = x')
    reads = READS_OTHER
    reads_out = False

    kernel = operator.mul  # forward: x * y

    def vjp(self, ctx, g, out, x, y):
        need_x, need_y = ctx.needs
        return (g * y if need_x else None), (g * x if need_y else None)


class Div(Op):
    """z = x / y.   dL/dx = g / y, dL/dy = −g · x / y² = −g · z / y."""

    name, numpy, symbol = "div", ("divide",), "/"
    local = ('∂(x/y)/∂x = 1/y', '∂(x/y)/∂y = −x/y²')

    kernel = operator.truediv  # forward: x / y

    def vjp(self, ctx, g, out, x, y):
        need_x, need_y = ctx.needs
        return (g / y if need_x else None), (-g * out / y if need_y else None)


class Neg(Op):
    """z = −x.   dL/dx = −g."""

    name, numpy, method = "neg", ("negative",), "__neg__"
    local = '∂(−x)/∂x = −1'
    reads = READS_NONE
    reads_out = False

    kernel = operator.neg  # forward: -x

    def vjp(self, ctx, g, out, x):
        return (-g,)


class Pow(Op):
    """z = x ** y.   dL/dx = g · y · x^(y−1),   dL/dy = g · z · log x.

    At the edges, as PyTorch: d(x⁰)/dx = 0 (also at x = 0, where x^(−1) is
    infinite), and d(0^y)/dy = 0 (log 0 = −∞ times 0^y = 0).
    """

    name, numpy, symbol = "pow", ("power",), "**"
    local = ('∂(xⁿ)/∂x = n·xⁿ⁻¹', '∂(xⁿ)/∂n = xⁿ·log x')

    def forward(self, ctx, x, y):
        return x ** y

    def vjp(self, ctx, g, out, x, y):
        need_x, need_y = ctx.needs
        gx = gy = None
        if need_x:
            # y·x^(y−1); where x = y = 0 that is 0·∞, so the exponent y−1 becomes y there (0·0⁰ = 0)
            gx = g * y * x ** (y - (1.0 - (raw(x) == 0) * (raw(y) == 0)))
        if need_y:
            # z·log x, with log x replaced by log 1 = 0 where x = 0
            gy = g * out * np.log(x + (raw(x) == 0))
        return gx, gy


def _swap(a):
    """Transpose of the last two axes (of every matrix in a batch)."""
    return a.swapaxes(-1, -2)


class MatMul(Op):
    """Z = A @ B (numpy's matmul: 1-D, 2-D, batched).   dL/dA = G · Bᵀ,  dL/dB = Aᵀ · G.

    The lecture's ∇_w J = (1/m) Xᵀ(Ŷ − Y) is the second one, with G = (Ŷ − Y)/m.
    A 1-D operand is a row (on the left) or a column (on the right) vector.
    """

    name, numpy, symbol = "matmul", ("matmul",), "@"
    local = ('∂z/∂w_j = x_j   (A @ B: dL/dA = G·Bᵀ)', '∂z_i/∂w_j = x_ij   (A @ B: dL/dB = Aᵀ·G)')
    reads = READS_OTHER
    reads_out = False

    def explain_error(self, error, arrays, **params):
        if np.ndim(arrays[0]) == 0 or np.ndim(arrays[1]) == 0:
            return "both operands need at least one dimension (use * to scale)"
        return "the last axis of the left operand must match the second-to-last (or only) axis of the right"

    kernel = np.matmul  # a 0-d operand raises ValueError, which explain_error explains

    def vjp(self, ctx, g, out, a, b):
        need_a, need_b = ctx.needs
        if a.ndim == 1 and b.ndim == 1:  # inner product a·b, g is a scalar
            return (g * b if need_a else None), (g * a if need_b else None)
        if a.ndim == 1:  # (n,) @ (..., n, k) -> (..., k)
            g_row = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
            return ((g_row @ _swap(b)).reshape(g.shape[:-1] + (a.shape[0],)) if need_a else None,
                    (a.reshape(-1, 1) * g_row if need_b else None))
        if b.ndim == 1:  # (..., m, n) @ (n,) -> (..., m)
            g_col = g.reshape(g.shape + (1,))
            return ((g_col * b if need_a else None),
                    ((_swap(a) @ g_col).reshape(g.shape[:-1] + (b.shape[0],)) if need_b else None))
        if a.ndim == 2 and b.ndim == 2:  # the common case: .T is cheaper than swapaxes
            # Aᵀ·G as (Gᵀ·A)ᵀ: BLAS then reads A (a batch of inputs, often much the
            # largest operand) row by row as it lies in memory, not down its columns:
            # a third faster when A has left the cache (just an optimization)
            return (g @ b.T if need_a else None), ((g.T @ a).T if need_b else None)
        return (g @ _swap(b) if need_a else None), (_swap(a) @ g if need_b else None)


add, sub, mul, div, neg, pow, matmul = Add(), Sub(), Mul(), Div(), Neg(), Pow(), MatMul()
