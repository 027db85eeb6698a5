"""Smooth maxima and activation functions: logaddexp, logaddexp2, softplus,
leaky_relu, elu and gelu (exact, with the error function, or its tanh
approximation). Elementwise: the vector-Jacobian product is g · f'(x)."""
from __future__ import annotations

import math

import numpy as np

from .base import Op, apply, inside_vjp, lift, raw
from .exp_log import erfc, erfc_values

SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
TANH_SCALE, TANH_CUBIC = math.sqrt(2.0 / math.pi), 0.044715  # GELU's tanh approximation


class LogAddExp(Op):
    """z = log(eˣ + eʸ), computed without overflow.   dL/dx = g · e^(x − z), dL/dy = g · e^(y − z)."""

    name, numpy = "logaddexp", ("logaddexp",)
    local = ('∂ log(eˣ + eʸ)/∂x = e^(x − z)', '∂ log(eˣ + eʸ)/∂y = e^(y − z)')

    kernel = np.logaddexp

    def vjp(self, ctx, g, out, x, y):
        need_x, need_y = ctx.needs
        return (g * np.exp(x - out) if need_x else None), (g * np.exp(y - out) if need_y else None)


class LogAddExp2(Op):
    """z = log₂(2ˣ + 2ʸ), computed without overflow.   dL/dx = g · 2^(x − z), dL/dy = g · 2^(y − z)."""

    name, numpy = "logaddexp2", ("logaddexp2",)
    local = ('∂ log₂(2ˣ + 2ʸ)/∂x = 2^(x − z)', '∂ log₂(2ˣ + 2ʸ)/∂y = 2^(y − z)')

    kernel = np.logaddexp2

    def vjp(self, ctx, g, out, x, y):
        need_x, need_y = ctx.needs
        return (g * np.exp2(x - out) if need_x else None), (g * np.exp2(y - out) if need_y else None)


class Softplus(Op):
    """y = log(1 + eˣ) = logaddexp(0, x), no overflow.   f'(x) = σ(x) = 1 − e^(−y), computed as −expm1(−y)."""

    name = "softplus"
    local = 'd log(1 + eˣ)/dx = σ(x)'

    def forward(self, ctx, x):
        return np.logaddexp(0.0, x)

    def vjp(self, ctx, g, out, x):
        return (g * -np.expm1(-out),)  # σ(x) = 1 − 1/(1 + eˣ) = 1 − e^(−y), exact for x ≪ 0 too


class LeakyRelu(Op):
    """y = x where x > 0, else a·x (a = negative_slope).   f'(x) = 1 where x > 0, else a (a at the kink, as PyTorch)."""

    name = "leaky_relu"
    local = "d leaky_relu/dx = 1 if x > 0 else a"

    def __call__(self, x, negative_slope=0.01):
        return apply(self, lift(x, self.name), slope=_number(self.name, "negative_slope", negative_slope))

    def forward(self, ctx, x, slope):
        ctx.saved = slope
        return np.where(x > 0, x, x * slope)

    def vjp(self, ctx, g, out, x):
        return (np.where(raw(x) > 0, g, g * ctx.saved),)


class Elu(Op):
    """y = x where x > 0, else α(eˣ − 1).   f'(x) = 1 where x > 0, else α eˣ (α eˣ at the kink, as PyTorch)."""

    name = "elu"
    local = "d elu/dx = 1 if x > 0 else α eˣ"

    def __call__(self, x, alpha=1.0):
        return apply(self, lift(x, self.name), alpha=_number(self.name, "alpha", alpha))

    def forward(self, ctx, x, alpha):
        ctx.saved = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))  # no overflow in the unused branch

    def vjp(self, ctx, g, out, x):
        positive = raw(x) > 0
        negative_part = np.where(positive, 0.0, x)  # eˣ of the x > 0 elements is never formed
        return (np.where(positive, g, g * ctx.saved * np.exp(negative_part)),)


class Gelu(Op):
    """y = x Φ(x), Φ the standard normal CDF = ½ erfc(−x/√2).   f'(x) = Φ(x) + x φ(x), φ(x) = e^(−x²/2)/√(2π).

    ``approximate="tanh"``: y = ½ x (1 + tanh u), u = √(2/π)(x + 0.044715 x³),
    f'(x) = ½(1 + tanh u) + ½ x (1 − tanh² u) √(2/π)(1 + 3·0.044715 x²).

    The exact form uses erfc (scipy.special's when scipy is installed, else
    Python's math.erfc element by element): erfc(−x/√2) keeps full relative
    precision for x ≪ 0, where 1 + erf(x/√2) would round to 0.
    """

    name = "gelu"
    local = "d(x Φ(x))/dx = Φ(x) + x φ(x)"

    def __call__(self, x, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' (the exact erf form) or 'tanh', got {approximate!r}")
        return apply(self, lift(x, self.name), approximate=approximate)

    def forward(self, ctx, x, approximate):
        ctx.saved = approximate
        if approximate == "tanh":
            return 0.5 * x * (1.0 + np.tanh(TANH_SCALE * (x + TANH_CUBIC * x * x * x)))
        return 0.5 * x * erfc_values(-x * SQRT_HALF)

    def vjp(self, ctx, g, out, x):
        if ctx.saved == "tanh":
            t = np.tanh(TANH_SCALE * (x + TANH_CUBIC * x * x * x))
            du = TANH_SCALE * (1.0 + 3.0 * TANH_CUBIC * x * x)
            return (g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du),)
        cdf = 0.5 * inside_vjp(erfc, -x * SQRT_HALF)
        density = INV_SQRT_2PI * np.exp(-0.5 * (x * x))
        return (g * (cdf + x * density),)


def _number(who: str, name: str, value) -> float:
    """A finite real parameter (a slope, a scale), with an error naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{who}: {name} must be a real number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{who}: {name} must be finite, got {value!r}")
    return float(value)


logaddexp, logaddexp2, softplus = LogAddExp(), LogAddExp2(), Softplus()
leaky_relu, elu, gelu = LeakyRelu(), Elu(), Gelu()
