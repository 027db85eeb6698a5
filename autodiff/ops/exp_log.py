"""Powers, exponentials and logarithms beyond exp and log: square, reciprocal,
expm1, exp2, log2, log10, and the Gauss error functions erf and erfc.

Each is elementwise, so its vector-Jacobian product is g · f'(x). Constants are
Python floats, so float32 inputs stay float32.
"""
from __future__ import annotations

import math

import numpy as np

from .base import Op

LN2, LN10 = math.log(2.0), math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Square(Op):
    """y = x².   f'(x) = 2x."""

    name, numpy = "square", ("square",)
    local = 'd(x²)/dx = 2x'

    kernel = np.square

    def vjp(self, ctx, g, out, x):
        return (g * 2.0 * x,)


class Reciprocal(Op):
    """y = 1/x.   f'(x) = −1/x² = −y²."""

    name, numpy = "reciprocal", ("reciprocal",)
    local = 'd(1/x)/dx = −1/x²'

    kernel = np.reciprocal

    def vjp(self, ctx, g, out, x):
        return (-g * out * out,)


class Expm1(Op):
    """y = eˣ − 1, exact for tiny x.   f'(x) = eˣ (computed as eˣ, not y + 1, which loses digits for x ≪ 0)."""

    name, numpy = "expm1", ("expm1",)
    local = 'd(eˣ − 1)/dx = eˣ'

    kernel = np.expm1

    def vjp(self, ctx, g, out, x):
        return (g * np.exp(x),)


class Exp2(Op):
    """y = 2ˣ.   f'(x) = 2ˣ · ln 2 = y ln 2."""

    name, numpy = "exp2", ("exp2",)
    local = 'd(2ˣ)/dx = 2ˣ ln 2'

    kernel = np.exp2

    def vjp(self, ctx, g, out, x):
        return (g * out * LN2,)


class Log2(Op):
    """y = log₂ x.   f'(x) = 1/(x ln 2)."""

    name, numpy = "log2", ("log2",)
    local = 'd(log₂ x)/dx = 1/(x ln 2)'

    kernel = np.log2

    def vjp(self, ctx, g, out, x):
        return (g / (x * LN2),)


class Log10(Op):
    """y = log₁₀ x.   f'(x) = 1/(x ln 10)."""

    name, numpy = "log10", ("log10",)
    local = 'd(log₁₀ x)/dx = 1/(x ln 10)'

    kernel = np.log10

    def vjp(self, ctx, g, out, x):
        return (g / (x * LN10),)


# ----- the error function: numpy has none --------------------------------------------------
# scipy.special's erf and erfc when scipy is installed (optional, imported once, on
# first use), else Python's math.erf and math.erfc applied element by element
# (about 0.2 µs per element). Both are accurate to about one unit in the last place;
# the registry checks the forward against math.erf, so each is tested against the other.
_ERF_KERNELS: dict[str, object] = {}


def _kernel(name: str):
    kernel = _ERF_KERNELS.get(name)
    if kernel is None:
        try:
            from scipy import special
            kernel = getattr(special, name)
        except ImportError:
            scalar = np.frompyfunc(getattr(math, name), 1, 1)

            def kernel(x: np.ndarray) -> np.ndarray:
                return np.asarray(scalar(x), dtype=np.float64)  # a 0-d input gives a Python float
        _ERF_KERNELS[name] = kernel
    return kernel


def erf_values(x: np.ndarray) -> np.ndarray:
    """erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt on a numpy array, in x's float dtype."""
    x = np.asarray(x)
    return np.asarray(_kernel("erf")(x.astype(np.float64)), dtype=x.dtype)


def erfc_values(x: np.ndarray) -> np.ndarray:
    """erfc(x) = 1 − erf(x), without the cancellation for large x."""
    x = np.asarray(x)
    return np.asarray(_kernel("erfc")(x.astype(np.float64)), dtype=x.dtype)


class Erf(Op):
    """y = erf x = (2/√π) ∫₀ˣ e^(−t²) dt.   f'(x) = (2/√π) e^(−x²)."""

    name = "erf"
    local = 'd(erf x)/dx = (2/√π) e^(−x²)'

    def forward(self, ctx, x):
        return erf_values(x)

    def vjp(self, ctx, g, out, x):
        return (g * TWO_OVER_SQRT_PI * np.exp(-(x * x)),)


class Erfc(Op):
    """y = erfc x = 1 − erf x (accurate where erf x ≈ 1).   f'(x) = −(2/√π) e^(−x²)."""

    name = "erfc"
    local = 'd(erfc x)/dx = −(2/√π) e^(−x²)'

    def forward(self, ctx, x):
        return erfc_values(x)

    def vjp(self, ctx, g, out, x):
        return (g * -TWO_OVER_SQRT_PI * np.exp(-(x * x)),)


square, reciprocal, expm1, exp2, log2, log10 = Square(), Reciprocal(), Expm1(), Exp2(), Log2(), Log10()
erf, erfc = Erf(), Erfc()
