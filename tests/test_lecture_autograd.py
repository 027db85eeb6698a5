"""Autograd against every closed form of the lecture (autodiff.jacobians):
the sigmoid derivative, the log-loss gradient and Hessian (with the lecture's
printed Iris numbers at w = 0), the softmax Jacobian, the softmax-layer
Jacobian, the single-instance cross-entropy gradient, the softmax-regression
gradient, the chain-rule example and the Jacobian example.

Both sides compute the same algebra in a different order, so the tolerance
is rtol 1e-10 / atol 1e-12 (1e-10 absolute on Iris, whose features are up to 7.9);
the lecture's printed numbers have 8 decimals: atol 5e-9.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad
from autodiff import Tensor
from autodiff import jacobians as J

TOL = dict(rtol=1e-10, atol=1e-12)
IRIS_TOL = dict(rtol=1e-10, atol=1e-10)
MODERATE = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
IRIS = Path(__file__).resolve().parents[1] / "models" / "data" / "iris.csv"


def arrays(shape, elements=MODERATE):
    return hnp.arrays(np.float64, shape, elements=elements)


@pytest.fixture(scope="module")
def iris():
    data = np.loadtxt(IRIS, skiprows=1, delimiter=",")
    assert data.shape == (150, 5)
    return data[:, :4], (data[:, 4] == 2).astype(np.float64)  # 1 if Iris-Virginica


# ----- sigmoid ---------------------------------------------------------------------------------------------
@given(z=arrays((5,), st.floats(-30, 30)))
def test_sigmoid_derivative(z):
    t = Tensor(z, requires_grad=True)
    ad.sigmoid(t).backward(np.ones(5))
    np.testing.assert_allclose(t.grad, J.sigmoid_derivative(z), **TOL)
    np.testing.assert_allclose(ad.sigmoid(Tensor(z)).data, J.sigmoid(z), **TOL)


# ----- logistic regression ---------------------------------------------------------------------------------------
def _log_loss(w, b, X, y):
    return ad.binary_cross_entropy_with_logits(X @ w + b, y)


def _log_loss_composed(w, b, X, y):
    """The lecture's cost written out: −(1/m) Σ y log ŷ + (1 − y) log(1 − ŷ)."""
    yhat = ad.sigmoid(X @ w + b)
    return -(y * ad.log(yhat) + (1.0 - y) * ad.log(1.0 - yhat)).mean()


def test_log_loss_gradient_on_iris_at_zero_matches_the_lecture(iris):
    X, y = iris
    for loss_fn in (_log_loss, _log_loss_composed):
        w, b = Tensor(np.zeros(4), requires_grad=True), Tensor(0.0, requires_grad=True)
        cost = loss_fn(w, b, X, y)
        cost.backward()
        np.testing.assert_allclose(w.grad, [0.72566667, 0.53733333, 0.02833333, -0.07566667], rtol=0, atol=5e-9)
        np.testing.assert_allclose(b.grad, 0.16666666666666666, rtol=1e-15, atol=0)
        np.testing.assert_allclose(cost.data, 0.6931471805599454, rtol=1e-15, atol=0)
        dw, db = J.log_loss_gradient(np.zeros(4), 0.0, X, y)
        np.testing.assert_allclose(w.grad, dw, **IRIS_TOL)
        np.testing.assert_allclose(b.grad, db, **IRIS_TOL)


@given(w=arrays((4,), st.floats(-2, 2)), b=st.floats(-3, 3))
def test_log_loss_and_gradient_on_iris(iris, w, b):
    X, y = iris
    dw, db = J.log_loss_gradient(w, b, X, y)
    value, (gw, gb) = ad.value_and_grad(_log_loss, argnums=(0, 1))(w, b, X, y)
    np.testing.assert_allclose(value, J.log_loss(w, b, X, y), **IRIS_TOL)
    np.testing.assert_allclose(gw, dw, **IRIS_TOL)
    np.testing.assert_allclose(gb, db, **IRIS_TOL)


@given(w=arrays((3,)), b=MODERATE, X=arrays((8, 3)), y=arrays((8,), st.sampled_from([0.0, 1.0])))
def test_log_loss_gradient_random(w, b, X, y):
    dw, db = J.log_loss_gradient(w, b, X, y)
    for loss_fn in (_log_loss, _log_loss_composed):
        gw, gb = ad.grad(loss_fn, argnums=(0, 1))(w, b, X, y)
        np.testing.assert_allclose(gw, dw, **TOL)
        np.testing.assert_allclose(gb, db, **TOL)


@given(w=arrays((3,)), b=MODERATE, X=arrays((8, 3)), y=arrays((8,), st.sampled_from([0.0, 1.0])))
def test_log_loss_hessian(w, b, X, y):
    H = ad.hessian(lambda v: _log_loss(v, b, X, y))(w)
    np.testing.assert_allclose(H, J.log_loss_hessian(w, b, X, y), **TOL)


def test_log_loss_hessian_on_iris(iris):
    X, y = iris
    w = np.array([-0.4, -0.5, 0.7, 0.8])
    H = ad.hessian(lambda v: _log_loss(v, -1.5, X, y))(w)
    np.testing.assert_allclose(H, J.log_loss_hessian(w, -1.5, X, y), **IRIS_TOL)
    assert np.all(np.linalg.eigvalsh(H) > 0)  # convex: the Hessian is positive definite here


# ----- softmax Jacobians -------------------------------------------------------------------------------------------
@given(a=arrays((4,), st.floats(-20, 20)))
def test_softmax_jacobian(a):
    expected = J.softmax_jacobian(a)
    np.testing.assert_allclose(ad.jacobian(ad.softmax)(a), expected, **TOL)
    node = ad.softmax(Tensor(a, requires_grad=True))
    np.testing.assert_allclose(ad.local_jacobian(node), expected, **TOL)
    np.testing.assert_allclose(node.data, J.softmax(a), **TOL)


@given(W=arrays((3, 4)), x=arrays((4,)))
def test_softmax_layer_jacobian(W, x):
    T, N = W.shape
    autograd = ad.jacobian(lambda w: ad.softmax(w @ x))(W)
    assert autograd.shape == (T, T, N)
    np.testing.assert_allclose(autograd.reshape(T, T * N), J.softmax_layer_jacobian(W, x), **TOL)


@given(W=arrays((3, 4)), x=arrays((4,)), y=st.integers(0, 2))
def test_cross_entropy_gradient_single_instance(W, x, y):
    expected = J.cross_entropy_gradient(W, x, y)
    g = ad.grad(lambda w: ad.cross_entropy(w @ x, y))(W)
    assert g.shape == W.shape
    np.testing.assert_allclose(g, expected, **TOL)
    # written as the lecture does: xent = −log P_y with P = S(Wx)
    g2 = ad.grad(lambda w: -ad.log(ad.softmax(w @ x)[y]))(W)
    np.testing.assert_allclose(g2, expected, **TOL)


@given(Theta=arrays((4, 3)), X=arrays((6, 4)), y=hnp.arrays(np.int64, (6,), elements=st.integers(0, 2)))
def test_softmax_regression_gradient(Theta, X, y):
    value, g = ad.value_and_grad(lambda th: ad.cross_entropy(X @ th, y))(Theta)
    np.testing.assert_allclose(value, J.softmax_regression_loss(Theta, X, y), **TOL)
    np.testing.assert_allclose(g, J.softmax_regression_gradient(Theta, X, y), **TOL)


def test_softmax_regression_gradient_on_iris(iris):
    X, _ = iris
    labels = np.loadtxt(IRIS, skiprows=1, delimiter=",")[:, 4].astype(np.int64)
    Theta = np.linspace(-0.5, 0.5, 12).reshape(4, 3)
    g = ad.grad(lambda th: ad.cross_entropy(X @ th, labels))(Theta)
    np.testing.assert_allclose(g, J.softmax_regression_gradient(Theta, X, labels), **IRIS_TOL)


# ----- the chain-rule and Jacobian examples ------------------------------------------------------------------------
@given(x=st.floats(-4, 4))
def test_chain_rule_example(x):
    t = Tensor(x, requires_grad=True)
    y = ad.sin((t + 1) ** 2)
    y.backward()
    np.testing.assert_allclose(y.data, J.chain_rule_example_value(x), **TOL)
    np.testing.assert_allclose(t.grad, J.chain_rule_example(x), **TOL)
    np.testing.assert_allclose(t.grad, 2 * np.cos((x + 1) ** 2) * (x + 1), **TOL)


def test_chain_rule_example_at_two_matches_the_docstring():
    x = Tensor(2.0, requires_grad=True)
    ad.sin((x + 1) ** 2).backward()
    np.testing.assert_allclose(x.grad, 2 * np.cos(9.0) * 3.0, rtol=1e-15)


def _fg(v):
    """The lecture's vector function [f, g] = [3x²y, 2x + y⁸] of v = (x, y)."""
    x, y = v[0], v[1]
    return (3 * x ** 2 * y) * np.array([1.0, 0.0]) + (2 * x + y ** 8) * np.array([0.0, 1.0])


@given(x=st.floats(-2, 2), y=st.floats(-2, 2))
def test_jacobian_example(x, y):
    v = np.array([x, y])
    np.testing.assert_allclose(_fg(Tensor(v)).data, J.jacobian_example_value(x, y), **TOL)
    jac = ad.jacobian(_fg)(v)
    np.testing.assert_allclose(jac, J.jacobian_example(x, y), **TOL)
    np.testing.assert_allclose(jac, [[6 * y * x, 3 * x ** 2], [2.0, 8 * y ** 7]], **TOL)
    # the same Jacobian with x and y as two scalar arguments: columns ∂/∂x and ∂/∂y
    jx, jy = ad.jacobian(lambda a, b: _fg(ad.reshape(a, (1,)) * np.array([1.0, 0.0])
                                          + ad.reshape(b, (1,)) * np.array([0.0, 1.0])), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(np.stack([jx, jy], axis=1), J.jacobian_example(x, y), **TOL)
