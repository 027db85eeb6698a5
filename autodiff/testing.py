"""Helpers for property tests of your own functions and ops (needs hypothesis:
``pip install autodiff[test]``; it is imported only when a strategy is built).

Strategies: ``arrays``, ``broadcastable_shapes``, ``valid_axes``,
``probability_vectors``, ``logits``, ``class_labels``, ``one_hot_targets`` and
``inputs_for(op_info)`` (the arguments and keyword arguments of a registry entry,
drawn in its domains). Checks: ``assert_gradients_close`` (gradcheck) and
``check_op`` / ``check_op_second_derivatives``, the checks the registry test runs
on every registered op::

    import numpy as np
    from hypothesis import given
    import autodiff as ad
    from autodiff import testing

    @given(testing.arrays(), testing.arrays())
    def test_my_function(x, y): ...

    @given(testing.inputs_for(ad.registry.get("softplus"), dtype=(np.float64, np.float32)))
    def test_softplus(drawn):
        testing.check_op("softplus", *drawn)
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .engine import READS_ALL, READS_NONE, unbroadcast
from .functional import local_jacobian
from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numeric_jacobian
from .registry import OpInfo, get
from .tensor import Tensor

__all__ = ["arrays", "broadcastable_shapes", "valid_axes", "probability_vectors", "logits", "class_labels",
           "one_hot", "one_hot_targets", "domain_arrays", "inputs_for", "fixed_inputs", "assert_gradients_close",
           "check_op", "check_op_second_derivatives",
           "FLOAT32_ATOL", "FLOAT32_RTOL", "FLOAT32_TERMS_RTOL"]

# float32 backward against the float64 numeric gradient gᵀJ at the same (float32) point:
#     |analytic − numeric| ≤ FLOAT32_ATOL + FLOAT32_RTOL·|numeric| + FLOAT32_TERMS_RTOL·(|g|ᵀ|J|)
# The last term allows the rounding of a sum of terms that cancel; float32's eps is 1.2e-7.
FLOAT32_ATOL = 1e-4
FLOAT32_RTOL = 1e-3
FLOAT32_TERMS_RTOL = 1e-4
BOUND = 10.0
MAX_SIDE = 4


def _hypothesis() -> tuple[Any, Any]:
    try:
        from hypothesis import strategies as st
        from hypothesis.extra import numpy as hnp
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("autodiff.testing needs hypothesis for its strategies: "
                          "pip install autodiff[test] (or pip install hypothesis)") from None
    return st, hnp


# ----- shapes and axes ------------------------------------------------------------------------
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = MAX_SIDE) -> Any:
    """Array shapes with few, small dimensions."""
    _, hnp = _hypothesis()
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(n: int = 2, *, min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
                         max_side: int = MAX_SIDE) -> Any:
    """Tuples of ``n`` shapes that numpy broadcasts together."""
    _, hnp = _hypothesis()
    return hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side).map(lambda r: r.input_shapes)


def valid_axes(ndim: int, *, allow_none: bool = True, allow_tuple: bool = True) -> Any:
    """An ``axis`` argument for an array of ``ndim`` dimensions: None, an int in
    [−ndim, ndim) or a tuple of distinct axes."""
    st, hnp = _hypothesis()
    options = [st.none()] if allow_none else []
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
    if allow_tuple:
        options.append(hnp.valid_tuple_axes(ndim))
    if not options:
        raise ValueError(f"valid_axes: a {ndim}-d array has no integer axis; allow None or tuples")
    return st.one_of(*options)


# ----- arrays ---------------------------------------------------------------------------------
def _floats(low: float, high: float) -> Any:
    st, _ = _hypothesis()
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def arrays(shape: Any = None, dtype: Any = np.float64, elements: Any = None, *, bound: float = BOUND,
           min_dims: int = 0, max_dims: int = 3, max_side: int = MAX_SIDE) -> Any:
    """Finite float arrays, |x| ≤ ``bound`` by default (float64 or float32; the
    elements are drawn in float64 and rounded). ``shape`` may be a tuple, an int,
    a strategy, or None for a small drawn shape."""
    st, hnp = _hypothesis()
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"arrays: dtype must be a float dtype, got {dtype}")
    if shape is None:
        shape = shapes(min_dims, max_dims, 1, max_side)
    elif isinstance(shape, int):
        shape = (shape,)
    elements = _floats(-bound, bound) if elements is None else elements
    return hnp.arrays(np.float64, shape, elements=elements).map(lambda a: a.astype(dtype))


def probability_vectors(shape: Any, axis: int = -1, dtype: Any = np.float64, *, min_weight: float = 0.05) -> Any:
    """Strictly positive arrays that sum to 1 along ``axis`` (``shape`` an int: one vector)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape:
        raise ValueError("probability_vectors: the shape needs at least one axis")

    def normalise(w: np.ndarray) -> np.ndarray:
        return (w / w.sum(axis=axis, keepdims=True)).astype(dtype)

    return arrays(shape, elements=_floats(min_weight, 1.0)).map(normalise)


def logits(shape: Any, dtype: Any = np.float64, *, bound: float = BOUND) -> Any:
    """Finite logits in [−bound, bound]."""
    return arrays(shape, dtype, bound=bound)


def class_labels(m: int, n_classes: int) -> Any:
    """Integer labels of shape (m,) in 0..n_classes − 1 (repeats allowed)."""
    st, hnp = _hypothesis()
    if n_classes < 1:
        raise ValueError(f"class_labels: n_classes must be at least 1, got {n_classes}")
    return hnp.arrays(np.intp, (m,), elements=st.integers(0, n_classes - 1))


def one_hot(labels: Any, n_classes: int, dtype: Any = np.float64) -> np.ndarray:
    """Rows e_y of shape labels.shape + (n_classes,)."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)].flat[0]
        raise ValueError(f"one_hot: label {bad} is not a class in 0..{n_classes - 1}")
    return (labels[..., None] == np.arange(n_classes)).astype(dtype)


def one_hot_targets(m: int, n_classes: int, dtype: Any = np.float64) -> Any:
    """One-hot rows (m, n_classes) of drawn labels."""
    return class_labels(m, n_classes).map(lambda y: one_hot(y, n_classes, dtype))


def _distinct(shape: tuple, dtype: Any) -> Any:
    """Values in about [−10, 10], pairwise at least 0.01 apart, in a drawn order."""
    st, _ = _hypothesis()
    n = int(np.prod(shape))

    @st.composite
    def draw_distinct(draw: Callable) -> np.ndarray:
        gaps = draw(arrays((n,), elements=_floats(0.01, 20.0 / max(n, 1))))
        order = draw(st.permutations(range(n)))
        values = np.cumsum(gaps) - 10.0
        return values[np.asarray(order, dtype=np.intp)].reshape(shape).astype(dtype)

    return draw_distinct()


def _away_from_zero(low: float, high: float) -> Any:
    st, _ = _hypothesis()
    return st.one_of(_floats(low, high), _floats(-high, -low))


def _away_from_steps(shape: tuple, dtype: Any) -> Any:
    """k + f with k an integer in [−10, 9] and f in [0.05, 0.45] or [0.55, 0.95]:
    at least 0.05 from every integer and every half (floor, round, mod, ...)."""
    st, hnp = _hypothesis()
    whole = hnp.arrays(np.float64, shape, elements=st.integers(-10, 9).map(float))
    fraction = arrays(shape, elements=st.one_of(_floats(0.05, 0.45), _floats(0.55, 0.95)))
    return st.tuples(whole, fraction).map(lambda kf: np.asarray(kf[0] + kf[1], dtype=dtype))


def _divisors(shape: tuple, dtype: Any) -> Any:
    """±{0.5, 1, 2, 4}·(1 + u), |u| ≤ 0.001: for x from _away_from_steps, x/y stays
    at least 0.01 from every integer (mod's jumps)."""
    st, hnp = _hypothesis()
    base = hnp.arrays(np.float64, shape, elements=st.sampled_from([0.5, 1.0, 2.0, 4.0, -0.5, -1.0, -2.0, -4.0]))
    jitter = arrays(shape, elements=_floats(-1e-3, 1e-3))
    return st.tuples(base, jitter).map(lambda bj: np.asarray(bj[0] * (1.0 + bj[1]), dtype=dtype))


MAX_SUPERINCREASING = 12


def _superincreasing(shape: tuple, dtype: Any, zeros: bool = False) -> Any:
    """Random signs, magnitudes 3^k·(1 + 0.3u) (u in [0, 1], k = 0..n−1 in a drawn
    order) scaled to at most 10: each magnitude exceeds the sum of all smaller ones,
    so no |x| is near 0, no two are equal, and no two sums of distinct elements
    are equal (no ties in the maxima of norms). With ``zeros``, some elements are
    exactly 0 instead."""
    st, hnp = _hypothesis()
    n = int(np.prod(shape))
    if n > MAX_SUPERINCREASING:
        raise ValueError(f"domain superincreasing: at most {MAX_SUPERINCREASING} elements, got shape {shape}")

    @st.composite
    def draw(draw_: Callable) -> np.ndarray:
        order = np.asarray(draw_(st.permutations(range(n))), dtype=np.float64)
        jitter = draw_(arrays((n,), elements=_floats(0.0, 1.0)))
        signs = draw_(hnp.arrays(np.float64, (n,), elements=st.sampled_from([-1.0, 1.0])))
        magnitudes = 3.0 ** order * (1.0 + 0.3 * jitter) * (10.0 / (1.3 * 3.0 ** max(n - 1, 0)))
        values = signs * magnitudes
        if zeros:  # some elements exactly 0: the nonzero magnitudes stay superincreasing
            values = np.where(draw_(hnp.arrays(np.bool_, (n,))), 0.0, values)
        return np.asarray(values.reshape(shape), dtype=dtype)

    return draw()


def _ties_of_two(shape: tuple, dtype: Any) -> Any:
    """Values in about [−10, 10], at least 0.01 apart, some of them twice: ties
    of two elements, never three (a central difference across a tie of two gives
    each its equal share, 1/2; across a tie of three it gives 1/2 too, not the share 1/3)."""
    st, _ = _hypothesis()
    n = int(np.prod(shape))

    @st.composite
    def draw_ties(draw: Callable) -> np.ndarray:
        n_values = draw(st.integers((n + 1) // 2, max(n, 1)))
        gaps = draw(arrays((n_values,), elements=_floats(0.01, 20.0 / n_values)))
        values = np.cumsum(gaps) - 10.0
        twice = np.asarray(draw(st.permutations(range(n_values)))[:n - n_values], dtype=np.intp)
        every = np.concatenate([values, values[twice]])
        order = np.asarray(draw(st.permutations(range(n))), dtype=np.intp)
        return every[order].reshape(shape).astype(dtype)

    return draw_ties()


def _well_conditioned(shape: tuple, dtype: Any) -> Any:
    from .shape_kinds import well_conditioned
    return well_conditioned(shape, dtype)


def domain_arrays(domain: Any, shape: tuple, dtype: Any = np.float64) -> Any:
    """Arrays of ``shape`` in a registry domain (see ``autodiff.registry.DOMAINS``).
    For "onehot" and "probabilities" the last axis is the class axis."""
    if callable(domain):
        return domain(shape, dtype)
    if domain == "labels":
        raise ValueError("domain_arrays: labels depend on the logits; inputs_for draws them")
    st, _ = _hypothesis()
    table = {
        "real": lambda: arrays(shape, dtype),
        "exponent": lambda: arrays(shape, dtype, elements=_floats(-3.0, 3.0)),
        "positive": lambda: arrays(shape, dtype, elements=_floats(0.1, 10.0)),
        "nonzero": lambda: arrays(shape, dtype, elements=_away_from_zero(0.1, 10.0)),
        "unit_open": lambda: arrays(shape, dtype, elements=_floats(0.02, 0.98)),
        "unit_interval": lambda: arrays(shape, dtype, elements=_floats(0.0, 1.0)),
        "away_from_kinks": lambda: arrays(shape, dtype, elements=_away_from_zero(1e-3, 10.0)),
        "zeros_or_away": lambda: arrays(shape, dtype, elements=st.one_of(st.just(0.0), _away_from_zero(1e-3, 10.0))),
        "ties": lambda: _ties_of_two(shape, dtype),
        "wide": lambda: arrays(shape, dtype, bound=1000.0),
        "distinct": lambda: _distinct(shape, dtype),
        "onehot": lambda: class_labels(int(np.prod(shape[:-1])), shape[-1]).map(
            lambda y: one_hot(y, shape[-1], dtype).reshape(shape)),
        "probabilities": lambda: probability_vectors(shape, -1, dtype),
        "half_period": lambda: arrays(shape, dtype, elements=_floats(-1.4, 1.4)),
        "inside_unit": lambda: arrays(shape, dtype, elements=_floats(-0.95, 0.95)),
        "above_one": lambda: arrays(shape, dtype, elements=_floats(1.05, 10.0)),
        "away_from_steps": lambda: _away_from_steps(shape, dtype),
        "integers": lambda: arrays(shape, dtype, elements=_hypothesis()[0].integers(-6, 6).map(float)),
        "half_integers": lambda: arrays(shape, dtype, elements=_hypothesis()[0].integers(-6, 5).map(lambda k: k + 0.5)),
        "divisors": lambda: _divisors(shape, dtype),
        "superincreasing": lambda: _superincreasing(shape, dtype),
        "superincreasing_or_zero": lambda: _superincreasing(shape, dtype, zeros=True),
        "well_conditioned": lambda: _well_conditioned(shape, dtype),
    }
    if domain not in table:
        raise ValueError(f"domain_arrays: unknown domain {domain!r}; known: {sorted(table)}")
    return table[domain]()


# ----- the shapes and keyword arguments of a registry entry ----------------------------------------
def _slice(draw: Callable, n: int) -> slice:
    st, _ = _hypothesis()
    start = draw(st.none() | st.integers(-n, n - 1))
    stop = draw(st.none() | st.integers(-n - 1, n))
    step = draw(st.sampled_from([1, 2, 3, -1, -2]))
    key = slice(start, stop, step)
    return key if len(range(n)[key]) else slice(None, None, step)  # keep the result non-empty


def _getitem_key(draw: Callable, shape: tuple) -> Any:
    st, hnp = _hypothesis()
    n_axes = draw(st.integers(1, len(shape)))
    length = draw(st.integers(1, 5))  # integer index arrays share one length (they broadcast)
    key = []
    for n in shape[:n_axes]:
        kind = draw(st.sampled_from(["int", "slice", "array"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            key.append(_slice(draw, n))
        else:  # repeated and negative indices included
            key.append(draw(hnp.arrays(np.intp, (length,), elements=st.integers(-n, n - 1))))
    return key[0] if len(key) == 1 and draw(st.booleans()) else tuple(key)


def _factor_shape(draw: Callable, size: int) -> tuple:
    """A shape with ``size`` elements, perhaps with one −1 for numpy to infer."""
    st, _ = _hypothesis()
    n_dims = draw(st.integers(0 if size == 1 else 1, 3))
    dims, rest = [], size
    for _ in range(n_dims - 1):
        d = draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
        dims.append(d)
        rest //= d
    if n_dims:
        dims.append(rest)
        if draw(st.booleans()):
            dims[draw(st.integers(0, n_dims - 1))] = -1
    return tuple(dims)


def _matmul_shapes(draw: Callable) -> list[tuple]:
    st, _ = _hypothesis()
    m, n, k = (draw(st.integers(1, 4)) for _ in range(3))
    case = draw(st.sampled_from(["vector·vector", "matrix·matrix", "vector·matrix", "matrix·vector",
                                 "batched", "batched·vector", "vector·batched"]))
    if case == "vector·vector":
        return [(n,), (n,)]
    if case == "matrix·matrix":
        return [(m, n), (n, k)]
    if case == "vector·matrix":
        return [(n,), (n, k)]
    if case == "matrix·vector":
        return [(m, n), (n,)]
    batch_a, batch_b = draw(broadcastable_shapes(2, max_dims=2, max_side=3))
    if case == "batched·vector":
        return [batch_a + (m, n), (n,)]
    if case == "vector·batched":
        return [(n,), batch_b + (n, k)]
    return [batch_a + (m, n), batch_b + (n, k)]


def _image_shapes(draw: Callable, kind: str, nargs: int) -> tuple[list[tuple], dict]:
    """Images (N, C, H, W) and the kernels, strides and paddings of the convolutions and pools:
    small sizes (a few hundred elements), every combination of stride and padding, odd leftovers
    of a stride included."""
    st, _ = _hypothesis()
    side = st.integers(1, 3)
    n, c, o = draw(st.integers(1, 2)), draw(side), draw(side)
    kernel, stride = (draw(side), draw(side)), (draw(side), draw(side))
    if kind == "pool2d":  # padding at most half the kernel; stride None means the kernel's
        padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    else:
        padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    if kind == "conv_transpose2d":  # input (N, Cin, Hi, Wi), weight (Cin, Cout, kh, kw)
        output_padding = tuple(draw(st.integers(0, s - 1)) for s in stride)
        # the output (Hi − 1)·s − 2p + k + op must have at least one row and column
        smallest = [max(1, -((k + op - 2 * p - 1) // s) + 1) for k, s, p, op in
                    zip(kernel, stride, padding, output_padding)]
        sizes = [draw(st.integers(low, low + 3)) for low in smallest]
        shapes = [(n, c, *sizes), (c, o, *kernel), (o,)]
        return shapes[:nargs], {"stride": stride, "padding": padding, "output_padding": output_padding}
    sizes = [draw(st.integers(max(1, k - 2 * p), max(1, k - 2 * p) + 4)) for k, p in zip(kernel, padding)]
    x = (n, c, *sizes)
    if kind == "pool2d":
        stride_kw = None if draw(st.booleans()) else stride
        return [x], {"kernel_size": kernel, "stride": stride_kw, "padding": padding}
    out = tuple((h + 2 * p - k) // s + 1 for h, p, k, s in zip(sizes, padding, kernel, stride))
    if kind == "conv2d_weight":  # the input and the upstream gradient of a conv2d
        return [x, (n, o, *out)], {"kernel_size": kernel, "stride": stride, "padding": padding}
    return [x, (o, c, *kernel), (o,)][:nargs], {"stride": stride, "padding": padding}


def _shapes_and_kwargs(draw: Callable, info: OpInfo) -> tuple[list[tuple], dict]:
    st, _ = _hypothesis()
    kind = info.shapes
    if callable(kind):
        drawn, kwargs = kind(draw)
        return list(drawn), dict(kwargs)
    from .shape_kinds import KINDS  # the kinds of the linear-algebra and shape ops
    if kind in KINDS:
        drawn, kwargs = KINDS[kind](draw, info.nargs)
        return list(drawn), dict(kwargs)
    if kind in ("conv2d", "conv_transpose2d", "conv2d_weight", "pool2d"):
        return _image_shapes(draw, kind, info.nargs)
    if kind == "broadcast":
        return list(draw(broadcastable_shapes(info.nargs))), {}
    if kind == "matmul":
        return _matmul_shapes(draw), {}
    if kind in ("logits_labels", "logits_onehot"):
        m, k = draw(st.integers(1, 5)), draw(st.integers(1, 5))
        return [(m, k), (m,) if kind == "logits_labels" else (m, k)], {}
    min_dims = 1 if kind in ("axis", "swapaxes", "getitem") else 0
    shape = draw(shapes(min_dims=min_dims, max_dims=4 if kind == "transpose" else 3))
    ndim = len(shape)
    same = [shape] * info.nargs
    if kind in ("elementwise", "pairwise_same"):
        return same, {}
    if kind == "reduction":
        return same, {"axis": draw(valid_axes(ndim)), "keepdims": draw(st.booleans())}
    if kind == "axis":
        return same, {"axis": draw(st.integers(-ndim, ndim - 1))}
    if kind == "reshape":
        return same, {"shape": _factor_shape(draw, int(np.prod(shape)))}
    if kind == "transpose":
        if draw(st.booleans()):
            return same, {"axes": None}
        order = draw(st.permutations(range(ndim)))
        return same, {"axes": tuple(a - ndim if draw(st.booleans()) else a for a in order)}
    if kind == "swapaxes":
        return same, {"axis1": draw(st.integers(-ndim, ndim - 1)), "axis2": draw(st.integers(-ndim, ndim - 1))}
    if kind == "broadcast_to":
        dropped = draw(st.integers(0, ndim))
        source = tuple(1 if draw(st.booleans()) else n for n in shape[dropped:])
        return [source], {"shape": shape}
    if kind == "getitem":
        return same, {"key": _getitem_key(draw, shape)}
    more = _more_shapes_and_kwargs(draw, kind, shape, info)
    if more is not None:
        return more
    raise ValueError(f"inputs_for: unknown shapes kind {kind!r} for op {info.name!r}")


def _more_shapes_and_kwargs(draw: Callable, kind: str, shape: tuple, info: OpInfo) -> Any:
    """The shape kinds of cumsum/cumprod, var/std, where and norm (None for another kind)."""
    st, hnp = _hypothesis()
    ndim = len(shape)
    if kind == "cumulative":
        return [shape], {"axis": draw(st.none() | st.integers(-ndim, ndim - 1)) if ndim else None}
    if kind == "moments":
        axis = draw(valid_axes(ndim))
        reduced = range(ndim) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
        n = int(np.prod([shape[a] for a in reduced]))
        return [shape], {"axis": axis, "keepdims": draw(st.booleans()), "ddof": draw(st.integers(0, min(n - 1, 2)))}
    if kind == "where":
        x_shape, y_shape, condition_shape = draw(broadcastable_shapes(3))
        return [x_shape, y_shape], {"condition": draw(hnp.arrays(np.bool_, condition_shape))}
    if kind in ("vector_norm", "matrix_norm"):
        # at most 9 elements (the superincreasing domain's limit is 12)
        n_dims = draw(st.integers(1 if kind == "vector_norm" else 2, 3))
        sides = [draw(st.integers(1, 3 if n_dims <= 2 else 2)) for _ in range(n_dims)]
        kwargs: dict = {"keepdims": draw(st.booleans())}
        if kind == "vector_norm":
            kwargs["axis"] = draw(st.none() | st.sampled_from([0, -1])) if n_dims == 1 else draw(
                st.integers(-n_dims, n_dims - 1))
        else:
            pair = draw(st.permutations(range(n_dims)))[:2]
            kwargs["axis"] = None if n_dims == 2 and draw(st.booleans()) else tuple(
                a - n_dims if draw(st.booleans()) else a for a in pair)
        return [tuple(sides)] * info.nargs, kwargs
    return None


def fixed_inputs(op_info: OpInfo | str, dtype: Any = np.float64, seed: int = 0) -> list[tuple[tuple, dict]]:
    """The ``(args, kwargs)`` of a registry entry's fixed ``examples``: standard
    normal arrays of the given shapes (distinct almost surely), in ``dtype``."""
    info = get(op_info) if isinstance(op_info, str) else op_info
    rng = np.random.default_rng(seed)
    out = []
    for shapes, kwargs in info.examples:
        if any(d not in ("real", "distinct") for d in info.domains):
            raise ValueError(f"{info.name}: fixed examples need real arguments, not {info.domains}")
        out.append((tuple(rng.standard_normal(shape).astype(dtype) for shape in shapes), dict(kwargs)))
    return out


def inputs_for(op_info: OpInfo | str, dtype: Any = np.float64) -> Any:
    """A strategy of ``(args, kwargs)`` for a registry entry: numpy arrays in the
    op's domains and shapes, and its drawn keyword arguments. ``dtype`` is one
    float dtype, or a tuple of them to draw from (labels stay integers)."""
    st, _ = _hypothesis()
    info = get(op_info) if isinstance(op_info, str) else op_info
    dtypes = tuple(dtype) if isinstance(dtype, (tuple, list)) else (dtype,)

    @st.composite
    def draw_inputs(draw: Callable) -> tuple[tuple, dict]:
        float_dtype = np.dtype(draw(st.sampled_from(dtypes)))
        arg_shapes, kwargs = _shapes_and_kwargs(draw, info)
        if len(arg_shapes) != info.nargs:
            raise ValueError(f"inputs_for: op {info.name!r} takes {info.nargs} arguments "
                             f"but its shapes drew {len(arg_shapes)}")
        args: list[Any] = []
        for domain, shape in zip(info.domains, arg_shapes):
            if domain == "labels":
                n_classes = args[0].shape[-1]
                args.append(draw(class_labels(int(np.prod(shape)), n_classes)).reshape(shape))
            else:
                args.append(draw(domain_arrays(domain, tuple(shape), float_dtype)))
        for key, values in info.kwarg_choices.items():
            kwargs[key] = draw(st.sampled_from(list(values)))
        return tuple(args), kwargs

    return draw_inputs()


# ----- checks -----------------------------------------------------------------------------------
def assert_gradients_close(f: Callable[..., Tensor], *arrays: Any, second_order: bool = False,
                           **tolerances: Any) -> None:
    """Raise GradcheckError (an AssertionError) unless reverse mode agrees with
    central differences (``gradcheck``; and ``gradgradcheck`` with second_order=True).
    ``tolerances``: eps, atol, rtol, max_full, n_projections, seed, check_linearity."""
    gradcheck(f, *arrays, **tolerances)
    if second_order:
        gradgradcheck(f, *arrays, **tolerances)


def _describe(info: OpInfo, args: Sequence[Any], kwargs: dict) -> str:
    parts = ", ".join(f"{np.shape(a)} {np.asarray(a).dtype}" for a in args)
    extra = f" with {kwargs}" if kwargs else ""
    return f"op {info.name!r} on ({parts}){extra}"


def _partial(info: OpInfo, args: Sequence[Any], kwargs: dict) -> Callable[..., Tensor]:
    """fn as a function of its differentiable arguments only (labels fixed)."""
    def f(*tensors: Tensor) -> Tensor:
        full = list(args)
        for i, t in zip(info.differentiable, tensors):
            full[i] = t
        return info.fn(*full, **kwargs)
    return f


def _compare(what: str, analytic: np.ndarray, expected: np.ndarray, bound: np.ndarray) -> None:
    error = np.abs(analytic - expected)
    if not np.all(error <= bound):
        j = int(np.argmax(np.where(np.isfinite(error), error - bound, np.inf)))
        index = tuple(int(i) for i in np.unravel_index(j, analytic.shape)) if analytic.ndim else ()
        raise AssertionError(f"{what}: worst at index {index}: got {analytic.flat[j]:.6g}, expected "
                             f"{expected.flat[j]:.6g}, |error| {error.flat[j]:.4g} > {bound.flat[j]:.4g}")


def check_op(op: OpInfo | str, args: Sequence[Any], kwargs: dict | None = None, *, eps: float = 1e-6,
             atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> None:
    """Every first-order check of a registry entry at one point ``args``.

    float64 arguments: the forward against ``info.reference`` (rtol 1e-12);
    ``gradcheck``; ``backward(g)`` = gᵀ·J for a random upstream g, with J from
    central differences of the forward; ``local_jacobian(out, i)`` = J; the
    ``create_graph=True`` pass (the vjp on Tensors) gives the same gradients as
    the plain pass; a second backward, plain or with create_graph, adds the same
    gradients again (twice the first); the op's claims of which values its vjp
    reads (``Op.reads``, ``Op.reads_out``) hold.
    float32 arguments: the output and every gradient stay float32, and the float32
    backward is close to gᵀ·J computed in float64 (tolerances FLOAT32_*).
    Both: an op's own ``plain_vjp`` kernel gives its ``vjp``'s gradients for the
    random upstream gradient (PLAIN_KERNEL_RTOL, FLOAT32_PLAIN_KERNEL_RTOL);
    no argument and no upstream gradient is written into.
    Raises AssertionError (GradcheckError from gradcheck) naming the op and the shapes."""
    info = get(op) if isinstance(op, str) else op
    kwargs = {**info.kwargs, **(kwargs or {})}
    args = tuple(args)
    before = [np.array(a, copy=True) for a in args]
    where = _describe(info, args, kwargs)
    float32 = any(np.asarray(args[i]).dtype == np.float32 for i in info.differentiable)
    try:
        if float32:
            _check_float32(info, args, kwargs, eps, seed, where)
        else:
            _check_float64(info, args, kwargs, eps, atol, rtol, seed, where)
    except GradcheckError as error:
        raise GradcheckError(f"{where}: {error}") from None
    for i, (a, b) in enumerate(zip(args, before)):
        if not np.array_equal(np.asarray(a), b):
            raise AssertionError(f"{where}: argument {i} was modified in place by the forward or backward pass")


def _numeric(info: OpInfo, args: Sequence[Any], kwargs: dict, eps: float) -> list[np.ndarray]:
    """J_k = ∂out/∂(k-th differentiable argument) by central differences in float64."""
    args64 = [np.asarray(args[i], dtype=np.float64) for i in info.differentiable]
    f = _partial(info, args, kwargs)
    return [numeric_jacobian(f, args64, k, eps) for k in range(len(args64))]


def _backward(info: OpInfo, args: Sequence[Any], kwargs: dict, seed: int,
              where: str) -> tuple[Tensor, list[Tensor], np.ndarray]:
    tensors = [Tensor(args[i], requires_grad=True) for i in info.differentiable]  # no copy: mutation shows
    out = _partial(info, args, kwargs)(*tensors)
    g = np.random.default_rng(seed).standard_normal(out.shape).astype(out.dtype)
    g_before = g.copy()
    out.backward(g, retain_graph=True)  # local_jacobian reads the graph afterwards
    if not np.array_equal(g, g_before):
        raise AssertionError(f"{where}: backward wrote into the upstream gradient")
    for k, t in zip(info.differentiable, tensors):
        if t.grad is None or np.shape(t.grad) != t.shape:
            raise AssertionError(f"{where}: the gradient of argument {k} is {None if t.grad is None else np.shape(t.grad)}, "
                                 f"not of shape {t.shape}")
    return out, tensors, g


REFERENCE_RTOL = 1e-12
# an op's plain_vjp kernel against its vjp, both in the inputs' dtype: a different
# order of the same operations (float64 eps 2.2e-16, float32 1.2e-7)
PLAIN_KERNEL_RTOL = 1e-10
FLOAT32_PLAIN_KERNEL_RTOL = 1e-5


def _check_reference(info: OpInfo, args: Sequence[Any], kwargs: dict, out: np.ndarray, where: str) -> None:
    if info.reference is None:
        return
    expected = np.asarray(info.reference(*[np.asarray(a) for a in args], **kwargs), dtype=np.float64)
    if expected.shape != out.shape:
        raise AssertionError(f"{where}: forward shape {out.shape} differs from the reference's {expected.shape}")
    _compare(f"{where}: forward ≠ numpy reference", out, expected,
             REFERENCE_RTOL * (1.0 + np.abs(expected)))


def _check_create_graph(info: OpInfo, args: Sequence[Any], kwargs: dict, tensors: list[Tensor], g: np.ndarray,
                        where: str) -> None:
    """The vjp run on Tensors (as under create_graph) against the plain pass's gradients."""
    fresh = [Tensor(args[i], requires_grad=True) for i in info.differentiable]
    out = _partial(info, args, kwargs)(*fresh)
    for times in (1, 2):  # a second backward (the graph is kept) adds into the Tensor gradients
        out.backward(Tensor(g), create_graph=True)
        for k, t, plain in zip(info.differentiable, fresh, tensors):
            got = t.grad.data if isinstance(t.grad, Tensor) else t.grad
            expected = times * np.asarray(plain.grad, dtype=np.float64)
            what = (f"create_graph=True gives another gradient for argument {k} than the plain pass" if times == 1
                    else f"a second backward with create_graph=True does not add up to twice the plain "
                         f"gradient of argument {k}")
            _compare(f"{where}: {what}", np.asarray(got, dtype=np.float64), expected,
                     1e-10 * (1.0 + np.abs(expected)))


def _check_accumulation(out: Tensor, tensors: list[Tensor], g: np.ndarray, where: str) -> None:
    """A second plain backward through the kept graph adds the same gradients
    into ``.grad``: twice the first (exactly: the same numbers added)."""
    first = [np.array(t.grad, copy=True) for t in tensors]
    out.backward(g, retain_graph=True)
    for k, (t, once) in enumerate(zip(tensors, first)):
        _compare(f"{where}: a second backward does not add up to twice the gradient of argument {k}",
                 np.asarray(t.grad, dtype=np.float64), 2.0 * once.astype(np.float64), np.zeros(once.shape))


def _check_plain_kernel(info: OpInfo, out: Tensor, g: np.ndarray, where: str, rtol: float) -> None:
    """An op's own ``plain_vjp`` kernel gives its ``vjp``'s gradients, for the
    random upstream gradient ``g``: |kernel − vjp| ≤ rtol·(1 + |vjp|).
    (A single-node entry whose op has such a kernel.)"""
    op = out.op
    if not info.single_node or op is None or type(op).plain_vjp is type(op).vjp:
        return
    args = tuple(out.args or ())  # kept: the graph was retained
    g_before = g.copy()
    kernel = op.plain_vjp(out, g, out.data, *args)
    formula = op.vjp(out, g, out.data, *args)
    if not np.array_equal(g, g_before):
        raise AssertionError(f"{where}: {op.name}'s plain_vjp wrote into the upstream gradient")
    for n, (x, needed, a, b) in enumerate(zip(out.inputs, out.needs, kernel, formula)):
        if not needed:
            continue
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        a = unbroadcast(np.asarray(a, dtype=np.float64), shape)
        b = unbroadcast(np.asarray(b, dtype=np.float64), shape)
        _compare(f"{where}: {op.name}'s plain_vjp kernel ≠ its vjp for input {n}", a, b, rtol * (1.0 + np.abs(b)))


def _check_reads(info: OpInfo, out: Tensor, g: np.ndarray, where: str) -> None:
    """An op's claims about the values its vjp reads (``Op.reads``,
    ``Op.reads_out``), on which the engine's guard rests (it leaves the others
    writable): READS_NONE: every gradient is the same with every input replaced
    by other values of the same shape; READS_OTHER: the gradient of each input
    is the same with that input replaced; ``reads_out = False``: every gradient
    is the same with the output replaced. (A single-node entry whose op claims one.)"""
    op = out.op
    if not info.single_node or op is None or (op.reads == READS_ALL and op.reads_out):
        return
    args = tuple(out.args or ())

    def other(a: Any) -> Any:
        if isinstance(a, (np.ndarray, np.generic)):
            return (np.asarray(a) * 1.75 + 0.25).astype(np.result_type(a), copy=False)
        return type(a)(a * 1.75 + 0.25)

    cases: list[tuple[str, tuple, Any, Any]] = []  # (what was replaced, args, output, which gradients)
    if op.reads == READS_NONE:
        cases.append(("the values of its inputs", tuple(other(a) for a in args), out.data, None))
    elif op.reads != READS_ALL:
        cases += [(f"the value of input {k}", tuple(other(a) if i == k else a for i, a in enumerate(args)),
                   out.data, k) for k in range(len(args))]
    if not op.reads_out:
        cases.append(("its output", args, other(out.data), None))
    for what, changed, output, which in cases:
        for kernel in (op.plain_vjp, op.vjp):
            first, second = kernel(out, g, out.data, *args), kernel(out, g, output, *changed)
            for n, (needed, a, b) in enumerate(zip(out.needs, first, second)):
                if needed and which in (None, n) and not np.array_equal(np.asarray(a), np.asarray(b)):
                    raise AssertionError(f"{where}: {op.name} claims its vjp does not read {what}, but the "
                                         f"gradient of input {n} changes with it (Op.reads, Op.reads_out)")


def _check_float64(info, args, kwargs, eps, atol, rtol, seed, where) -> None:
    gradcheck(_partial(info, args, kwargs), *[args[i] for i in info.differentiable], eps=eps, atol=atol, rtol=rtol,
              seed=seed)
    jacobians = _numeric(info, args, kwargs, eps)
    out, tensors, g = _backward(info, args, kwargs, seed, where)
    if out.dtype != np.float64:
        raise AssertionError(f"{where}: float64 inputs gave a {out.dtype} output")
    _check_reference(info, args, kwargs, out.data, where)
    _check_plain_kernel(info, out, g, where, PLAIN_KERNEL_RTOL)
    _check_reads(info, out, g, where)
    _check_create_graph(info, args, kwargs, tensors, g, where)
    for k, t, jac in zip(info.differentiable, tensors, jacobians):
        expected = (g.ravel() @ jac).reshape(t.shape)
        terms = (np.abs(g).ravel() @ np.abs(jac)).reshape(t.shape)
        _compare(f"{where}: backward(g) ≠ gᵀ·J (J by central differences) for argument {k}",
                 t.grad, expected, atol + rtol * terms)
        if info.single_node:
            positions = [n for n, x in enumerate(out.inputs) if x is t]
            if not positions:
                raise AssertionError(f"{where}: argument {k} is not an input of the output's op "
                                     f"{out.op!r}; register composite functions with single_node=False")
            local = local_jacobian(out, positions[0])
            _compare(f"{where}: local_jacobian(out, {positions[0]}) ≠ J (central differences), entry (output, input)",
                     local, jac, atol + rtol * np.abs(jac))
    _check_accumulation(out, tensors, g, where)


def _check_float32(info, args, kwargs, eps, seed, where) -> None:
    out, tensors, g = _backward(info, args, kwargs, seed, where)
    if out.dtype != np.float32:
        raise AssertionError(f"{where}: float32 inputs gave a {out.dtype} output (float32 must be kept)")
    _check_plain_kernel(info, out, g, where, FLOAT32_PLAIN_KERNEL_RTOL)
    args64 = [np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else a for a in args]
    out64 = _partial(info, args64, kwargs)(*[Tensor(args64[i]) for i in info.differentiable]).data
    _compare(f"{where}: the float32 forward differs from the float64 forward", out.data.astype(np.float64),
             out64, FLOAT32_ATOL + FLOAT32_RTOL * np.abs(out64))
    jacobians = _numeric(info, args64, kwargs, eps)
    g64 = g.astype(np.float64).ravel()
    for k, t, jac in zip(info.differentiable, tensors, jacobians):
        if t.grad.dtype != np.float32:
            raise AssertionError(f"{where}: the gradient of float32 argument {k} is {t.grad.dtype}")
        expected = (g64 @ jac).reshape(t.shape)
        terms = (np.abs(g64) @ np.abs(jac)).reshape(t.shape)
        bound = FLOAT32_ATOL + FLOAT32_RTOL * np.abs(expected) + FLOAT32_TERMS_RTOL * terms
        _compare(f"{where}: float32 backward ≠ float64 gᵀ·J for argument {k}", t.grad.astype(np.float64),
                 expected, bound)


def check_op_second_derivatives(op: OpInfo | str, args: Sequence[Any], kwargs: dict | None = None, *,
                                eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                                max_full: int = 4096, seed: int = 0) -> None:
    """``gradgradcheck`` of a registry entry at float64 ``args`` (its smooth ops)."""
    info = get(op) if isinstance(op, str) else op
    kwargs = {**info.kwargs, **(kwargs or {})}
    args64 = tuple(np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else a for a in args)
    try:
        gradgradcheck(_partial(info, args64, kwargs), *[args64[i] for i in info.differentiable],
                      eps=eps, atol=atol, rtol=rtol, max_full=max_full, seed=seed)
    except GradcheckError as error:
        raise GradcheckError(f"{_describe(info, args64, kwargs)}: {error}") from None
