"""The closed forms of autodiff.jacobians against central finite differences,
the slides' chain-rule derivations, and the lecture's printed numbers.

Finite differences: ∂f/∂xⱼ ≈ (f(x + ε eⱼ) − f(x − ε eⱼ)) / 2ε with ε = 1e-6,
compared with atol 1e-7, rtol 1e-6 (inputs are drawn from bounded ranges so
that truncation, O(ε² f‴), and rounding, O(ulp(f)/ε), stay well below that).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autodiff.jacobians import (
    chain_rule_example,
    chain_rule_example_value,
    cross_entropy_gradient,
    jacobian_example,
    jacobian_example_value,
    log_loss,
    log_loss_gradient,
    log_loss_hessian,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_jacobian,
    softmax_layer_jacobian,
    softmax_regression_gradient,
    softmax_regression_loss,
)

EPS = 1e-6
ATOL, RTOL = 1e-7, 1e-6
SETTINGS = settings(max_examples=50, deadline=None)
IRIS = Path(__file__).resolve().parents[1] / "models" / "data" / "iris.csv"


def numeric_jacobian(f, x) -> np.ndarray:
    """Central differences: J[i, j] = (fᵢ(x + ε eⱼ) − fᵢ(x − ε eⱼ)) / 2ε, shape (f.size, x.size)."""
    x = np.asarray(x, dtype=np.float64)
    columns = []
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = EPS
        step = step.reshape(x.shape)
        df = np.asarray(f(x + step), dtype=np.float64) - np.asarray(f(x - step), dtype=np.float64)
        columns.append(df.ravel() / (2 * EPS))
    return np.stack(columns, axis=1)


def assert_close(actual, expected) -> None:
    np.testing.assert_allclose(actual, expected, atol=ATOL, rtol=RTOL)


# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------

def arrays(shape, lo=-3.0, hi=3.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi))


@st.composite
def logistic_problems(draw):
    m, n = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    X = draw(arrays((m, n)))
    w = draw(arrays((n,), -2.0, 2.0))
    b = draw(st.floats(-2.0, 2.0))
    y = draw(hnp.arrays(np.float64, (m,), elements=st.sampled_from([0.0, 1.0])))
    return w, b, X, y


@st.composite
def layers(draw):
    T, N = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    W = draw(arrays((T, N), -2.0, 2.0))
    x = draw(arrays((N,)))
    y = draw(st.integers(0, T - 1))
    return W, x, y


@st.composite
def softmax_problems(draw):
    m, n, K = draw(st.integers(1, 6)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    Theta = draw(arrays((n, K), -2.0, 2.0))
    X = draw(arrays((m, n)))
    y = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, K - 1)))
    return Theta, X, y


vectors = st.integers(1, 6).flatmap(lambda n: arrays((n,), -10.0, 10.0))


# --------------------------------------------------------------------------
# sigmoid
# --------------------------------------------------------------------------

def test_sigmoid_lecture_values():
    assert sigmoid(0) == 0.5
    assert sigmoid(100) == 1.0
    assert sigmoid(-100) == pytest.approx(3.7200759760208356e-44, rel=1e-15)


def test_sigmoid_no_overflow():
    np.testing.assert_array_equal(sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
    np.testing.assert_array_equal(sigmoid_derivative(np.array([-1000.0, 1000.0])), [0.0, 0.0])


@SETTINGS
@given(arrays((5,), -20.0, 20.0))
def test_sigmoid_symmetry_and_derivative(z):
    assert_close(sigmoid(-z), 1.0 - sigmoid(z))
    assert_close(sigmoid_derivative(z), np.diag(numeric_jacobian(sigmoid, z)))


# --------------------------------------------------------------------------
# logistic regression
# --------------------------------------------------------------------------

def load_iris() -> tuple[np.ndarray, np.ndarray]:
    data = np.loadtxt(IRIS, delimiter=",", skiprows=1)
    return data[:, :4], (data[:, 4] == 2).astype(np.float64)


def test_iris_lecture_printout():
    X, y = load_iris()
    assert X.shape == (150, 4)
    dw, db = log_loss_gradient(np.zeros((4, 1)), 0, X, y)
    assert dw.shape == (4, 1)
    np.testing.assert_allclose(dw.ravel(), [0.72566667, 0.53733333, 0.02833333, -0.07566667], atol=5e-9)
    assert db == pytest.approx(0.16666666666666666, rel=1e-15)
    assert log_loss(np.zeros(4), 0.0, X, y) == pytest.approx(0.6931471805599454, rel=1e-15)
    dw1, db1 = log_loss_gradient(np.zeros(4), 0.0, X, y)
    assert dw1.shape == (4,) and db1 == db
    np.testing.assert_array_equal(dw1, dw.ravel())


@SETTINGS
@given(logistic_problems())
def test_log_loss_gradient_matches_finite_differences(problem):
    w, b, X, y = problem
    dw, db = log_loss_gradient(w, b, X, y)
    assert_close(dw, numeric_jacobian(lambda v: log_loss(v, b, X, y), w)[0])
    assert_close(db, numeric_jacobian(lambda c: log_loss(w, float(c[0]), X, y), [b])[0, 0])


@SETTINGS
@given(logistic_problems())
def test_log_loss_matches_lecture_formula(problem):
    w, b, X, y = problem
    yhat = sigmoid(X @ w + b)
    if np.all((yhat > 0) & (yhat < 1)):
        expected = -np.mean(y * np.log(yhat) + (1 - y) * np.log(1 - yhat))
        assert log_loss(w, b, X, y) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@SETTINGS
@given(logistic_problems())
def test_log_loss_hessian_matches_finite_differences_of_gradient(problem):
    w, b, X, y = problem
    H = log_loss_hessian(w, b, X, y)
    assert_close(H, numeric_jacobian(lambda v: log_loss_gradient(v, b, X, y)[0], w))
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    assert np.linalg.eigvalsh(H).min() >= -1e-12                        # PSD


def test_log_loss_column_weights():
    X, y = load_iris()
    w = np.array([[0.1], [-0.2], [0.3], [-0.4]])
    assert log_loss(w, 0.5, X, y) == log_loss(w.ravel(), 0.5, X, y)
    assert log_loss_hessian(w, 0.5, X, y).shape == (4, 4)


def test_log_loss_large_logits_are_finite():
    X = np.array([[1000.0], [-1000.0]])
    assert log_loss([1.0], 0.0, X, [1.0, 0.0]) == 0.0
    assert log_loss([1.0], 0.0, X, [0.0, 1.0]) == pytest.approx(1000.0)


# --------------------------------------------------------------------------
# softmax
# --------------------------------------------------------------------------

def test_softmax_lecture_values():
    np.testing.assert_allclose(softmax([1, 2, 3]), [0.09003057, 0.24472847, 0.66524096], atol=5e-9)
    np.testing.assert_allclose(softmax([2, 2, 3]), [0.21194156, 0.21194156, 0.57611688], atol=5e-9)


def test_softmax_is_stable():
    np.testing.assert_array_equal(softmax([1000.0, 1000.0]), [0.5, 0.5])
    np.testing.assert_allclose(softmax([-1000.0, 0.0]), [0.0, 1.0])


@SETTINGS
@given(st.integers(1, 3).flatmap(lambda r: st.integers(1, 5).flatmap(lambda k: arrays((r, k), -50.0, 50.0))),
       st.floats(-100.0, 100.0))
def test_softmax_rows_sum_to_one_and_shift_invariant(a, c):
    s = softmax(a)
    assert s.shape == a.shape and np.all(s >= 0)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, atol=1e-14)
    np.testing.assert_allclose(softmax(a + c), s, atol=1e-12)
    np.testing.assert_array_equal(s[0], softmax(a[0]))


@SETTINGS
@given(vectors)
def test_softmax_jacobian_matches_finite_differences(a):
    DS = softmax_jacobian(a)
    assert DS.shape == (a.size, a.size)
    assert_close(DS, numeric_jacobian(softmax, a))


@SETTINGS
@given(vectors)
def test_softmax_jacobian_symmetric_rows_sum_to_zero(a):
    DS = softmax_jacobian(a)
    S = softmax(a)
    np.testing.assert_allclose(DS, DS.T, atol=1e-15)
    np.testing.assert_allclose(DS.sum(axis=1), 0.0, atol=1e-15)
    # DⱼSᵢ = Sᵢ(1 − Sⱼ) on the diagonal, −SⱼSᵢ off it.
    np.testing.assert_allclose(np.diag(DS), S * (1 - S), atol=1e-15)


@SETTINGS
@given(layers())
def test_softmax_layer_jacobian_matches_finite_differences(layer):
    W, x, _ = layer
    T, N = W.shape
    DP = softmax_layer_jacobian(W, x)
    assert DP.shape == (T, T * N)
    assert_close(DP, numeric_jacobian(lambda v: softmax(v.reshape(T, N) @ x), W.ravel()))


@SETTINGS
@given(layers())
def test_softmax_layer_jacobian_is_chain_rule(layer):
    # DP = DS(g(W)) · Dg(W), Dg the T×(T·N) block matrix with x in row k, block k.
    W, x, _ = layer
    T, N = W.shape
    Dg = np.zeros((T, T * N))
    for k in range(T):
        Dg[k, k * N:(k + 1) * N] = x
    np.testing.assert_allclose(softmax_layer_jacobian(W, x), softmax_jacobian(W @ x) @ Dg, atol=1e-14)


@SETTINGS
@given(layers())
def test_cross_entropy_gradient_matches_finite_differences(layer):
    W, x, y = layer
    T, N = W.shape
    grad = cross_entropy_gradient(W, x, y)
    assert grad.shape == (T, N)
    xent = lambda v: -np.log(softmax(v.reshape(T, N) @ x)[y])
    assert_close(grad.ravel(), numeric_jacobian(xent, W.ravel())[0])


@SETTINGS
@given(layers())
def test_cross_entropy_gradient_from_layer_jacobian(layer):
    # Dᵢⱼ xent = −(1/P_y) · DᵢⱼP_y = (Sᵢ − δ_yi) xⱼ.
    W, x, y = layer
    T, N = W.shape
    P_y = softmax(W @ x)[y]
    from_layer = -(1.0 / P_y) * softmax_layer_jacobian(W, x)[y].reshape(T, N)
    np.testing.assert_allclose(cross_entropy_gradient(W, x, y), from_layer, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------
# softmax regression
# --------------------------------------------------------------------------

@SETTINGS
@given(softmax_problems())
def test_softmax_regression_gradient_matches_finite_differences(problem):
    Theta, X, y = problem
    grad = softmax_regression_gradient(Theta, X, y)
    assert grad.shape == Theta.shape
    loss = lambda v: softmax_regression_loss(v.reshape(Theta.shape), X, y)
    assert_close(grad.ravel(), numeric_jacobian(loss, Theta.ravel())[0])


@SETTINGS
@given(softmax_problems())
def test_softmax_regression_gradient_is_mean_of_instance_gradients(problem):
    # ∇_Θ J = (1/m) Σᵢ (cross_entropy_gradient(Θᵀ, x⁽ⁱ⁾, y⁽ⁱ⁾))ᵀ, with W = Θᵀ (K, n).
    Theta, X, y = problem
    per_instance = [cross_entropy_gradient(Theta.T, xi, yi).T for xi, yi in zip(X, y)]
    np.testing.assert_allclose(softmax_regression_gradient(Theta, X, y),
                               np.mean(per_instance, axis=0), atol=1e-14)


@SETTINGS
@given(softmax_problems())
def test_softmax_regression_loss_is_mean_cross_entropy(problem):
    Theta, X, y = problem
    P = softmax(X @ Theta)
    expected = -np.mean(np.log(P[np.arange(len(y)), y]))
    assert softmax_regression_loss(Theta, X, y) == pytest.approx(expected, rel=1e-9, abs=1e-12)


# --------------------------------------------------------------------------
# the chain-rule and Jacobian examples
# --------------------------------------------------------------------------

def test_chain_rule_example_values():
    assert chain_rule_example(-1.0) == 0.0
    assert chain_rule_example(0.0) == pytest.approx(2 * np.cos(1.0))
    assert chain_rule_example_value(0.0) == pytest.approx(np.sin(1.0))


@SETTINGS
@given(arrays((4,)))
def test_chain_rule_example_matches_finite_differences(x):
    assert_close(chain_rule_example(x), np.diag(numeric_jacobian(chain_rule_example_value, x)))


def test_jacobian_example_lecture():
    np.testing.assert_array_equal(jacobian_example(1, 2), [[12.0, 3.0], [2.0, 1024.0]])
    np.testing.assert_array_equal(jacobian_example(2, 1), [[12.0, 12.0], [2.0, 8.0]])
    np.testing.assert_array_equal(jacobian_example_value(1, 2), [6.0, 258.0])


@SETTINGS
@given(st.floats(-3.0, 3.0), st.floats(-3.0, 3.0))
def test_jacobian_example_matches_finite_differences(x, y):
    J = jacobian_example(x, y)
    assert_close(J, numeric_jacobian(lambda v: jacobian_example_value(*v), [x, y]))


# --------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------

def test_logistic_shape_errors():
    X = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"log_loss: X has shape \(5, 3\) .* w has shape \(4,\)"):
        log_loss(np.zeros(4), 0, X, np.zeros(5))
    with pytest.raises(ValueError, match=r"log_loss_gradient: X has shape \(5, 3\) .* y has shape \(4,\)"):
        log_loss_gradient(np.zeros(3), 0, X, np.zeros(4))
    with pytest.raises(ValueError, match=r"log_loss_hessian: w must have shape \(n,\) or \(n, 1\), got shape \(3, 2\)"):
        log_loss_hessian(np.zeros((3, 2)), 0, X, np.zeros(5))
    with pytest.raises(ValueError, match=r"log_loss: X must be 2-D, got shape \(5,\)"):
        log_loss(np.zeros(1), 0, np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match=r"log_loss: b must be a scalar"):
        log_loss(np.zeros(3), np.zeros(2), X, np.zeros(5))
    with pytest.raises(ValueError, match=r"log_loss: labels y must lie in \[0, 1\]"):
        log_loss(np.zeros(3), 0, X, np.full(5, 2.0))


def test_softmax_shape_errors():
    with pytest.raises(ValueError, match=r"softmax: a must have at least 1 dimension"):
        softmax(1.0)
    with pytest.raises(ValueError, match=r"softmax_jacobian: a must be 1-D, got shape \(2, 2\)"):
        softmax_jacobian(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"softmax_layer_jacobian: W has shape \(2, 3\) .* x has shape \(4,\)"):
        softmax_layer_jacobian(np.zeros((2, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"cross_entropy_gradient: W has shape \(2, 3\) .* x has shape \(2,\)"):
        cross_entropy_gradient(np.zeros((2, 3)), np.zeros(2), 0)


def test_label_errors():
    with pytest.raises(ValueError, match=r"cross_entropy_gradient: y must lie in 0\.\.1"):
        cross_entropy_gradient(np.zeros((2, 3)), np.zeros(3), 2)
    with pytest.raises(ValueError, match=r"cross_entropy_gradient: y must be a single integer label"):
        cross_entropy_gradient(np.zeros((2, 3)), np.zeros(3), [0, 1])
    with pytest.raises(ValueError, match=r"integer class labels"):
        cross_entropy_gradient(np.zeros((2, 3)), np.zeros(3), 0.5)
    with pytest.raises(ValueError, match=r"softmax_regression_gradient: y must lie in 0\.\.2"):
        softmax_regression_gradient(np.zeros((4, 3)), np.zeros((5, 4)), np.full(5, 3))


def test_softmax_regression_shape_errors():
    with pytest.raises(ValueError, match=r"softmax_regression_gradient: X has shape \(5, 4\) .* Theta has shape \(3, 2\)"):
        softmax_regression_gradient(np.zeros((3, 2)), np.zeros((5, 4)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"softmax_regression_loss: X has shape \(5, 4\) but y has shape \(4,\)"):
        softmax_regression_loss(np.zeros((4, 2)), np.zeros((5, 4)), np.zeros(4, dtype=int))
