"""Tensors made from nothing: zeros, ones, full, arange, linspace, eye, rand,
randn and the ``*_like`` versions.

Each takes ``dtype`` (float64 by default, float32 allowed) and
``requires_grad`` (the result is a leaf). The random ones take ``rng``: a
numpy ``Generator``, an int seed, or None for fresh entropy, so that a run
can be repeated exactly.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .engine import FLOAT_DTYPES, Node
from .tensor import Tensor

__all__ = ["zeros", "ones", "full", "arange", "linspace", "eye", "rand", "randn", "zeros_like", "ones_like",
           "full_like", "rand_like", "randn_like"]


def _dtype(who: str, dtype: Any, default: Any = np.float64) -> np.dtype:
    dtype = np.dtype(default if dtype is None else dtype)
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"{who}: dtype must be float32 or float64, got {dtype}")
    return dtype


def _shape(who: str, shape: Any) -> tuple:
    """A shape as a tuple of non-negative ints: an int, or a sequence of ints."""
    parts = (shape,) if isinstance(shape, (int, np.integer)) else shape
    try:
        dims = tuple(operator.index(n) for n in parts)
    except TypeError:
        raise TypeError(f"{who}: shape must be an int or a sequence of ints, got {shape!r}") from None
    if any(isinstance(n, bool) for n in parts) or any(n < 0 for n in dims):
        raise ValueError(f"{who}: shape must hold non-negative ints, got {shape!r}")
    return dims


def _leaf(values: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(values, requires_grad=requires_grad)


def zeros(shape: Any, dtype: Any = None, *, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (numpy's ``zeros(shape, dtype)``)."""
    return _leaf(np.zeros(_shape("zeros", shape), _dtype("zeros", dtype)), requires_grad)


def ones(shape: Any, dtype: Any = None, *, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return _leaf(np.ones(_shape("ones", shape), _dtype("ones", dtype)), requires_grad)


def full(shape: Any, fill_value: Any, dtype: Any = None, *, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (a number, or an array broadcast to the shape)."""
    values = np.asarray(fill_value.data if isinstance(fill_value, Node) else fill_value)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"full: fill_value must be numeric, got {fill_value!r}")
    out = np.empty(_shape("full", shape), _dtype("full", dtype))
    try:
        out[...] = values
    except ValueError:
        raise ValueError(f"full: fill_value of shape {values.shape} does not broadcast to shape {out.shape}") from None
    return _leaf(out, requires_grad)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None, *, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop) (numpy's arange; ``arange(n)`` is 0..n−1), as floats."""
    if stop is None:
        start, stop = 0, start
    for name, value in (("start", start), ("stop", stop), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"arange: {name} must be a real number, got {value!r}")
        if not np.isfinite(value):
            raise ValueError(f"arange: {name} must be finite, got {value!r}")
    if step == 0:
        raise ValueError("arange: step must not be zero")
    return _leaf(np.arange(start, stop, step, dtype=_dtype("arange", dtype)), requires_grad)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None, *,
             requires_grad: bool = False) -> Tensor:
    """``num`` evenly spaced values from start to stop (numpy's linspace).

    ``start`` and ``stop`` may be 0-d Tensors: the result is then computed from
    them by ops, start + i·(stop − start)/div (the last value is stop itself when
    ``endpoint``), so gradients flow back to them; it is not a leaf then.
    """
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"linspace: num must be non-negative, got {num}")
    dtype = _dtype("linspace", dtype)
    if not isinstance(start, Node) and not isinstance(stop, Node):
        return _leaf(np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype), requires_grad)
    if requires_grad:
        raise ValueError("linspace: requires_grad makes a new leaf, but with Tensor start or stop the result "
                         "is computed from them (and requires grad when they do)")
    for name, value in (("start", start), ("stop", stop)):
        if np.ndim(value.data if isinstance(value, Node) else value) != 0:
            raise ValueError(f"linspace: a Tensor start or stop must be 0-d, got {name} of shape "
                             f"{np.shape(value.data if isinstance(value, Node) else value)}")
    from .ops import where  # the op: the last value replaced by stop
    div = (num - 1 if endpoint else num) or 1
    steps = np.arange(num, dtype=dtype)
    values = start + steps * ((stop - start) / div)
    if endpoint and num > 1:
        values = where(steps == num - 1, stop, values)
    return values if values.dtype == dtype else values.astype(dtype)


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None, *, requires_grad: bool = False) -> Tensor:
    """An N×M matrix with ones on diagonal k (numpy's eye)."""
    N, M = _shape("eye", (N, N if M is None else M))
    return _leaf(np.eye(N, M, operator.index(k), dtype=_dtype("eye", dtype)), requires_grad)


def _generator(who: str, rng: Any) -> np.random.Generator:
    if rng is None or isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(f"{who}: rng must be a numpy Generator (np.random.default_rng(seed)), an int seed or None, "
                    f"got {type(rng).__name__}")


def _sizes(who: str, shape: tuple) -> tuple:
    """rand(2, 3) and rand((2, 3)) alike."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    return _shape(who, shape)


def rand(*shape: Any, rng: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1): ``rand(2, 3)`` or ``rand((2, 3))``."""
    generator = _generator("rand", rng)
    return _leaf(generator.random(_sizes("rand", shape), dtype=_dtype("rand", dtype)), requires_grad)


def randn(*shape: Any, rng: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples: ``randn(2, 3)`` or ``randn((2, 3))``."""
    generator = _generator("randn", rng)
    return _leaf(generator.standard_normal(_sizes("randn", shape), dtype=_dtype("randn", dtype)), requires_grad)


# ----- shaped like another tensor or array --------------------------------------------------
def _like(who: str, other: Any, dtype: Any) -> tuple[tuple, np.dtype]:
    """The shape of ``other`` and the dtype: given, else other's when it is float32/64, else float64."""
    values = np.asarray(other.data if isinstance(other, Node) else other)
    default = values.dtype if values.dtype in FLOAT_DTYPES else np.float64
    return values.shape, _dtype(who, dtype, default)


def zeros_like(other: Any, dtype: Any = None, *, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like("zeros_like", other, dtype)
    return _leaf(np.zeros(shape, dtype), requires_grad)


def ones_like(other: Any, dtype: Any = None, *, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like("ones_like", other, dtype)
    return _leaf(np.ones(shape, dtype), requires_grad)


def full_like(other: Any, fill_value: Any, dtype: Any = None, *, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like("full_like", other, dtype)
    return full(shape, fill_value, dtype, requires_grad=requires_grad)


def rand_like(other: Any, *, rng: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like("rand_like", other, dtype)
    return rand(shape, rng=rng, dtype=dtype, requires_grad=requires_grad)


def randn_like(other: Any, *, rng: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like("randn_like", other, dtype)
    return randn(shape, rng=rng, dtype=dtype, requires_grad=requires_grad)
