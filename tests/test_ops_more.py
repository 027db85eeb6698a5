"""The edges of the issue-11 ops that the registry's property tests do not reach:
zeros in products, underflow, ties, NaN, constant slices, bounds, options
numpy has and a graph cannot honour, and the creation functions."""
import math
import sys

import numpy as np
import pytest

import autodiff as ad
from autodiff import Tensor


def _grad(f, x):
    t = Tensor(x, requires_grad=True)
    f(t).backward()
    return t.grad


def _others(x, i, j=None):
    """Π_{k ∉ {i, j}} x_k, by a plain loop."""
    return math.prod(v for k, v in enumerate(x) if k != i and k != j)


# ----- prod and cumprod with zeros ----------------------------------------------------------------------
@pytest.mark.parametrize("x", [[2.0, 0.0, 3.0, -1.5], [0.0, 2.0, 0.0, 5.0], [0.0, 0.0, 0.0], [1.5, -2.0, 0.5]])
def test_prod_gradient_and_hessian_with_zeros_are_the_products_of_the_others(x):
    n = len(x)
    np.testing.assert_allclose(_grad(ad.prod, x), [_others(x, i) for i in range(n)], rtol=1e-15, atol=0)
    hessian = ad.hessian(ad.prod)(np.array(x))
    expected = [[0.0 if i == j else _others(x, i, j) for j in range(n)] for i in range(n)]
    np.testing.assert_allclose(hessian, expected, rtol=1e-15, atol=0)


def test_prod_over_axes_with_zeros_in_some_rows():
    x = np.array([[[1.0, 0.0], [2.0, 3.0]], [[0.0, 0.0], [4.0, -1.0]], [[2.0, 1.0], [0.5, 2.0]]])
    t = Tensor(x, requires_grad=True)
    g = np.array([1.0, -2.0, 0.5])
    ad.prod(t, axis=(1, 2)).backward(g)
    for b in range(3):
        flat = x[b].ravel()
        expected = [g[b] * _others(flat, i) for i in range(4)]
        np.testing.assert_allclose(t.grad[b].ravel(), expected, rtol=1e-15, atol=0)


def _cumprod_gradient(x, g):
    """Σ_{j≥i} g_j Π_{k≤j, k≠i} x_k, by plain loops."""
    n = len(x)
    return [sum(g[j] * math.prod(x[k] for k in range(j + 1) if k != i) for j in range(i, n)) for i in range(n)]


@pytest.mark.parametrize("x", [[2.0, 0.0, 3.0, -1.5, 0.5], [0.0, 2.0, 0.0, 5.0, 1.0, 3.0], [1.5, 2.0, 0.0],
                               [0.0], [1.2, -0.7, 2.0, 0.9, 1.1, -1.3, 0.8, 2.5, 0.6]])
def test_cumprod_gradient_with_zeros_is_exact(x):
    g = np.random.default_rng(len(x)).standard_normal(len(x))
    t = Tensor(x, requires_grad=True)
    ad.cumprod(t).backward(g)
    np.testing.assert_allclose(t.grad, _cumprod_gradient(x, g), rtol=1e-13, atol=1e-15)


def test_cumprod_second_derivatives_at_zeros():
    """∂²(Σ_j g_j y_j)/∂x_a∂x_b = Σ_{j ≥ max(a,b)} g_j Π_{k≤j, k∉{a,b}} x_k (a ≠ b), by the create_graph pass."""
    x, g = np.array([1.5, 0.0, 2.0, 0.0, -1.0]), np.array([0.3, -1.0, 2.0, 0.5, 1.5])
    hessian = ad.hessian(lambda t: (ad.cumprod(t) * g).sum())(x)
    n = len(x)
    expected = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            if a != b:
                expected[a, b] = sum(g[j] * math.prod(x[k] for k in range(j + 1) if k not in (a, b))
                                     for j in range(max(a, b), n))
    np.testing.assert_allclose(hessian, expected, rtol=1e-14, atol=1e-15)


def test_products_of_tiny_factors_keep_their_gradients():
    """1e-200 · 1e-200 underflows to 0: the gradient is still the product of the others."""
    x = [1e-200, 1e-200, 3.0]
    np.testing.assert_allclose(_grad(ad.prod, x), [3e-200, 3e-200, 0.0], rtol=1e-15)
    np.testing.assert_allclose(_grad(lambda t: ad.cumprod(t).sum(), x), _cumprod_gradient(x, [1, 1, 1]), rtol=1e-15)


# ----- reductions --------------------------------------------------------------------------------------
def test_min_shares_ties_like_max():
    np.testing.assert_array_equal(_grad(ad.min, [1.0, -2.0, -2.0, 3.0]), [0.0, 0.5, 0.5, 0.0])


def test_std_of_a_constant_slice_has_a_zero_gradient_not_nan():
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
    grad = _grad(lambda t: ad.std(t, axis=1).sum(), x)
    np.testing.assert_array_equal(grad[0], 0.0)
    np.testing.assert_allclose(grad[1], (x[1] - x[1].mean()) / (3 * x[1].std()), rtol=1e-15)


def test_var_and_std_take_numpy_keywords_and_refuse_what_cannot_hold():
    a = np.arange(12.0).reshape(3, 4) ** 1.5
    t = Tensor(a)
    np.testing.assert_allclose(np.var(t, axis=0, ddof=1).data, np.var(a, axis=0, ddof=1), rtol=1e-15)
    np.testing.assert_allclose(t.std(correction=1, keepdims=True).data, a.std(ddof=1, keepdims=True), rtol=1e-15)
    with pytest.raises(ValueError, match="var: ddof=3 leaves no degrees of freedom: each reduction has 3"):
        ad.var(t, axis=0, ddof=3)
    with pytest.raises(TypeError, match="std: give ddof or correction, not both"):
        ad.std(t, ddof=1, correction=1)
    with pytest.raises(TypeError, match="var: dtype= not supported"):
        np.var(t, dtype=np.float32)


@pytest.mark.parametrize("call", [
    lambda t: np.prod(t, out=np.zeros(())), lambda t: np.cumsum(t, out=np.zeros(6)),
    lambda t: np.cumprod(t, dtype=np.float32), lambda t: np.min(t, out=np.zeros(())),
    lambda t: np.std(t, out=np.zeros(())), lambda t: np.clip(t, 0, 1, out=np.zeros((2, 3))),
    lambda t: np.round(t, out=np.zeros((2, 3))), lambda t: np.prod(t, initial=2.0), lambda t: t.argmax(out=np.zeros(1))])
def test_numpy_options_a_graph_cannot_honour_are_refused_by_name(call):
    with pytest.raises(TypeError, match="not supported on a Tensor"):
        call(Tensor(np.ones((2, 3)), requires_grad=True))


def test_cumulative_ops_refuse_a_tuple_axis():
    with pytest.raises(ValueError, match="cumsum: axis must be None or one int"):
        ad.cumsum(Tensor(np.ones((2, 3))), axis=(0, 1))


def test_argmax_and_argmin_are_plain_integer_arrays():
    t = Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    for got, expected in [(t.argmax(), 3), (t.argmin(axis=1), [0, 1]), (t.argmax(axis=0, keepdims=True), [[1, 0, 1]]),
                          (np.argmin(t, axis=0), [0, 1, 0])]:
        assert isinstance(got, (np.ndarray, np.integer)) and np.asarray(got).dtype.kind == "i"
        np.testing.assert_array_equal(got, expected)


# ----- norm --------------------------------------------------------------------------------------------
def test_norm_follows_numpy_and_names_what_it_cannot_do():
    a = np.random.default_rng(3).standard_normal((2, 3, 4))
    t = Tensor(a)
    for kwargs in [{}, {"axis": 2}, {"axis": (0, 2), "ord": 1}, {"axis": (2, 1), "ord": -np.inf, "keepdims": True},
                   {"axis": 1, "ord": 0}, {"axis": -1, "ord": 0.5}]:
        np.testing.assert_allclose(np.linalg.norm(t, **kwargs).data, np.linalg.norm(a, **kwargs), rtol=1e-14)
    with pytest.raises(NotImplementedError, match="the matrix norm ord='nuc' is not supported"):
        ad.norm(t[0], "nuc")
    with pytest.raises(NotImplementedError, match="ord=2 is not supported .* need singular values"):
        ad.norm(t, 2, axis=(0, 1))
    with pytest.raises(ValueError, match="ord=-1 is not a vector norm"):
        ad.norm(t, -1, axis=0)
    with pytest.raises(ValueError, match="norm: ord=1 without axis needs a 1-D or 2-D tensor"):
        ad.norm(t, 1)


@pytest.mark.parametrize("ord", [None, 1, 3, np.inf, -np.inf, 0])
def test_norm_of_zero_has_a_zero_gradient_not_nan(ord):
    np.testing.assert_array_equal(_grad(lambda t: ad.norm(t, ord), np.zeros(3)), 0.0)


def test_inf_norm_shares_ties_and_keeps_signs():
    np.testing.assert_array_equal(_grad(lambda t: ad.norm(t, np.inf), [3.0, -3.0, 1.0]), [0.5, -0.5, 0.0])


# ----- rounding: ops with a zero gradient --------------------------------------------------------------
@pytest.mark.parametrize("f", [np.sign, np.floor, np.ceil, np.rint, np.trunc, np.round, np.around,
                               lambda t: t.round(1), lambda t: ad.round(t, decimals=-1)])
def test_rounding_keeps_the_graph_connected_with_zero_gradient(f):
    x = Tensor([-2.5, -0.3, 0.0, 0.7, 14.5], requires_grad=True)
    out = f(x)
    assert isinstance(out, Tensor) and out.requires_grad
    (out * x).sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # d(f(x)·x)/dx = f(x): nothing through f
    first = ad.grad(lambda t: (f(t) * t * t).sum())
    np.testing.assert_array_equal(ad.grad(lambda t: first(t).sum())(x.data), 2 * out.data)  # create_graph too


def test_round_keeps_numpy_semantics():
    a = np.array([0.5, 1.5, 2.5, -0.5, 1.25, 1234.5678])
    for decimals in (0, 1, -2):
        np.testing.assert_array_equal(np.round(Tensor(a), decimals).data, np.round(a, decimals))
    with pytest.raises(TypeError, match="round: decimals must be an int"):
        ad.round(Tensor(a), 1.5)


# ----- choices: fmax/fmin with NaN, clip, where, mod -------------------------------------------------------
def test_fmax_and_fmin_give_the_gradient_to_the_number_when_the_other_is_nan():
    x = Tensor([1.0, np.nan, 2.0, np.nan], requires_grad=True)
    y = Tensor([np.nan, 3.0, 2.0, np.nan], requires_grad=True)
    for f in (np.fmax, np.fmin):
        x.grad = y.grad = None
        f(x, y).backward(np.ones(4))
        np.testing.assert_array_equal(x.grad, [1.0, 0.0, 0.5, 1.0])
        np.testing.assert_array_equal(y.grad, [0.0, 1.0, 0.5, 0.0])


def test_clip_gradients_to_x_inside_the_bounds_included_and_to_tensor_bounds_outside():
    x = Tensor([-3.0, -1.0, 0.0, 2.0, 5.0], requires_grad=True)
    lo = Tensor([-1.0, -1.0, -1.0, -1.0, -1.0], requires_grad=True)
    hi = Tensor(2.0, requires_grad=True)
    out = np.clip(x, lo, hi)
    np.testing.assert_array_equal(out.data, [-1.0, -1.0, 0.0, 2.0, 2.0])
    out.backward(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 3.0, 4.0, 0.0])  # as PyTorch's clamp: bounds count as inside
    np.testing.assert_array_equal(lo.grad, [1.0, 0.0, 0.0, 0.0, 0.0])
    assert hi.grad == 5.0


def test_clip_takes_numpy_2_keywords_and_one_sided_bounds():
    a = np.array([-2.0, 0.5, 3.0])
    t = Tensor(a)
    np.testing.assert_array_equal(np.clip(t, min=0).data, np.clip(a, min=0))
    np.testing.assert_array_equal(t.clip(max=1.0).data, a.clip(max=1.0))
    np.testing.assert_array_equal(np.clip(t, a_min=None, a_max=1).data, np.clip(a, None, 1))
    with pytest.raises(TypeError, match="clip: give a_min or min, not both"):
        np.clip(t, a_min=0, min=0)


def test_where_routes_gradients_and_copies_its_condition():
    condition = np.array([True, False, True])
    x, y = Tensor([1.0, 2.0, 3.0], requires_grad=True), Tensor(10.0, requires_grad=True)
    out = np.where(condition, x, y)
    condition[:] = False  # changing the caller's array afterwards changes nothing
    out.backward(np.array([1.0, 2.0, 4.0]))
    np.testing.assert_array_equal(out.data, [1.0, 10.0, 3.0])
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 4.0])
    assert y.grad == 2.0
    np.testing.assert_array_equal(np.where(x > 1.5)[0], [1, 2])  # numpy's one-argument form: indices
    with pytest.raises(TypeError, match="where: give both x and y, or neither"):
        ad.where(condition, x)


def test_mod_is_the_percent_operator_with_floor_gradient():
    x, y = Tensor([5.5, -5.5, 5.5], requires_grad=True), Tensor([2.0, 2.0, -2.0], requires_grad=True)
    out = x % y
    np.testing.assert_array_equal(out.data, np.mod([5.5, -5.5, 5.5], [2.0, 2.0, -2.0]))
    out.backward(np.ones(3))
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(y.grad, [-2.0, 3.0, 3.0])  # −⌊x/y⌋
    np.testing.assert_array_equal((7.0 % Tensor(2.5)).data, 2.0)


# ----- activations and special functions -------------------------------------------------------------------
def test_softplus_and_expm1_stay_exact_far_out():
    x = Tensor([-800.0, -30.0, 0.0, 30.0, 800.0], requires_grad=True)
    y = ad.softplus(x)
    y.backward(np.ones(5))
    np.testing.assert_allclose(y.data, [0.0, math.log1p(math.exp(-30)), math.log(2), 30 + math.log1p(math.exp(-30)), 800],
                               rtol=1e-15)
    np.testing.assert_allclose(x.grad, [0.0, 1 / (1 + math.exp(30)), 0.5, 1 / (1 + math.exp(-30)), 1.0], rtol=1e-15)
    np.testing.assert_allclose(_grad(lambda t: ad.expm1(t).sum(), [-30.0]), [math.exp(-30)], rtol=1e-15)


def test_gelu_exact_keeps_relative_precision_in_the_far_negative_tail():
    x = np.array([-30.0, -10.0, -1.0, 0.0, 2.0])
    # 1 + erf(x/√2) would round to 0 below x ≈ −8.3; the rtol allows the conditioning of erfc out
    # there (an ulp in its argument x/√2 ≈ −21 moves erfc by about 2·21² ulp)
    expected = [v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x]
    np.testing.assert_allclose(ad.gelu(x).data, expected, rtol=1e-12)
    density = [math.exp(-v * v / 2) / math.sqrt(2 * math.pi) for v in x]
    derivative = [0.5 * math.erfc(-v / math.sqrt(2)) + v * p for v, p in zip(x, density)]
    np.testing.assert_allclose(_grad(lambda t: ad.gelu(t).sum(), x), derivative, rtol=1e-12)
    assert abs(ad.gelu(1.0, approximate="tanh").item() - ad.gelu(1.0).item()) > 1e-4  # two different functions


def test_erf_without_scipy_uses_math(monkeypatch):
    from autodiff.ops import exp_log
    x = np.linspace(-4, 4, 9)
    with_scipy = exp_log.erf_values(x), exp_log.erfc_values(x)
    monkeypatch.setattr(exp_log, "_ERF_KERNELS", {})
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy now fails
    without = exp_log.erf_values(x), exp_log.erfc_values(x)
    np.testing.assert_allclose(without[0], [math.erf(v) for v in x], rtol=1e-15)
    np.testing.assert_allclose(without[1], [math.erfc(v) for v in x], rtol=1e-15)
    np.testing.assert_allclose(with_scipy, without, rtol=1e-14)
    assert exp_log.erf_values(np.float32(0.5)).dtype == np.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: ad.leaky_relu(1.0, negative_slope="0.1"), TypeError, "leaky_relu: negative_slope must be a real number"),
    (lambda: ad.elu(1.0, alpha=np.inf), ValueError, "elu: alpha must be finite"),
    (lambda: ad.gelu(1.0, approximate="erf"), ValueError, "gelu: approximate must be 'none'"),
])
def test_activation_parameters_are_checked_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_new_numpy_functions_dispatch_to_ops():
    a = np.array([[0.3, 0.6], [0.2, 0.9]])
    t = Tensor(a, requires_grad=True)
    for f in (np.square, np.reciprocal, np.expm1, np.exp2, np.log2, np.log10, np.tan, np.sinh, np.cosh, np.arcsin,
              np.arccos, np.arctan, np.arcsinh, np.arctanh, np.prod, np.var, np.std, np.min, np.amin, np.cumsum,
              np.cumprod, np.linalg.norm, lambda v: np.logaddexp(v, 1.0), lambda v: np.logaddexp2(1.0, v),
              lambda v: np.hypot(v, v), lambda v: np.fmax(v, 0.5), lambda v: np.remainder(v, 0.25),
              lambda v: np.arccosh(v + 1.5)):
        out = f(t)
        assert isinstance(out, Tensor) and out.requires_grad
        np.testing.assert_allclose(out.data, f(a), rtol=1e-15)


# ----- creation ------------------------------------------------------------------------------------------
def test_creation_functions_match_numpy_with_dtype_and_requires_grad():
    cases = [(ad.zeros((2, 3)), np.zeros((2, 3))), (ad.ones(4, dtype=np.float32), np.ones(4, np.float32)),
             (ad.full((2, 2), 7), np.full((2, 2), 7.0)), (ad.arange(5), np.arange(5.0)),
             (ad.arange(1, 2, 0.25), np.arange(1, 2, 0.25)), (ad.linspace(0, 1, 7), np.linspace(0, 1, 7)),
             (ad.linspace(0, 1, 4, endpoint=False), np.linspace(0, 1, 4, endpoint=False)),
             (ad.eye(3, 4, k=1), np.eye(3, 4, 1)), (ad.zeros_like(np.ones((2, 1), np.float32)), np.zeros((2, 1), np.float32)),
             (ad.ones_like(Tensor([1, 2])), np.ones(2)), (ad.full_like(np.ones(3), [1, 2, 3]), np.array([1.0, 2.0, 3.0]))]
    for got, expected in cases:
        assert isinstance(got, Tensor) and got.is_leaf and not got.requires_grad
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got.data, expected)
    leaf = ad.zeros(3, requires_grad=True)
    assert leaf.requires_grad and leaf.is_leaf


def test_random_creation_is_reproducible_with_rng():
    a, b = ad.randn(2, 3, rng=7), ad.randn((2, 3), rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.data, np.random.default_rng(7).standard_normal((2, 3)))
    u = ad.rand(1000, rng=1, dtype=np.float32)
    assert u.dtype == np.float32 and 0 <= u.data.min() and u.data.max() < 1
    assert ad.randn_like(np.zeros((4, 2)), rng=0).shape == (4, 2)
    assert ad.rand_like(Tensor(np.zeros(3, np.float32)), rng=0).dtype == np.float32
    assert not np.array_equal(ad.randn(5).data, ad.randn(5).data)  # rng=None: fresh entropy


@pytest.mark.parametrize("call, error, message", [
    (lambda: ad.zeros((2, -1)), ValueError, "zeros: shape must hold non-negative ints"),
    (lambda: ad.ones("3"), TypeError, "ones: shape must be an int or a sequence of ints"),
    (lambda: ad.full(3, "x"), TypeError, "full: fill_value must be numeric"),
    (lambda: ad.full(3, [1, 2]), ValueError, r"full: fill_value of shape \(2,\) does not broadcast to shape \(3,\)"),
    (lambda: ad.eye(2, dtype=np.int64), TypeError, "eye: dtype must be float32 or float64"),
    (lambda: ad.arange(0, 1, 0), ValueError, "arange: step must not be zero"),
    (lambda: ad.arange(0, np.inf), ValueError, "arange: stop must be finite"),
    (lambda: ad.randn(2, rng=np.random.RandomState(0)), TypeError, "randn: rng must be a numpy Generator"),
    (lambda: ad.linspace(Tensor(0.0), 1.0, 3, requires_grad=True), ValueError, "linspace: requires_grad makes a new leaf"),
    (lambda: ad.linspace(Tensor([0.0, 1.0]), 1.0, 3), ValueError, "linspace: a Tensor start or stop must be 0-d"),
])
def test_creation_errors_name_the_function_and_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_linspace_of_tensors_matches_numpy_and_differentiates_to_its_ends():
    start, stop = Tensor(1.2, requires_grad=True), Tensor(-3.4, requires_grad=True)
    y = ad.linspace(start, stop, 6)
    np.testing.assert_allclose(y.data, np.linspace(1.2, -3.4, 6), rtol=1e-15)
    y.backward(np.arange(6.0))
    i = np.arange(6.0)
    assert start.grad == pytest.approx(np.sum(i * (1 - i / 5))) and stop.grad == pytest.approx(np.sum(i * i / 5))
