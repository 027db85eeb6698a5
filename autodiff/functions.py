"""The public functions: every op as ``autodiff.<name>(...)`` and as a Tensor
method or operator. Arguments may be Tensors, numpy arrays or Python numbers."""
from __future__ import annotations

import math
import operator
from typing import Any, Callable

import numpy as np

from .ops import arithmetic as A
from .ops import elementwise as E
from .ops import losses as L
from .ops import reductions as R
from .ops import shape as S
from .ops import softmax as SM
from .ops.base import apply, check_axis, lift
from .tensor import Tensor

TensorLike = Any  # a Tensor, a numpy array, or a number


def _tensor(x: TensorLike, who: str) -> Any:
    if type(x) is Tensor:
        return x
    x = lift(x, who)
    return x if isinstance(x, Tensor) else Tensor(x)


# ----- arithmetic -----------------------------------------------------------------
def add(x: TensorLike, y: TensorLike) -> Tensor:
    return apply(A.Add(), lift(x, "add"), lift(y, "add"))


def sub(x: TensorLike, y: TensorLike) -> Tensor:
    return apply(A.Sub(), lift(x, "sub"), lift(y, "sub"))


def mul(x: TensorLike, y: TensorLike) -> Tensor:
    return apply(A.Mul(), lift(x, "mul"), lift(y, "mul"))


def div(x: TensorLike, y: TensorLike) -> Tensor:
    return apply(A.Div(), lift(x, "div"), lift(y, "div"))


def pow(x: TensorLike, y: TensorLike) -> Tensor:  # noqa: A001 - mirrors operator.pow
    return apply(A.Pow(), lift(x, "pow"), lift(y, "pow"))


def neg(x: TensorLike) -> Tensor:
    return apply(A.Neg(), _tensor(x, "neg"))


def matmul(x: TensorLike, y: TensorLike) -> Tensor:
    return apply(A.MatMul(), lift(x, "matmul"), lift(y, "matmul"))


# ----- elementwise ----------------------------------------------------------------
def exp(x: TensorLike) -> Tensor:
    return apply(E.Exp(), _tensor(x, "exp"))


def log(x: TensorLike) -> Tensor:
    return apply(E.Log(), _tensor(x, "log"))


def sigmoid(x: TensorLike) -> Tensor:
    return apply(E.Sigmoid(), _tensor(x, "sigmoid"))


def tanh(x: TensorLike) -> Tensor:
    return apply(E.Tanh(), _tensor(x, "tanh"))


def relu(x: TensorLike) -> Tensor:
    return apply(E.Relu(), _tensor(x, "relu"))


def sin(x: TensorLike) -> Tensor:
    return apply(E.Sin(), _tensor(x, "sin"))


def cos(x: TensorLike) -> Tensor:
    return apply(E.Cos(), _tensor(x, "cos"))


def sqrt(x: TensorLike) -> Tensor:
    return apply(E.Sqrt(), _tensor(x, "sqrt"))


def abs(x: TensorLike) -> Tensor:  # noqa: A001 - mirrors numpy.abs
    return apply(E.Abs(), _tensor(x, "abs"))


def astype(x: TensorLike, dtype: Any) -> Tensor:
    x = _tensor(x, "astype")
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"astype: dtype must be float32 or float64, got {np.dtype(dtype)}")
    return apply(E.AsType(dtype), x)


# ----- reductions -----------------------------------------------------------------
def sum(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    x = _tensor(x, "sum")
    return apply(R.Sum(check_axis("sum", x.ndim, axis), keepdims), x)


def mean(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _tensor(x, "mean")
    return apply(R.Mean(check_axis("mean", x.ndim, axis), keepdims), x)


def max(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    x = _tensor(x, "max")
    return apply(R.Max(check_axis("max", x.ndim, axis), keepdims), x)


def logsumexp(x: TensorLike, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _tensor(x, "logsumexp")
    return apply(R.LogSumExp(check_axis("logsumexp", x.ndim, axis), keepdims), x)


# ----- shapes -----------------------------------------------------------------------
def reshape(x: TensorLike, *shape: Any) -> Tensor:
    x = _tensor(x, "reshape")
    new_shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return apply(S.Reshape(tuple(new_shape)), x)


def transpose(x: TensorLike, axes: Any = None) -> Tensor:
    x = _tensor(x, "transpose")
    if axes is not None and sorted(a % (x.ndim or 1) for a in axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {tuple(axes)} are not a permutation of the {x.ndim} axes of shape {x.shape}")
    return apply(S.Transpose(None if axes is None else tuple(axes)), x)


def swapaxes(x: TensorLike, axis1: int, axis2: int) -> Tensor:
    x = _tensor(x, "swapaxes")
    axes = list(range(x.ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return apply(S.Transpose(tuple(axes)), x)


def broadcast_to(x: TensorLike, shape: tuple) -> Tensor:
    return apply(S.BroadcastTo(shape), _tensor(x, "broadcast_to"))


def _index_key(key: Any) -> Any:
    """Tensors and lists in an index become numpy arrays."""
    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if isinstance(key, Tensor):
        key = key.data
    if isinstance(key, list):
        key = np.asarray(key)
    if isinstance(key, np.ndarray) and key.dtype.kind == "f":
        if not np.all(key == np.round(key)):
            raise IndexError("getitem: float indices must hold whole numbers")
        key = key.astype(np.intp)
    return key


def getitem(x: TensorLike, key: Any) -> Tensor:
    return apply(S.GetItem(_index_key(key)), _tensor(x, "getitem"))


# ----- softmax --------------------------------------------------------------------------
def softmax(x: TensorLike, axis: int = -1) -> Tensor:
    x = _tensor(x, "softmax")
    return apply(SM.Softmax(check_axis("softmax", x.ndim, axis)), x)


def log_softmax(x: TensorLike, axis: int = -1) -> Tensor:
    x = _tensor(x, "log_softmax")
    return apply(SM.LogSoftmax(check_axis("log_softmax", x.ndim, axis)), x)


# ----- losses ---------------------------------------------------------------------------
def _check_finite(who: str, what: str, x: Any) -> None:
    if not np.all(np.isfinite(x)):
        bad = np.argwhere(~np.isfinite(np.asarray(x)))[0]
        raise ValueError(f"{who}: {what} holds {np.asarray(x)[tuple(bad)]} at index {tuple(bad.tolist())}")


def _finite_or_explained(op: Any, args: tuple, who: str, **inputs: Any) -> Tensor:
    """The fused losses are finite for finite inputs, so the inputs are searched
    for the NaN or inf (to name it) only when the loss is not: no cost otherwise."""
    with np.errstate(invalid="ignore", over="ignore"):
        out = apply(op, *args)
    value = out.data
    if not (math.isfinite(value) if value.ndim == 0 else np.isfinite(value).all()):
        for what, x in inputs.items():
            _check_finite(who, what, x.data if isinstance(x, Tensor) else x)
    return out


def _check_unit_interval(who: str, what: str, x: Any) -> None:
    _check_finite(who, what, x)
    if x.size and (x.min() < 0 or x.max() > 1):
        bad = np.argwhere((x < 0) | (x > 1))[0]
        raise ValueError(f"{who}: {what} must lie in [0, 1]; found {x[tuple(bad)]} at index {tuple(bad.tolist())}")


def _same_shape(who: str, input: Any, target: Any) -> None:
    if type(target) is np.ndarray and target.shape == input.shape:  # the common case, no np.shape calls
        return
    if np.shape(input) != np.shape(target):
        raise ValueError(
            f"{who}: input shape {np.shape(input)} and target shape {np.shape(target)} differ "
            "(they are not broadcast: (m, 1) against (m,) would silently compare every pair)")


def binary_cross_entropy(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Mean of −[y log p + (1 − y) log(1 − p)] for probabilities p = ``input`` and
    targets y = ``target`` in [0, 1], in PyTorch's (input, target) order."""
    p, y = _tensor(input, "binary_cross_entropy"), lift(target, "binary_cross_entropy")
    _same_shape("binary_cross_entropy", p.data, y.data if isinstance(y, Tensor) else y)
    _check_unit_interval("binary_cross_entropy", "input probabilities", p.data)
    _check_unit_interval("binary_cross_entropy", "targets", np.asarray(y.data if isinstance(y, Tensor) else y))
    return apply(L.BinaryCrossEntropy(reduction), p, y)


def binary_cross_entropy_with_logits(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Mean of −[y log σ(z) + (1 − y) log(1 − σ(z))] for logits z = ``input``, fused
    and stable; its gradient is the lecture's (σ(z) − y)/m."""
    who = "binary_cross_entropy_with_logits"
    z, y = _tensor(input, who), lift(target, who)
    y_data = y.data if type(y) is Tensor else y
    _same_shape(who, z.data, y_data)
    return _finite_or_explained(L.BinaryCrossEntropyWithLogits(reduction), (z, y), who, logits=z, targets=y_data)


def _labels(who: str, target: Any, n_classes: int) -> np.ndarray | None:
    """Integer class labels from ``target``, or None when it is a probability table."""
    values = target.data if isinstance(target, Tensor) else np.asarray(target)
    if values.dtype.kind == "f":
        if not np.all(np.isfinite(values)):
            _check_finite(who, "target", values)
        if not np.all(values == np.round(values)):
            return None
    elif values.dtype.kind not in "biu":
        raise TypeError(f"{who}: target must be integer labels or a float table, got dtype {values.dtype}")
    labels = values.astype(np.intp, copy=False)
    # one reduction instead of two: seen as unsigned, a negative label is huge
    if labels.size and labels.view(np.uintp).max() >= n_classes:
        bad = np.flatnonzero((labels < 0) | (labels >= n_classes))[0]
        raise ValueError(f"{who}: label {values[bad]} at index {bad} is not a class in 0..{n_classes - 1}")
    return labels


def cross_entropy(input: TensorLike, target: TensorLike, reduction: str = "mean") -> Tensor:
    """Mean over rows of −Σ_k Y_k log softmax(z)_k for logits z = ``input`` of shape
    (m, K) and ``target`` either integer labels (m,) or probability rows (m, K)
    (e.g. one-hot), fused and stable; its gradient is the lecture's (P − Y)/m."""
    who = "cross_entropy"
    z = _tensor(input, who)
    if z.ndim == 1:
        z = z.reshape(1, -1)
        target = np.asarray(target.data if isinstance(target, Tensor) else target)[None]
        if reduction == "none":
            return cross_entropy(z, target, reduction).reshape(())
    if z.ndim != 2:
        raise ValueError(f"{who}: logits must have shape (m, K) or (K,), got {z.shape}")
    m, k = z.shape
    t_shape = np.shape(target.data if isinstance(target, Tensor) else target)
    if t_shape == (m,):
        labels = _labels(who, target, k)
        if labels is not None:
            return _finite_or_explained(L.CrossEntropy(labels, reduction), (z,), who, logits=z)
        values = np.asarray(target.data if isinstance(target, Tensor) else target)
        bad = np.flatnonzero(values != np.round(values))[0]
        raise ValueError(f"{who}: float labels must be whole numbers; found {values[bad]} at index {bad}")
    if t_shape != (m, k):
        raise ValueError(
            f"{who}: target of shape {t_shape} fits neither integer labels of shape {(m,)} "
            f"nor probability rows (one-hot) of shape {(m, k)} for logits of shape {(m, k)}")
    target = lift(target, who)
    return _finite_or_explained(L.CrossEntropy(None, reduction), (z, target), who, logits=z, target=target)


# ----- Tensor methods and operators -------------------------------------------------------
def _operators(op_class: Any, who: str) -> tuple[Callable, Callable]:
    """``self ∘ other`` and ``other ∘ self`` for a binary op: the same as the
    function, one call shorter (self is already a Tensor)."""
    def operator(self: Tensor, other: Any) -> Tensor:
        return apply(op_class(), self, lift(other, who))

    def reflected(self: Tensor, other: Any) -> Tensor:
        return apply(op_class(), lift(other, who), self)
    return operator, reflected


# The binary ops: Python's operator name, the op class, the name errors use, numpy's ufunc.
_BINARY_OPS = (("add", A.Add, "add", np.add), ("sub", A.Sub, "sub", np.subtract),
               ("mul", A.Mul, "mul", np.multiply), ("truediv", A.Div, "div", np.true_divide),
               ("pow", A.Pow, "pow", np.power), ("matmul", A.MatMul, "matmul", np.matmul))

_METHODS: dict[str, Any] = {"__neg__": lambda self: apply(A.Neg(), self)}
for _name, _op_class, _who, _ in _BINARY_OPS:
    _METHODS[f"__{_name}__"], _METHODS[f"__r{_name}__"] = _operators(_op_class, _who)
_METHODS.update({
    "__pos__": lambda self: self, "__abs__": abs, "__getitem__": getitem,
    "exp": exp, "log": log, "sigmoid": sigmoid, "tanh": tanh, "relu": relu,
    "sin": sin, "cos": cos, "sqrt": sqrt, "abs": abs,
    "logsumexp": logsumexp,
    "softmax": softmax, "log_softmax": log_softmax,
    "swapaxes": swapaxes, "broadcast_to": broadcast_to,
})
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)


def _reduction_method(fn):
    def method(self: Tensor, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
               **unused: Any) -> Tensor:
        """Also what np.sum(t), np.mean(t) and np.max(t) call, with dtype and out."""
        if out is not None or dtype is not None or unused:
            raise TypeError(f"{fn.__name__}: only axis= and keepdims= are supported on a Tensor")
        return fn(self, axis=axis, keepdims=keepdims)
    method.__name__ = fn.__name__
    return method


for _fn in (sum, mean, max):
    setattr(Tensor, _fn.__name__, _reduction_method(_fn))


def _reshape_method(self: Tensor, *shape: Any) -> Tensor:
    return reshape(self, *shape)


def _transpose_method(self: Tensor, *axes: Any) -> Tensor:
    order = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
    return transpose(self, order or None)


setattr(Tensor, "reshape", _reshape_method)
setattr(Tensor, "transpose", _transpose_method)
setattr(Tensor, "T", property(lambda self: transpose(self)))
setattr(Tensor, "mT", property(lambda self: swapaxes(self, -1, -2)))


def _compare(op: Any) -> Any:
    def compare(self: Tensor, other: Any) -> np.ndarray:
        """Comparisons are not differentiable: they return a numpy bool array."""
        return op(self.data, other.data if isinstance(other, Tensor) else other)
    return compare


for _name in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"):
    setattr(Tensor, _name, _compare(getattr(operator, _name)))

# numpy functions called on Tensors (np.exp(t), ndarray @ t, and every vjp under
# create_graph) dispatch here to the differentiable op. The binary ones go
# straight to the op class: ndarray ∘ Tensor is common and one call shorter so.
_BINARY_UFUNCS: dict[Any, tuple[Any, str]] = {ufunc: (op_class, who) for _, op_class, who, ufunc in _BINARY_OPS}
_UNARY_UFUNCS: dict[Any, Callable[[Any], Tensor]] = {
    np.negative: neg, np.exp: exp, np.log: log, np.tanh: tanh,
    np.sin: sin, np.cos: cos, np.sqrt: sqrt, np.absolute: abs,
}
# Piecewise-constant functions: their derivative is 0, so they give plain arrays.
_CONSTANT_UFUNCS = {np.sign, np.greater, np.greater_equal, np.less, np.less_equal, np.equal,
                    np.not_equal, np.isfinite, np.isnan, np.isinf, np.floor, np.ceil, np.rint,
                    np.logical_and, np.logical_or, np.logical_not}


def _array_ufunc(self: Tensor, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    if method == "__call__" and not kwargs:
        if ufunc in _BINARY_UFUNCS and len(inputs) == 2:
            op_class, who = _BINARY_UFUNCS[ufunc]
            return apply(op_class(), lift(inputs[0], who), lift(inputs[1], who))
        if ufunc in _UNARY_UFUNCS and len(inputs) == 1:
            return _UNARY_UFUNCS[ufunc](inputs[0])
        if ufunc in _CONSTANT_UFUNCS:
            return ufunc(*[x.data if isinstance(x, Tensor) else x for x in inputs])
    raise TypeError(
        f"numpy's {ufunc.__name__} ({method}{', with ' + ', '.join(kwargs) if kwargs else ''}) has no "
        "derivative in autodiff; use the autodiff function, or apply it to tensor.data")


setattr(Tensor, "__array_ufunc__", _array_ufunc)
