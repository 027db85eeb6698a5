"""What every op is: a class holding its formula, its forward and its
vector-Jacobian product, and naming the numpy functions it implements.

An op object is stateless: one instance serves every call (``ops.exp`` is the
``Exp`` op, and also the public function ``autodiff.exp``). What one call needs
for its backward is kept on the output node, the ``ctx`` that ``forward`` and
``vjp`` receive:

- ``ctx.needs[i]``: whether input i wants a gradient (skip the work otherwise);
- ``ctx.saved``: whatever ``forward`` stored there (an axis, a cache).

``forward(ctx, *arrays, **params)`` computes the output from numpy arrays.
``vjp(ctx, g, out, *inputs)`` receives the upstream gradient ``g`` = dL/d(out)
and returns dL/d(input) for each input (None for an input that needs none):

    dL/dx_j = Σ_i g_i · ∂out_i/∂x_j        (gᵀ·J, the chain rule for one node)

The vjp is written with numpy functions and methods only, so the same code runs
on numpy arrays (a plain backward: fast) and on Tensors (``create_graph=True``:
every numpy call dispatches to a differentiable op), which is what makes
gradients of gradients, Hessians and JVPs work. It never writes into ``g``, the
inputs or ``out``, and may return gradients of the broadcast shape: the engine
sums them back to each input's shape.

An op may add ``plain_vjp``, a faster kernel for the plain pass only (it may
reuse numpy values from ``ctx.saved``, and write into arrays it made). That is
just an optimization: the registry tests check it against ``vjp``.
"""
from __future__ import annotations

from types import BuiltinFunctionType
from typing import Any

import numpy as np

from ..engine import FLOAT_DTYPES, READS_ALL, READS_NONE, READS_OTHER, Node, apply, apply1, apply2, lift, raw, sum_rows

__all__ = ["INSTANCES", "Op", "rows_along", "short_rows", "sum_rows", "SHORT_AXIS", "MANY_ROWS", "READS_ALL", "READS_NONE", "READS_OTHER", "apply", "lift", "raw", "check_axis", "reduced_shape", "broadcast_to_shape", "OP_CLASSES",
           "reject_numpy_options", "inside_vjp", "NUMPY_COMPOSITES", "numpy_composite"]

OP_CLASSES: list[type] = []  # every Op subclass, in the order defined (the registry test reads it)
INSTANCES: dict[type, "Op"] = {}  # the first instance of each op class: the one the functions use
# numpy functions that give several tensors (np.split): functions made of ops, by numpy name
NUMPY_COMPOSITES: dict[str, Any] = {}


def numpy_composite(*names: str) -> Any:
    """Decorator: numpy's functions ``names`` (dotted below numpy) dispatch to the
    decorated function, which applies ops (for results that no single op gives)."""
    def register(function: Any) -> Any:
        for name in names:
            NUMPY_COMPOSITES[name] = function
        return function
    return register


class Op:
    """Base class of the ops. Subclasses set:

    ``name``: the op's name (errors, graphs, the registry);
    ``numpy``: the names of the numpy functions or ufuncs it implements
    (``np.exp(t)`` dispatches to it);
    ``method``: the name of the Tensor method that applies it, if any;
    ``symbol``: for the binary operators, how errors write the operation.
    The docstring's first line is the formula that ``explain`` shows.
    """

    name = "op"
    numpy: tuple[str, ...] = ()
    method: str | None = None
    symbol = ""
    local: str | tuple[str, ...] = ""  # the local derivative as the lecture writes it (explain shows it)
    # Which input values the vjp reads (engine.READS_ALL, _OTHER or _NONE): the
    # engine holds read-only, until backward, only the outside arrays it reads.
    # The registry tests check the claim: a vjp gives the same gradients with
    # the inputs it says it does not read replaced by other values.
    reads = READS_ALL
    reads_out = True  # whether the vjp reads the output's value (made read-only when it does)
    # The built-in function that is the whole forward, when one is: a numpy ufunc
    # (np.exp), or Python's operator (operator.mul: numpy's multiply on arrays,
    # and numpy's much cheaper scalar arithmetic on 0-d values). forward is then
    # that function of the input values, and the engine calls it directly, one
    # Python call fewer per op (just an optimization).
    kernel: Any = None
    engine_reads: tuple = (kernel, reads, reads_out)  # made again for each subclass, below

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "plain_vjp" not in cls.__dict__:  # one vjp serves both passes unless a fast kernel is given
            cls.plain_vjp = cls.vjp  # type: ignore[method-assign]
        if "kernel" in cls.__dict__:
            if not isinstance(cls.kernel, (np.ufunc, BuiltinFunctionType)) or "forward" in cls.__dict__:
                raise TypeError(f"{cls.__name__}: kernel must be a numpy ufunc or a built-in function "
                                "(from operator), given instead of a forward method")
            cls.forward = _kernel_forward  # type: ignore[method-assign]
        # what apply1 and apply2 read on every call, in one attribute (one lookup, not three)
        cls.engine_reads = (cls.kernel, cls.reads, cls.reads_out)
        OP_CLASSES.append(cls)

    def __init__(self) -> None:
        INSTANCES.setdefault(type(self), self)

    def __call__(self, *inputs: Any) -> Any:
        """Apply the op to Tensors, numpy arrays or numbers (the public function)."""
        if len(inputs) == 1:  # apply1 and apply2 lift constants themselves
            return apply1(self, inputs[0])
        if len(inputs) == 2:
            return apply2(self, inputs[0], inputs[1])
        return apply(self, *[lift(x, self.name) for x in inputs])

    def forward(self, ctx: Node, *arrays: Any, **params: Any) -> np.ndarray:
        raise NotImplementedError

    def vjp(self, ctx: Node, g: Any, out: Any, *inputs: Any) -> tuple:
        raise NotImplementedError

    plain_vjp = vjp

    @property
    def __name__(self) -> str:  # the op serves as a function: autodiff.exp.__name__ == "exp"
        return self.name

    @property
    def formula(self) -> str:
        """The formula and its local derivative (the docstring's first line)."""
        return (type(self).__doc__ or self.name).strip().splitlines()[0]

    def __repr__(self) -> str:
        return f"<op {self.name}>"

    def __reduce__(self) -> Any:  # ops pickle by name, as the module-level instances they are
        return self.name


def _kernel_forward(self: Op, ctx: Node, *arrays: Any) -> Any:
    """The forward of an op that names its kernel: the kernel on the input values."""
    return self.kernel(*arrays)


def inside_vjp(op: Op, x: Any, *args: Any, **kwargs: Any) -> Any:
    """``op(x)`` for use inside a vjp: a Tensor for a Tensor (recorded under
    create_graph), a numpy array for a numpy array (a plain pass)."""
    out = op(x, *args, **kwargs)
    return out if isinstance(x, Node) else out.data


def reject_numpy_options(who: str, options: dict) -> None:
    """numpy's extra arguments (out=, dtype=, where=, ...) have no meaning on a graph."""
    given = [k for k, v in options.items() if v is not None and not (k == "where" and v is True)]
    if given:
        raise TypeError(f"{who}: {', '.join(f'{k}=' for k in given)} not supported on a Tensor "
                        f"(apply numpy to tensor.detach().data for a plain array)")


def reduced_shape(shape: tuple, axis: Any) -> tuple:
    """The keepdims shape of a reduction of ``shape`` over ``axis``."""
    if axis is None:
        return (1,) * len(shape)
    if type(axis) is int and 0 <= axis < len(shape):  # one axis, as check_axis leaves it
        return shape[:axis] + (1,) + shape[axis + 1:]
    reduced = {a % len(shape) for a in (axis if isinstance(axis, tuple) else (axis,))}
    return tuple(1 if i in reduced else n for i, n in enumerate(shape))


def broadcast_to_shape(g: Any, shape: tuple) -> Any:
    """``g`` broadcast to ``shape``, for arrays and Tensors alike."""
    if isinstance(g, Node):
        from .shape import broadcast_to
        return broadcast_to(g, shape)
    out = np.empty(shape, dtype=g.dtype)  # faster than np.broadcast_to + copy for small arrays
    out[...] = g
    return out


def check_axis(who: str, ndim: int, axis: Any) -> Any:
    """Normalise an axis argument (an int or a tuple), with an error that names the op.
    On a 0-d tensor, axis 0 or -1 reduces nothing (as PyTorch allows)."""
    if axis is None:
        return None
    if type(axis) is int and 0 < ndim and -ndim <= axis < ndim:  # the common case, checked first
        return axis % ndim
    if isinstance(axis, list):
        axis = tuple(axis)
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{who}: axis must be an int or a tuple of ints, got {a!r}")
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"{who}: axis {a} is out of range for a tensor with {ndim} dimensions")
    if ndim == 0:
        return None
    if len({int(a) % ndim for a in axes}) != len(axes):
        raise ValueError(f"{who}: repeated axis in {axis}")
    return tuple(int(a) % ndim for a in axes) if isinstance(axis, tuple) else int(axis) % ndim


# Reducing a short last axis: numpy reduces each short row on its own (the max
# of 128 × 10 floats takes 6 µs), while the same reduction over the first axis
# of the transpose, made contiguous, is a few elementwise passes over long rows
# (2.4 µs, the copy included). Measured faster up to 16 columns from 64 rows on.
SHORT_AXIS, MANY_ROWS = 16, 64


def rows_along(x: Any, axis: Any) -> Any:
    """The transpose of ``x`` as a contiguous copy of its own (which the caller
    may write into), when ``axis`` is the short last axis of a 2-D array of many
    rows; else None. Reducing it over axis 0 gives the reduction of ``x`` over its
    last axis, only faster: just an optimization. (Always a copy: for a single
    column, ``np.ascontiguousarray(x.T)`` would be a view of ``x`` itself.)"""
    if axis == 1 and type(x) is np.ndarray and x.ndim == 2 and x.shape[1] <= SHORT_AXIS and x.shape[0] >= MANY_ROWS:
        return x.T.copy()
    return None


def short_rows(x: Any, axis: Any) -> bool:
    """Whether ``axis`` is the short last axis of a 2-D float array, whose sums
    ``sum_rows`` takes as one matrix-vector product (just an optimization)."""
    return axis == 1 and type(x) is np.ndarray and x.ndim == 2 and x.shape[1] <= SHORT_AXIS \
        and x.dtype in FLOAT_DTYPES
