"""The ops' fast paths ("just optimizations") give what their plain paths give.

The forwards of max, softmax and log_softmax over a short last axis of many
rows run on the contiguous transpose (``ops.base.rows_along``); the
registry's hypothesis shapes are too small to reach that path, so these tests
call it on shapes that do, through the same
checks as every registry entry (forward against numpy, gradcheck, the plain
kernel against the vjp, the create_graph pass). Sums along one axis of a float
matrix are matrix-vector products with ones (``engine.sum_rows`` and
``engine.sum_columns``: sum's forward over a short last axis, the softmaxes'
plain vjps, un-broadcasting a bias): the same sums in another order. The
weight gradient of matmul is computed as (Gᵀ·A)ᵀ, and backward takes a
one-input node without its loop over inputs: both are compared with the plain
computation below.
"""
import numpy as np
import pytest

import autodiff as ad
from autodiff import ops
from autodiff import engine
from autodiff.engine import sum_columns, sum_rows, unbroadcast
from autodiff.ops.base import MANY_ROWS, SHORT_AXIS, rows_along, short_rows
from autodiff.testing import check_op

FAST = [(MANY_ROWS, 3), (MANY_ROWS + 7, SHORT_AXIS)]


@pytest.mark.parametrize("shape", FAST)
def test_these_shapes_take_the_fast_path(shape):
    assert rows_along(np.zeros(shape), 1) is not None
    assert rows_along(np.zeros((shape[0], SHORT_AXIS + 1)), 1) is None
    assert rows_along(np.zeros((MANY_ROWS - 1, shape[1])), 1) is None
    assert rows_along(np.zeros(shape), 0) is None


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "max", "sum"])
@pytest.mark.parametrize("columns", [1, 3])
def test_fast_paths_leave_their_input_as_it_was(name, columns):
    # one column: the transpose of x is already contiguous, and only a copy keeps x apart
    x = np.random.default_rng(3).standard_normal((MANY_ROWS, columns))
    before = x.copy()
    getattr(ad, name)(ad.Tensor(x, requires_grad=True), axis=1)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("name, kwargs", [("sum", {"axis": 1}), ("sum", {"axis": -1, "keepdims": True}),
                                          ("max", {"axis": 1}), ("max", {"axis": -1, "keepdims": True}),
                                          ("softmax", {"axis": -1}), ("log_softmax", {"axis": 1})])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fast_paths_pass_every_registry_check(name, kwargs, dtype):
    x = np.random.default_rng(7).standard_normal(FAST[0]).astype(dtype)
    check_op(name, [x], kwargs)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-14), (np.float32, 1e-6)])
def test_fast_forwards_equal_the_plain_formulas(dtype, rtol):
    x = np.random.default_rng(8).standard_normal(FAST[1]).astype(dtype)
    shifted = x - x.max(axis=1, keepdims=True)
    # a sum in another order: within rtol of the sum of magnitudes (the sums themselves may cancel)
    assert np.all(np.abs(ops.sum(x, 1).data - x.sum(axis=1)) <= rtol * np.abs(x).sum(axis=1))
    np.testing.assert_array_equal(ops.max(x, 1, keepdims=True).data, x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(ops.softmax(x, 1).data, np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True),
                               rtol=rtol)
    np.testing.assert_allclose(ops.log_softmax(x, -1).data,
                               shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)), rtol=rtol, atol=rtol)
    assert ops.log_softmax(x, -1).data.flags.c_contiguous and ops.log_softmax(x, -1).dtype == dtype


def test_short_rows_selects_float_matrices_summed_over_a_short_last_axis():
    assert short_rows(np.zeros((2, SHORT_AXIS)), 1) and short_rows(np.zeros((2, 3), np.float32), 1)
    assert not short_rows(np.zeros((2, SHORT_AXIS + 1)), 1)
    assert not short_rows(np.zeros((2, 3)), 0) and not short_rows(np.zeros((2, 3, 1)), 1)
    assert not short_rows(np.zeros((2, 3), int), 1) and not short_rows(np.zeros((2, 3), complex), 1)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-14), (np.float32, 1e-6)])
@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (128, 10), (300, 16)])
def test_sums_as_products_with_ones_equal_numpys_sums(shape, dtype, rtol):
    m = np.random.default_rng(9).standard_normal(shape).astype(dtype)
    for fast, axis in ((sum_rows, 1), (sum_columns, 0)):
        total = fast(m)
        assert total.dtype == dtype and total.shape == m.sum(axis=axis).shape
        # within rtol of the sum of magnitudes, in float64 (the sums themselves may cancel)
        assert np.all(np.abs(total - m.astype(np.float64).sum(axis=axis)) <= rtol * np.abs(m).sum(axis=axis))
    m[0, 0], m[-1, -1] = np.inf, np.nan  # infinities and NaN reach the sums as numpy's
    np.testing.assert_array_equal(np.isnan(sum_rows(m)), np.isnan(m.sum(axis=1)))
    np.testing.assert_array_equal(np.isnan(sum_columns(m)), np.isnan(m.sum(axis=0)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unbroadcasting_a_bias_equals_the_plain_sum(dtype):
    g = np.random.default_rng(10).standard_normal((128, 10)).astype(dtype)
    fast = unbroadcast(g, (10,))
    assert fast.dtype == dtype and fast.shape == (10,)
    np.testing.assert_allclose(fast, g.sum(axis=0), rtol=1e-5 if dtype == np.float32 else 1e-13)
    np.testing.assert_allclose(unbroadcast(g, (1, 10)), g.sum(axis=0, keepdims=True), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_weight_gradient_of_matmul_equals_a_transpose_times_g(dtype):
    # the vjp computes Aᵀ·G as (Gᵀ·A)ᵀ (A read along its rows); the leaf's .grad is
    # still an owned C-ordered array, as PyTorch gives a parameter's gradient
    rng = np.random.default_rng(11)
    a, w = rng.standard_normal((128, 30)).astype(dtype), rng.standard_normal((30, 10)).astype(dtype)
    g = rng.standard_normal((128, 10)).astype(dtype)
    W = ad.Tensor(w, requires_grad=True)
    (a @ W).backward(g)
    np.testing.assert_allclose(W.grad, a.T @ g, rtol=1e-5 if dtype == np.float32 else 1e-13)
    assert W.grad.flags.c_contiguous and W.grad.flags.owndata and W.grad.dtype == dtype


def _gradients(x0, build, seed, through_the_loop):
    x = ad.Tensor(x0, requires_grad=True)
    out = build(x)
    if through_the_loop:  # needs equal to the engine's (True,) but not it: backward takes the general loop
        stack, seen = [out], set()
        while stack:
            node = stack.pop()
            if id(node) in seen or node.op is None:
                continue
            seen.add(id(node))
            node.needs = tuple(list(node.needs))
            stack.extend(x for x in node.inputs if isinstance(x, ad.Tensor))
    else:  # the output's node has the engine's shared needs, which backward takes without the loop
        shared = (engine._ONE_INPUT, engine._FIRST_ONLY, engine._SECOND_ONLY)
        assert any(out.needs is s for s in shared) or all(any(x.needs is s for s in shared) for x in out.inputs)
    out.backward(seed)
    return x.grad


CONSTANT = np.random.default_rng(13).standard_normal((4, 3))


@pytest.mark.parametrize("case", ["exp", "float32", "used twice", "sum over an axis", "constant times tensor",
                                  "tensor minus constant", "constant minus tensor", "constant @ tensor",
                                  "tensor @ constant", "broadcast constant", "float64 constant, float32 tensor"])
def test_one_input_nodes_in_backward_take_the_same_steps_as_the_loop(case):
    # backward takes a node that sends a gradient to one input only (an op of one
    # input, or of a tensor and a constant) without its loop over inputs (just an optimization)
    rng = np.random.default_rng(12)
    x0 = rng.random((4, 3)) + 0.5
    build, seed = {
        "exp": (lambda x: x.exp(), np.ones((4, 3))),
        "float32": (lambda x: x.log().sin(), rng.standard_normal((4, 3)).astype(np.float32)),
        "used twice": (lambda x: x.exp() * x.sqrt(), rng.standard_normal((4, 3))),
        "sum over an axis": (lambda x: x.tanh().sum(axis=0), rng.standard_normal(3)),
        "constant times tensor": (lambda x: CONSTANT * x.exp(), rng.standard_normal((4, 3))),
        "tensor minus constant": (lambda x: x.exp() - CONSTANT, rng.standard_normal((4, 3))),
        "constant minus tensor": (lambda x: 1.0 - x.exp(), rng.standard_normal((4, 3))),
        "constant @ tensor": (lambda x: CONSTANT.T @ x.sin(), rng.standard_normal((3, 3))),
        "tensor @ constant": (lambda x: x.sin() @ CONSTANT.T, rng.standard_normal((4, 4))),
        "broadcast constant": (lambda x: x.sum(axis=0).exp() * CONSTANT, rng.standard_normal((4, 3))),
        "float64 constant, float32 tensor": (lambda x: x.exp() * CONSTANT,
                                             rng.standard_normal((4, 3)).astype(np.float32)),
    }[case]
    if "float32" in case:
        x0 = x0.astype(np.float32)
    fast, loop = _gradients(x0, build, seed, False), _gradients(x0, build, seed, True)
    assert fast.dtype == loop.dtype == x0.dtype
    np.testing.assert_array_equal(fast, loop)
