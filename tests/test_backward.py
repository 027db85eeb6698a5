"""Semantics of the reverse pass: accumulation, zero_grad, no_grad/enable_grad,
explicit upstream gradients, fan-out, un-broadcasting, very deep graphs,
gradients of gradients, retain_grad, and that no input array is ever written.

Most expected values here are exact (sums and products of small integers or
the same floating expression), so they are compared with assert_array_equal;
where a closed form is evaluated in a different order the tolerance is
rtol 1e-12, atol 1e-12.
"""
from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad
from autodiff import Tensor

TOL = dict(rtol=1e-12, atol=1e-12)
MODERATE = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


# ----- accumulation and zero_grad -----------------------------------------------------------------
def test_grad_accumulates_over_backward_calls():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 7.0, 9.0])
    x.zero_grad()
    assert x.grad is None
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0, 3.0])


def test_backward_twice_on_the_same_graph_accumulates_with_retain_graph():
    x = Tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == 24.0


def test_a_second_backward_through_a_freed_graph_raises():
    x = Tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward()
    with pytest.raises(RuntimeError, match="pow.*retain_graph=True"):
        y.backward()
    assert x.grad == 12.0  # not doubled


def test_leaf_only_reached_through_another_path_keeps_none():
    x = Tensor(1.0, requires_grad=True)
    z = Tensor(1.0, requires_grad=True)
    (x * 2.0).backward()
    assert z.grad is None and x.grad == 2.0


# ----- no_grad / enable_grad ------------------------------------------------------------------------
def test_no_grad_records_no_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert ad.is_grad_enabled()
    with ad.no_grad():
        assert not ad.is_grad_enabled()
        y = (x * x).exp().sum()
    assert ad.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf and y.op is None and y.inputs == ()
    np.testing.assert_array_equal(y.data, np.exp([1.0, 4.0]).sum())
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


def test_enable_grad_inside_no_grad_and_restoration_on_error():
    x = Tensor(3.0, requires_grad=True)
    with ad.no_grad():
        with ad.enable_grad():
            y = x * x
        z = x * x
    assert y.requires_grad and not z.requires_grad
    y.backward()
    assert x.grad == 6.0
    with pytest.raises(ZeroDivisionError):
        with ad.no_grad():
            raise ZeroDivisionError
    assert ad.is_grad_enabled()


def test_parameter_update_under_no_grad_keeps_leaf():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with ad.no_grad():
        w_new = w - 0.5 * w.grad
    assert not w_new.requires_grad
    np.testing.assert_array_equal(w_new.data, [0.0, 0.0])


# ----- explicit upstream gradient ------------------------------------------------------------------------
@given(x=hnp.arrays(np.float64, (2, 3), elements=MODERATE), g=hnp.arrays(np.float64, (2, 3), elements=MODERATE))
def test_backward_with_gradient_on_non_scalar(x, g):
    t = Tensor(x, requires_grad=True)
    y = t.sin()
    y.backward(g, retain_graph=True)
    np.testing.assert_array_equal(t.grad, g * np.cos(x))
    t.zero_grad()
    y.backward(Tensor(g))  # a Tensor gradient works as well
    np.testing.assert_array_equal(t.grad, g * np.cos(x))


def test_gradient_of_a_scalar_may_be_given():
    x = Tensor(2.0, requires_grad=True)
    (x * x).backward(np.array(5.0))
    assert x.grad == 20.0


# ----- fan-out and reuse ---------------------------------------------------------------------------------
@given(v=MODERATE)
def test_fan_out_is_summed_exactly(v):
    x = Tensor(v, requires_grad=True)
    (x * x).backward()
    assert x.grad == 2 * v  # x*x: the two paths give v + v exactly
    x.zero_grad()
    a, b, c = x * 2.0, x * 3.0, x * x
    (a + b + c + x).backward()
    np.testing.assert_allclose(x.grad, 2.0 + 3.0 + 2 * v + 1.0, **TOL)


def test_diamond_graph_reuses_intermediate():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * x                  # h = x²
    y = (h * h + h * 3.0).sum()  # y = x⁴ + 3x²
    y.backward()
    xv = np.array([1.0, 2.0])
    np.testing.assert_array_equal(x.grad, 4 * xv ** 3 + 6 * xv)


def test_same_tensor_as_both_operands_of_every_binary_op():
    x = Tensor(1.5, requires_grad=True)
    for op, expected in [(lambda a: a + a, 2.0), (lambda a: a - a, 0.0), (lambda a: a / a, 0.0),
                         (lambda a: a ** a, 1.5 ** 1.5 * (np.log(1.5) + 1)), (lambda a: a @ a if a.ndim else a * a, 3.0)]:
        x.zero_grad()
        op(x).backward()
        np.testing.assert_allclose(x.grad, expected, **TOL)


# ----- broadcasting -------------------------------------------------------------------------------------------
def test_broadcast_column_plus_row():
    a = Tensor(np.arange(3.0).reshape(3, 1), requires_grad=True)
    b = Tensor(np.arange(4.0), requires_grad=True)
    y = a * b + a  # (3, 4)
    g = np.arange(12.0).reshape(3, 4)
    y.backward(g)
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_array_equal(a.grad, (g * np.arange(4.0)).sum(1, keepdims=True) + g.sum(1, keepdims=True))
    np.testing.assert_array_equal(b.grad, (g * np.arange(3.0).reshape(3, 1)).sum(0))


def test_scalar_plus_matrix():
    s = Tensor(2.0, requires_grad=True)
    m = Tensor(np.ones((2, 3)), requires_grad=True)
    (s * m + s).sum().backward()
    assert s.grad.shape == () and m.grad.shape == (2, 3)
    assert s.grad == 6.0 + 6.0
    np.testing.assert_array_equal(m.grad, np.full((2, 3), 2.0))


def test_size_one_axes_that_are_not_broadcast_stay():
    a = Tensor(np.ones((1, 3)), requires_grad=True)
    b = Tensor(np.ones((1, 3)), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (1, 3)
    c = Tensor(np.ones((1, 1, 3)), requires_grad=True)
    (c + np.ones((2, 4, 1))).sum().backward()
    np.testing.assert_array_equal(c.grad, np.full((1, 1, 3), 8.0))


@given(A=hnp.arrays(np.float64, (2, 1, 3, 4), elements=MODERATE),
       B=hnp.arrays(np.float64, (5, 4, 2), elements=MODERATE),
       G=hnp.arrays(np.float64, (2, 5, 3, 2), elements=MODERATE))
def test_batched_matmul_with_broadcast_batch_dims(A, B, G):
    a, b = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    y = a @ b
    assert y.shape == (2, 5, 3, 2)
    y.backward(G)
    assert a.grad.shape == A.shape and b.grad.shape == B.shape
    expected_a = np.einsum("ijkl,jml->ijkm", G, B).sum(axis=1, keepdims=True)
    expected_b = np.einsum("ikm,ijkl->jml", A[:, 0], G)
    np.testing.assert_allclose(a.grad, expected_a, **TOL)
    np.testing.assert_allclose(b.grad, expected_b, **TOL)


def test_matmul_vector_cases():
    rng = np.random.default_rng(0)
    M, v, u = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    tm, tv, tu = (Tensor(a, requires_grad=True) for a in (M, v, u))
    (tu @ tm @ tv).backward()
    np.testing.assert_allclose(tm.grad, np.outer(u, v), **TOL)
    np.testing.assert_allclose(tv.grad, u @ M, **TOL)
    np.testing.assert_allclose(tu.grad, M @ v, **TOL)


# ----- very deep graphs -------------------------------------------------------------------------------------
def test_chain_of_100000_ops_has_no_recursion_and_right_gradient():
    start = time.perf_counter()
    x = Tensor(1.0, requires_grad=True)
    y = x
    for i in range(100_000):
        y = y * 1.0000001 if i % 2 else y + 0.0
    y.backward()
    elapsed = time.perf_counter() - start
    # the chain rule multiplies 50,000 factors 1.0000001 (and 50,000 ones): 1.0000001**50000 up to
    # 50,000 roundings of relative size 2⁻⁵³ each (< 1e-11 in total)
    np.testing.assert_allclose(x.grad, 1.0000001 ** 50_000, rtol=1e-10)
    assert elapsed < 5.0, f"100,000-op chain took {elapsed:.1f} s"


# ----- gradients of gradients ---------------------------------------------------------------------------------
def _sigma(v):
    return 1 / (1 + np.exp(-v))


@given(v=MODERATE)
@pytest.mark.parametrize("f, d1, d2", [
    (ad.sin, np.cos, lambda v: -np.sin(v)),
    (lambda x: x ** 3, lambda v: 3 * v ** 2, lambda v: 6 * v),
    (ad.sigmoid, lambda v: _sigma(v) * (1 - _sigma(v)), lambda v: _sigma(v) * (1 - _sigma(v)) * (1 - 2 * _sigma(v))),
    (ad.tanh, lambda v: 1 - np.tanh(v) ** 2, lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2)),
])
def test_create_graph_second_derivative(f, d1, d2, v):
    x = Tensor(v, requires_grad=True)
    f(x).backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Tensor) and g.requires_grad
    np.testing.assert_allclose(g.data, d1(v), rtol=1e-12, atol=1e-14)
    x.zero_grad()
    g.backward()
    np.testing.assert_allclose(x.grad.data if isinstance(x.grad, Tensor) else x.grad, d2(v), rtol=1e-10, atol=1e-14)


def test_third_derivative_of_x4():
    x = Tensor(1.5, requires_grad=True)
    g1, = ad.gradients(x ** 4, [x], create_graph=True)
    g2, = ad.gradients(g1, [x], create_graph=True)
    g3, = ad.gradients(g2, [x])
    np.testing.assert_allclose([g1.data, g2.data, g3], [4 * 1.5 ** 3, 12 * 1.5 ** 2, 24 * 1.5], **TOL)


# ----- retain_grad ---------------------------------------------------------------------------------------------------
def test_retain_grad_on_non_leaf():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3.0).retain_grad()
    other = x * 2.0
    (h * h + other).sum().backward()
    np.testing.assert_array_equal(h.grad, 2 * 3.0 * np.array([1.0, 2.0]))
    assert other.grad is None
    np.testing.assert_array_equal(x.grad, 18.0 * np.array([1.0, 2.0]) + 2.0)


# ----- inputs never mutated, grads owned ---------------------------------------------------------------------------
def test_numpy_inputs_are_never_mutated():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 3))
    W = rng.normal(size=(3, 4))
    labels = np.array([0, 3, 1, 2, 0])
    y = rng.uniform(size=(5, 4))
    g_up = rng.normal(size=(5, 4))
    copies = [a.copy() for a in (X, W, labels, y, g_up)]
    w = Tensor(W, requires_grad=True)
    x = Tensor(X, requires_grad=True)
    logits = x @ w
    losses = [ad.cross_entropy(logits, labels), ad.cross_entropy(logits, y),
              ad.binary_cross_entropy_with_logits(logits, y), ad.binary_cross_entropy(logits.sigmoid(), y),
              (logits.softmax() * y).sum(), logits.log_softmax().sum(), logits.logsumexp(axis=1).sum(),
              logits.max(axis=0).sum(), (logits[np.arange(5), labels]).sum(), (logits.relu().abs() / (1 + X @ W ** 2)).sum()]
    for loss in losses:
        loss.backward(retain_graph=True)
        loss.backward(create_graph=True)
    (x @ W).backward(g_up)
    for a, c in zip((X, W, labels, y, g_up), copies):
        np.testing.assert_array_equal(a, c)
    assert w.data is W  # wrapped without copy: and still equal to its copy above


def test_grad_is_an_owned_writable_array():
    shared = np.array([1.0, 2.0])
    a = Tensor([1.0, 1.0], requires_grad=True)
    b = Tensor([1.0, 1.0], requires_grad=True)
    (a * shared + b * shared).sum().backward()  # both grads are the same upstream array in the pass
    assert a.grad.flags.writeable and b.grad.flags.owndata and a.grad.flags.owndata
    assert not np.shares_memory(a.grad, b.grad)
    a.grad[0] = 100.0
    np.testing.assert_array_equal(b.grad, [1.0, 2.0])
    np.testing.assert_array_equal(shared, [1.0, 2.0])
    c = Tensor([3.0, 4.0], requires_grad=True)
    g = np.array([1.0, 1.0])
    c.backward(g)
    c.grad[:] = 0.0
    np.testing.assert_array_equal(g, [1.0, 1.0])


def test_grad_of_broadcast_leaf_is_writable():
    s = Tensor(np.ones((1, 3)), requires_grad=True)
    (s + np.zeros((4, 3))).sum().backward()
    s.grad += 1.0
    np.testing.assert_array_equal(s.grad, np.full((1, 3), 5.0))


@pytest.mark.parametrize("create_graph", [False, True])
def test_the_seed_of_a_scalar_backward_never_leaks(create_graph):
    """backward() seeds a scalar with a shared read-only 1: a root that keeps its
    .grad (a leaf, retain_grad) gets a writable copy, and writing into it
    changes nothing for the next backward."""
    for dtype in (np.float64, np.float32):
        x = Tensor(np.array(2.0, dtype), requires_grad=True)
        y = (x * x).retain_grad()
        for root in (x, y):
            root.backward(create_graph=create_graph, retain_graph=True)
            if create_graph:  # the gradient is part of the recorded backward graph: read-only while it lives
                assert root.grad.dtype == dtype and root.grad.data is not np.ones(())
                root.grad = None
                continue
            grad = root.grad
            assert grad.flags.writeable and grad.dtype == dtype
            grad[...] = 5.0
            root.grad = None
            root.backward(retain_graph=True)
            assert root.grad == 1.0
            root.grad = None
