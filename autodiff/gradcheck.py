"""Gradient checking: reverse mode against central finite differences, in float64.

For f: inputs ↦ output and each input x, the analytic Jacobian J = ∂f/∂x is read
from the engine's vector-Jacobian products (row k = vjp(e_k)) and the numeric one
from central differences (column j):

    J[:, j] ≈ (f(x + ε e_j) − f(x − ε e_j)) / 2ε        (error O(ε²) + O(u·|f|/ε))

and an entry passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
When out.size·x.size > ``max_full`` the full Jacobian is too costly and random
unit projections are compared instead: uᵀJv from one vjp against
uᵀ(f(x + εv) − f(x − εv))/2ε from two forward passes.

Backward must also be linear in the upstream gradient, which basis vectors do
not test (e_k² = e_k): vjp(a·u₁ + b·u₂) = a·vjp(u₁) + b·vjp(u₂) is checked too.

``gradgradcheck`` gradchecks x ↦ vjp_f(x)(u) for a fixed random u, the backward
pass recorded with ``create_graph=True``: second derivatives, Hessian-vector
products and the correctness of every vjp run on Tensors.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .functional import gradients
from .engine import enable_grad
from .tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "numeric_jacobian"]

LOCALISE_MAX_EVALUATIONS = 20_000  # forward/backward passes spent naming the worst entry of a failed projection


class GradcheckError(AssertionError):
    """Analytic and numeric derivatives disagree; the message names the input,
    the worst entry, both values, the error and the tolerance."""


def _as_float64(x: Any) -> np.ndarray:
    data = x.data if isinstance(x, Tensor) else x
    array = np.array(data, dtype=np.float64, copy=True)
    if not np.all(np.isfinite(array)):
        bad = tuple(np.argwhere(~np.isfinite(array))[0].tolist())
        raise ValueError(f"gradcheck: an input holds {array[bad]} at index {bad}; inputs must be finite")
    return array


def _evaluate(f: Callable[..., Any], xs: Sequence[np.ndarray], who: str) -> tuple[Tensor, list[Tensor]]:
    """f on fresh leaf Tensors (copies: f cannot change our arrays) that require grad."""
    ts = [Tensor(x.copy(), requires_grad=True) for x in xs]
    with enable_grad():
        out = f(*ts)
    if not isinstance(out, Tensor):
        raise TypeError(f"{who}: f must return a Tensor, got {type(out).__name__}")
    if not np.all(np.isfinite(out.data)):
        bad = tuple(np.argwhere(~np.isfinite(out.data))[0].tolist())
        raise ValueError(f"{who}: f returned {out.data[bad]} at output index {bad} "
                         f"for inputs of shapes {[x.shape for x in xs]}")
    return out, ts


def _value(f: Callable[..., Any], xs: Sequence[np.ndarray], who: str) -> np.ndarray:
    return np.asarray(_evaluate(f, xs, who)[0].data, dtype=np.float64).ravel()


def _central(f: Callable[..., Any], xs: Sequence[np.ndarray], i: int, step: np.ndarray, who: str) -> np.ndarray:
    """(f(x_i + step) − f(x_i − step)) / 2, flattened: a central difference times ε."""
    plus, minus = list(xs), list(xs)
    plus[i] = xs[i] + step
    minus[i] = xs[i] - step
    return (_value(f, plus, who) - _value(f, minus, who)) / 2.0


def numeric_jacobian(f: Callable[..., Any], inputs: Sequence[Any], index: int = 0,
                     eps: float = 1e-6) -> np.ndarray:
    """∂f/∂(inputs[index]) by central differences in float64, shape (out.size, in.size)."""
    xs = [_as_float64(x) for x in inputs]
    x = xs[index]
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step.flat[j] = eps
        columns.append(_central(f, xs, index, step, "numeric_jacobian") / eps)
    if columns:
        return np.stack(columns, axis=1)
    return np.zeros((_evaluate(f, xs, "numeric_jacobian")[0].size, 0))


def _vjp(out: Tensor, ts: list[Tensor], u: np.ndarray) -> list[np.ndarray]:
    with enable_grad():
        grads = gradients(out, ts, u.reshape(out.shape).astype(out.dtype), retain_graph=True)
    return [np.asarray(g.data if isinstance(g, Tensor) else g, dtype=np.float64) for g in grads]


def _index(flat: int, shape: tuple) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


class _Checker:
    """One gradcheck run: the inputs, the base evaluation and the tolerances."""

    def __init__(self, f, xs, eps, atol, rtol, who):
        self.f, self.xs, self.eps, self.atol, self.rtol, self.who = f, xs, eps, atol, rtol, who
        self.out, self.ts = _evaluate(f, xs, who)
        self.out_shape = self.out.shape

    def fail(self, i: int, detail: str) -> GradcheckError:
        return GradcheckError(f"{self.who}: input {i} (shape {self.xs[i].shape}): {detail}")

    def mismatch(self, analytic: np.ndarray, numeric: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        error = np.abs(analytic - numeric)
        bound = self.atol + self.rtol * np.abs(numeric)
        return error, bound

    def describe(self, k: int, j: int, i: int, a: float, n: float, how: str = "") -> str:
        error = abs(a - n)
        bound = self.atol + self.rtol * abs(n)
        return (f"{how}worst mismatch at output {_index(k, self.out_shape)}, input {_index(j, self.xs[i].shape)}: "
                f"analytic {a:.6g}, numeric {n:.6g}, |error| {error:.4g} > atol + rtol·|numeric| = {bound:.4g}")

    # ----- full Jacobians ----------------------------------------------------------------
    def full(self, inputs: list[int]) -> None:
        n_out = self.out.size
        analytic = {i: np.zeros((n_out, self.xs[i].size)) for i in inputs}
        seed = np.zeros(n_out)
        for k in range(n_out):
            seed[k] = 1.0
            grads = _vjp(self.out, self.ts, seed)
            for i in inputs:
                analytic[i][k] = self._checked_shape(grads[i], i).ravel()
            seed[k] = 0.0
        for i in inputs:
            numeric = numeric_jacobian(self.f, self.xs, i, self.eps) if self.xs[i].size else analytic[i]
            error, bound = self.mismatch(analytic[i], numeric)
            bad = error > bound
            if np.any(bad) or not np.all(np.isfinite(analytic[i])):
                excess = np.where(np.isfinite(error), error - bound, np.inf)
                k, j = (int(n) for n in np.unravel_index(int(np.argmax(excess)), excess.shape))
                count = f" ({int(np.sum(~(error <= bound)))} of {error.size} Jacobian entries differ)"
                raise self.fail(i, self.describe(k, j, i, analytic[i][k, j], numeric[k, j]) + count)

    def _checked_shape(self, g: np.ndarray, i: int) -> np.ndarray:
        if g.shape != self.xs[i].shape:
            raise self.fail(i, f"backward returned a gradient of shape {g.shape}")
        return g

    # ----- random projections -------------------------------------------------------------
    def projections(self, inputs: list[int], n_projections: int, rng: np.random.Generator) -> None:
        for p in range(n_projections):
            u = _unit(rng.standard_normal(self.out.size))
            grads = _vjp(self.out, self.ts, u)
            for i in inputs:
                x = self.xs[i]
                v = _unit(rng.standard_normal(x.size)).reshape(x.shape)
                analytic = float(np.sum(self._checked_shape(grads[i], i) * v))
                numeric = float(u @ _central(self.f, self.xs, i, self.eps * v, self.who)) / self.eps
                error, bound = self.mismatch(np.array(analytic), np.array(numeric))
                if not error <= bound:
                    head = (f"random projection {p}: uᵀJv analytic {analytic:.6g}, numeric {numeric:.6g}, "
                            f"|error| {float(error):.4g} > atol + rtol·|numeric| = {float(bound):.4g}; ")
                    raise self.fail(i, head + self.localise(i, u, grads[i]))

    def localise(self, i: int, u: np.ndarray, vjp_u: np.ndarray) -> str:
        """Name the worst entry of a failed projection: the input element from the
        numeric gradient of uᵀf, then the output element from that column of J."""
        x = self.xs[i]
        n_out = self.out.size
        if 2 * x.size + n_out > LOCALISE_MAX_EVALUATIONS:
            return "(too large to name the worst entry: check a smaller input)"
        numeric_grad = np.zeros(x.size)
        for j in range(x.size):
            step = np.zeros_like(x)
            step.flat[j] = self.eps
            numeric_grad[j] = u @ _central(self.f, self.xs, i, step, self.who) / self.eps
        error, bound = self.mismatch(vjp_u.ravel(), numeric_grad)
        j = int(np.argmax(error - bound))
        step = np.zeros_like(x)
        step.flat[j] = self.eps
        numeric_column = _central(self.f, self.xs, i, step, self.who) / self.eps
        analytic_column = np.zeros(n_out)
        seed = np.zeros(n_out)
        for k in range(n_out):
            seed[k] = 1.0
            analytic_column[k] = _vjp(self.out, self.ts, seed)[i].flat[j]
            seed[k] = 0.0
        error, bound = self.mismatch(analytic_column, numeric_column)
        k = int(np.argmax(error - bound))
        return self.describe(k, j, i, analytic_column[k], numeric_column[k])

    # ----- linearity in the upstream gradient ----------------------------------------------
    def linearity(self, inputs: list[int], rng: np.random.Generator) -> None:
        u1, u2 = rng.standard_normal((2, self.out.size))
        a, b = 0.5 + rng.random(), -1.5 - rng.random()  # a + b ≠ 1: an affine vjp fails too
        combined = _vjp(self.out, self.ts, a * u1 + b * u2)
        g1, g2 = _vjp(self.out, self.ts, u1), _vjp(self.out, self.ts, u2)
        for i in inputs:
            lhs, rhs = combined[i].ravel(), (a * g1[i] + b * g2[i]).ravel()
            scale = np.abs(a * g1[i]).ravel() + np.abs(b * g2[i]).ravel()
            error = np.abs(lhs - rhs)
            bound = self.atol + self.rtol * scale
            if not np.all(error <= bound):
                j = int(np.argmax(np.where(np.isfinite(error), error - bound, np.inf)))
                raise self.fail(i, (
                    f"backward is not linear in the upstream gradient: at input {_index(j, self.xs[i].shape)}, "
                    f"vjp(a·u1 + b·u2) = {lhs[j]:.6g} but a·vjp(u1) + b·vjp(u2) = {rhs[j]:.6g} "
                    f"(a = {a:.3g}, b = {b:.3g}), |error| {error[j]:.4g} > {bound[j]:.4g}"))


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v


def _run(f, inputs, eps, atol, rtol, max_full, n_projections, seed, check_linearity, who) -> bool:
    if not inputs:
        raise ValueError(f"{who}: give at least one input")
    xs = [_as_float64(x) for x in inputs]
    checker = _Checker(f, xs, eps, atol, rtol, who)
    n_out = checker.out.size
    full = [i for i, x in enumerate(xs) if n_out * x.size <= max_full]
    projected = [i for i, x in enumerate(xs) if i not in full]
    rng = np.random.default_rng(seed)
    if full:
        checker.full(full)
    if projected:
        checker.projections(projected, n_projections, rng)
    if check_linearity and n_out:
        checker.linearity(list(range(len(xs))), rng)
    return True


def gradcheck(f: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, max_full: int = 4096, n_projections: int = 8, seed: int = 0,
              check_linearity: bool = True) -> bool:
    """Check reverse mode against central differences; True, or raise GradcheckError.

    ``f`` takes one Tensor per input and returns a Tensor; ``inputs`` are arrays
    or Tensors, copied to float64. An input with out.size·in.size ≤ ``max_full`` gets
    its full Jacobian checked, a larger one ``n_projections`` random projections uᵀJv.
    An entry passes when |analytic − numeric| ≤ atol + rtol·|numeric|.

        >>> import autodiff as ad, numpy as np
        >>> ad.gradcheck(lambda x: ad.sigmoid(x) * x, np.linspace(-2, 2, 5))
        True
    """
    return _run(f, inputs, eps, atol, rtol, max_full, n_projections, seed, check_linearity, "gradcheck")


def gradgradcheck(f: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, max_full: int = 4096, n_projections: int = 8, seed: int = 0,
                  check_linearity: bool = True) -> bool:
    """Check second derivatives: for a fixed random upstream u, gradcheck the map
    x ↦ vjp_f(x)(u) = uᵀ·∂f/∂x_j for each input j, computed by
    ``gradients(f(x), x, u, create_graph=True)``. True, or raise GradcheckError.

        >>> import autodiff as ad, numpy as np
        >>> ad.gradgradcheck(lambda x: ad.tanh(x) ** 3, np.linspace(-1, 1, 4))
        True
    """
    if not inputs:
        raise ValueError("gradgradcheck: give at least one input")
    xs = [_as_float64(x) for x in inputs]
    out, _ = _evaluate(f, xs, "gradgradcheck")
    u = np.random.default_rng(seed).standard_normal(out.shape)
    for j in range(len(xs)):
        def vjp_j(*ts: Tensor, j: int = j) -> Tensor:
            grads = gradients(f(*ts), list(ts), u.astype(np.float64), create_graph=True, retain_graph=True)
            g = grads[j]
            return g if isinstance(g, Tensor) else Tensor(g)

        _run(vjp_j, xs, eps, atol, rtol, max_full, n_projections, seed + 1 + j, check_linearity,
             f"gradgradcheck (the vjp for input {j}, with create_graph=True, differentiated)")
    return True
