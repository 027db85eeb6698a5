"""Hypothesis draws of argument shapes and keyword arguments for the registry
entries of the linear-algebra and shape ops (the shape kinds named in
``autodiff.registry.SHAPE_KINDS``); ``autodiff.testing.inputs_for`` calls them.

Each draw is ``(draw, nargs) -> (list of argument shapes, kwargs)``. Sizes stay
small (sides up to 3 or 4): the checks build full Jacobians by central
differences. Outputs are never empty.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .testing import _getitem_key, _hypothesis, shapes, valid_axes

Draw = Callable[..., Any]


def _st() -> Any:
    return _hypothesis()[0]


def _side(draw: Draw, low: int = 1, high: int = 3) -> int:
    return draw(_st().integers(low, high))


def _shape(draw: Draw, min_dims: int = 0, max_dims: int = 3, max_side: int = 3) -> tuple:
    return tuple(draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=max_side)))


def _maybe_negative(draw: Draw, axis: int, ndim: int) -> int:
    return axis - ndim if draw(_st().booleans()) else axis


# ----- products ------------------------------------------------------------------------------------
def dot(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    na, nb = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    if na == 0 or nb == 0:
        return [() if na == 0 else _shape(draw, na, na), () if nb == 0 else _shape(draw, nb, nb)], {}
    n = _side(draw)
    a = _shape(draw, na - 1, na - 1) + (n,)
    b = (n,) if nb == 1 else _shape(draw, nb - 2, nb - 2) + (n, _side(draw))
    return [a, b], {}


def _shape_of_size(draw: Draw, size: int) -> tuple:
    dims, rest = [], size
    for _ in range(draw(_st().integers(0, 2))):
        d = draw(_st().sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
        dims.append(d)
        rest //= d
    return tuple(dims) + (rest,)


def same_size(draw: Draw, nargs: int) -> tuple[list, dict]:
    size = draw(_st().sampled_from([1, 2, 3, 4, 6, 8, 12]))
    return [_shape_of_size(draw, size) for _ in range(nargs)], {}


def inner(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    na, nb = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    if na == 0 or nb == 0:
        return [_shape(draw, na, na), _shape(draw, nb, nb)], {}
    n = _side(draw)
    return [_shape(draw, na - 1, na - 1) + (n,), _shape(draw, nb - 1, nb - 1) + (n,)], {}


def two_shapes(draw: Draw, nargs: int) -> tuple[list, dict]:
    return [_shape(draw, 0, 2) for _ in range(nargs)], {}


def tensordot(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    a, b = list(_shape(draw, 0, 3)), list(_shape(draw, 0, 3))
    pairs = draw(st.integers(0, min(len(a), len(b))))
    if draw(st.booleans()):  # axes=N: a's last N with b's first N
        for i in range(pairs):
            b[i] = a[len(a) - pairs + i]
        return [tuple(a), tuple(b)], {"axes": pairs}
    axes_a = draw(st.permutations(range(len(a))))[:pairs]
    axes_b = draw(st.permutations(range(len(b))))[:pairs]
    for i, j in zip(axes_a, axes_b):
        b[j] = a[i]
    axes = ([_maybe_negative(draw, i, len(a)) for i in axes_a], [_maybe_negative(draw, j, len(b)) for j in axes_b])
    return [tuple(a), tuple(b)], {"axes": axes}


def einsum(draw: Draw, nargs: int) -> tuple[list, dict]:
    """Random subscripts over letters a-d: repeated letters (diagonals), letters
    summed away, size-1 letters broadcast, '...', implicit and explicit outputs."""
    st = _st()
    sizes = {c: _side(draw) for c in "abcd"}
    ellipsis = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2))))
    terms, arg_shapes = [], []
    for _ in range(nargs):
        letters = "".join(draw(st.lists(st.sampled_from("abcd"), max_size=3)))
        shape = []
        for c in letters:  # a letter used once here may have length 1 here (numpy broadcasts it)
            once = letters.count(c) == 1 and sizes[c] > 1 and draw(st.integers(0, 5)) == 0
            shape.append(1 if once else sizes[c])
        if ellipsis and draw(st.booleans()):
            e = draw(st.integers(0, len(ellipsis)))
            lead = [1 if draw(st.integers(0, 4)) == 0 else n for n in ellipsis[len(ellipsis) - e:]]
            cut = draw(st.integers(0, len(letters)))
            letters = letters[:cut] + "..." + letters[cut:]
            shape = shape[:cut] + lead + shape[cut:]
        terms.append(letters)
        arg_shapes.append(tuple(shape))
    subscripts = ",".join(terms)
    if draw(st.integers(0, 2)):  # explicit output
        used = sorted(set(subscripts) - set(".,"))
        out = "".join(draw(st.permutations(used))[:draw(st.integers(0, len(used)))])
        if "..." in subscripts:
            cut = draw(st.integers(0, len(out)))
            out = out[:cut] + "..." + out[cut:]
        subscripts += "->" + out
    return arg_shapes, {"subscripts": subscripts, "sublists": draw(st.booleans())}


# ----- diagonals and triangles ---------------------------------------------------------------------
def diagonal(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 2, 4)
    nd = len(shape)
    axis1, axis2 = draw(st.permutations(range(nd)))[:2]
    offset = draw(st.integers(-(shape[axis1] - 1), shape[axis2] - 1))
    kwargs = {"offset": offset, "axis1": _maybe_negative(draw, axis1, nd), "axis2": _maybe_negative(draw, axis2, nd)}
    return [shape], kwargs


def diag(draw: Draw, nargs: int) -> tuple[list, dict]:
    shape = _shape(draw, 1, 2, max_side=4)
    low, high = (-2, 2) if len(shape) == 1 else (-(shape[0] - 1), shape[1] - 1)
    return [shape], {"k": draw(_st().integers(low, high))}


def triangle(draw: Draw, nargs: int) -> tuple[list, dict]:
    return [_shape(draw, 1, 3, max_side=4)], {"k": draw(_st().integers(-3, 3))}


def square(draw: Draw, nargs: int) -> tuple[list, dict]:
    n = _side(draw, 1, 4)
    return [_shape(draw, 0, 2, max_side=2) + (n, n)], {}


def solve(draw: Draw, nargs: int) -> tuple[list, dict]:
    n = _side(draw, 1, 4)
    if draw(_st().booleans()):
        return [_shape(draw, 0, 2, max_side=2) + (n, n), (n,)], {}
    batch_a, batch_b = draw(_hypothesis()[1].mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2)
                            ).input_shapes
    return [tuple(batch_a) + (n, n), tuple(batch_b) + (n, _side(draw))], {}


# ----- joining and splitting -----------------------------------------------------------------------
def concatenate(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    if draw(st.integers(0, 3)) == 0:  # axis=None joins the flattened inputs
        return [_shape(draw, 0, 2) for _ in range(nargs)], {"axis": None}
    base = _shape(draw, 1, 3)
    axis = draw(st.integers(0, len(base) - 1))
    out = [base[:axis] + (_side(draw),) + base[axis + 1:] for _ in range(nargs)]
    return out, {"axis": _maybe_negative(draw, axis, len(base))}


def stack(draw: Draw, nargs: int) -> tuple[list, dict]:
    base = _shape(draw, 0, 3)
    return [base] * nargs, {"axis": draw(_st().integers(-len(base) - 1, len(base)))}


def _free_axis(draw: Draw, nargs: int, base: tuple, axis: int) -> list:
    return [base[:axis] + (_side(draw),) + base[axis + 1:] for _ in range(nargs)]


def hstack(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    if draw(st.booleans()):  # vectors (and scalars) are joined along axis 0
        return [() if draw(st.integers(0, 3)) == 0 else (_side(draw),) for _ in range(nargs)], {}
    return _free_axis(draw, nargs, _shape(draw, 2, 3), 1), {}


def vstack(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    base = _shape(draw, 2, 3)
    out = _free_axis(draw, nargs, base, 0)
    if len(base) == 2:  # a vector is one row
        out = [s[1:] if s[0] == 1 and draw(st.booleans()) else s for s in out]
    return out, {}


def dstack(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    out = _free_axis(draw, nargs, _shape(draw, 3, 3), 2)
    # a matrix (a, b) is (a, b, 1); a vector (b,) is (1, b, 1)
    out = [s[:2] if s[2] == 1 and draw(st.booleans()) else s for s in out]
    return [s[1:] if len(s) == 2 and s[0] == 1 and draw(st.booleans()) else s for s in out], {}


def column_stack(draw: Draw, nargs: int) -> tuple[list, dict]:
    out = _free_axis(draw, nargs, _shape(draw, 2, 2), 1)
    return [s[:1] if s[1] == 1 and draw(_st().booleans()) else s for s in out], {}


def _pieces(draw: Draw, n: int, equal: bool) -> Any:
    st = _st()
    if draw(st.booleans()):
        if equal:
            return draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
        return draw(st.integers(1, n + 1))
    return sorted(draw(st.lists(st.integers(0, n), max_size=3)))


def _split_kind(equal: bool) -> Callable:
    def draw_split(draw: Draw, nargs: int) -> tuple[list, dict]:
        st = _st()
        shape = _shape(draw, 1, 3, max_side=4)
        axis = draw(st.integers(0, len(shape) - 1))
        n = shape[axis]
        sections = _pieces(draw, n, equal)
        if isinstance(sections, int):
            size, extra = divmod(n, sections)
            lengths = [size + 1] * extra + [size] * (sections - extra)
        else:
            bounds = [0] + sections + [n]
            lengths = [max(0, b - a) for a, b in zip(bounds[:-1], bounds[1:])]
        piece = draw(st.sampled_from([i for i, m in enumerate(lengths) if m > 0]))
        return [shape], {"indices_or_sections": sections, "axis": _maybe_negative(draw, axis, len(shape)),
                         "piece": piece}
    return draw_split


# ----- rearranging and copying ---------------------------------------------------------------------
def squeeze(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = tuple(draw(st.lists(st.sampled_from([1, 1, 2, 3]), max_size=4)))
    ones = [i for i, n in enumerate(shape) if n == 1]
    if not ones or draw(st.booleans()):
        return [shape], {"axis": None}
    chosen = draw(st.lists(st.sampled_from(ones), min_size=1, unique=True))
    axes = tuple(_maybe_negative(draw, a, len(shape)) for a in chosen)
    return [shape], {"axis": axes[0] if len(axes) == 1 and draw(st.booleans()) else axes}


def expand_dims(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 0, 3)
    new = draw(st.integers(1, 2))
    axes = [_maybe_negative(draw, a, len(shape) + new)
            for a in draw(st.permutations(range(len(shape) + new)))[:new]]
    return [shape], {"axis": axes[0] if new == 1 and draw(st.booleans()) else tuple(axes)}


def moveaxis(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 1, 4)
    nd = len(shape)
    k = draw(st.integers(1, nd))
    source = [_maybe_negative(draw, a, nd) for a in draw(st.permutations(range(nd)))[:k]]
    destination = [_maybe_negative(draw, a, nd) for a in draw(st.permutations(range(nd)))[:k]]
    if k == 1 and draw(st.booleans()):
        return [shape], {"source": source[0], "destination": destination[0]}
    return [shape], {"source": tuple(source), "destination": tuple(destination)}


def repeat(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 0, 3)
    axis = None if not shape or draw(st.booleans()) else draw(st.integers(-len(shape), len(shape) - 1))
    n = int(np.prod(shape)) if axis is None else shape[axis]
    if draw(st.booleans()):
        return [shape], {"repeats": draw(st.integers(1, 3)), "axis": axis}
    counts = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n).filter(lambda c: sum(c) > 0))
    return [shape], {"repeats": counts, "axis": axis}


def tile(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 0, 3)
    if draw(st.booleans()):
        return [shape], {"reps": draw(st.integers(1, 3))}
    return [shape], {"reps": tuple(draw(st.lists(st.integers(1, 2), max_size=4)))}


def flip(draw: Draw, nargs: int) -> tuple[list, dict]:
    shape = _shape(draw, 0, 3)
    return [shape], {"axis": draw(valid_axes(len(shape)))}


def at_least_1d(draw: Draw, nargs: int) -> tuple[list, dict]:
    return [_shape(draw, 1, 3)], {}


def at_least_2d(draw: Draw, nargs: int) -> tuple[list, dict]:
    return [_shape(draw, 2, 3)], {}


def roll(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 0, 3)
    if not shape or draw(st.integers(0, 2)) == 0:
        return [shape], {"shift": draw(st.integers(-5, 5)), "axis": None}
    axes = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=3))
    shifts = tuple(draw(st.integers(-5, 5)) for _ in axes)
    if len(axes) == 1 and draw(st.booleans()):
        return [shape], {"shift": shifts[0], "axis": axes[0]}
    return [shape], {"shift": shifts, "axis": tuple(axes)}


def pad(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 0, 3)
    width = st.integers(0, 2)
    how = draw(st.sampled_from(["int", "pair", "per axis"] if shape else ["int", "pair"]))
    pad_width: Any = (draw(width) if how == "int" else (draw(width), draw(width)) if how == "pair"
                      else tuple((draw(width), draw(width)) for _ in shape))
    return [shape], {"pad_width": pad_width, "constant_values": draw(st.sampled_from([0, 1.5, -2]))}


def take(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 0, 3)
    axis = None if not shape or draw(st.booleans()) else draw(st.integers(-len(shape), len(shape) - 1))
    n = int(np.prod(shape)) if axis is None else shape[axis]
    mode = draw(st.sampled_from(["raise", "wrap", "clip"]))
    reach = n if mode == "raise" else 2 * n + 1
    index_shape = _shape(draw, 0, 2)
    indices = np.array(draw(st.lists(st.integers(-reach, reach - 1), min_size=int(np.prod(index_shape)),
                                     max_size=int(np.prod(index_shape)))), dtype=np.intp).reshape(index_shape)
    return [shape], {"indices": indices, "axis": axis, "mode": mode}


def take_along_axis(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 1, 3)
    index_shape: tuple
    if draw(st.integers(0, 3)) == 0:  # axis=None: 1-d indices into the flattened tensor
        n, index_shape, axis = int(np.prod(shape)), (_side(draw, 1, 4),), None
    else:
        axis = draw(st.integers(0, len(shape) - 1))
        n = shape[axis]
        index_shape = tuple(_side(draw, 1, 4) if d == axis else (1 if draw(st.integers(0, 3)) == 0 else m)
                            for d, m in enumerate(shape))
        axis = _maybe_negative(draw, axis, len(shape))
    size = int(np.prod(index_shape))
    values = draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size))
    return [shape], {"indices": np.array(values, dtype=np.intp).reshape(index_shape), "axis": axis}


def sliding_window(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 1, 3, max_side=5)
    if draw(st.integers(0, 2)) == 0:
        return [shape], {"window_shape": tuple(_side(draw, 1, n) for n in shape), "axis": None}
    axes = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=2))
    left, window = list(shape), []
    for a in axes:  # an axis windowed twice: the second window fits in what the first left
        window.append(_side(draw, 1, left[a]))
        left[a] -= window[-1] - 1
    if len(axes) == 1 and draw(st.booleans()):
        return [shape], {"window_shape": window[0], "axis": _maybe_negative(draw, axes[0], len(shape))}
    return [shape], {"window_shape": tuple(window), "axis": tuple(_maybe_negative(draw, a, len(shape)) for a in axes)}


def index_put(draw: Draw, nargs: int) -> tuple[list, dict]:
    st = _st()
    shape = _shape(draw, 1, 3)
    key = _getitem_key(draw, shape)
    target = np.empty(shape)[key].shape
    cut = draw(st.integers(0, len(target)))  # v broadcasts: fewer axes, or axes of length 1
    v = tuple(1 if draw(st.integers(0, 3)) == 0 else n for n in target[cut:])
    if target and draw(st.integers(0, 4)) == 0:
        v = (1,) + v  # a leading axis of length 1, which the assignment drops
    return [shape, v], {"key": key}


# ----- cases the kinds above rarely or never draw (the mutation run's survivors) -------------------
MAX_DOT_DIMS = 34  # na + nb: numpy's dot gives at most 32 axes (and takes at most 32 per operand)


def _mostly_ones(draw: Draw, ndim: int, wide: int = 2) -> list:
    """``ndim`` sides of 1 except up to ``wide`` of them of length 2 (a tiny array of many axes)."""
    sides = [1] * ndim
    for axis in draw(_st().lists(_st().integers(0, ndim - 1), max_size=wide, unique=True)):
        sides[axis] = 2
    return sides


def dot_many_axes(draw: Draw, nargs: int) -> tuple[list, dict]:
    """N-d · M-d with nb from 26 to 32 and na + nb up to MAX_DOT_DIMS: the letters
    dot's vjp gives b's axes run past the middle of its 51-letter alphabet."""
    st = _st()
    nb = draw(st.integers(26, MAX_DOT_DIMS - 2))
    na = draw(st.integers(1, MAX_DOT_DIMS - nb))
    a, b = _mostly_ones(draw, na), _mostly_ones(draw, nb)
    b[-2] = a[-1] = _side(draw)  # the contracted axis
    return [tuple(a), tuple(b)], {}


def roll_axes(draw: Draw, nargs: int) -> tuple[list, dict]:
    """A shape with sides 3 or 4 and a shift per axis (axes may repeat): on at least
    one axis the total shift is neither 0 nor half its length, where rolling
    forward and rolling back differ."""
    st = _st()
    shape = tuple(draw(st.lists(st.integers(3, 4), min_size=1, max_size=3)))
    axes = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=3))
    shifts = [draw(st.integers(-5, 5)) for _ in axes]

    def telling(axis: int) -> bool:
        n = shape[axis]
        total = sum(s for s, a in zip(shifts, axes) if a % len(shape) == axis % len(shape)) % n
        return 2 * total % n != 0

    if not any(telling(a) for a in axes):
        shifts[0] += 1  # its axis' total moves from 0 (or n/2) to 1 (or n/2 + 1)
    return [shape], {"shift": tuple(shifts), "axis": tuple(axes)}


KINDS: dict[str, Callable] = {  # the descriptions are in autodiff.registry.SHAPE_KINDS
    "dot": dot,
    "same_size": same_size,
    "inner": inner,
    "two_shapes": two_shapes,
    "tensordot": tensordot,
    "einsum": einsum,
    "diagonal": diagonal,
    "diag": diag,
    "triangle": triangle,
    "square": square,
    "solve": solve,
    "concatenate": concatenate,
    "stack": stack,
    "hstack": hstack,
    "vstack": vstack,
    "dstack": dstack,
    "column_stack": column_stack,
    "split": _split_kind(True),
    "array_split": _split_kind(False),
    "squeeze": squeeze,
    "expand_dims": expand_dims,
    "moveaxis": moveaxis,
    "repeat": repeat,
    "tile": tile,
    "flip": flip,
    "at_least_1d": at_least_1d,
    "at_least_2d": at_least_2d,
    "roll": roll,
    "pad": pad,
    "take": take,
    "take_along_axis": take_along_axis,
    "sliding_window": sliding_window,
    "index_put": index_put,
    "dot_many_axes": dot_many_axes,
    "roll_axes": roll_axes,
}


def well_conditioned(shape: tuple, dtype: Any) -> Any:
    """Square matrices far from singular: entries in [−1, 1] plus ±(n + 1) on the
    diagonal (strictly diagonally dominant, determinants of both signs)."""
    st, hnp = _hypothesis()
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"well_conditioned: needs a shape (..., n, n), got {shape}")
    n = shape[-1]
    entries = hnp.arrays(np.float64, shape, elements=st.floats(-1.0, 1.0))
    signs = hnp.arrays(np.float64, shape[:-1], elements=st.sampled_from([-1.0, 1.0]))
    return st.tuples(entries, signs).map(
        lambda pair: (pair[0] + (n + 1) * pair[1][..., None] * np.eye(n)).astype(dtype))
