"""The Tensor itself: construction and dtypes, attributes, item/detach/repr,
operators against numpy on either side, float32 kept, comparisons.

Values of operators are compared with numpy's own result on the same arrays:
the engine runs the same numpy expression, so they must agree exactly
(assert_array_equal), dtype included.
"""
from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff as ad
from autodiff import Tensor

FINITE = st.floats(-100, 100, allow_nan=False, allow_infinity=False)
POSITIVE = st.floats(0.5, 10, allow_nan=False, allow_infinity=False)


# ----- construction and dtypes -------------------------------------------------------------
@pytest.mark.parametrize("data", [1.5, [1.0, 2.0], [[1.0], [2.0]], np.arange(6.0).reshape(2, 3)])
def test_float64_is_the_default(data):
    t = Tensor(data)
    assert t.dtype == np.float64
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float64))


def test_float32_is_kept():
    a = np.arange(3, dtype=np.float32)
    assert Tensor(a).dtype == np.float32
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor(a, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("data", [3, [1, 2, 3], np.arange(4, dtype=np.int8), np.arange(4, dtype=np.uint16),
                                  True, [True, False], np.array([1, 0], dtype=bool)])
def test_ints_and_bools_become_float64(data):
    t = Tensor(data)
    assert t.dtype == np.float64
    np.testing.assert_array_equal(t.data, np.asarray(data).astype(np.float64))


@pytest.mark.parametrize("data, dtype_name", [
    (["a", "b"], "<U1"),
    ("hello", "<U5"),
    (np.array([1 + 2j]), "complex128"),
    (np.array([object()]), "object"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime64"),
])
def test_non_numeric_data_is_refused_naming_the_dtype(data, dtype_name):
    with pytest.raises(TypeError, match=rf"Tensor: data must be numeric.*{dtype_name}"):
        Tensor(data)


@pytest.mark.parametrize("dtype", [np.int32, np.float16, np.complex64, bool])
def test_unsupported_dtype_argument_is_refused(dtype):
    with pytest.raises(TypeError, match=r"Tensor: dtype must be float32 or float64, got " + np.dtype(dtype).name):
        Tensor([1.0], dtype=dtype)


@pytest.mark.parametrize("ragged", [[[1, 2], [3]], [1, [2, 3]], [[[1.0]], [2.0]]])
def test_ragged_lists_are_refused(ragged):
    with pytest.raises(ValueError, match="Tensor: data is not a regular array"):
        Tensor(ragged)


def test_tensor_of_a_tensor_shares_the_data_but_not_the_graph():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor(a * 2.0)
    assert b.is_leaf and not b.requires_grad
    np.testing.assert_array_equal(b.data, [2.0, 4.0])


def test_float_array_is_wrapped_without_copy():
    a = np.array([1.0, 2.0, 3.0])
    t = Tensor(a, requires_grad=True)
    assert np.shares_memory(t.data, a)


# ----- attributes -----------------------------------------------------------------------------
def test_attributes():
    a = np.arange(6.0).reshape(2, 3)
    t = Tensor(a, requires_grad=True, name="w")
    assert (t.shape, t.ndim, t.size, t.dtype) == ((2, 3), 2, 6, np.float64)
    assert t.requires_grad and t.is_leaf and t.op is None and t.inputs == ()
    assert t.grad is None and t.name == "w"
    assert t.detach().numpy() is t.data
    assert len(t) == 2
    assert t.tolist() == a.tolist()
    np.testing.assert_array_equal(np.asarray(t.detach()), a)
    with pytest.raises(TypeError, match="requires grad"):
        np.asarray(t)  # would silently leave the graph behind
    with pytest.raises(TypeError, match="requires grad"):
        t.numpy()
    u = t * 2.0
    assert not u.is_leaf and u.requires_grad
    assert type(u.op).__name__ == "Mul" and u.inputs[0] is t and u.inputs[1] == 2.0


def test_leaf_without_requires_grad_records_nothing():
    t = Tensor([1.0, 2.0])
    u = t * 3.0 + 1.0
    assert u.is_leaf and u.op is None and not u.requires_grad


def test_len_of_0d_raises():
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(Tensor(1.0))


def test_item():
    assert Tensor(2.5).item() == 2.5
    assert Tensor([[2.5]]).item() == 2.5
    assert isinstance(Tensor([[2.5]]).item(), float)
    assert float(Tensor(3.0)) == 3.0


@pytest.mark.parametrize("shape", [(2,), (1, 2), (0,)])
def test_item_refuses_more_or_less_than_one_element(shape):
    with pytest.raises(ValueError, match=rf"item: only a tensor with one element.*shape {shape}".replace("(", r"\(").replace(")", r"\)")):
        Tensor(np.zeros(shape)).item()


def test_detach_cuts_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.op is None
    np.testing.assert_array_equal(d.data, [1.0, 4.0])
    # gradient flows only through the attached branch: d(y·detach(y))/dx = 2x · y
    (y * d).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * np.array([1.0, 2.0]) * np.array([1.0, 4.0]))
    with pytest.raises(RuntimeError, match="does not require grad"):
        (d * 2.0).sum().backward()


def test_requires_grad_flag_on_non_leaf_refused():
    y = Tensor([1.0], requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="requires_grad_: only a leaf"):
        y.requires_grad_(False)
    leaf = Tensor([1.0]).requires_grad_()
    assert leaf.requires_grad


def test_repr_is_readable():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(Tensor([1.0, 2.0], requires_grad=True)) == "Tensor([1., 2.], requires_grad=True)"
    assert repr(Tensor(2.0, requires_grad=True) * 3.0) == "Tensor(6., grad_fn=<Mul>)"
    assert repr(Tensor([1.0], dtype=np.float32)) == "Tensor([1.], dtype=float32)"
    assert repr(Tensor(1.0, name="b")) == "Tensor(1., name='b')"
    r = repr(Tensor(np.zeros((2, 2)), requires_grad=True).sum(axis=0))
    assert r.startswith("Tensor([0., 0.]") and "grad_fn=<Sum>" in r


# ----- operators against numpy -------------------------------------------------------------------
BINARY = [operator.add, operator.sub, operator.mul, operator.truediv]


def _np(v):
    return v.data if isinstance(v, Tensor) else v


@given(a=hnp.arrays(np.float64, (2, 3), elements=FINITE), b=hnp.arrays(np.float64, (3,), elements=POSITIVE),
       c=POSITIVE)
def test_binary_operators_match_numpy_on_either_side(a, b, c):
    for op in BINARY:
        ta = Tensor(a, requires_grad=True)
        for left, right in [(ta, b), (a, Tensor(b)), (ta, Tensor(b)), (ta, c), (c, ta), (ta, np.float64(c))]:
            with np.errstate(all="ignore"):  # 1/0 and 1/tiny are inf on both sides
                out = op(left, right)
                expected = np.asarray(op(_np(left), _np(right)))
            assert isinstance(out, Tensor)
            np.testing.assert_array_equal(out.data, expected)
            assert out.dtype == expected.dtype


@given(a=hnp.arrays(np.float64, (3,), elements=POSITIVE), c=st.floats(-3, 3), base=POSITIVE)
def test_power_and_unary_match_numpy(a, c, base):
    t = Tensor(a)
    np.testing.assert_array_equal((t ** c).data, a ** c)
    np.testing.assert_array_equal((base ** t).data, base ** a)
    np.testing.assert_array_equal((t ** Tensor(a)).data, a ** a)
    np.testing.assert_array_equal((-t).data, -a)
    np.testing.assert_array_equal((+t).data, a)
    np.testing.assert_array_equal(abs(Tensor(-a)).data, a)


def test_matmul_with_arrays_on_either_side():
    rng = np.random.default_rng(0)
    A, B, v = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=3)
    for out, exp in [(Tensor(A) @ B, A @ B), (A @ Tensor(B), A @ B), (Tensor(A) @ Tensor(B), A @ B),
                     (Tensor(A) @ v, A @ v), (v @ Tensor(B), v @ B), (Tensor(v) @ v, v @ v)]:
        assert isinstance(out, Tensor)
        np.testing.assert_array_equal(out.data, exp)


def test_numpy_ufuncs_dispatch_to_ops():
    a = np.array([0.5, 1.0, 2.0])
    t = Tensor(a, requires_grad=True)
    for ufunc in (np.exp, np.log, np.sin, np.cos, np.tanh, np.sqrt, np.abs, np.negative):
        out = ufunc(t)
        assert isinstance(out, Tensor) and out.requires_grad
        np.testing.assert_array_equal(out.data, ufunc(a))
    # piecewise-constant ufuncs are ops with a zero gradient: the graph stays connected
    x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    for ufunc in (np.sign, np.floor, np.ceil, np.rint, np.trunc):
        s = ufunc(x)
        assert isinstance(s, Tensor) and s.requires_grad
        np.testing.assert_array_equal(s.data, ufunc(x.data))
    (np.sign(x) * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])  # d(sign(x)·x)/dx = sign(x): only the product's path
    # comparisons and tests still give plain boolean arrays
    assert type(np.greater(x, 0.0)) is np.ndarray and type(np.isnan(x)) is np.ndarray


def test_shape_methods():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = Tensor(a)
    np.testing.assert_array_equal(t.reshape(6, 4).data, a.reshape(6, 4))
    np.testing.assert_array_equal(t.reshape((4, -1)).data, a.reshape(4, -1))
    np.testing.assert_array_equal(t.T.data, a.T)
    np.testing.assert_array_equal(t.mT.data, np.swapaxes(a, -1, -2))
    np.testing.assert_array_equal(t.transpose(1, 0, 2).data, a.transpose(1, 0, 2))
    np.testing.assert_array_equal(t[1, :, ::2].data, a[1, :, ::2])
    np.testing.assert_array_equal(t[np.array([1, 0, 1])].data, a[[1, 0, 1]])
    np.testing.assert_array_equal(t.sum(axis=(0, 2)).data, a.sum(axis=(0, 2)))
    np.testing.assert_array_equal(t.mean(axis=1, keepdims=True).data, a.mean(axis=1, keepdims=True))
    np.testing.assert_array_equal(t.max(axis=-1).data, a.max(axis=-1))


# ----- float32 ------------------------------------------------------------------------------------
def test_float32_stays_float32_through_ops_and_grads():
    rng = np.random.default_rng(1)
    x = Tensor(rng.uniform(0.5, 1.5, size=(3, 4)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.normal(size=(4, 2)).astype(np.float32), requires_grad=True)
    outs = [x * 2, 2 * x, x + 1.5, 1 - x, x / 3, x ** 2, -x, x.exp(), x.log(), x.sigmoid(), x.tanh(),
            x.sin(), x.cos(), x.sqrt(), x.relu(), x.abs(), x.sum(axis=0), x.mean(), x.max(axis=1),
            x.logsumexp(axis=1), x.softmax(), x.log_softmax(), x @ w, x.T, x.reshape(12), x[0]]
    for out in outs:
        assert out.dtype == np.float32, out
    loss = ((x @ w).softmax() * x[:, :2]).sum() + ad.cross_entropy(x, np.array([0, 1, 2]))
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


def test_float32_leaf_gets_float32_grad_even_through_float64_ops():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = x * np.array([3.0, 4.0])  # numpy promotes to float64, as numpy does
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.array([3.0, 4.0], dtype=np.float32))


def test_astype_roundtrip_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.astype(np.float32)
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    with pytest.raises(TypeError, match="astype: dtype must be float32 or float64, got int64"):
        x.astype(np.int64)


# ----- comparisons ---------------------------------------------------------------------------------
@given(a=hnp.arrays(np.float64, (4,), elements=st.integers(-3, 3).map(float)),
       b=hnp.arrays(np.float64, (4,), elements=st.integers(-3, 3).map(float)))
def test_comparisons_return_numpy_bool_arrays(a, b):
    ta, tb = Tensor(a, requires_grad=True), Tensor(b)
    for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne):
        for right in (tb, b, 0.0):
            out = op(ta, right)
            assert type(out) is np.ndarray and out.dtype == bool
            np.testing.assert_array_equal(out, op(a, np.asarray(right)))


def test_tensors_stay_hashable():
    t = Tensor([1.0])
    assert {t: 1}[t] == 1


def test_copies_are_new_leaves_the_engine_tells_apart():
    """copy, deepcopy and pickle give a leaf of its own: used together with the
    original in one graph, each gets its own gradient."""
    import copy
    import pickle
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    w.grad = np.array([5.0, 5.0])
    for make in (copy.copy, copy.deepcopy, lambda t: pickle.loads(pickle.dumps(t))):
        w0 = make(w)
        assert w0.is_leaf and w0.requires_grad and w0.name == "w"
        np.testing.assert_array_equal(w0.data, w.data)
        np.testing.assert_array_equal(w0.grad, [5.0, 5.0])
        w.grad = w0.grad = None
        (w * 3.0 + w0 * w0).sum().backward()  # d/dw = 3, d/dw0 = 2 w0
        np.testing.assert_array_equal(w.grad, [3.0, 3.0])
        np.testing.assert_array_equal(w0.grad, [2.0, 4.0])
        w.grad = np.array([5.0, 5.0])
    assert copy.deepcopy(w).data is not w.data
    y = w * 2.0
    y_copy = copy.deepcopy(y)
    assert y_copy.is_leaf and y_copy.requires_grad  # the graph is not copied
