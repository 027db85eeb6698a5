"""The Tensor and the reverse-mode engine.

A Tensor wraps a numpy array. An op applied to tensors that require a gradient
records a node: the output Tensor keeps the op (which knows its vector-Jacobian
product) and its inputs. ``backward`` then walks the graph once, from the output
to the leaves, applying the multivariate chain rule at every node:

    dL/d(input) = dL/d(output) · D(output)/D(input)      (a vector-Jacobian product)

and summing the contributions of every path (fan-out). Un-broadcasting, the sum
of a gradient back to the shape of an input that numpy broadcast, is done here,
once, for every op.
"""
from __future__ import annotations

from contextlib import contextmanager
from heapq import heappop, heappush
from itertools import count
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

Array = np.ndarray
FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
_next_sequence_number = count(1).__next__  # tensors are numbered as they are made
# dL/dL = 1, the seed of backward() on a scalar: shared, so read-only (no op writes into g)
_ONE = {dtype: np.ones((), dtype) for dtype in FLOAT_DTYPES}
for _one in _ONE.values():
    _one.flags.writeable = False


class _Mode:
    """Global switches: gradient recording and anomaly detection."""

    grad_enabled = True
    detect_anomaly = False


@contextmanager
def no_grad() -> Iterator[None]:
    """Ops run inside record no graph (for evaluation and parameter updates)."""
    previous, _Mode.grad_enabled = _Mode.grad_enabled, False
    try:
        yield
    finally:
        _Mode.grad_enabled = previous


@contextmanager
def enable_grad() -> Iterator[None]:
    """Record graphs again, even inside ``no_grad()``."""
    previous, _Mode.grad_enabled = _Mode.grad_enabled, True
    try:
        yield
    finally:
        _Mode.grad_enabled = previous


def is_grad_enabled() -> bool:
    return _Mode.grad_enabled


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise FloatingPointError naming the first op whose forward or backward
    turns finite numbers into NaN or inf."""
    previous, _Mode.detect_anomaly = _Mode.detect_anomaly, True
    try:
        yield
    finally:
        _Mode.detect_anomaly = previous


def _as_float_array(data: Any, dtype: Any = None, who: str = "Tensor") -> Array:
    """numpy array of float64 (default) or float32 (kept when given)."""
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


class Tensor:
    """A numpy array that remembers how it was computed.

    ``Tensor(data, requires_grad=False, dtype=None)``: float64 by default, float32
    kept when given, ints and bools converted to float64. A float ndarray is
    wrapped without a copy (as ``np.asarray`` does); no op ever writes into it.
    """

    __slots__ = ("data", "grad", "requires_grad", "_op", "_inputs", "_seq", "_retain_grad", "name", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None):
        if isinstance(data, Tensor):
            data = data.data
        self.data: Array = _as_float_array(data, dtype)
        self.grad: Any = None
        self.requires_grad = bool(requires_grad)
        self._op: Any = None
        self._inputs: tuple = ()
        self._seq = _next_sequence_number()
        self._retain_grad = False
        self.name = name

    @classmethod
    def _node(cls, data: Array, op: Any = None, inputs: tuple = ()) -> "Tensor":
        """Fast constructor for op outputs: no checks, no conversion."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t._op = op
        t._inputs = inputs
        t._retain_grad = False
        t.name = None
        t.requires_grad = op is not None
        t._seq = _next_sequence_number()
        return t

    # ----- array-like attributes -------------------------------------------------
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
        return self._op is None

    @property
    def op(self) -> Any:
        """The op that produced this tensor (None for a leaf)."""
        return self._op

    @property
    def inputs(self) -> tuple:
        """The op's inputs: Tensors, or numpy arrays and numbers for constants."""
        return self._inputs

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted, got shape {self.shape}")
        return self.data.item()

    def numpy(self) -> Array:
        return self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> "Tensor":
        """The same data, cut from the graph."""
        return Tensor._node(self.data)

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        if self._op is not None and not flag:
            raise RuntimeError("requires_grad_: only a leaf can be made not to require grad; use detach()")
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> "Tensor":
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        self._retain_grad = True
        return self

    def zero_grad(self) -> None:
        self.grad = None

    def astype(self, dtype: Any) -> "Tensor":
        from .functions import astype
        return astype(self, dtype)

    def __reduce__(self) -> tuple:
        """copy.copy, copy.deepcopy and pickle make a new leaf with the same data,
        requires_grad, name and grad, and a sequence number of its own (the
        engine tells tensors apart by it); the graph behind a tensor is not copied."""
        return _rebuild_leaf, (self.data, self.requires_grad, self.name, self.grad)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    __hash__ = object.__hash__

    def __array__(self, dtype: Any = None, copy: Any = None) -> Array:
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", precision=8)
        extras = []
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self._op is not None:
            extras.append(f"grad_fn=<{type(self._op).__name__}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return f"Tensor({body}{''.join(', ' + e for e in extras)})"

    # ----- backward -------------------------------------------------------------
    def backward(self, gradient: Any = None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``gradient`` is the upstream gradient dL/d(self); it may be omitted only
        when self is a scalar (then it is 1). With ``create_graph=True`` the
        backward pass is itself recorded, so ``.grad`` is a Tensor that can be
        differentiated again.
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
        else:
            gradient = _as_float_array(gradient.data if isinstance(gradient, Tensor) else gradient,
                                       self.data.dtype, who="backward")
            if gradient.shape != self.shape:
                raise ValueError(f"backward: gradient shape {gradient.shape} does not match the tensor's shape {self.shape}")
        backpropagate([self], [gradient], create_graph=create_graph, accumulate=True)

    # Operators and methods are attached in functions.py, next to the functions;
    # here they are declared for type checkers.
    if TYPE_CHECKING:
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __getitem__(self, key: Any) -> Tensor: ...
        def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def max(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def logsumexp(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        def softmax(self, axis: int = -1) -> Tensor: ...
        def log_softmax(self, axis: int = -1) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def transpose(self, *axes: Any) -> Tensor: ...
        def swapaxes(self, axis1: int, axis2: int) -> Tensor: ...
        def broadcast_to(self, shape: tuple) -> Tensor: ...
        @property
        def T(self) -> Tensor: ...
        @property
        def mT(self) -> Tensor: ...


def _rebuild_leaf(data: Array, requires_grad: bool, name: str | None, grad: Any) -> Tensor:
    t = Tensor(data, requires_grad=requires_grad, name=name)
    t.grad = grad
    return t


def raw(x: Any) -> Any:
    """The numpy value of a Tensor; anything else as it is (for masks and other
    piecewise constants in vjps, and for checks)."""
    return x.data if isinstance(x, Tensor) else x


def topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """Every tensor that requires grad and that the roots depend on, inputs
    before the ops that use them: the leaves first, in the order they were
    found, then the op outputs in the order they were made (an op's output is
    always made after its inputs). Iterative: a chain of 100,000 ops is fine.
    (``backpropagate`` does not need the whole list: it walks the same order
    with a heap.)
    """
    seen = {id(r): r for r in roots if r.requires_grad}
    stack = list(seen.values())
    while stack:
        for x in stack.pop()._inputs:
            if isinstance(x, Tensor) and x.requires_grad and id(x) not in seen:
                seen[id(x)] = x
                stack.append(x)
    return sorted(seen.values(), key=_made_after_leaves)


def _made_after_leaves(t: Tensor) -> int:
    return 0 if t._op is None else t._seq


def unbroadcast(grad: Any, shape: tuple) -> Any:
    """Sum a gradient back to the shape of an input that numpy broadcast.

    Broadcasting copies an input along new leading axes and along its axes of
    length 1; the chain rule adds up the gradients of all the copies.
    """
    if not shape:  # a scalar input (a bias, a factor): the sum of every element
        return grad.sum()
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    if axes:
        grad = grad.sum(axis=axes)
    return grad.reshape(shape) if grad.shape != shape else grad


def backpropagate(roots: Sequence[Tensor], root_grads: Sequence[Any], *, create_graph: bool = False,
                  accumulate: bool = True, wrt: Sequence[Tensor] = ()) -> list[Any]:
    """The reverse pass: the multivariate chain rule, node by node from the
    roots to the leaves. Returns the gradients of ``wrt`` (None where unreached).

    ``accumulate``: add the gradients into the leaves' ``.grad`` (``backward``);
    the functional transforms pass False and read the result instead.
    With ``create_graph`` the vjps run on Tensors, so the pass is itself recorded.

    The order: a tensor is always made after its inputs, so its sequence number
    is larger. Taking the waiting tensor with the largest number next (a heap)
    means that every op using a tensor has already sent it its share of the
    gradient: the sum over all paths is complete when the tensor's own vjp runs.
    One pass, no recursion and no separate sort, so a chain of 100,000 ops is fine.
    """
    wanted = {t._seq: i for i, t in enumerate(wrt)} if wrt else None
    found: list[Any] = [None] * len(wrt)
    grads: dict[int, Any] = {}       # sequence number -> dL/d(tensor), summed over the paths so far
    waiting: dict[int, Tensor] = {}  # sequence number -> tensor whose gradient is being summed
    heap: list[int] = []             # minus the sequence numbers of the waiting tensors
    for root, g in zip(roots, root_grads):
        if not root.requires_grad:
            continue
        if create_graph and type(g) is not Tensor:
            g = Tensor._node(g)
        key = root._seq
        if key in grads:
            grads[key] = grads[key] + g
        else:
            grads[key] = g
            waiting[key] = root
            heappush(heap, -key)
    anomaly = _Mode.detect_anomaly
    previous_mode, _Mode.grad_enabled = _Mode.grad_enabled, create_graph
    try:
        while heap:
            key = -heappop(heap)
            node = waiting.pop(key)
            g = grads.pop(key)
            if wanted is not None and key in wanted:
                found[wanted[key]] = g
            op = node._op
            if op is None or node._retain_grad:
                if accumulate:
                    _accumulate_grad(node, g, create_graph)
                if op is None:
                    continue
            inputs = node._inputs
            if create_graph:
                input_grads = op.vjp(g, node, *inputs)
            else:
                input_grads = op.vjp(g, node.data, *op.args)
            for x, needed, gx in zip(inputs, op.needs, input_grads):
                if not needed or gx is None:
                    continue
                xdata = x.data
                if gx.shape != xdata.shape:
                    gx = unbroadcast(gx, xdata.shape)
                if not create_graph and gx.dtype is not xdata.dtype:
                    gx = gx.astype(xdata.dtype, copy=False)
                if anomaly:
                    _check_backward(op, g, gx)
                key = x._seq
                if key in grads:
                    grads[key] = grads[key] + gx
                else:
                    grads[key] = gx
                    waiting[key] = x
                    heappush(heap, -key)
    finally:
        _Mode.grad_enabled = previous_mode
    return found


def _accumulate_grad(leaf: Tensor, g: Any, create_graph: bool) -> None:
    if create_graph:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
    elif leaf.grad is None:  # an owned, writable copy: g may be shared with another input
        leaf.grad = g.copy() if type(g) is np.ndarray else np.array(g, dtype=leaf.data.dtype)
    else:
        leaf.grad = leaf.grad + raw(g)


def _all_finite(x: Any) -> bool:
    return bool(np.all(np.isfinite(raw(x))))


def _check_backward(op: Any, upstream: Any, result: Any) -> None:
    if not _all_finite(result) and _all_finite(upstream):
        raise FloatingPointError(
            f"detect_anomaly: the backward of {type(op).__name__} produced NaN or inf "
            f"from a finite upstream gradient")


def check_forward(op: Any, inputs: Sequence[Any], out: Array) -> None:
    if not _all_finite(out) and all(_all_finite(x) for x in inputs):
        raise FloatingPointError(
            f"detect_anomaly: the forward of {type(op).__name__} produced NaN or inf "
            f"from finite inputs of shapes {[np.shape(raw(x)) for x in inputs]}")
