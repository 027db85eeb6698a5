"""What every op is: a forward on numpy arrays and its vector-Jacobian product.

An op's ``vjp(g, out, *inputs)`` receives the upstream gradient ``g`` = dL/d(out)
and returns dL/d(input) for each input (None for an input that needs none):

    dL/dx_j = Σ_i g_i · ∂out_i/∂x_j        (gᵀ·J, the chain rule for one node)

It is written with numpy functions and methods only, so the same code runs on
numpy arrays (a plain backward pass: fast) and on Tensors (``create_graph=True``:
every numpy call dispatches to a differentiable op through ``__array_ufunc__``),
which is what makes gradients of gradients, Hessians and JVPs work.
An op never writes into ``g`` or into its inputs, and returns gradients that may
have the broadcast shape: the engine sums them back to each input's shape.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..tensor import Tensor, _Mode, check_forward, raw


class Op:
    """Base class. ``needs[i]`` tells the vjp whether input i wants a gradient,
    so that no work is done for inputs that need none; ``args`` are the numpy
    values forward ran on (references, not copies), which a plain backward
    hands to the vjp."""

    __slots__ = ("needs", "args")
    needs: tuple
    args: tuple
    name = "op"
    symbol = ""  # for binary operators: the error names the shapes as "(2, 3) @ (2, 3)"

    def forward(self, *inputs: Any) -> np.ndarray:
        raise NotImplementedError

    def vjp(self, g: Any, out: Any, *inputs: Any) -> tuple:
        raise NotImplementedError

    def explain_error(self, error: Exception) -> str:
        return str(error)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


_NEEDS_1 = ((False,), (True,))  # indexed by requires_grad
_NEEDS_2 = (((False, False), (False, True)), ((True, False), (True, True)))


def apply(op: Op, *inputs: Any) -> Tensor:
    """Run ``op`` forward on tensors, numpy arrays or numbers, and record a node
    when gradients are on and some input requires one.

    This is the per-node cost of every forward, so it is kept lean."""
    # Tuples, not lists: the garbage collector stops tracking a tuple of arrays
    # and numbers, and the needs are shared constant tuples (no allocation), which
    # keeps its passes short when a graph holds 100,000 nodes.
    arrays: tuple[Any, ...]
    needs: tuple[bool, ...]
    if len(inputs) == 1:  # the common arities without a loop
        x = inputs[0]
        if isinstance(x, Tensor):
            arrays, needs = (x.data,), _NEEDS_1[x.requires_grad]
        else:
            arrays, needs = inputs, _NEEDS_1[False]
    elif len(inputs) == 2:
        x, y = inputs
        x_is, y_is = isinstance(x, Tensor), isinstance(y, Tensor)
        arrays = (x.data if x_is else x, y.data if y_is else y)
        needs = _NEEDS_2[x_is and x.requires_grad][y_is and y.requires_grad]
    else:
        arrays = tuple([x.data if isinstance(x, Tensor) else x for x in inputs])
        needs = tuple([isinstance(x, Tensor) and x.requires_grad for x in inputs])
    op.needs = needs
    op.args = arrays
    try:
        out = op.forward(*arrays)
    except (ValueError, IndexError) as error:
        raise type(error)(_describe_error(op, arrays, error)) from None
    if type(out) is not np.ndarray:  # numpy turns 0-d results into scalars
        out = np.asarray(out)
    if _Mode.detect_anomaly:
        check_forward(op, arrays, out)
    if True in needs and _Mode.grad_enabled:
        return Tensor._node(out, op, inputs)
    return Tensor._node(out)


def _describe_error(op: Op, arrays: Sequence[Any], error: Exception) -> str:
    shapes = [str(np.shape(a)) for a in arrays]
    what = f" {op.symbol} ".join(shapes) if op.symbol else "cannot apply to shapes " + " and ".join(shapes)
    return f"{op.name}: {what}: {op.explain_error(error)}"


def lift(x: Any, who: str) -> Any:
    """An operand as an op input: Tensors and Python numbers as they are,
    anything else as a numeric numpy array (float64 unless already float)."""
    kind = type(x)
    if kind is Tensor or kind is float or kind is int:  # the common cases, checked first
        return x
    if kind is np.ndarray and x.dtype.kind == "f":
        return x
    if isinstance(x, (Tensor, float, int)) and not isinstance(x, bool):
        return x
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{who}: operand must be numeric, got {type(x).__name__} of dtype {array.dtype}")
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def reduced_shape(shape: tuple, axis: Any) -> tuple:
    """The keepdims shape of a reduction of ``shape`` over ``axis``."""
    if axis is None:
        return (1,) * len(shape)
    reduced = {a % len(shape) for a in (axis if isinstance(axis, tuple) else (axis,))}
    return tuple(1 if i in reduced else n for i, n in enumerate(shape))


def broadcast_to(g: Any, shape: tuple) -> Any:
    """``g`` broadcast to ``shape``, for arrays and Tensors alike."""
    if isinstance(g, Tensor):
        from .shape import BroadcastTo
        return apply(BroadcastTo(shape), g)
    out = np.empty(shape, dtype=g.dtype)  # faster than np.broadcast_to for small arrays
    out[...] = g
    return out


def check_axis(who: str, ndim: int, axis: Any) -> Any:
    """Normalise an axis argument, with an error that names the op."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if not isinstance(a, (int, np.integer)) or not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{who}: axis {a} is out of range for a tensor with {ndim} dimensions")
    if len({a % max(ndim, 1) for a in axes}) != len(axes):
        raise ValueError(f"{who}: repeated axis in {axis}")
    return axis
