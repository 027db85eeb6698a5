"""The lecture's closed-form derivatives, written out in plain numpy.

These functions are the reference the automatic differentiation engine is
checked against: every formula here is the one derived on the slides
(logistic regression, softmax, the softmax layer, cross-entropy, softmax
regression, the chain-rule and Jacobian examples).  All inputs are converted
to float64 arrays; shape mismatches raise ``ValueError`` naming the function
and the shapes involved.

Conventions (as on the slides):

* a Jacobian has one row per output and one column per input,
  ``J[i, j] = ∂fᵢ/∂xⱼ``;
* logistic regression: X has shape (m, n) (one instance per row), w (n,) or
  (n, 1), b a scalar, y (m,) with labels in [0, 1];
* softmax layer: W has shape (T, N), x shape (N,), P = S(Wx);
* softmax regression: Θ has shape (n_features, K), X (m, n_features), y holds
  integer labels in 0..K−1.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid",
    "sigmoid_derivative",
    "log_loss",
    "log_loss_gradient",
    "log_loss_hessian",
    "softmax",
    "softmax_jacobian",
    "softmax_layer_jacobian",
    "cross_entropy_gradient",
    "softmax_regression_loss",
    "softmax_regression_gradient",
    "chain_rule_example",
    "chain_rule_example_value",
    "jacobian_example",
    "jacobian_example_value",
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def _f64(a, func: str, name: str) -> np.ndarray:
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{func}: {name} must be numeric, got {type(a).__name__}") from exc


def _scalar_or_array(a: np.ndarray):
    """A 0-d result becomes a Python float, anything else stays an array."""
    return float(a) if a.ndim == 0 else a


def _check_ndim(a: np.ndarray, ndim: int, func: str, name: str) -> None:
    if a.ndim != ndim:
        raise ValueError(f"{func}: {name} must be {ndim}-D, got shape {a.shape}")


def _logistic_inputs(w, b, X, y, func: str):
    """Validate (w, b, X, y) for the logistic-regression functions."""
    X = _f64(X, func, "X")
    w = _f64(w, func, "w")
    y = _f64(y, func, "y")
    b = _f64(b, func, "b")
    _check_ndim(X, 2, func, "X")
    if b.size != 1:
        raise ValueError(f"{func}: b must be a scalar, got shape {b.shape}")
    if not (w.ndim == 1 or (w.ndim == 2 and w.shape[1] == 1)):
        raise ValueError(f"{func}: w must have shape (n,) or (n, 1), got shape {w.shape}")
    m, n = X.shape
    if w.shape[0] != n:
        raise ValueError(
            f"{func}: X has shape {X.shape} (m, n) but w has shape {w.shape}; "
            f"expected w of shape ({n},) or ({n}, 1)")
    if y.shape not in ((m,), (m, 1)):
        raise ValueError(
            f"{func}: X has shape {X.shape} (m, n) but y has shape {y.shape}; expected ({m},)")
    y = y.reshape(m)
    if np.any((y < 0) | (y > 1)) or np.any(np.isnan(y)):
        raise ValueError(f"{func}: labels y must lie in [0, 1]")
    return w, float(b.reshape(())), X, y


def _labels(y, n_classes: int, func: str, name: str = "y") -> np.ndarray:
    """Integer class labels in 0..n_classes−1."""
    arr = np.asarray(y)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ValueError(f"{func}: {name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{func}: {name} must hold integer class labels")
    labels = arr.astype(np.int64)
    if np.any(labels < 0) or np.any(labels >= n_classes):
        raise ValueError(
            f"{func}: {name} must lie in 0..{n_classes - 1}, got values in "
            f"[{labels.min()}, {labels.max()}]")
    return labels


def _log_softmax(a: np.ndarray) -> np.ndarray:
    """log S(a) over the last axis, computed as (a − max) − log Σ e^(a − max)."""
    shifted = a - np.max(a, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


# --------------------------------------------------------------------------
# logistic regression
# --------------------------------------------------------------------------

def sigmoid(z):
    """σ(z) = 1 / (1 + e⁻ᶻ), elementwise.

    Computed in the stable two-branch form, using e = e^(−|z|) ≤ 1 so that
    nothing overflows (σ(±1000) gives 1 and 0 without warnings):

        σ(z) = 1 / (1 + e)   for z ≥ 0
        σ(z) = e / (1 + e)   for z < 0

    Returns a float for scalar input, otherwise an array of z's shape.
    """
    z = _f64(z, "sigmoid", "z")
    e = np.exp(-np.abs(z))
    return _scalar_or_array(np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def sigmoid_derivative(z):
    """dσ/dz = σ(z)(1 − σ(z)), elementwise (the slide's dŷ/dz = ŷ(1 − ŷ))."""
    s = np.asarray(sigmoid(z))
    return _scalar_or_array(s * (1.0 - s))


def log_loss(w, b, X, y) -> float:
    """Logistic regression cost (log loss), ŷ = σ(Xw + b):

        J(w, b) = −(1/m) Σᵢ [ yⁱ log ŷⁱ + (1 − yⁱ) log(1 − ŷⁱ) ]

    X has shape (m, n), w shape (n,) or (n, 1), b is a scalar and y has shape
    (m,) with labels in [0, 1].  Evaluated stably with
    log σ(z) = −log(1 + e⁻ᶻ) and log(1 − σ(z)) = −log(1 + eᶻ), so large |z|
    never produces log 0.
    """
    w, b, X, y = _logistic_inputs(w, b, X, y, "log_loss")
    z = X @ w.reshape(-1) + b
    return float(np.mean(y * np.logaddexp(0.0, -z) + (1.0 - y) * np.logaddexp(0.0, z)))


def log_loss_gradient(w, b, X, y) -> tuple[np.ndarray, float]:
    """Gradient of the log loss, ŷ = σ(Xw + b):

        ∂J/∂wⱼ = (1/m) Σᵢ (ŷⁱ − yⁱ) xⱼⁱ     i.e.  ∇_w J = (1/m) Xᵀ(ŷ − y)
        ∂J/∂b  = (1/m) Σᵢ (ŷⁱ − yⁱ)

    Returns (dw, db) with dw of the same shape as w and db a float.
    """
    w, b, X, y = _logistic_inputs(w, b, X, y, "log_loss_gradient")
    m = X.shape[0]
    residual = np.asarray(sigmoid(X @ w.reshape(-1) + b)).reshape(m) - y
    dw = X.T @ residual / m
    return dw.reshape(w.shape), float(np.mean(residual))


def log_loss_hessian(w, b, X, y) -> np.ndarray:
    """Hessian of the log loss with respect to w (b held fixed):

        ∇²_w J = (1/m) Xᵀ diag(ŷ(1 − ŷ)) X,     ŷ = σ(Xw + b)

    An (n, n) symmetric positive semi-definite matrix (y does not appear;
    it is validated for consistency with the other functions).
    """
    w, b, X, y = _logistic_inputs(w, b, X, y, "log_loss_hessian")
    s = np.asarray(sigmoid_derivative(X @ w.reshape(-1) + b)).reshape(-1)
    return X.T @ (X * s[:, None]) / X.shape[0]


# --------------------------------------------------------------------------
# softmax and its Jacobians
# --------------------------------------------------------------------------

def softmax(a) -> np.ndarray:
    """Sⱼ = e^(aⱼ) / Σₖ e^(aₖ), over the last axis.

    Stable form: the maximum is subtracted first, Sⱼ = e^(aⱼ − max a) /
    Σₖ e^(aₖ − max a), which is the same function since S(a + c) = S(a).
    """
    a = _f64(a, "softmax", "a")
    if a.ndim == 0:
        raise ValueError(f"softmax: a must have at least 1 dimension, got shape {a.shape}")
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_jacobian(a) -> np.ndarray:
    """The Jacobian of softmax at a 1-D a (N,), an N×N matrix:

        DS[i, j] = ∂Sᵢ/∂aⱼ = DⱼSᵢ = Sᵢ(δᵢⱼ − Sⱼ)

    i.e. Sᵢ(1 − Sⱼ) on the diagonal and −SⱼSᵢ off it: DS = diag(S) − S Sᵀ.
    Row i is output Sᵢ, column j is input aⱼ.
    """
    a = _f64(a, "softmax_jacobian", "a")
    _check_ndim(a, 1, "softmax_jacobian", "a")
    s = softmax(a)
    return np.diag(s) - np.outer(s, s)


def _layer_inputs(W, x, func: str) -> tuple[np.ndarray, np.ndarray]:
    W = _f64(W, func, "W")
    x = _f64(x, func, "x")
    _check_ndim(W, 2, func, "W")
    _check_ndim(x, 1, func, "x")
    if W.shape[1] != x.shape[0]:
        raise ValueError(
            f"{func}: W has shape {W.shape} (T, N) but x has shape {x.shape}; "
            f"expected x of shape ({W.shape[1]},)")
    return W, x


def softmax_layer_jacobian(W, x) -> np.ndarray:
    """The Jacobian of the softmax layer P(W) = S(Wx), W (T, N), x (N,):

        DᵢⱼPₜ = ∂Pₜ/∂Wᵢⱼ = Σₖ DₖSₜ · Dᵢⱼgₖ = Sₜ(δₜᵢ − Sᵢ) xⱼ

    (chain rule DP = DS · Dg with g(W) = Wx).  A T×(T·N) matrix whose column
    i·N + j is Wᵢⱼ, i.e. W flattened row-major: the Jacobian of P with
    respect to W.ravel().
    """
    W, x = _layer_inputs(W, x, "softmax_layer_jacobian")
    T, N = W.shape
    ds = softmax_jacobian(W @ x)                       # (T, T): DₖSₜ
    return np.einsum("ti,j->tij", ds, x).reshape(T, T * N)


def cross_entropy_gradient(W, x, y) -> np.ndarray:
    """Gradient of xent(W) = −log P_y, P = S(Wx), for one instance with label y:

        Dᵢⱼ xent(W) = −(1/P_y) · S_y(δ_yi − Sᵢ) xⱼ = (Sᵢ − δ_yi) xⱼ

    Returned as a (T, N) matrix, the shape of W.
    """
    W, x = _layer_inputs(W, x, "cross_entropy_gradient")
    label = _labels(y, W.shape[0], "cross_entropy_gradient")
    if label.ndim != 0:
        raise ValueError(
            f"cross_entropy_gradient: y must be a single integer label, got shape {label.shape}")
    delta = softmax(W @ x)
    delta[int(label)] -= 1.0                           # Sᵢ − δ_yi
    return np.outer(delta, x)


# --------------------------------------------------------------------------
# softmax regression
# --------------------------------------------------------------------------

def _softmax_regression_inputs(Theta, X, y, func: str):
    Theta = _f64(Theta, func, "Theta")
    X = _f64(X, func, "X")
    _check_ndim(Theta, 2, func, "Theta")
    _check_ndim(X, 2, func, "X")
    if X.shape[1] != Theta.shape[0]:
        raise ValueError(
            f"{func}: X has shape {X.shape} (m, n_features) but Theta has shape "
            f"{Theta.shape}; expected Theta of shape ({X.shape[1]}, K)")
    labels = _labels(y, Theta.shape[1], func)
    if labels.shape != (X.shape[0],):
        raise ValueError(
            f"{func}: X has shape {X.shape} but y has shape {labels.shape}; "
            f"expected ({X.shape[0]},)")
    return Theta, X, labels


def softmax_regression_loss(Theta, X, y) -> float:
    """Softmax regression cross-entropy cost, p̂ᵏ⁽ⁱ⁾ = S(Θᵀx⁽ⁱ⁾)ₖ:

        J(Θ) = −(1/m) Σᵢ Σₖ yₖ⁽ⁱ⁾ log p̂ₖ⁽ⁱ⁾ = −(1/m) Σᵢ log p̂⁽ⁱ⁾_{y⁽ⁱ⁾}

    with yₖ⁽ⁱ⁾ = 1 if instance i has class k, else 0.  Θ (n_features, K),
    X (m, n_features), y integer labels (m,).  Computed via the stable
    log-softmax.
    """
    Theta, X, labels = _softmax_regression_inputs(Theta, X, y, "softmax_regression_loss")
    log_p = _log_softmax(X @ Theta)
    return float(-np.mean(log_p[np.arange(X.shape[0]), labels]))


def softmax_regression_gradient(Theta, X, y) -> np.ndarray:
    """Softmax regression gradient, one column per class k:

        ∇_θₖ J(Θ) = (1/m) Σᵢ (p̂ₖ⁽ⁱ⁾ − yₖ⁽ⁱ⁾) x⁽ⁱ⁾     i.e.  ∇_Θ J = (1/m) Xᵀ(P̂ − Y)

    where Y is the one-hot label matrix.  Returned with Θ's shape
    (n_features, K).
    """
    Theta, X, labels = _softmax_regression_inputs(Theta, X, y, "softmax_regression_gradient")
    m = X.shape[0]
    residual = softmax(X @ Theta)                      # (m, K): P̂
    residual[np.arange(m), labels] -= 1.0              # P̂ − Y
    return X.T @ residual / m


# --------------------------------------------------------------------------
# the chain-rule and Jacobian examples
# --------------------------------------------------------------------------

def chain_rule_example_value(x):
    """f(x) = v(w(g(x))) = sin((x + 1)²) with g(x) = x + 1, w(x) = x², v(x) = sin x."""
    x = _f64(x, "chain_rule_example_value", "x")
    return _scalar_or_array(np.sin((x + 1.0) ** 2))


def chain_rule_example(x):
    """d/dx sin((x + 1)²) = v′(w(g(x))) w′(g(x)) g′(x) = 2 cos((x + 1)²)(x + 1)."""
    x = _f64(x, "chain_rule_example", "x")
    return _scalar_or_array(2.0 * np.cos((x + 1.0) ** 2) * (x + 1.0))


def jacobian_example_value(x: float, y: float) -> np.ndarray:
    """The lecture's vector function [f, g] with f(x, y) = 3x²y and g(x, y) = 2x + y⁸."""
    x, y = float(x), float(y)
    return np.array([3.0 * x**2 * y, 2.0 * x + y**8])


def jacobian_example(x: float, y: float) -> np.ndarray:
    """The Jacobian of [f, g], f(x, y) = 3x²y, g(x, y) = 2x + y⁸, gradients as rows:

        J = [ ∇f ] = [ ∂f/∂x  ∂f/∂y ] = [ 6yx   3x²  ]
            [ ∇g ]   [ ∂g/∂x  ∂g/∂y ]   [ 2     8y⁷  ]
    """
    x, y = float(x), float(y)
    return np.array([[6.0 * y * x, 3.0 * x**2],
                     [2.0, 8.0 * y**7]])
