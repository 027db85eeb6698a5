"""The ops' fast paths ("just optimizations") give what their plain paths give.

Reductions over a short last axis of many rows (sum, max, softmax,
log_softmax, and their vjps) run on the contiguous transpose
(``ops.base.rows_along``); the registry's hypothesis shapes are too small to
reach that path, so these tests call it on shapes that do, through the same
checks as every registry entry (forward against numpy, gradcheck, the plain
kernel against the vjp, the create_graph pass).
"""
import numpy as np
import pytest

from autodiff import ops
from autodiff.ops.base import MANY_ROWS, SHORT_AXIS, rows_along
from autodiff.testing import check_op

FAST = [(MANY_ROWS, 3), (MANY_ROWS + 7, SHORT_AXIS)]


@pytest.mark.parametrize("shape", FAST)
def test_these_shapes_take_the_fast_path(shape):
    assert rows_along(np.zeros(shape), 1) is not None
    assert rows_along(np.zeros((shape[0], SHORT_AXIS + 1)), 1) is None
    assert rows_along(np.zeros((MANY_ROWS - 1, shape[1])), 1) is None
    assert rows_along(np.zeros(shape), 0) is None


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
