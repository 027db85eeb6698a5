"""The Tensor: a numpy array that remembers how it was computed.

Its operators and methods are written here, each applying one op of
``autodiff.ops``; numpy's own functions and ufuncs called on a Tensor dispatch
to the same ops (``__array_ufunc__``, ``__array_function__``), or raise a
TypeError that names the function: numpy never silently drops the graph.
The engine under it (``autodiff.engine``) records the ops and runs backward.
"""
from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from . import engine
from . import ops
from .engine import FLOAT_DTYPES, MODES, Node, apply1, apply2, backpropagate, write_in_place
from .ops.base import reject_numpy_options

Array = np.ndarray
# dL/dL = 1, the seed of backward() on a scalar: shared, so read-only (no op writes into g)
_ONE = {dtype: np.ones((), dtype) for dtype in FLOAT_DTYPES}
for _one in _ONE.values():
    _one.flags.writeable = False


def as_float_array(data: Any, dtype: Any = None, who: str = "Tensor") -> Array:
    """numpy array of float64 (default) or float32 (kept when given)."""
    if isinstance(data, Node):
        data = data.data
    try:
        array = np.asarray(data)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{who}: data is not a regular array: {error}") from None
    kind = array.dtype.kind
    if kind not in "biuf":
        raise TypeError(f"{who}: data must be numeric (bool, int or float), got dtype {array.dtype}")
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype not in FLOAT_DTYPES:
            raise TypeError(f"{who}: dtype must be float32 or float64, got {dtype}")
    elif array.dtype in FLOAT_DTYPES:
        return array
    else:
        dtype = np.dtype(np.float64)
    return array.astype(dtype, copy=False)


class Tensor(Node):
    """A numpy array that remembers how it was computed.

    ``Tensor(data, requires_grad=False, dtype=None)``: float64 by default, float32
    kept when given, ints and bools converted to float64. A float ndarray is
    wrapped without a copy (as ``np.asarray`` does); no op ever writes into it,
    and while a graph holds it, it is read-only: change it with ``t -= ...`` or
    ``t[k] = ...`` under ``no_grad()`` (backward then says if a graph used the
    old values). Making it writable again (``t.data.setflags(write=True)``)
    makes that graph's backward raise.
    """

    __slots__ = ()
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None):
        self._init_node()
        self.data = as_float_array(data, dtype)
        self.requires_grad = bool(requires_grad)
        self.name = name

    # ----- array-like attributes ---------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        return self.op is None

    @property
    def T(self) -> Tensor:
        return ops.transpose(self)

    @property
    def mT(self) -> Tensor:
        return ops.swapaxes(self, -1, -2)

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted, got shape {self.shape}")
        return self.data.item()

    def numpy(self) -> Array:
        """The data as a numpy array (shared, not copied); refused for a tensor that
        requires grad, since the array would not carry the graph: use detach().numpy()."""
        if self.requires_grad:
            raise TypeError("numpy(): this tensor requires grad, and a numpy array would silently leave the "
                            "graph behind; use t.detach().numpy() (or t.data) for the values")
        return self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return Tensor(self.data)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        if self.op is not None and not flag:
            raise RuntimeError("requires_grad_: only a leaf can be made not to require grad; use detach()")
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        self.retains_grad = True
        return self

    def zero_grad(self) -> None:
        self.grad = None

    def __reduce__(self) -> tuple:
        """copy.copy, copy.deepcopy and pickle make a new leaf with the same data,
        requires_grad, name and grad, and a number of its own (the engine tells
        nodes apart by it); the graph behind a tensor is not copied."""
        return _rebuild_leaf, (np.array(self.data), self.requires_grad, self.name, self.grad)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Any:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        raise TypeError("a Tensor cannot be used as an index; use int(t.item())")

    __hash__ = object.__hash__

    def __array__(self, dtype: Any = None, copy: Any = None) -> Array:
        """np.asarray(t), np.array(t): the values of a tensor that requires no grad
        (a copy when numpy asks for one). A tensor that requires grad is refused,
        as its array would silently leave the graph behind."""
        if self.requires_grad:
            raise TypeError("numpy cannot turn a Tensor that requires grad into an array: the graph would be "
                            "silently dropped. Use an autodiff function (numpy's functions on Tensors dispatch "
                            "to them), or t.detach().data for the values")
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", precision=8)
        extras = []
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self.op is not None:
            extras.append(f"grad_fn=<{type(self.op).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return f"Tensor({body}{''.join(', ' + e for e in extras)})"

    # ----- backward ------------------------------------------------------------------
    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``gradient`` is the upstream gradient dL/d(self); it may be omitted only
        when self is a scalar (then it is 1). The graph's saved values are freed
        as they are used: a second backward through it needs ``retain_graph=True``
        on the first. With ``create_graph=True`` the backward pass is itself
        recorded, so ``.grad`` is a Tensor that can be differentiated again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad: no input had requires_grad=True, "
                "or it was computed inside no_grad()")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: the output has shape {self.shape}; backward() needs a scalar output "
                    "or an explicit gradient of the same shape, e.g. loss.backward(np.ones_like(loss.data))")
            gradient = _ONE.get(self.data.dtype) if self.data.ndim == 0 and not create_graph else None
            if gradient is None:
                gradient = np.empty(self.data.shape, self.data.dtype)
                gradient.fill(1.0)  # np.ones costs three times as much
        elif isinstance(gradient, Node) and gradient.requires_grad and create_graph:
            if gradient.data.shape != self.shape:  # a seed that is itself differentiated: kept as a Tensor
                raise ValueError(f"backward: gradient shape {gradient.data.shape} does not match the tensor's shape {self.shape}")
        else:
            gradient = as_float_array(gradient, self.data.dtype, who="backward")
            if gradient.shape != self.shape:
                raise ValueError(f"backward: gradient shape {gradient.shape} does not match the tensor's shape {self.shape}")
        backpropagate([self], [gradient], create_graph=create_graph, retain_graph=retain_graph, accumulate=True)

    # ----- arithmetic operators --------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return apply2(ops.add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return apply2(ops.add, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return apply2(ops.sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return apply2(ops.sub, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return apply2(ops.mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return apply2(ops.mul, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return apply2(ops.div, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return apply2(ops.div, other, self)

    def __pow__(self, other: Any) -> Tensor:
        return apply2(ops.pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return apply2(ops.pow, other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return apply2(ops.matmul, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return apply2(ops.matmul, other, self)

    def __mod__(self, other: Any) -> Tensor:
        return apply2(ops.mod, self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return apply2(ops.mod, other, self)

    def __neg__(self) -> Tensor:
        return apply1(ops.neg, self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return apply1(ops.abs, self)

    # ----- in place: += -= *= /= and t[key] = v, as in PyTorch ---------------------------
    def __iadd__(self, other: Any) -> Tensor:
        return self._in_place("+=", operator.iadd, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._in_place("-=", operator.isub, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._in_place("*=", operator.imul, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._in_place("/=", operator.itruediv, other)

    def __setitem__(self, key: Any, value: Any) -> None:
        from .ops.shape import index_key
        key = index_key(key)
        if isinstance(value, Node) and value.requires_grad and MODES.grad_enabled:
            raise RuntimeError(
                f"[{key!r}] = v: v requires grad, and writing its values in place would drop its graph; "
                "write t = autodiff.index_put(t, key, v), a new tensor whose gradient reaches t and v")
        value = engine.raw(value)

        def put(a: Array) -> None:
            a[key] = value
        self._write(f"[{key!r}] =", put)

    def _in_place(self, symbol: str, update: Callable[[Array, Any], Any], other: Any) -> Tensor:
        """``update(data, value)``: numpy's in-place operator on the data (which
        casts the value to the data's dtype the same_kind way)."""
        value = other.data if isinstance(other, Node) else other
        data = self.data
        try:
            if data.flags.writeable and data.base is None and not (self.requires_grad and MODES.grad_enabled):
                # an array of its own (so no broadcast view) that no graph holds (a parameter update
                # between two steps): the write, no more. Just an optimization: _write checks and
                # does the same. (A view is left to _write, which looks whether a graph holds the
                # array it views.)
                update(data, value)
            else:
                self._write(symbol, lambda a: update(a, value))
        except ValueError:
            shape = np.shape(value)
            try:
                fits = np.broadcast_shapes(shape, data.shape) == data.shape
            except ValueError:
                fits = False
            if fits:
                raise  # not a shape error
            raise ValueError(f"{symbol}: a value of shape {shape} cannot update a tensor of shape "
                             f"{self.shape} in place") from None
        return self

    def _write(self, symbol: str, write: Callable[[Array], None]) -> None:
        """Change the data in place: allowed where no graph is being recorded
        through this tensor (inside ``no_grad()``, or a tensor that requires no
        grad). A graph that holds the old values refuses to go backward."""
        if self.requires_grad and MODES.grad_enabled:
            # t[key] = v has a differentiable spelling that makes a new tensor
            instead = ("t = autodiff.index_put(t, key, v)" if symbol.startswith("[") else "t = t + x")
            if self.op is None:
                raise RuntimeError(
                    f"{symbol}: a leaf tensor that requires grad cannot be changed in place while gradients are "
                    f"recorded; update parameters inside `with autodiff.no_grad():`, or write {instead} "
                    "(a new tensor) to differentiate through the change")
            raise RuntimeError(
                f"{symbol}: this tensor was computed by {self.op.name} in a recorded graph and cannot be changed "
                f"in place; write {instead} (a new tensor) instead")
        write_in_place(self.data, write, symbol)

    # ----- comparisons: not differentiable, numpy bool arrays -----------------------------
    def __lt__(self, other: Any) -> Array:
        return self.data < engine.raw(other)

    def __le__(self, other: Any) -> Array:
        return self.data <= engine.raw(other)

    def __gt__(self, other: Any) -> Array:
        return self.data > engine.raw(other)

    def __ge__(self, other: Any) -> Array:
        return self.data >= engine.raw(other)

    def __eq__(self, other: Any) -> Array:  # type: ignore[override]
        return self.data == engine.raw(other)

    def __ne__(self, other: Any) -> Array:  # type: ignore[override]
        return self.data != engine.raw(other)

    # ----- methods: each applies one op -------------------------------------------------------
    def __getitem__(self, key: Any) -> Tensor:
        return ops.getitem(self, key)

    def exp(self) -> Tensor:
        return apply1(ops.exp, self)

    def log(self) -> Tensor:
        return apply1(ops.log, self)

    def sigmoid(self) -> Tensor:
        return apply1(ops.sigmoid, self)

    def tanh(self) -> Tensor:
        return apply1(ops.tanh, self)

    def relu(self) -> Tensor:
        return apply1(ops.relu, self)

    def sin(self) -> Tensor:
        return apply1(ops.sin, self)

    def cos(self) -> Tensor:
        return apply1(ops.cos, self)

    def sqrt(self) -> Tensor:
        return apply1(ops.sqrt, self)

    def abs(self) -> Tensor:
        return apply1(ops.abs, self)

    def astype(self, dtype: Any) -> Tensor:
        return ops.astype(self, dtype)

    def sum(self, axis: Any = None, keepdims: bool = False, **numpy_options: Any) -> Tensor:
        if axis is None and keepdims is False and not numpy_options:  # of everything: the op's defaults
            return apply1(ops.sum, self)
        return ops.sum(self, axis, keepdims, **numpy_options)

    def mean(self, axis: Any = None, keepdims: bool = False, **numpy_options: Any) -> Tensor:
        if axis is None and keepdims is False and not numpy_options:  # of everything: the op's defaults
            return apply1(ops.mean, self)
        return ops.mean(self, axis, keepdims, **numpy_options)

    def max(self, axis: Any = None, keepdims: bool = False, **numpy_options: Any) -> Tensor:
        return ops.max(self, axis, keepdims, **numpy_options)

    def min(self, axis: Any = None, keepdims: bool = False, **numpy_options: Any) -> Tensor:
        return ops.min(self, axis, keepdims, **numpy_options)

    def prod(self, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
             **numpy_options: Any) -> Tensor:
        return ops.prod(self, axis, dtype, out, keepdims, **numpy_options)

    def var(self, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0, keepdims: bool = False,
            **numpy_options: Any) -> Tensor:
        return ops.var(self, axis, dtype, out, ddof, keepdims, **numpy_options)

    def std(self, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0, keepdims: bool = False,
            **numpy_options: Any) -> Tensor:
        return ops.std(self, axis, dtype, out, ddof, keepdims, **numpy_options)

    def cumsum(self, axis: Any = None, dtype: Any = None, out: Any = None) -> Tensor:
        return ops.cumsum(self, axis, dtype, out)

    def cumprod(self, axis: Any = None, dtype: Any = None, out: Any = None) -> Tensor:
        return ops.cumprod(self, axis, dtype, out)

    def clip(self, min: Any = None, max: Any = None, out: Any = None, **numpy_options: Any) -> Tensor:
        return ops.clip(self, min, max, out, **numpy_options)

    def round(self, decimals: int = 0, out: Any = None) -> Tensor:
        return ops.round(self, decimals, out)

    def argmax(self, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Array:
        """Indices of the maxima: a numpy integer array, not a Tensor (indices have no gradient)."""
        reject_numpy_options("argmax", {"out": out})
        return np.argmax(self.data, axis=axis, keepdims=keepdims)

    def argmin(self, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Array:
        """Indices of the minima: a numpy integer array, not a Tensor (indices have no gradient)."""
        reject_numpy_options("argmin", {"out": out})
        return np.argmin(self.data, axis=axis, keepdims=keepdims)

    def logsumexp(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.logsumexp(self, axis, keepdims)

    def softmax(self, axis: int = -1) -> Tensor:
        return ops.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return ops.log_softmax(self, axis)

    def reshape(self, *shape: Any, **numpy_options: Any) -> Tensor:
        return ops.reshape(self, *shape, **numpy_options)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            return ops.transpose(self, axes[0])
        return ops.transpose(self, axes or None)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        return ops.swapaxes(self, axis1, axis2)

    def broadcast_to(self, shape: Any) -> Tensor:
        return ops.broadcast_to(self, shape)

    def dot(self, b: Any, out: Any = None) -> Tensor:
        return ops.dot(self, b, out)

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None) -> Tensor:
        return ops.trace(self, offset, axis1, axis2, dtype, out)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
        return ops.diagonal(self, offset, axis1, axis2)

    def squeeze(self, axis: Any = None) -> Tensor:
        return ops.squeeze(self, axis)

    def ravel(self, order: str = "C") -> Tensor:
        return ops.ravel(self, order)

    def flatten(self, order: str = "C") -> Tensor:
        """The elements as a 1-d tensor (numpy's flatten; the same op as ravel)."""
        return ops.ravel(self, order)

    def repeat(self, repeats: Any, axis: Any = None) -> Tensor:
        return ops.repeat(self, repeats, axis)

    def take(self, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Tensor:
        return ops.take(self, indices, axis, out, mode)

    # ----- numpy's protocol ----------------------------------------------------------------
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """np.exp(t), ndarray * t, ...: the differentiable op, a plain array for the
        comparisons and tests (np.greater, np.isnan, ...), or a TypeError."""
        if method == "__call__":
            op = _UFUNCS.get(ufunc)
            if op is not None and not kwargs:
                if len(inputs) == 2:  # ndarray ∘ Tensor: common in a training loop, one call shorter
                    return apply2(op, inputs[0], inputs[1])
                return op(*inputs)
            if ufunc in _CONSTANT_UFUNCS and "out" not in kwargs:
                return ufunc(*[engine.raw(x) for x in inputs], **kwargs)
        if kwargs.get("out") is not None:
            raise TypeError(
                f"numpy's {ufunc.__name__} cannot write a Tensor's result into an array (out=, or an in-place "
                "operator on a numpy array like a += t); write a = a + t instead")
        what = f"{ufunc.__name__}.{method}" if method != "__call__" else ufunc.__name__
        options = f" with {', '.join(kwargs)}=" if kwargs else ""
        raise TypeError(f"numpy's {what}{options} has no derivative in autodiff; use an autodiff function, "
                        f"or apply numpy to t.detach().data for plain values")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """np.sum(t), np.reshape(t, s), np.concatenate([t, u]), ...: the differentiable
        op; a few functions with no derivative (np.shape, np.argmax, ...) on the
        values; any other numpy function is a TypeError naming it."""
        op = _FUNCTIONS.get(func)
        if op is not None:
            return op(*args, **kwargs)
        plain = _VALUE_FUNCTIONS.get(func)
        if plain is not None:
            return func(*_values(args), **_values(kwargs))
        raise TypeError(
            f"numpy.{func.__name__} has no differentiable version in autodiff yet, so it would drop the graph; "
            f"use autodiff's functions, or call it on t.detach().data for plain values")


def _rebuild_leaf(data: Array, requires_grad: bool, name: str | None, grad: Any) -> Tensor:
    t = Tensor(data, requires_grad=requires_grad, name=name)
    t.grad = grad
    return t


def _values(x: Any) -> Any:
    """Tensors replaced by their numpy values, inside lists, tuples and dicts."""
    if isinstance(x, Node):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_values(v) for v in x)
    if isinstance(x, dict):
        return {k: _values(v) for k, v in x.items()}
    return x


# numpy -> op, read off the ops' ``numpy`` names (see autodiff.ops.numpy_table)
_NUMPY = ops.numpy_table()
_UFUNCS = {f: op for f, op in _NUMPY.items() if isinstance(f, np.ufunc)}
_FUNCTIONS = {f: op for f, op in _NUMPY.items() if not isinstance(f, np.ufunc)}
# Comparisons and tests: boolean results with no derivative, so they give plain arrays.
# (sign, floor, ceil, rint and trunc are ops with a zero gradient: they give Tensors.)
_CONSTANT_UFUNCS = frozenset({
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal, np.isfinite,
    np.isnan, np.isinf, np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.signbit})
# Functions of a tensor's values with no derivative (shapes, indices, tests): plain results.
_VALUE_FUNCTIONS = {f: True for f in (
    np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.nonzero, np.flatnonzero, np.count_nonzero,
    np.isclose, np.allclose, np.array_equal, np.array_equiv, np.may_share_memory, np.shares_memory,
    np.result_type, np.can_cast, np.min_scalar_type, np.iscomplexobj, np.isrealobj, np.array2string,
    np.array_repr, np.array_str)}

engine.node_class = Tensor  # the engine makes its nodes Tensors

__all__ = ["Tensor", "as_float_array", "reject_numpy_options"]
