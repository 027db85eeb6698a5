"""The function transforms: grad, value_and_grad (argnums), vjp, jvp, jacobian,
hessian, nested grad, gradients(), and their errors.

Tolerances: rtol 1e-12 / atol 1e-12 where the transform evaluates the same
algebra as the closed form; 1e-10 where the summation order differs over
many terms (the Iris Hessian).
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
from autodiff.jacobians import log_loss_hessian

TOL = dict(rtol=1e-12, atol=1e-12)
LOOSE = dict(rtol=1e-10, atol=1e-10)
MODERATE = st.floats(-2, 2, allow_nan=False, allow_infinity=False)
IRIS = Path(__file__).resolve().parents[1] / "models" / "data" / "iris.csv"


def vec(n):
    return hnp.arrays(np.float64, (n,), elements=MODERATE)


# ----- grad, value_and_grad ---------------------------------------------------------------------------------
@given(x=vec(4))
def test_grad_and_value_and_grad(x):
    f = lambda t: (t.sin() * t).sum()  # noqa: E731
    g = ad.grad(f)(x)
    assert type(g) is np.ndarray and g.shape == (4,)
    np.testing.assert_allclose(g, np.cos(x) * x + np.sin(x), **TOL)
    value, g2 = ad.value_and_grad(f)(x)
    np.testing.assert_allclose(value, (np.sin(x) * x).sum(), **TOL)
    np.testing.assert_array_equal(g, g2)


@given(x=vec(3), y=vec(3), c=MODERATE)
def test_argnums_tuple_and_int(x, y, c):
    f = lambda a, b, k: ad.sum(a * b * k + ad.exp(a))  # noqa: E731
    gx, gy = ad.grad(f, argnums=(0, 1))(x, y, c)
    np.testing.assert_allclose(gx, y * c + np.exp(x), **TOL)
    np.testing.assert_allclose(gy, x * c, **TOL)
    gk = ad.grad(f, argnums=2)(x, y, c)
    np.testing.assert_allclose(gk, (x * y).sum(), **TOL)
    (gy_only,) = ad.grad(f, argnums=(1,))(x, y, c)
    np.testing.assert_allclose(gy_only, gy, **TOL)
    value, (gy2, gx2) = ad.value_and_grad(f, argnums=(1, 0))(x, y, c)
    np.testing.assert_array_equal(gx2, gx)
    np.testing.assert_array_equal(gy2, gy)


def test_grad_of_an_unused_argument_is_zeros():
    g = ad.grad(lambda a, b: ad.sum(a * 2.0), argnums=1)(np.ones(2), np.ones(3))
    np.testing.assert_array_equal(g, np.zeros(3))


def test_grad_does_not_touch_tensor_arguments():
    x = Tensor([1.0, 2.0])
    g = ad.grad(lambda t: (t * t).sum())(x)
    np.testing.assert_array_equal(g, [2.0, 4.0])
    assert x.grad is None and not x.requires_grad


@given(v=MODERATE)
def test_nested_grad(v):
    f = lambda x: x ** 3 + x.sin()  # noqa: E731
    np.testing.assert_allclose(ad.grad(f)(v), 3 * v ** 2 + np.cos(v), **TOL)
    np.testing.assert_allclose(ad.grad(ad.grad(f))(v), 6 * v - np.sin(v), **TOL)
    np.testing.assert_allclose(ad.grad(ad.grad(ad.grad(f)))(v), 6 - np.cos(v), **TOL)


# ----- vjp, jvp, jacobian --------------------------------------------------------------------------------------
def _f(x):
    """R³ -> R^(2×3): a vector -> matrix function with a dense Jacobian."""
    return ad.reshape(x, (1, 3)) * ad.reshape(x.sin(), (3, 1))[:2] + x.exp()


def _jac_f(x):
    J = np.zeros((2, 3, 3))
    for i in range(2):
        for j in range(3):
            J[i, j, j] += np.sin(x[i]) + np.exp(x[j])
            J[i, j, i] += x[j] * np.cos(x[i])
    return J


@given(x=vec(3))
def test_jacobian_of_vector_to_matrix_function(x):
    J = ad.jacobian(_f)(x)
    assert J.shape == (2, 3, 3)
    np.testing.assert_allclose(J, _jac_f(x), **TOL)


@given(x=vec(3), u=hnp.arrays(np.float64, (2, 3), elements=MODERATE))
def test_vjp_is_u_transpose_j(x, u):
    out, vjp_fn = ad.vjp(_f, x)
    np.testing.assert_allclose(out, _f(Tensor(x)).data, **TOL)
    (ux,) = vjp_fn(u)
    np.testing.assert_allclose(ux, np.einsum("ij,ijk->k", u, _jac_f(x)), **TOL)
    # vjp_fn may be called again with another cotangent
    (ux2,) = vjp_fn(2 * u)
    np.testing.assert_allclose(ux2, 2 * ux, **TOL)


@given(x=vec(3), t=vec(3))
def test_jvp_is_j_times_t(x, t):
    out, jt = ad.jvp(_f, (x,), (t,))
    np.testing.assert_allclose(out, _f(Tensor(x)).data, **TOL)
    assert jt.shape == (2, 3)
    np.testing.assert_allclose(jt, ad.jacobian(_f)(x) @ t, **TOL)


@given(x=vec(2), y=vec(2), tx=vec(2), ty=vec(2))
def test_jvp_and_jacobian_with_two_arguments(x, y, tx, ty):
    f = lambda a, b: a * b.exp() + b * b  # noqa: E731
    _, jt = ad.jvp(f, (x, y), (tx, ty))
    Jx, Jy = ad.jacobian(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(Jx, np.diag(np.exp(y)), **TOL)
    np.testing.assert_allclose(Jy, np.diag(x * np.exp(y) + 2 * y), **TOL)
    np.testing.assert_allclose(jt, Jx @ tx + Jy @ ty, **TOL)


def test_jacobian_shapes_for_scalars_and_matrices():
    assert ad.jacobian(lambda x: (x * x).sum())(np.ones(3)).shape == (3,)
    assert ad.jacobian(lambda x: x * 2.0)(np.ones((2, 3))).shape == (2, 3, 2, 3)
    assert ad.jacobian(lambda x: x.sum(axis=0))(np.ones((2, 3))).shape == (3, 2, 3)
    np.testing.assert_array_equal(ad.jacobian(lambda x: x.T)(np.ones((2, 3))),
                                  np.eye(6).reshape(2, 3, 2, 3).transpose(1, 0, 2, 3).reshape(3, 2, 2, 3))


# ----- hessian --------------------------------------------------------------------------------------------------------
def _log_loss(w, b, X, y):
    return ad.binary_cross_entropy_with_logits(X @ w + b, y)


@given(w=vec(3), b=MODERATE, X=hnp.arrays(np.float64, (6, 3), elements=MODERATE),
       y=hnp.arrays(np.float64, (6,), elements=st.sampled_from([0.0, 1.0])))
def test_hessian_of_logistic_loss(w, b, X, y):
    H = ad.hessian(lambda v: _log_loss(v, b, X, y))(w)
    p = 1 / (1 + np.exp(-(X @ w + b)))
    expected = X.T @ np.diag(p * (1 - p)) @ X / len(X)
    assert H.shape == (3, 3)
    np.testing.assert_allclose(H, expected, **TOL)
    np.testing.assert_allclose(H, log_loss_hessian(w, b, X, y), **TOL)
    np.testing.assert_allclose(H, H.T, **TOL)


def test_hessian_of_logistic_loss_on_iris():
    data = np.loadtxt(IRIS, skiprows=1, delimiter=",")
    X, y = data[:, :4], (data[:, 4] == 2).astype(np.float64)
    w = np.array([-0.3, -0.2, 0.5, 0.6])
    H = ad.hessian(lambda v: _log_loss(v, -1.0, X, y))(w)
    np.testing.assert_allclose(H, log_loss_hessian(w, -1.0, X, y), **LOOSE)
    # the composed form (sigmoid then binary cross-entropy) has the same Hessian
    H2 = ad.hessian(lambda v: ad.binary_cross_entropy(ad.sigmoid(X @ v - 1.0), y))(w)
    np.testing.assert_allclose(H2, H, **LOOSE)


def test_hessian_of_quadratic_form_is_symmetric_part():
    A = np.array([[1.0, 2.0], [0.0, 3.0]])
    H = ad.hessian(lambda x: x @ (A @ x))(np.array([0.3, -0.7]))
    np.testing.assert_array_equal(H, A + A.T)


# ----- gradients() -------------------------------------------------------------------------------------------------------
def test_gradients_does_not_touch_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3.0).retain_grad()
    y = (h * h).sum()
    gx, gh = ad.gradients(y, [x, h], retain_graph=True)
    np.testing.assert_array_equal(gx, 18.0 * np.array([1.0, 2.0]))
    np.testing.assert_array_equal(gh, 6.0 * np.array([1.0, 2.0]))
    assert x.grad is None and h.grad is None
    x.grad = np.array([7.0, 7.0])
    ad.gradients(y, x)
    np.testing.assert_array_equal(x.grad, [7.0, 7.0])


def test_gradients_with_grad_outputs_and_several_outputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    a, b = x * x, x.sum()
    (g,) = ad.gradients([a, b], [x], [np.array([1.0, 10.0]), np.array(5.0)], retain_graph=True)
    np.testing.assert_array_equal(g, [2.0 + 5.0, 40.0 + 5.0])
    unrelated = Tensor([0.0, 0.0, 0.0], requires_grad=True)
    (z,) = ad.gradients(b, [unrelated])
    np.testing.assert_array_equal(z, np.zeros(3))


# ----- errors -------------------------------------------------------------------------------------------------------------
def test_grad_of_non_scalar_function_is_refused():
    with pytest.raises(ValueError, match=r"grad: f must return a scalar, got shape \(3,\)"):
        ad.grad(lambda x: x * 2.0)(np.ones(3))


def test_grad_of_function_returning_array_is_refused():
    with pytest.raises(TypeError, match="grad: the function must return a Tensor, got ndarray"):
        ad.grad(lambda x: np.ones(3))(np.ones(3))


def test_bad_argnums():
    with pytest.raises(ValueError, match="grad: argnums 2 but the function got 1 arguments"):
        ad.grad(lambda x: x.sum(), argnums=2)(np.ones(3))


def test_jvp_wrong_tangent_shape_or_count():
    with pytest.raises(ValueError, match=r"jvp: tangent shape \(2,\) does not match primal shape \(3,\)"):
        ad.jvp(lambda x: x * 2.0, (np.ones(3),), (np.ones(2),))
    with pytest.raises(ValueError, match="jvp: 1 primals but 2 tangents"):
        ad.jvp(lambda x: x * 2.0, (np.ones(3),), (np.ones(3), np.ones(3)))


def test_vjp_wrong_cotangent_shape():
    _, vjp_fn = ad.vjp(lambda x: x * 2.0, np.ones(3))
    with pytest.raises(ValueError, match=r"gradients: grad_outputs shape \(2,\) does not match output shape \(3,\)"):
        vjp_fn(np.ones(2))


def test_gradients_of_non_scalar_without_grad_outputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradients: output of shape \(2,\) is not a scalar; pass grad_outputs"):
        ad.gradients(x * 2.0, [x])
