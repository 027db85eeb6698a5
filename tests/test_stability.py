"""Numerical stability: sigmoid, softmax, log_softmax, logsumexp and the fused
losses stay finite (values and gradients, no RuntimeWarning: setup.cfg makes
it an error) at extreme inputs, and agree with the naive compositions where
those are finite.

Tolerances: exact results (0, 1, one-hot) with assert_array_equal; identities
that hold in exact algebra but are computed by different floating expressions
with rtol 1e-12 / atol 1e-12 (1e-10 where logs of probabilities amplify the
rounding of moderate logits).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad
from autodiff import Tensor

EXACT = dict(rtol=1e-12, atol=1e-12)
CLOSE = dict(rtol=1e-10, atol=1e-10)
LOGITS = st.floats(-20, 20, allow_nan=False, allow_infinity=False)
HUGE = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


def _rows(m, k, elements=LOGITS):
    return hnp.arrays(np.float64, (m, k), elements=elements)


# ----- sigmoid -----------------------------------------------------------------------------------------
def test_sigmoid_saturates_without_warning_and_finite_gradient():
    z = Tensor([-1000.0, -40.0, 0.0, 40.0, 1000.0], requires_grad=True)
    s = ad.sigmoid(z)
    assert s.data[0] == 0.0 and s.data[-1] == 1.0 and s.data[2] == 0.5
    assert 0.0 < s.data[1] < 1e-17 and s.data[3] == 1.0
    s.sum().backward()
    assert np.all(np.isfinite(z.grad))
    np.testing.assert_array_equal(z.grad[[0, 2, 4]], [0.0, 0.25, 0.0])


@given(z=st.floats(-700, 700))
def test_sigmoid_matches_definition(z):
    expected = 1 / (1 + np.exp(-z)) if z > -700 else np.exp(z)
    np.testing.assert_allclose(ad.sigmoid(Tensor(z)).data, expected, rtol=1e-14, atol=0)


@given(z=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), elements=HUGE))
def test_sigmoid_in_place_path_equals_the_plain_formula(z):
    # arrays take an in-place path (just an optimization); 0-d values the plain formula
    from autodiff.ops.elementwise import stable_sigmoid
    plain = np.array([stable_sigmoid(np.float64(v)) for v in z.ravel()]).reshape(z.shape)
    np.testing.assert_array_equal(stable_sigmoid(z), plain)
    assert stable_sigmoid(z.astype(np.float32)).dtype == np.float32


# ----- softmax and log_softmax ------------------------------------------------------------------------
def test_softmax_of_huge_spread_is_exact():
    z = Tensor([1000.0, 0.0, -1000.0], requires_grad=True)
    s = ad.softmax(z)
    np.testing.assert_array_equal(s.data, [1.0, 0.0, 0.0])
    (s * np.array([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(z.grad, [0.0, 0.0, 0.0])


def test_log_softmax_and_cross_entropy_finite_at_1e4():
    z = Tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    ls = ad.log_softmax(z)
    np.testing.assert_array_equal(ls.data[:2], [[0.0, -1e4, -2e4], [-2e4, 0.0, -1e4]])
    np.testing.assert_allclose(ls.data[2], np.full(3, -np.log(3)), **EXACT)
    ls.sum().backward()
    assert np.all(np.isfinite(z.grad))
    z.zero_grad()
    loss = ad.cross_entropy(z, np.array([2, 0, 1]))
    np.testing.assert_allclose(loss.data, (2e4 + 2e4 + np.log(3)) / 3, **EXACT)
    loss.backward()
    expected = np.array([[1, 0, -1], [-1, 1, 0], [1 / 3, -2 / 3, 1 / 3]]) / 3
    np.testing.assert_allclose(z.grad, expected, **EXACT)


@given(z=_rows(3, 4, HUGE), labels=hnp.arrays(np.int64, (3,), elements=st.integers(0, 3)))
def test_cross_entropy_finite_for_any_logits_up_to_1e4(z, labels):
    t = Tensor(z, requires_grad=True)
    loss = ad.cross_entropy(t, labels)
    loss.backward()
    assert np.isfinite(loss.data) and np.all(np.isfinite(t.grad))
    np.testing.assert_allclose(t.grad.sum(axis=1), 0.0, atol=1e-15)  # rows of (P − Y)/m sum to 0


def test_logsumexp_of_large_values():
    x = Tensor([1e308, 1e308, -1e308], requires_grad=True)
    y = ad.logsumexp(x)
    assert y.data == 1e308  # 1e308 + log 2 rounds to 1e308
    y.backward()
    np.testing.assert_array_equal(x.grad, [0.5, 0.5, 0.0])
    big = Tensor([[1000.0, 1000.0], [-1000.0, -1000.0]])
    np.testing.assert_allclose(ad.logsumexp(big, axis=1).data, [1000 + np.log(2), -1000 + np.log(2)], **EXACT)


@given(x=_rows(2, 5))
def test_logsumexp_matches_naive(x):
    np.testing.assert_allclose(ad.logsumexp(Tensor(x), axis=1).data, np.log(np.exp(x).sum(axis=1)), **EXACT)
    np.testing.assert_allclose(ad.logsumexp(Tensor(x)).data, np.log(np.exp(x).sum()), **EXACT)


def test_binary_cross_entropy_with_logits_finite_at_1e4():
    z = Tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    loss = ad.binary_cross_entropy_with_logits(z, y)
    np.testing.assert_array_equal(loss.data, (0 + 0 + 1e4 + 1e4) / 4)
    loss.backward()
    np.testing.assert_array_equal(z.grad, np.array([0.0, 0.0, 1.0, -1.0]) / 4)


def test_binary_cross_entropy_at_zero_and_one_probability_is_clamped():
    p = Tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    loss = ad.binary_cross_entropy(p, np.array([0.0, 1.0, 1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss.data, [0.0, 0.0, 100.0, 100.0])
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad))


# ----- naive compositions agree with the fused ops --------------------------------------------------------
def _naive_bce(z, y):
    s = ad.sigmoid(z)
    return -(y * ad.log(s) + (1 - y) * ad.log(1 - s)).mean()


@given(z=hnp.arrays(np.float64, (6,), elements=st.floats(-15, 15)),
       y=hnp.arrays(np.float64, (6,), elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1)))
def test_binary_cross_entropy_three_ways(z, y):
    values, grads = [], []
    for f in (_naive_bce, ad.binary_cross_entropy_with_logits, lambda t, y: ad.binary_cross_entropy(ad.sigmoid(t), y)):
        t = Tensor(z, requires_grad=True)
        loss = f(t, y)
        loss.backward()
        values.append(loss.data)
        grads.append(t.grad)
    p = 1 / (1 + np.exp(-z))
    for v, g in zip(values, grads):
        np.testing.assert_allclose(v, values[1], **CLOSE)
        np.testing.assert_allclose(g, grads[1], **CLOSE)
    np.testing.assert_allclose(grads[1], (p - y) / len(z), **EXACT)  # the lecture's (ŷ − y)/m


def _naive_xent(z, Y):
    return -(Y * ad.log(ad.softmax(z))).sum(axis=1).mean()


@given(z=_rows(4, 3), labels=hnp.arrays(np.int64, (4,), elements=st.integers(0, 2)))
def test_cross_entropy_three_ways(z, labels):
    onehot = np.eye(3)[labels]
    values, grads = [], []
    for f, target in ((_naive_xent, onehot), (ad.cross_entropy, labels), (ad.cross_entropy, onehot),
                      (ad.cross_entropy, labels.astype(np.float64))):
        t = Tensor(z, requires_grad=True)
        loss = f(t, target)
        loss.backward()
        values.append(loss.data)
        grads.append(t.grad)
    P = np.exp(z - z.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    for v, g in zip(values, grads):
        np.testing.assert_allclose(v, values[1], **CLOSE)
        np.testing.assert_allclose(g, grads[1], **CLOSE)
    np.testing.assert_allclose(grads[1], (P - onehot) / 4, **EXACT)  # the lecture's (P − Y)/m


@given(z=_rows(3, 4))
def test_log_softmax_is_log_of_softmax(z):
    a, b = Tensor(z, requires_grad=True), Tensor(z, requires_grad=True)
    la, lb = ad.log_softmax(a), ad.log(ad.softmax(b))
    np.testing.assert_allclose(la.data, lb.data, **CLOSE)
    g = np.linspace(-1, 1, 12).reshape(3, 4)
    la.backward(g)
    lb.backward(g)
    np.testing.assert_allclose(a.grad, b.grad, **CLOSE)


@given(z=_rows(3, 5, HUGE), c=hnp.arrays(np.float64, (3, 1), elements=st.floats(-100, 100)))
def test_softmax_rows_sum_to_one_and_shift_invariant(z, c):
    s = ad.softmax(Tensor(z)).data
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=0, atol=1e-15 * 5)
    assert np.all(s >= 0)
    shifted = ad.softmax(Tensor(z + c)).data
    # z + c rounds each logit by up to ulp(|z| + |c|) / 2; the softmax moves by at most that times 2
    bound = 2 * np.spacing(np.abs(z).max() + np.abs(c).max() + 1.0)
    np.testing.assert_allclose(shifted, s, rtol=0, atol=4 * bound)


@given(z=_rows(2, 4))
def test_softmax_over_axis_0(z):
    np.testing.assert_allclose(ad.softmax(Tensor(z), axis=0).data, ad.softmax(Tensor(z.T)).data.T, **EXACT)


@given(a=hnp.arrays(np.float64, (4,), elements=LOGITS))
def test_autograd_jacobian_of_softmax_is_symmetric_with_zero_row_sums(a):
    J = ad.jacobian(ad.softmax)(a)
    assert J.shape == (4, 4)
    np.testing.assert_allclose(J, J.T, **EXACT)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, rtol=0, atol=1e-15)
    s = np.exp(a - a.max())
    s /= s.sum()
    np.testing.assert_allclose(J, np.diag(s) - np.outer(s, s), **EXACT)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_ops_in_both_dtypes(dtype):
    big = np.finfo(dtype).max / 4
    z = Tensor(np.array([[big, 0.0, -big]], dtype=dtype), requires_grad=True)
    for out in (ad.softmax(z), ad.log_softmax(z), ad.logsumexp(z, axis=1), ad.sigmoid(z)):
        assert out.dtype == dtype
        assert np.all(np.isfinite(out.data))
        z.zero_grad()
        out.sum().backward()
        assert np.all(np.isfinite(z.grad))
