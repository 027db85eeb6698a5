"""Elementwise functions. For y = f(x) applied to each element, the Jacobian is
diagonal, so the vector-Jacobian product is a product: dL/dx = g · f'(x)."""
from __future__ import annotations

import numpy as np

from .base import READS_NONE, Op, apply, lift, raw


class Exp(Op):
    """y = eˣ.   f'(x) = eˣ = y."""

    name, numpy, method = "exp", ("exp",), "exp"
    local = 'd(eˣ)/dx = eˣ'
    reads = READS_NONE

    kernel = np.exp

    def vjp(self, ctx, g, out, x):
        return (g * out,)


class Log(Op):
    """y = log x (natural).   f'(x) = 1/x."""

    name, numpy, method = "log", ("log",), "log"
    local = 'd(log x)/dx = 1/x'
    reads_out = False

    kernel = np.log

    def vjp(self, ctx, g, out, x):
        return (g / x,)


def stable_sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e⁻ᶻ), two branches so that exp never overflows:
    1/(1 + e⁻ᶻ) for z ≥ 0 and eᶻ/(1 + eᶻ) for z < 0. Both are e^min(z, 0) / (1 + e^(−|z|)),
    where neither exponent is positive (and no np.where is needed)."""
    if type(z) is not np.ndarray or z.ndim == 0:
        return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))
    # the same formula on two arrays of our own, written in place (just an optimization: two
    # allocations instead of seven)
    top = np.minimum(z, 0.0)
    np.exp(top, out=top)
    bottom = np.abs(z)
    np.negative(bottom, out=bottom)
    np.exp(bottom, out=bottom)
    bottom += 1.0
    return np.divide(top, bottom, out=top)


class Sigmoid(Op):
    """ŷ = σ(z) = 1/(1 + e⁻ᶻ).   The lecture's dŷ/dz = ŷ(1 − ŷ)."""

    name, method = "sigmoid", "sigmoid"
    local = 'dŷ/dz = ŷ(1 − ŷ)'
    reads = READS_NONE

    def forward(self, ctx, z):
        return stable_sigmoid(z)

    def vjp(self, ctx, g, out, z):
        return (g * out * (1.0 - out),)

    def plain_vjp(self, ctx, g, out, z):
        local = 1.0 - out  # an array of our own: the rest in place (just an optimization)
        local *= out
        local *= g
        return (local,)


class Tanh(Op):
    """y = tanh x.   f'(x) = 1 − y²."""

    name, numpy, method = "tanh", ("tanh",), "tanh"
    local = 'd(tanh x)/dx = 1 − tanh² x'
    reads = READS_NONE

    kernel = np.tanh

    def vjp(self, ctx, g, out, x):
        return (g * (1.0 - out * out),)


class Relu(Op):
    """y = max(x, 0).   f'(x) = 1 where x > 0, else 0 (0 at the kink, as PyTorch)."""

    name, method = "relu", "relu"
    local = 'd relu/dx = 1 if x > 0 else 0'
    reads_out = False

    def forward(self, ctx, x):
        return np.maximum(x, 0.0)

    def vjp(self, ctx, g, out, x):
        return (g * (raw(x) > 0),)


class Sin(Op):
    """y = sin x.   f'(x) = cos x."""

    name, numpy, method = "sin", ("sin",), "sin"
    local = 'd(sin x)/dx = cos x'

    kernel = np.sin

    def vjp(self, ctx, g, out, x):
        return (g * np.cos(x),)


class Cos(Op):
    """y = cos x.   f'(x) = −sin x."""

    name, numpy, method = "cos", ("cos",), "cos"
    local = 'd(cos x)/dx = −sin x'

    kernel = np.cos

    def vjp(self, ctx, g, out, x):
        return (-g * np.sin(x),)


class Sqrt(Op):
    """y = √x.   f'(x) = 1/(2√x) = 0.5/y."""

    name, numpy, method = "sqrt", ("sqrt",), "sqrt"
    local = 'd(√x)/dx = 1/(2√x)'
    reads = READS_NONE

    kernel = np.sqrt

    def vjp(self, ctx, g, out, x):
        return (g * 0.5 / out,)


class Abs(Op):
    """y = |x|.   f'(x) = sign(x) (0 at x = 0, as PyTorch and JAX)."""

    name, numpy, method = "abs", ("absolute",), "abs"
    local = 'd|x|/dx = sign(x)'

    kernel = np.abs

    def vjp(self, ctx, g, out, x):
        return (g * np.sign(raw(x)),)


class Log1p(Op):
    """y = log(1 + x), exact for tiny x.   f'(x) = 1/(1 + x)."""

    name, numpy = "log1p", ("log1p",)

    kernel = np.log1p

    def vjp(self, ctx, g, out, x):
        return (g / (1.0 + x),)


class Maximum(Op):
    """z = max(x, y) elementwise.   dL/dx = g where x > y, dL/dy = g where y > x; a tie shares g equally."""

    name, numpy = "maximum", ("maximum",)

    kernel = np.maximum

    def vjp(self, ctx, g, out, x, y):
        return _pick(ctx, g, raw(x), raw(y), np.greater)


class Minimum(Op):
    """z = min(x, y) elementwise.   dL/dx = g where x < y, dL/dy = g where y < x; a tie shares g equally."""

    name, numpy = "minimum", ("minimum",)

    kernel = np.minimum

    def vjp(self, ctx, g, out, x, y):
        return _pick(ctx, g, raw(x), raw(y), np.less)


def _pick(ctx, g, x, y, wins):
    """The gradient of an elementwise choice between x and y: to the winner, halved on a tie."""
    need_x, need_y = ctx.needs
    share_x = wins(x, y) + 0.5 * (x == y)
    return (g * share_x if need_x else None), (g * (1.0 - share_x) if need_y else None)


class AsType(Op):
    """y = x converted to another float dtype.   dL/dx = g, converted back."""

    name, method = "astype", "astype"
    local = 'dL/dx = g converted back'

    def __call__(self, x, dtype):
        dtype = np.dtype(dtype)
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"astype: dtype must be float32 or float64, got {dtype}")
        return apply(self, lift(x, self.name), dtype=dtype)

    def forward(self, ctx, x, dtype):
        return x.astype(dtype)

    def vjp(self, ctx, g, out, x):
        return (g.astype(x.dtype),)


exp, log, sigmoid, tanh, relu = Exp(), Log(), Sigmoid(), Tanh(), Relu()
sin, cos, sqrt, abs, astype = Sin(), Cos(), Sqrt(), Abs(), AsType()
log1p, maximum, minimum = Log1p(), Maximum(), Minimum()
