"""Arithmetic: + - * / ** unary minus and @, with full numpy broadcasting.

Each vjp returns the broadcast-shaped gradient; the engine sums it back to the
shape of each input.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Op


class Add(Op):
    """z = x + y.   ∂z/∂x = 1, ∂z/∂y = 1:   dL/dx = g, dL/dy = g."""

    __slots__ = ()
    name = "add"
    symbol = "+"

    def forward(self, x, y):
        return x + y

    def vjp(self, g, out, x, y):
        return g, g


class Sub(Op):
    """z = x − y.   ∂z/∂x = 1, ∂z/∂y = −1:   dL/dx = g, dL/dy = −g."""

    __slots__ = ()
    name = "sub"
    symbol = "-"

    def forward(self, x, y):
        return x - y

    def vjp(self, g, out, x, y):
        return g, (-g if self.needs[1] else None)


class Mul(Op):
    """z = x · y (elementwise).   dL/dx = g · y, dL/dy = g · x."""

    __slots__ = ()
    name = "mul"
    symbol = "*"

    def forward(self, x, y):
        return x * y

    def vjp(self, g, out, x, y):
        need_x, need_y = self.needs
        return (g * y if need_x else None), (g * x if need_y else None)


class Div(Op):
    """z = x / y.   dL/dx = g / y, dL/dy = −g · x / y² = −g · z / y."""

    __slots__ = ()
    name = "div"
    symbol = "/"

    def forward(self, x, y):
        return x / y

    def vjp(self, g, out, x, y):
        need_x, need_y = self.needs
        return (g / y if need_x else None), (-g * out / y if need_y else None)


class Neg(Op):
    """z = −x.   dL/dx = −g."""

    __slots__ = ()
    name = "neg"

    def forward(self, x):
        return -x

    def vjp(self, g, out, x):
        return (-g,)


class Pow(Op):
    """z = x ** y.   dL/dx = g · y · x^(y−1),   dL/dy = g · z · log x  (x > 0).

    A number as exponent (``x ** 2``) is a constant: only dL/dx is computed.
    """

    __slots__ = ()
    name = "pow"
    symbol = "**"

    def forward(self, x, y):
        return x ** y

    def vjp(self, g, out, x, y):
        need_x, need_y = self.needs
        return ((g * y * x ** (y - 1) if need_x else None),
                (g * out * np.log(x) if need_y else None))


def _swap(a: Any) -> Any:
    """Transpose of the last two axes (of every matrix in a batch)."""
    return a.swapaxes(-1, -2)


class MatMul(Op):
    """Z = A @ B, numpy's matmul (1-D, 2-D and batched).

    For matrices: dL/dA = G · Bᵀ and dL/dB = Aᵀ · G (the lecture's
    ∇_w J = (1/m) Xᵀ(Ŷ − Y) is the second one, with G = (Ŷ − Y)/m).
    A 1-D operand is a row (on the left) or a column (on the right) vector.
    """

    __slots__ = ()
    name = "matmul"
    symbol = "@"

    def explain_error(self, error):
        if np.ndim(self.args[0]) == 0 or np.ndim(self.args[1]) == 0:
            return "both operands need at least one dimension (use * to scale)"
        return "the last axis of the left operand must match the second-to-last (or only) axis of the right"

    def forward(self, a, b):
        return np.matmul(a, b)  # a 0-d operand raises ValueError, which explain_error explains

    def vjp(self, g, out, a, b):
        need_a, need_b = self.needs
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
            return (g @ b.T if need_a else None), (a.T @ g if need_b else None)
        return (g @ _swap(b) if need_a else None), (_swap(a) @ g if need_b else None)
