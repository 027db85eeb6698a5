"""Elementwise functions. For y = f(x) applied to each element, the Jacobian is
diagonal, so the vector-Jacobian product is a product: dL/dx = g · f'(x)."""
from __future__ import annotations

import numpy as np

from .base import Op, raw


class Exp(Op):
    """y = eˣ.   f'(x) = eˣ = y."""

    __slots__ = ()
    name = "exp"

    def forward(self, x):
        return np.exp(x)

    def vjp(self, g, out, x):
        return (g * out,)


class Log(Op):
    """y = log x (natural).   f'(x) = 1/x."""

    __slots__ = ()
    name = "log"

    def forward(self, x):
        return np.log(x)

    def vjp(self, g, out, x):
        return (g / x,)


def stable_sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e⁻ᶻ), two branches so that exp never overflows:
    1/(1 + e⁻ᶻ) for z ≥ 0 and eᶻ/(1 + eᶻ) for z < 0. Both are e^min(z, 0) / (1 + e^(−|z|)),
    where neither exponent is positive (and no np.where is needed)."""
    return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))


class Sigmoid(Op):
    """ŷ = σ(z) = 1/(1 + e⁻ᶻ).   The lecture's dŷ/dz = ŷ(1 − ŷ)."""

    __slots__ = ()
    name = "sigmoid"

    def forward(self, z):
        return stable_sigmoid(z)

    def vjp(self, g, out, z):
        return (g * out * (1.0 - out),)


class Tanh(Op):
    """y = tanh x.   f'(x) = 1 − y²."""

    __slots__ = ()
    name = "tanh"

    def forward(self, x):
        return np.tanh(x)

    def vjp(self, g, out, x):
        return (g * (1.0 - out * out),)


class Relu(Op):
    """y = max(x, 0).   f'(x) = 1 where x > 0, else 0 (0 at the kink, as PyTorch)."""

    __slots__ = ()
    name = "relu"

    def forward(self, x):
        return np.maximum(x, 0.0)

    def vjp(self, g, out, x):
        return (g * (raw(x) > 0),)


class Sin(Op):
    """y = sin x.   f'(x) = cos x."""

    __slots__ = ()
    name = "sin"

    def forward(self, x):
        return np.sin(x)

    def vjp(self, g, out, x):
        return (g * np.cos(x),)


class Cos(Op):
    """y = cos x.   f'(x) = −sin x."""

    __slots__ = ()
    name = "cos"

    def forward(self, x):
        return np.cos(x)

    def vjp(self, g, out, x):
        return (-g * np.sin(x),)


class Sqrt(Op):
    """y = √x.   f'(x) = 1/(2√x) = 0.5/y."""

    __slots__ = ()
    name = "sqrt"

    def forward(self, x):
        return np.sqrt(x)

    def vjp(self, g, out, x):
        return (g * 0.5 / out,)


class Abs(Op):
    """y = |x|.   f'(x) = sign(x) (0 at x = 0, as PyTorch and JAX)."""

    __slots__ = ()
    name = "abs"

    def forward(self, x):
        return np.abs(x)

    def vjp(self, g, out, x):
        return (g * np.sign(raw(x)),)


class AsType(Op):
    """y = x converted to another float dtype.   dL/dx = g, converted back."""

    __slots__ = ("dtype",)
    name = "astype"

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def forward(self, x):
        return x.astype(self.dtype)

    def vjp(self, g, out, x):
        return (g.astype(x.dtype),)
