"""Linear algebra: the products (dot, vdot, inner, outer, tensordot, kron) and
numpy.linalg's solve, inv, det and slogdet.

The products are contractions: each vjp is ``contraction_vjp`` (see
``einsum``) with the letters of its own contraction, or a matrix product where
that is the same and faster. The matrix functions use the classic identities:
with X = A⁻¹B,  dL/dB = A⁻ᵀG and dL/dA = −(A⁻ᵀG)Xᵀ; d(A⁻¹) = −A⁻¹ dA A⁻¹;
d(det A) = det A · tr(A⁻¹ dA), so dL/dA = g · det A · A⁻ᵀ (and g · A⁻ᵀ for
log|det A|).
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .arithmetic import matmul
from .base import Op, apply, lift, raw
from .einsum import LETTERS, contraction_vjp

_FREE = LETTERS.replace("z", "")  # 'z' marks the contracted axis


def _no_out(who: str, out: Any) -> None:
    if out is not None:
        raise TypeError(f"{who}: out= is not supported on a Tensor (apply numpy to tensor.detach().data "
                        "for a plain array)")


class Dot(Op):
    """y = a · b (numpy's dot): scalars multiply; otherwise the sum over a's last axis and b's second-to-last (its only one if 1-D).   dL/da = G·bᵀ, dL/db = aᵀ·G over the same axes."""

    name, numpy, method = "dot", ("dot",), "dot"
    local = ("∂(a·b)/∂a = b", "∂(a·b)/∂b = a")

    def __call__(self, a: Any, b: Any, out: Any = None) -> Any:
        _no_out(self.name, out)
        return apply(self, lift(a, self.name), lift(b, self.name))

    def forward(self, ctx, a, b):
        return np.dot(a, b)

    def vjp(self, ctx, g, out, a, b):
        na, nb = np.ndim(raw(a)), np.ndim(raw(b))
        if na == 0 or nb == 0:  # a product with a scalar
            return (g * b if ctx.needs[0] else None), (g * a if ctx.needs[1] else None)
        if na <= 2 and nb <= 2:  # the same as matmul for vectors and matrices
            return matmul.vjp(ctx, g, out, a, b)
        a_letters = _FREE[:na - 1] + "z"
        b_letters = "z" if nb == 1 else _FREE[na - 1:na + nb - 3] + "z" + _FREE[na + nb - 3]
        output = a_letters[:-1] + b_letters.replace("z", "")
        return contraction_vjp((a_letters, b_letters), output, g, (a, b), ctx.needs)


class Vdot(Op):
    """y = Σ_i a_i b_i over the flattened operands (numpy's vdot, real).   dL/da = g·b, dL/db = g·a (reshaped)."""

    name, numpy = "vdot", ("vdot",)
    local = ("∂(Σ a_i b_i)/∂a_i = b_i", "∂(Σ a_i b_i)/∂b_i = a_i")

    def __call__(self, a: Any, b: Any) -> Any:
        return apply(self, lift(a, self.name), lift(b, self.name))

    def forward(self, ctx, a, b):
        return np.vdot(a, b)

    def vjp(self, ctx, g, out, a, b):
        return ((g * np.reshape(b, np.shape(raw(a))) if ctx.needs[0] else None),
                (g * np.reshape(a, np.shape(raw(b))) if ctx.needs[1] else None))


class Inner(Op):
    """y = Σ_k a[..., k] b[..., k] (numpy's inner: over the last axes; a product with a scalar).   dL/da = Σ g·b, dL/db = Σ g·a over the other operand's free axes."""

    name, numpy = "inner", ("inner",)
    local = ("∂y/∂a[…, k] = b[…, k]", "∂y/∂b[…, k] = a[…, k]")

    def __call__(self, a: Any, b: Any) -> Any:
        return apply(self, lift(a, self.name), lift(b, self.name))

    def forward(self, ctx, a, b):
        return np.inner(a, b)

    def vjp(self, ctx, g, out, a, b):
        na, nb = np.ndim(raw(a)), np.ndim(raw(b))
        if na == 0 or nb == 0:
            return (g * b if ctx.needs[0] else None), (g * a if ctx.needs[1] else None)
        a_letters, b_letters = _FREE[:na - 1] + "z", _FREE[na - 1:na + nb - 2] + "z"
        return contraction_vjp((a_letters, b_letters), a_letters[:-1] + b_letters[:-1], g, (a, b), ctx.needs)


class Outer(Op):
    """Y_ij = a_i b_j over the flattened operands.   dL/da = G·b, dL/db = Gᵀ·a (reshaped)."""

    name, numpy = "outer", ("outer",)
    local = ("∂Y_ij/∂a_i = b_j", "∂Y_ij/∂b_j = a_i")

    def __call__(self, a: Any, b: Any, out: Any = None) -> Any:
        _no_out(self.name, out)
        return apply(self, lift(a, self.name), lift(b, self.name))

    def forward(self, ctx, a, b):
        return np.outer(a, b)

    def vjp(self, ctx, g, out, a, b):
        ga = (g @ np.reshape(b, -1)).reshape(np.shape(raw(a))) if ctx.needs[0] else None
        gb = (np.reshape(a, -1) @ g).reshape(np.shape(raw(b))) if ctx.needs[1] else None
        return ga, gb


def _tensordot_axes(axes: Any, na: int, nb: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """numpy's axes argument: N (a's last N with b's first N) or (axes of a, axes of b)."""
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        if not 0 <= axes <= min(na, nb):
            raise ValueError(f"tensordot: axes={axes} but the operands have {na} and {nb} dimensions")
        return tuple(range(na - axes, na)), tuple(range(axes))
    try:
        axes_a, axes_b = axes
    except (TypeError, ValueError):
        raise TypeError(f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}") from None
    axes_a = (axes_a,) if isinstance(axes_a, (int, np.integer)) else tuple(axes_a)
    axes_b = (axes_b,) if isinstance(axes_b, (int, np.integer)) else tuple(axes_b)
    if len(axes_a) != len(axes_b):
        raise ValueError(f"tensordot: {len(axes_a)} axes of a but {len(axes_b)} axes of b")
    for side, chosen, n in (("a", axes_a, na), ("b", axes_b, nb)):
        if any(not -n <= int(i) < n for i in chosen) or len({int(i) % n for i in chosen}) != len(chosen):
            raise ValueError(f"tensordot: axes {chosen} of {side} are not distinct axes of a {n}-d operand")
    return tuple(int(i) % na for i in axes_a), tuple(int(i) % nb for i in axes_b)


class TensorDot(Op):
    """y = Σ over paired axes of a ⊗ b (numpy's tensordot): a's free axes, then b's.   dL/da, dL/db: g contracted with the other operand over its free axes."""

    name, numpy = "tensordot", ("tensordot",)
    local = ("∂y/∂a = b (contracted)", "∂y/∂b = a (contracted)")

    def __call__(self, a: Any, b: Any, axes: Any = 2) -> Any:
        a, b = lift(a, self.name), lift(b, self.name)
        pairs = _tensordot_axes(axes, np.ndim(raw(a)), np.ndim(raw(b)))
        return apply(self, a, b, axes=pairs)

    def forward(self, ctx, a, b, axes):
        ctx.saved = axes
        return np.tensordot(a, b, axes=axes)

    def vjp(self, ctx, g, out, a, b):
        axes_a, axes_b = ctx.saved
        na, nb = np.ndim(raw(a)), np.ndim(raw(b))
        free = iter(LETTERS[len(axes_a):])
        a_letters = "".join(LETTERS[axes_a.index(i)] if i in axes_a else next(free) for i in range(na))
        b_letters = "".join(LETTERS[axes_b.index(i)] if i in axes_b else next(free) for i in range(nb))
        output = "".join(c for c in a_letters + b_letters if c not in LETTERS[:len(axes_a)])
        return contraction_vjp((a_letters, b_letters), output, g, (a, b), ctx.needs)


class Kron(Op):
    """y = a ⊗ b, the Kronecker product: block (i, …) is a_i · b.   dL/da_i = Σ (block i of g) · b,  dL/db = Σ_i a_i · (block i of g)."""

    name, numpy = "kron", ("kron",)
    local = ("∂(a ⊗ b)/∂a_i = b in block i", "∂(a ⊗ b)/∂b = a_i in each block i")

    def __call__(self, a: Any, b: Any) -> Any:
        return apply(self, lift(a, self.name), lift(b, self.name))

    def forward(self, ctx, a, b):
        return np.kron(a, b)

    def vjp(self, ctx, g, out, a, b):
        shape_a, shape_b = np.shape(raw(a)), np.shape(raw(b))
        d = max(len(shape_a), len(shape_b))
        pa, pb = (1,) * (d - len(shape_a)) + shape_a, (1,) * (d - len(shape_b)) + shape_b
        # g with each axis split into (a's index, b's index): axes a0, b0, a1, b1, ...
        blocks = g.reshape(tuple(n for pair in zip(pa, pb) for n in pair))
        ones = (1,) * d
        ga = gb = None
        if ctx.needs[0]:
            b_spread = np.reshape(b, tuple(n for pair in zip(ones, pb) for n in pair))
            ga = (blocks * b_spread).sum(axis=tuple(range(1, 2 * d, 2))).reshape(shape_a)
        if ctx.needs[1]:
            a_spread = np.reshape(a, tuple(n for pair in zip(pa, ones) for n in pair))
            gb = (blocks * a_spread).sum(axis=tuple(range(0, 2 * d, 2))).reshape(shape_b)
        return ga, gb


def _mT(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


def _check_square(who: str, x: Any, name: str = "a") -> None:
    shape = np.shape(raw(x))
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{who}: {name} must be a square matrix or a stack of them (..., n, n), got shape {shape}")


class Solve(Op):
    """X = A⁻¹B, the solution of AX = B (numpy.linalg.solve; b 1-D is one vector).   dL/dB = A⁻ᵀG,  dL/dA = −(A⁻ᵀG)Xᵀ."""

    name, numpy = "solve", ("linalg.solve",)
    local = ("∂X/∂A: dX = −A⁻¹ dA X", "∂X/∂B = A⁻¹")

    def __call__(self, a: Any, b: Any) -> Any:
        a, b = lift(a, self.name), lift(b, self.name)
        _check_square(self.name, a)
        return apply(self, a, b)

    def forward(self, ctx, a, b):
        return np.linalg.solve(a, b)

    def vjp(self, ctx, g, out, a, b):
        if np.ndim(raw(b)) == 1:  # one right-hand side (numpy 2: only a 1-D b is a vector): as a column
            shape = np.shape(g)
            gb = np.linalg.solve(_mT(a), g.reshape(shape + (1,))).reshape(shape)
            ga = -(gb.reshape(shape + (1,)) * out.reshape(shape[:-1] + (1,) + shape[-1:])) if ctx.needs[0] else None
        else:
            gb = np.linalg.solve(_mT(a), g)
            ga = -(gb @ _mT(out)) if ctx.needs[0] else None
        return ga, (gb if ctx.needs[1] else None)


class Inv(Op):
    """Y = A⁻¹ (numpy.linalg.inv).   dL/dA = −Yᵀ G Yᵀ."""

    name, numpy = "inv", ("linalg.inv",)
    local = "d(A⁻¹) = −A⁻¹ dA A⁻¹"

    def __call__(self, a: Any) -> Any:
        a = lift(a, self.name)
        _check_square(self.name, a)
        return apply(self, a)

    def forward(self, ctx, a):
        return np.linalg.inv(a)

    def vjp(self, ctx, g, out, a):
        yt = _mT(out)
        return (-(yt @ g @ yt),)


class Det(Op):
    """d = det A (numpy.linalg.det).   dL/dA = g · d · A⁻ᵀ (Jacobi's formula)."""

    name, numpy = "det", ("linalg.det",)
    local = "∂ det A/∂A = det A · A⁻ᵀ"

    def __call__(self, a: Any) -> Any:
        a = lift(a, self.name)
        _check_square(self.name, a)
        return apply(self, a)

    def forward(self, ctx, a):
        return np.linalg.det(a)

    def vjp(self, ctx, g, out, a):
        scale = (g * out).reshape(np.shape(g) + (1, 1))
        return (scale * _mT(np.linalg.inv(a)),)


class SlogdetResult(NamedTuple):
    """numpy's slogdet result: the sign (numpy's value: piecewise constant, no gradient) and log|det A| (a Tensor)."""

    sign: Any
    logabsdet: Any


class LogAbsDet(Op):
    """y = log|det A| (the second part of numpy.linalg.slogdet).   dL/dA = g · A⁻ᵀ."""

    name, numpy = "slogdet", ("linalg.slogdet",)
    local = "∂ log|det A|/∂A = A⁻ᵀ"

    def __call__(self, a: Any) -> SlogdetResult:  # type: ignore[override]
        a = lift(a, self.name)
        _check_square(self.name, a)
        sign = np.linalg.slogdet(raw(a))[0]  # a second LU, so that the op's one output is log|det|
        return SlogdetResult(sign, apply(self, a))

    def forward(self, ctx, a):
        return np.linalg.slogdet(a)[1]

    def vjp(self, ctx, g, out, a):
        return (g.reshape(np.shape(g) + (1, 1)) * _mT(np.linalg.inv(a)),)


dot, vdot, inner, outer, tensordot, kron = Dot(), Vdot(), Inner(), Outer(), TensorDot(), Kron()
solve, inv, det, slogdet = Solve(), Inv(), Det(), LogAbsDet()
