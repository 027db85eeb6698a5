"""Trigonometric and hyperbolic functions beyond sin, cos and tanh, their
inverses, and hypot. Elementwise: the vector-Jacobian product is g · f'(x).

Derivatives with 1 − x² are computed as (1 − x)(1 + x), which keeps its digits
near x = ±1, and √(x² + 1) as hypot(x, 1), which does not overflow.
"""
from __future__ import annotations

import numpy as np

from .base import Op, raw


class Tan(Op):
    """y = tan x.   f'(x) = 1 + tan² x = 1 + y²."""

    name, numpy = "tan", ("tan",)
    local = 'd(tan x)/dx = 1 + tan² x'

    kernel = np.tan

    def vjp(self, ctx, g, out, x):
        return (g * (1.0 + out * out),)


class Sinh(Op):
    """y = sinh x.   f'(x) = cosh x."""

    name, numpy = "sinh", ("sinh",)
    local = 'd(sinh x)/dx = cosh x'

    kernel = np.sinh

    def vjp(self, ctx, g, out, x):
        return (g * np.cosh(x),)


class Cosh(Op):
    """y = cosh x.   f'(x) = sinh x."""

    name, numpy = "cosh", ("cosh",)
    local = 'd(cosh x)/dx = sinh x'

    kernel = np.cosh

    def vjp(self, ctx, g, out, x):
        return (g * np.sinh(x),)


class Arcsin(Op):
    """y = arcsin x (|x| ≤ 1).   f'(x) = 1/√(1 − x²)."""

    name, numpy = "arcsin", ("arcsin",)
    local = 'd(arcsin x)/dx = 1/√(1 − x²)'

    kernel = np.arcsin

    def vjp(self, ctx, g, out, x):
        return (g / np.sqrt((1.0 - x) * (1.0 + x)),)


class Arccos(Op):
    """y = arccos x (|x| ≤ 1).   f'(x) = −1/√(1 − x²)."""

    name, numpy = "arccos", ("arccos",)
    local = 'd(arccos x)/dx = −1/√(1 − x²)'

    kernel = np.arccos

    def vjp(self, ctx, g, out, x):
        return (-g / np.sqrt((1.0 - x) * (1.0 + x)),)


class Arctan(Op):
    """y = arctan x.   f'(x) = 1/(1 + x²)."""

    name, numpy = "arctan", ("arctan",)
    local = 'd(arctan x)/dx = 1/(1 + x²)'

    kernel = np.arctan

    def vjp(self, ctx, g, out, x):
        return (g / (1.0 + x * x),)


class Arcsinh(Op):
    """y = arsinh x.   f'(x) = 1/√(x² + 1)."""

    name, numpy = "arcsinh", ("arcsinh",)
    local = 'd(arsinh x)/dx = 1/√(x² + 1)'

    kernel = np.arcsinh

    def vjp(self, ctx, g, out, x):
        return (g / np.hypot(x, 1.0),)


class Arccosh(Op):
    """y = arcosh x (x ≥ 1).   f'(x) = 1/√(x² − 1) = 1/(√(x − 1) √(x + 1))."""

    name, numpy = "arccosh", ("arccosh",)
    local = 'd(arcosh x)/dx = 1/√(x² − 1)'

    kernel = np.arccosh

    def vjp(self, ctx, g, out, x):
        return (g / (np.sqrt(x - 1.0) * np.sqrt(x + 1.0)),)


class Arctanh(Op):
    """y = artanh x (|x| < 1).   f'(x) = 1/(1 − x²)."""

    name, numpy = "arctanh", ("arctanh",)
    local = 'd(artanh x)/dx = 1/(1 − x²)'

    kernel = np.arctanh

    def vjp(self, ctx, g, out, x):
        return (g / ((1.0 - x) * (1.0 + x)),)


class Hypot(Op):
    """z = √(x² + y²) without overflow.   dL/dx = g · x/z, dL/dy = g · y/z (0 at x = y = 0, a subgradient)."""

    name, numpy = "hypot", ("hypot",)
    local = ('∂√(x² + y²)/∂x = x/√(x² + y²)', '∂√(x² + y²)/∂y = y/√(x² + y²)')

    kernel = np.hypot

    def vjp(self, ctx, g, out, x, y):
        need_x, need_y = ctx.needs
        scale = g / np.where(raw(out) == 0, 1.0, out)  # where z = 0, x = y = 0 and the gradient is 0
        return (scale * x if need_x else None), (scale * y if need_y else None)


tan, sinh, cosh, arcsin, arccos, arctan = Tan(), Sinh(), Cosh(), Arcsin(), Arccos(), Arctan()
arcsinh, arccosh, arctanh, hypot = Arcsinh(), Arccosh(), Arctanh(), Hypot()
