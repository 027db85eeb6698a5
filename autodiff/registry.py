"""The op registry: one entry per op, and the test suite checks every entry.

``tests/test_ops_registry.py`` runs each registered op through one property
test (hypothesis draws inputs in the op's domains and shapes): the gradient
against central differences (``gradcheck``), backward = gᵀ·J with J from
central differences of the forward, ``local_jacobian`` = J, float32 kept and
close to float64, inputs never mutated, and second derivatives
(``gradgradcheck``) for the smooth ops. So a new op is tested by adding ONE entry.

Registering your own op: an ``Op`` subclass (forward on numpy arrays, vjp with
numpy calls only, so that it also runs on Tensors under ``create_graph``), a
function that applies it, and one ``register`` call::

    import numpy as np
    from autodiff.ops import Op, apply
    from autodiff.registry import OpInfo, register

    class Softplus(Op):
        '''y = log(1 + eˣ).   f'(x) = σ(x) = 1 − e^(−y).'''
        name = "softplus"

        def forward(self, ctx, x):
            return np.logaddexp(0.0, x)

        def vjp(self, ctx, g, out, x):
            return (g * (1.0 - np.exp(-out)),)

    def softplus(x):
        return apply(Softplus(), x)

    register(OpInfo("softplus", softplus, nargs=1, domains=("real",)))

Run the register call before pytest collects the tests (in the module that
defines the op, imported by your package, or in your ``tests/conftest.py``): the
registry test is parametrised over ``OPS`` at collection, so ``softplus`` then
gets its own test id, ``test_op[softplus]``. One entry can also be checked by hand
with ``autodiff.testing.check_op(OPS["softplus"], args, kwargs)``.

Fields of ``OpInfo``:

- ``fn(*tensors, **kwargs) -> Tensor``: the op as a function of Tensors.
- ``nargs`` and ``domains``, one per argument: a name from ``DOMAINS`` or a
  function ``(shape, dtype) -> hypothesis strategy of arrays``.
- ``shapes``: how the argument shapes (and shape-related kwargs) are drawn, a name
  from ``SHAPE_KINDS``, or a function ``(draw) -> (list of shapes, kwargs dict)``
  with ``draw`` hypothesis' draw.
- ``smooth``: twice differentiable in its domain (gradgradcheck runs on it).
- ``kwargs``: fixed keyword arguments; ``kwarg_choices``: a tuple of values for
  each keyword drawn per example (e.g. the loss reduction).
- ``single_node``: ``fn`` applies exactly one op to its Tensor arguments, so that
  ``local_jacobian(out, i)`` is its Jacobian (False for composite functions).
- ``dtypes``: the float dtypes to test (float64 and float32 by default).
- ``reference(*arrays, **kwargs) -> array``: the forward computed another way,
  with numpy (or plain Python) on the same arguments; the registry test checks
  the op's forward against it (float64, rtol 1e-12).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from . import functions as F
from .tensor import Tensor

__all__ = ["OpInfo", "OPS", "DOMAINS", "SHAPE_KINDS", "register", "unregister", "all_ops", "get"]

DOMAINS: Mapping[str, str] = MappingProxyType({
    "real": "finite floats in [-10, 10]",
    "exponent": "finite floats in [-3, 3] (exponents of pow)",
    "positive": "floats in [0.1, 10] (log, sqrt, bases of pow)",
    "nonzero": "floats with 0.1 ≤ |x| ≤ 10 (divisors)",
    "unit_open": "probabilities in [0.02, 0.98]: inside (0, 1) even after a finite-difference step",
    "unit_interval": "targets in [0, 1]",
    "away_from_kinks": "floats with 1e-3 ≤ |x| ≤ 10 (abs, relu: no kink within a difference step)",
    "distinct": "floats in [-10, 10] at least 0.01 apart (max: no ties)",
    "zeros_or_away": "exact zeros, or floats with 1e-3 ≤ |x| ≤ 10 (the conventions at a kink or at 0)",
    "ties": "floats in [-10, 10] at least 0.01 apart, some twice (ties of two: each gets half)",
    "wide": "finite floats in [-1000, 1000] (where e^x overflows: the stable formulas)",
    "labels": "integer class labels in 0..K−1 (not differentiated)",
    "onehot": "one-hot rows (m, K)",
    "probabilities": "rows of strictly positive probabilities summing to 1 (m, K)",
    "half_period": "floats in [-1.4, 1.4] (tan: inside (−π/2, π/2))",
    "inside_unit": "floats in [-0.95, 0.95] (arcsin, arccos, arctanh)",
    "above_one": "floats in [1.05, 10] (arccosh)",
    "away_from_steps": "k + f, k an integer in [-10, 9], f in [0.05, 0.45] or [0.55, 0.95] (floor, round, mod, clip)",
    "integers": "whole numbers in [-6, 6] (clip's lower bounds)",
    "half_integers": "k + 0.5 for whole k in [-6, 5] (clip's upper bounds: never equal to a lower one)",
    "divisors": "±{0.5, 1, 2, 4}·(1 + u), |u| ≤ 0.001 (mod's divisors: x/y stays away from the jumps)",
    "superincreasing": "random signs, magnitudes 3^k·(1 + 0.3u) in a drawn order, at most 10, at most 12 elements "
                       "(norms: no zeros, no ties of |x| or of sums)",
    "superincreasing_or_zero": "superincreasing, with some elements exactly 0 (norms at zeros: sign 0, no 0/0)",
})
NOT_DIFFERENTIABLE = frozenset({"labels"})

SHAPE_KINDS: Mapping[str, str] = MappingProxyType({
    "elementwise": "every argument has one drawn shape (0 to 3 dimensions)",
    "broadcast": "mutually broadcastable shapes",
    "pairwise_same": "two arguments of the same shape (e.g. binary cross-entropy)",
    "matmul": "1-D, 2-D and batched shapes that numpy's matmul accepts",
    "reduction": "one shape; draws axis (None, an int or a tuple) and keepdims",
    "axis": "one shape of at least 1 dimension; draws axis (softmax-like)",
    "reshape": "one shape; draws a new shape of the same size (maybe with -1)",
    "transpose": "one shape; draws axes: None or a permutation",
    "swapaxes": "one shape of at least 1 dimension; draws axis1 and axis2",
    "broadcast_to": "an input shape and a shape it broadcasts to (kwarg shape)",
    "getitem": "one shape; draws key: ints, slices (negative steps too) and integer arrays with repeats",
    "logits_labels": "logits (m, K) and integer labels (m,)",
    "logits_onehot": "logits (m, K) and targets (m, K) in the second argument's domain",
    "cumulative": "one shape; draws axis: None (the flattened input) or an int",
    "moments": "one shape; draws axis, keepdims and ddof (0 to 2, below the reduced size)",
    "where": "x and y and a condition of mutually broadcastable shapes; the condition is the kwarg condition",
    "vector_norm": "at most 9 elements; draws axis (an int, or None for 1-D) and keepdims",
    "matrix_norm": "2-D or 3-D, at most 9 elements; draws axis (a pair, or None for 2-D) and keepdims",
    "conv2d": "images (N, C, H, W), a weight (O, C, kh, kw) and (with 3 arguments) a bias (O,); draws stride, padding",
    "conv_transpose2d": "images (N, Cin, Hi, Wi), a weight (Cin, Cout, kh, kw), maybe a bias (Cout,); "
                        "draws stride, padding, output_padding",
    "conv2d_weight": "images (N, C, H, W) and a conv2d output gradient (N, O, Ho, Wo); draws kernel_size, "
                     "stride, padding",
    "pool2d": "images (N, C, H, W); draws kernel_size, stride (None: the kernel's) and padding (at most half "
              "the kernel)",
})


@dataclass(frozen=True, eq=False)
class OpInfo:
    """One registered op: how to call it and where to draw its inputs."""

    name: str
    fn: Callable[..., Tensor]
    nargs: int
    domains: tuple = ("real",)
    shapes: Any = "elementwise"
    smooth: bool = True
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    kwarg_choices: Mapping[str, tuple] = field(default_factory=dict)
    single_node: bool = True
    dtypes: tuple = (np.float64, np.float32)
    reference: Callable[..., Any] | None = None
    # Fixed inputs checked besides the drawn ones: (shapes of the arguments, kwargs)
    # pairs, for paths the drawn shapes do not reach (a fast path for big arrays).
    examples: tuple = ()

    def __post_init__(self) -> None:
        who = f"OpInfo {self.name!r}"
        if not callable(self.fn):
            raise TypeError(f"{who}: fn must be callable, got {type(self.fn).__name__}")
        domains = (self.domains,) if isinstance(self.domains, str) else tuple(self.domains)
        object.__setattr__(self, "domains", domains)
        if len(domains) != self.nargs:
            raise ValueError(f"{who}: {self.nargs} arguments but {len(domains)} domains {domains}")
        for d in domains:
            if not callable(d) and d not in DOMAINS:
                raise ValueError(f"{who}: unknown domain {d!r}; use one of {sorted(DOMAINS)} "
                                 "or a function (shape, dtype) -> hypothesis strategy")
        if not callable(self.shapes) and self.shapes not in SHAPE_KINDS:
            raise ValueError(f"{who}: unknown shapes {self.shapes!r}; use one of {sorted(SHAPE_KINDS)} "
                             "or a function (draw) -> (shapes, kwargs)")
        for key, values in self.kwarg_choices.items():
            if not isinstance(values, (tuple, list)) or not values:
                raise ValueError(f"{who}: kwarg_choices[{key!r}] must be a non-empty tuple of values")
        object.__setattr__(self, "kwargs", MappingProxyType(dict(self.kwargs)))
        object.__setattr__(self, "kwarg_choices", MappingProxyType(dict(self.kwarg_choices)))
        object.__setattr__(self, "dtypes", tuple(np.dtype(t) for t in self.dtypes))

    @property
    def differentiable(self) -> tuple[int, ...]:
        """Indices of the arguments that get gradients (not labels)."""
        return tuple(i for i, d in enumerate(self.domains) if d not in NOT_DIFFERENTIABLE)

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        return self.fn(*args, **{**self.kwargs, **kwargs})


OPS: dict[str, OpInfo] = {}


def register(info: OpInfo, *, replace: bool = False) -> OpInfo:
    """Add an op to the registry (and so to the test suite). Returns ``info``."""
    if not isinstance(info, OpInfo):
        raise TypeError(f"register: expected an OpInfo, got {type(info).__name__}")
    if info.name in OPS and not replace:
        raise ValueError(f"register: an op named {info.name!r} is already registered (pass replace=True)")
    OPS[info.name] = info
    return info


def unregister(name: str) -> OpInfo:
    """Remove an op from the registry; returns its entry."""
    try:
        return OPS.pop(name)
    except KeyError:
        raise KeyError(f"unregister: no op named {name!r}; registered: {sorted(OPS)}") from None


def get(name: str) -> OpInfo:
    try:
        return OPS[name]
    except KeyError:
        raise KeyError(f"registry: no op named {name!r}; registered: {sorted(OPS)}") from None


def all_ops() -> list[OpInfo]:
    """Every registered op, sorted by name."""
    return [OPS[name] for name in sorted(OPS)]


# ----- the built-in ops ----------------------------------------------------------------------
def _pow_scalar(x: Tensor, c: float) -> Tensor:
    return x ** c


def _reshape(x: Tensor, shape: tuple) -> Tensor:
    return F.reshape(x, shape)




_REDUCTIONS = {"reduction": ("mean", "sum", "none")}


# ----- numpy references: each forward computed the plain way --------------------------------
def _reduce(losses: np.ndarray, reduction: str = "mean") -> np.ndarray:
    if reduction == "none":
        return losses
    return np.mean(losses) if reduction == "mean" else np.sum(losses)


# A short last axis of many rows: the shape that the reductions' transpose path
# takes (autodiff.ops.base.rows_along), which the drawn shapes never reach.
_ROWS = (64, 3)
_ROWS_EXAMPLES = (((_ROWS,), {"axis": 1, "keepdims": False}), ((_ROWS,), {"axis": -1, "keepdims": True}))


def _log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return x - np.log(np.sum(np.exp(x), axis=axis, keepdims=True))


def _bce(p: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
    return _reduce(-(y * np.log(p) + (1 - y) * np.log(1 - p)), reduction)


def _bce_logits(z: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
    p = 1 / (1 + np.exp(-z))
    return _reduce(-(y * np.log(p) + (1 - y) * np.log(1 - p)), reduction)


def _xent_labels(z: np.ndarray, labels: np.ndarray, reduction: str = "mean") -> np.ndarray:
    return _reduce(-_log_softmax(z)[np.arange(len(labels)), labels], reduction)


def _xent_table(z: np.ndarray, y: np.ndarray, reduction: str = "mean") -> np.ndarray:
    return _reduce(-np.sum(y * _log_softmax(z), axis=-1), reduction)


def _reduction(f: Callable[..., Any]) -> Callable[..., Any]:
    return lambda x, axis=None, keepdims=False: f(x, axis=axis, keepdims=keepdims)


for _info in [
    OpInfo("add", F.add, 2, ("real", "real"), "broadcast", reference=np.add),
    OpInfo("sub", F.sub, 2, ("real", "real"), "broadcast", reference=np.subtract),
    OpInfo("mul", F.mul, 2, ("real", "real"), "broadcast", reference=np.multiply),
    OpInfo("div", F.div, 2, ("real", "nonzero"), "broadcast", reference=np.divide),
    OpInfo("pow", F.pow, 2, ("positive", "exponent"), "broadcast", reference=np.power),
    OpInfo("pow_scalar", _pow_scalar, 1, ("positive",),
           kwarg_choices={"c": (2, 3, 0.5, -1, 1.5, -2.5, 0, 1)}, reference=lambda x, c: np.power(x, float(c))),
    OpInfo("neg", F.neg, 1, ("real",), reference=np.negative),
    OpInfo("matmul", F.matmul, 2, ("real", "real"), "matmul", reference=np.matmul),
    OpInfo("exp", F.exp, 1, ("real",), reference=np.exp),
    OpInfo("log", F.log, 1, ("positive",), reference=np.log),
    OpInfo("log1p", F.log1p, 1, ("positive",), reference=np.log1p),
    OpInfo("sigmoid", F.sigmoid, 1, ("real",), reference=lambda z: 1 / (1 + np.exp(-z))),
    OpInfo("tanh", F.tanh, 1, ("real",), reference=np.tanh),
    OpInfo("relu", F.relu, 1, ("away_from_kinks",), smooth=False, reference=lambda x: np.where(x > 0, x, 0.0)),
    OpInfo("sin", F.sin, 1, ("real",), reference=np.sin),
    OpInfo("cos", F.cos, 1, ("real",), reference=np.cos),
    OpInfo("sqrt", F.sqrt, 1, ("positive",), reference=np.sqrt),
    OpInfo("abs", F.abs, 1, ("away_from_kinks",), smooth=False, reference=np.abs),
    OpInfo("maximum", F.maximum, 2, ("distinct", "distinct"), "broadcast", smooth=False, reference=np.maximum),
    OpInfo("minimum", F.minimum, 2, ("distinct", "distinct"), "broadcast", smooth=False, reference=np.minimum),
    OpInfo("sum", F.sum, 1, ("real",), "reduction", reference=_reduction(np.sum), examples=_ROWS_EXAMPLES),
    OpInfo("mean", F.mean, 1, ("real",), "reduction", reference=_reduction(np.mean)),
    OpInfo("max", F.max, 1, ("distinct",), "reduction", smooth=False, reference=_reduction(np.max),
           examples=_ROWS_EXAMPLES),
    OpInfo("logsumexp", F.logsumexp, 1, ("real",), "reduction",
           reference=lambda x, axis=None, keepdims=False: np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))),
    OpInfo("reshape", _reshape, 1, ("real",), "reshape", reference=lambda x, shape: np.reshape(x, shape)),
    OpInfo("transpose", F.transpose, 1, ("real",), "transpose", reference=lambda x, axes=None: np.transpose(x, axes)),
    OpInfo("swapaxes", F.swapaxes, 1, ("real",), "swapaxes", reference=np.swapaxes),
    OpInfo("broadcast_to", F.broadcast_to, 1, ("real",), "broadcast_to", reference=np.broadcast_to),
    OpInfo("getitem", F.getitem, 1, ("real",), "getitem", reference=lambda x, key: x[key]),
    OpInfo("astype", F.astype, 1, ("real",), kwargs={"dtype": np.float64}, dtypes=(np.float64,),
           reference=lambda x, dtype: x.astype(dtype)),
    OpInfo("softmax", F.softmax, 1, ("real",), "axis",
           reference=lambda x, axis=-1: np.exp(x) / np.sum(np.exp(x), axis=axis, keepdims=True),
           examples=(((_ROWS,), {"axis": -1}),)),
    OpInfo("log_softmax", F.log_softmax, 1, ("real",), "axis", reference=_log_softmax,
           examples=(((_ROWS,), {"axis": 1}),)),
    OpInfo("binary_cross_entropy", F.binary_cross_entropy, 2, ("unit_open", "unit_open"), "pairwise_same",
           kwarg_choices=_REDUCTIONS, reference=_bce),
    OpInfo("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits, 2,
           ("real", "unit_interval"), "pairwise_same", kwarg_choices=_REDUCTIONS, reference=_bce_logits),
    OpInfo("cross_entropy", F.cross_entropy, 2, ("real", "labels"), "logits_labels",
           kwarg_choices=_REDUCTIONS, reference=_xent_labels),
    OpInfo("cross_entropy_onehot", F.cross_entropy, 2, ("real", "onehot"), "logits_onehot",
           kwarg_choices=_REDUCTIONS, reference=_xent_table),
    OpInfo("cross_entropy_probabilities", F.cross_entropy, 2, ("real", "probabilities"), "logits_onehot",
           kwarg_choices=_REDUCTIONS, reference=_xent_table),
]:
    register(_info)
del _info


# ----- convolution and pooling (autodiff.ops.conv): references by direct loops ---------------------
from .ops import conv as _conv  # noqa: E402


def _padded(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    (ph, pw) = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _conv2d_loops(x, w, b=None, stride=1, padding=0):
    """Each output pixel as the sum over its window: out[:, :, p, q] = Σ w · patch."""
    (sh, sw), padding = _conv.pair("", "", stride, 1), _conv.pair("", "", padding, 0)
    xp = _padded(x, padding)
    o, _, kh, kw = w.shape
    ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    out = np.zeros((x.shape[0], o, ho, wo))
    for p in range(ho):
        for q in range(wo):
            patch = xp[:, :, p * sh:p * sh + kh, q * sw:q * sw + kw]
            out[:, :, p, q] = np.einsum("ncij,ocij->no", patch, w)
    return out if b is None else out + b.reshape(1, o, 1, 1)


def _conv_transpose2d_loops(x, w, b=None, stride=1, padding=0, output_padding=0):
    """Each input pixel adds its value times the kernel onto the output at (s·p, s·q), then the padding is cut."""
    (sh, sw), (ph, pw) = _conv.pair("", "", stride, 1), _conv.pair("", "", padding, 0)
    oph, opw = _conv.pair("", "", output_padding, 0)
    n, _, hi, wi = x.shape
    _, cout, kh, kw = w.shape
    full = np.zeros((n, cout, (hi - 1) * sh + kh + oph, (wi - 1) * sw + kw + opw))
    for p in range(hi):
        for q in range(wi):
            full[:, :, p * sh:p * sh + kh, q * sw:q * sw + kw] += np.einsum("nc,coij->noij", x[:, :, p, q], w)
    out = full[:, :, ph:full.shape[2] - ph, pw:full.shape[3] - pw]
    return out if b is None else out + b.reshape(1, cout, 1, 1)


def _conv2d_weight_loops(x, g, kernel_size, stride=1, padding=0):
    """dw[:, :, i, j] = Σ_{n,p,q} g[n, o, p, q] · x̃[n, c, s·p + i, s·q + j], kernel offset by offset."""
    (kh, kw), (sh, sw) = _conv.pair("", "", kernel_size, 1), _conv.pair("", "", stride, 1)
    xp = _padded(x, _conv.pair("", "", padding, 0))
    ho, wo = g.shape[2:]
    dw = np.zeros((g.shape[1], x.shape[1], kh, kw))
    for i in range(kh):
        for j in range(kw):
            dw[:, :, i, j] = np.einsum("nopq,ncpq->oc", g, xp[:, :, i:i + sh * (ho - 1) + 1:sh,
                                                               j:j + sw * (wo - 1) + 1:sw])
    return dw


def _pool_loops(reduce, pad_value):
    def pool(x, kernel_size, stride=None, padding=0, count_include_pad=True):
        kh, kw = _conv.pair("", "", kernel_size, 1)
        sh, sw = (kh, kw) if stride is None else _conv.pair("", "", stride, 1)
        padding = _conv.pair("", "", padding, 0)
        xp = _padded(x, padding, pad_value)
        real = _padded(np.ones(x.shape), padding)  # 1 on the image, 0 on the padding
        ho, wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
        out = np.zeros(x.shape[:2] + (ho, wo))
        for p in range(ho):
            for q in range(wo):
                window = (slice(None), slice(None), slice(p * sh, p * sh + kh), slice(q * sw, q * sw + kw))
                out[:, :, p, q] = reduce(xp[window], real[window], count_include_pad)
        return out
    return pool


_max_pool2d_loops = _pool_loops(lambda window, real, _: window.max(axis=(2, 3)), -np.inf)
_avg_pool2d_loops = _pool_loops(
    lambda window, real, include: window.sum(axis=(2, 3)) / (real[0, 0].size if include else real[0, 0].sum()), 0.0)

for _info in [
    OpInfo("conv2d", F.conv2d, 3, ("real", "real", "real"), "conv2d", reference=_conv2d_loops),
    OpInfo("conv2d_nobias", F.conv2d, 2, ("real", "real"), "conv2d", reference=_conv2d_loops),
    OpInfo("conv_transpose2d", F.conv_transpose2d, 3, ("real", "real", "real"), "conv_transpose2d",
           reference=_conv_transpose2d_loops),
    OpInfo("conv_transpose2d_nobias", F.conv_transpose2d, 2, ("real", "real"), "conv_transpose2d",
           reference=_conv_transpose2d_loops),
    OpInfo("conv2d_weight", _conv.conv2d_weight, 2, ("real", "real"), "conv2d_weight",
           reference=_conv2d_weight_loops),
    OpInfo("max_pool2d", F.max_pool2d, 1, ("distinct",), "pool2d", smooth=False, reference=_max_pool2d_loops),
    OpInfo("avg_pool2d", F.avg_pool2d, 1, ("real",), "pool2d", kwarg_choices={"count_include_pad": (True, False)},
           reference=_avg_pool2d_loops),
]:
    register(_info)
del _info


# ----- edges the mutation score found unchecked (python -m benchmarks.mutation) ---------------
# Each entry checks a behaviour the entries above never reach, and kills the
# mutants (flipped operators in a vjp) that survived them.
_POW_BASES = np.array([0.0, 0.5, 2.0])


def _bases_like(y: Any) -> np.ndarray:
    """Constant bases 0, 0.5, 2, 0, ... in the shape and dtype of ``y``."""
    return np.resize(_POW_BASES, np.shape(y.data if isinstance(y, Tensor) else y)).astype(y.dtype)


def _pow_of_bases(y: Tensor) -> Tensor:
    return F.pow(_bases_like(y), y)


def _logsumexp_reference(x: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.logaddexp.reduce(x, axis=axis, keepdims=bool(keepdims))  # type: ignore[call-overload]  # never overflows


for _info in [
    # x⁰ at x = 0 has derivative 0, and so do x¹, x², x³ (integer powers are smooth there)
    OpInfo("pow_scalar_at_zero", _pow_scalar, 1, ("zeros_or_away",), kwarg_choices={"c": (0, 1, 2, 3)},
           reference=lambda x, c: np.power(x, float(c))),
    # d(bʸ)/dy = bʸ log b, and 0 where b = 0 (0^y is 0 for every y > 0)
    OpInfo("pow_exponent_of_zero_base", _pow_of_bases, 1, ("positive",),
           reference=lambda y: np.power(_bases_like(y), y)),
    # |x|' = sign(x), 0 at x = 0: the central difference there is 0 too
    OpInfo("abs_at_zero", F.abs, 1, ("zeros_or_away",), smooth=False, reference=np.abs),
    # a tie of two maxima shares the gradient equally (the central difference: 1/2 each)
    OpInfo("max_ties", F.max, 1, ("ties",), "reduction", smooth=False, reference=_reduction(np.max)),
    # logits where e^x overflows or underflows: the max is subtracted first
    OpInfo("logsumexp_wide", F.logsumexp, 1, ("wide",), "reduction", reference=_logsumexp_reference),
    # target rows that do not sum to 1: dL/dz = (S·Σ_k Y_k − Y)/m
    OpInfo("cross_entropy_unnormalised", F.cross_entropy, 2, ("real", "unit_interval"), "logits_onehot",
           kwarg_choices=_REDUCTIONS, reference=_xent_table),
]:
    register(_info)
del _info


# ----- linear algebra and shapes (issue 11): products, einsum, diagonals, matrix functions, joins,
# splits, rearrangements, copies, integer indexing, index_put, sliding windows -------------------------
DOMAINS = MappingProxyType({
    **DOMAINS,
    "well_conditioned": "square matrices (..., n, n): entries in [-1, 1] plus ±(n + 1) on the diagonal "
                        "(solve, inv, det, slogdet: far from singular, determinants of both signs)",
})
SHAPE_KINDS = MappingProxyType({  # drawn by autodiff.shape_kinds
    **SHAPE_KINDS,
    "dot": "numpy's dot cases: scalars, vectors, matrices and N-d · M-d",
    "same_size": "shapes of one size (vdot flattens)",
    "inner": "two shapes with the same last axis (or a scalar)",
    "two_shapes": "two independent shapes of 0 to 2 dimensions",
    "tensordot": "two shapes and axes (an int, or paired lists) whose lengths match",
    "einsum": "random subscripts (diagonals, sums, broadcasting, '...', implicit output) and shapes",
    "diagonal": "a shape of 2 to 4 dimensions; draws offset, axis1, axis2",
    "diag": "a vector or a matrix; draws k",
    "triangle": "a shape of 1 to 3 dimensions; draws k",
    "square": "a stack of square matrices (..., n, n)",
    "solve": "square matrices (..., n, n) and right-hand sides (n,) or (..., n, k)",
    "concatenate": "shapes equal but along the drawn axis (or any shapes for axis=None)",
    "stack": "equal shapes; draws the new axis",
    "hstack": "vectors and scalars, or shapes equal but along axis 1",
    "vstack": "shapes equal but along axis 0 (vectors as rows)",
    "dstack": "shapes equal but along axis 2 (matrices and vectors as numpy makes them 3-d)",
    "column_stack": "matrices with equal rows and vectors as columns",
    "split": "one shape; draws axis, equal sections or cut indices, and which piece",
    "array_split": "like split, with unequal sections",
    "squeeze": "a shape with axes of length 1; draws axis",
    "expand_dims": "one shape; draws one or two new axes",
    "moveaxis": "one shape; draws source and destination axes",
    "repeat": "one shape; draws repeats (one count or one per element) and axis",
    "tile": "one shape; draws reps",
    "flip": "one shape; draws axis (None, an int or a tuple)",
    "at_least_1d": "one shape of 1 to 3 dimensions",
    "at_least_2d": "one shape of 2 or 3 dimensions",
    "roll": "one shape; draws shift and axis",
    "pad": "one shape; draws pad_width and constant_values",
    "take": "one shape; draws integer indices, axis and mode",
    "take_along_axis": "one shape; draws indices along an axis (or the flattened tensor)",
    "sliding_window": "one shape; draws window_shape and axis",
    "index_put": "a shape, a getitem key and a value shape that broadcasts to x[key]",
})


def _einsum(*operands: Tensor, subscripts: str, sublists: bool = False) -> Tensor:
    """ad.einsum in numpy's string form, or in its interleaved form (operand, [axes], ..., [output])."""
    if not sublists:
        return F.einsum(subscripts, *operands)
    def numbers(term: str) -> list:
        items, term = [], term.replace("...", ".")
        for c in term:
            items.append(Ellipsis if c == "." else 26 + ord(c) - ord("a"))
        return items
    left, arrow, right = subscripts.partition("->")
    args: list = []
    for x, term in zip(operands, left.split(",")):
        args += [x, numbers(term)]
    return F.einsum(*args, *([numbers(right)] if arrow else []))


def _index_put_reference(x: np.ndarray, v: np.ndarray, key: Any) -> np.ndarray:
    y = x.copy()
    y[key] = v
    return y


for _info in [
    OpInfo("dot", F.dot, 2, ("real", "real"), "dot", reference=np.dot),
    OpInfo("vdot", F.vdot, 2, ("real", "real"), "same_size", reference=np.vdot),
    OpInfo("inner", F.inner, 2, ("real", "real"), "inner", reference=np.inner),
    OpInfo("outer", F.outer, 2, ("real", "real"), "two_shapes", reference=np.outer),
    OpInfo("tensordot", F.tensordot, 2, ("real", "real"), "tensordot", reference=np.tensordot),
    OpInfo("kron", F.kron, 2, ("real", "real"), "two_shapes", reference=np.kron),
    *[OpInfo(f"einsum_{n}", _einsum, n, ("real",) * n, "einsum",
             reference=lambda *xs, subscripts, sublists: np.einsum(subscripts, *xs)) for n in (1, 2, 3)],
    OpInfo("trace", F.trace, 1, ("real",), "diagonal", reference=np.trace),
    OpInfo("diagonal", F.diagonal, 1, ("real",), "diagonal", reference=np.diagonal),
    OpInfo("diag", F.diag, 1, ("real",), "diag", reference=np.diag),
    OpInfo("tril", F.tril, 1, ("real",), "triangle", reference=np.tril),
    OpInfo("triu", F.triu, 1, ("real",), "triangle", reference=np.triu),
    OpInfo("solve", F.solve, 2, ("well_conditioned", "real"), "solve", reference=np.linalg.solve),
    OpInfo("inv", F.inv, 1, ("well_conditioned",), "square", reference=np.linalg.inv),
    OpInfo("det", F.det, 1, ("well_conditioned",), "square", reference=np.linalg.det),
    OpInfo("slogdet", lambda a: F.slogdet(a).logabsdet, 1, ("well_conditioned",), "square",
           reference=lambda a: np.linalg.slogdet(a)[1]),
    OpInfo("concatenate", lambda *xs, axis: F.concatenate(xs, axis=axis), 3, ("real",) * 3, "concatenate",
           reference=lambda *xs, axis: np.concatenate(xs, axis=axis)),
    OpInfo("stack", lambda *xs, axis: F.stack(xs, axis=axis), 3, ("real",) * 3, "stack",
           reference=lambda *xs, axis: np.stack(xs, axis=axis)),
    *[OpInfo(name, lambda *xs, _f=getattr(F, name): _f(xs), 3, ("real",) * 3, name,
             reference=lambda *xs, _f=getattr(np, name): _f(xs))
      for name in ("hstack", "vstack", "dstack", "column_stack")],
    *[OpInfo(name, lambda x, piece, _f=getattr(F, name), **kw: _f(x, **kw)[piece], 1, ("real",), name,
             reference=lambda x, piece, _f=getattr(np, name), **kw: _f(x, **kw)[piece])
      for name in ("split", "array_split")],
    OpInfo("squeeze", F.squeeze, 1, ("real",), "squeeze", reference=np.squeeze),
    OpInfo("expand_dims", F.expand_dims, 1, ("real",), "expand_dims", reference=np.expand_dims),
    OpInfo("ravel", F.ravel, 1, ("real",), reference=np.ravel),
    OpInfo("moveaxis", F.moveaxis, 1, ("real",), "moveaxis", reference=np.moveaxis),
    OpInfo("repeat", F.repeat, 1, ("real",), "repeat", reference=np.repeat),
    OpInfo("tile", F.tile, 1, ("real",), "tile", reference=np.tile),
    OpInfo("flip", F.flip, 1, ("real",), "flip", reference=np.flip),
    OpInfo("fliplr", F.fliplr, 1, ("real",), "at_least_2d", reference=np.fliplr),
    OpInfo("flipud", F.flipud, 1, ("real",), "at_least_1d", reference=np.flipud),
    OpInfo("roll", F.roll, 1, ("real",), "roll", reference=np.roll),
    OpInfo("pad", F.pad, 1, ("real",), "pad", reference=np.pad),
    OpInfo("take", F.take, 1, ("real",), "take", reference=np.take),
    OpInfo("take_along_axis", F.take_along_axis, 1, ("real",), "take_along_axis", reference=np.take_along_axis),
    OpInfo("sliding_window_view", F.sliding_window_view, 1, ("real",), "sliding_window",
           reference=np.lib.stride_tricks.sliding_window_view),
    OpInfo("index_put", lambda x, v, key: F.index_put(x, key, v), 2, ("real", "real"), "index_put",
           reference=_index_put_reference),
]:
    register(_info)
del _info


# ----- issue 11: more elementwise ops, activations, rounding, choices, reductions ---------------
def _where(x: Tensor, y: Tensor, condition: np.ndarray) -> Tensor:
    return F.where(condition, x, y)


def _math_ufunc(f: Callable[[float], float]) -> Callable[[np.ndarray], np.ndarray]:
    """A Python math function applied element by element (references for erf, erfc)."""
    elementwise = np.frompyfunc(f, 1, 1)
    return lambda x: np.asarray(elementwise(x), dtype=np.float64)


def _gelu(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + _math_ufunc(math.erf)(x / np.sqrt(2)))


def _moments(f: Callable[..., Any]) -> Callable[..., Any]:
    return lambda x, axis=None, keepdims=False, ddof=0: f(x, axis=axis, keepdims=keepdims, ddof=ddof)


def _norm_of_ties(x: Tensor, ord: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """‖[x, −x]‖ joined along the axis whose maximum (or minimum) the norm takes: every
    candidate appears twice, so the chosen one is a tie of two (each copy gets half)."""
    if isinstance(axis, tuple) or (axis is None and x.ndim == 2):  # a matrix norm: 1 compares columns, ∞ rows
        rows, cols = axis if isinstance(axis, tuple) else (0, 1)
        along = cols if ord in (1, -1) else rows
    else:
        along = 0 if axis is None else axis
    return F.norm(F.concatenate([x, -x], axis=along), ord, axis=axis, keepdims=keepdims)


_VECTOR_SMOOTH_ORDS = {"ord": (None, 2, 3, 1.5)}
_VECTOR_KINKED_ORDS = {"ord": (1, np.inf, -np.inf, 0)}
_MATRIX_KINKED_ORDS = {"ord": (1, -1, np.inf, -np.inf)}

for _info in [
    OpInfo("square", F.square, 1, ("real",), reference=np.square),
    OpInfo("reciprocal", F.reciprocal, 1, ("nonzero",), reference=lambda x: 1 / x),
    OpInfo("expm1", F.expm1, 1, ("real",), reference=np.expm1),
    OpInfo("exp2", F.exp2, 1, ("real",), reference=lambda x: 2.0 ** x),
    OpInfo("log2", F.log2, 1, ("positive",), reference=np.log2),
    OpInfo("log10", F.log10, 1, ("positive",), reference=np.log10),
    OpInfo("erf", F.erf, 1, ("real",), reference=_math_ufunc(math.erf)),
    OpInfo("erfc", F.erfc, 1, ("real",), reference=_math_ufunc(math.erfc)),
    OpInfo("tan", F.tan, 1, ("half_period",), reference=np.tan),
    OpInfo("sinh", F.sinh, 1, ("real",), reference=np.sinh),
    OpInfo("cosh", F.cosh, 1, ("real",), reference=np.cosh),
    OpInfo("arcsin", F.arcsin, 1, ("inside_unit",), reference=np.arcsin),
    OpInfo("arccos", F.arccos, 1, ("inside_unit",), reference=np.arccos),
    OpInfo("arctan", F.arctan, 1, ("real",), reference=np.arctan),
    OpInfo("arcsinh", F.arcsinh, 1, ("real",), reference=np.arcsinh),
    OpInfo("arccosh", F.arccosh, 1, ("above_one",), reference=np.arccosh),
    OpInfo("arctanh", F.arctanh, 1, ("inside_unit",), reference=np.arctanh),
    OpInfo("hypot", F.hypot, 2, ("away_from_kinks", "real"), "broadcast", reference=np.hypot),
    OpInfo("logaddexp", F.logaddexp, 2, ("real", "real"), "broadcast",
           reference=lambda x, y: np.log(np.exp(x) + np.exp(y))),
    OpInfo("logaddexp2", F.logaddexp2, 2, ("real", "real"), "broadcast",
           reference=lambda x, y: np.log2(2.0 ** x + 2.0 ** y)),
    OpInfo("softplus", F.softplus, 1, ("real",), reference=lambda x: np.log1p(np.exp(x))),
    OpInfo("leaky_relu", F.leaky_relu, 1, ("away_from_kinks",), smooth=False,
           kwarg_choices={"negative_slope": (0.01, 0.2, -0.5)},
           reference=lambda x, negative_slope=0.01: np.where(x > 0, x, negative_slope * x)),
    OpInfo("elu", F.elu, 1, ("away_from_kinks",), kwarg_choices={"alpha": (1.0, 0.5)},
           reference=lambda x, alpha=1.0: np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))),
    OpInfo("gelu", F.gelu, 1, ("real",), kwarg_choices={"approximate": ("none", "tanh")}, reference=_gelu),
    OpInfo("sign", F.sign, 1, ("away_from_steps",), smooth=False, reference=np.sign),
    OpInfo("floor", F.floor, 1, ("away_from_steps",), smooth=False, reference=np.floor),
    OpInfo("ceil", F.ceil, 1, ("away_from_steps",), smooth=False, reference=np.ceil),
    OpInfo("rint", F.rint, 1, ("away_from_steps",), smooth=False, reference=np.rint),
    OpInfo("trunc", F.trunc, 1, ("away_from_steps",), smooth=False, reference=np.trunc),
    OpInfo("round", F.round, 1, ("away_from_steps",), smooth=False, reference=np.round),
    OpInfo("fmax", F.fmax, 2, ("distinct", "distinct"), "broadcast", smooth=False, reference=np.fmax),
    OpInfo("fmin", F.fmin, 2, ("distinct", "distinct"), "broadcast", smooth=False, reference=np.fmin),
    OpInfo("mod", F.mod, 2, ("away_from_steps", "divisors"), "broadcast", reference=np.mod),
    OpInfo("clip", F.clip, 3, ("away_from_steps", "integers", "half_integers"), "broadcast", smooth=False,
           reference=np.clip),
    OpInfo("clip_numbers", F.clip, 1, ("away_from_steps",), smooth=False,
           kwarg_choices={"a_min": (None, -2.0, 0), "a_max": (None, 1.0, 3)},
           reference=lambda x, a_min=None, a_max=None: np.clip(x, a_min, a_max)),
    OpInfo("where", _where, 2, ("real", "real"), "where",
           reference=lambda x, y, condition: np.where(condition, x, y)),
    OpInfo("min", F.min, 1, ("distinct",), "reduction", smooth=False, reference=_reduction(np.min)),
    OpInfo("prod", F.prod, 1, ("exponent",), "reduction", reference=_reduction(np.prod)),
    OpInfo("var", F.var, 1, ("real",), "moments", reference=_moments(np.var)),
    OpInfo("std", F.std, 1, ("distinct",), "moments", reference=_moments(np.std)),
    OpInfo("cumsum", F.cumsum, 1, ("real",), "cumulative", reference=lambda x, axis=None: np.cumsum(x, axis)),
    OpInfo("cumprod", F.cumprod, 1, ("exponent",), "cumulative", reference=lambda x, axis=None: np.cumprod(x, axis)),
    OpInfo("norm", F.norm, 1, ("away_from_kinks",), "vector_norm", kwarg_choices=_VECTOR_SMOOTH_ORDS,
           reference=np.linalg.norm),
    OpInfo("norm_kinked", F.norm, 1, ("superincreasing",), "vector_norm", smooth=False,
           kwarg_choices=_VECTOR_KINKED_ORDS, reference=np.linalg.norm),
    OpInfo("norm_frobenius", F.norm, 1, ("away_from_kinks",), "matrix_norm", kwarg_choices={"ord": (None, "fro")},
           reference=np.linalg.norm),
    OpInfo("norm_matrix_kinked", F.norm, 1, ("superincreasing_or_zero",), "matrix_norm", smooth=False,
           kwarg_choices=_MATRIX_KINKED_ORDS, reference=np.linalg.norm),
    # exact zeros: sign(0) = 0 (the central difference of |x| at 0 is 0 too), and ‖0‖ has gradient 0 (no 0/0)
    OpInfo("norm_at_zero", F.norm, 1, ("superincreasing_or_zero",), "vector_norm", smooth=False,
           kwarg_choices={"ord": (None, 1, 2, 3, np.inf, -np.inf)}, reference=np.linalg.norm),
    # ties of two at the maximum (minimum): each copy gets half
    OpInfo("norm_ties", _norm_of_ties, 1, ("superincreasing",), "vector_norm", smooth=False, single_node=False,
           kwarg_choices={"ord": (np.inf, -np.inf)},
           reference=lambda x, ord, axis=None, keepdims=False: np.linalg.norm(x, ord, axis, keepdims)),
    OpInfo("norm_matrix_ties", _norm_of_ties, 1, ("superincreasing",), "matrix_norm", smooth=False,
           single_node=False, kwarg_choices=_MATRIX_KINKED_ORDS,
           reference=lambda x, ord, axis=None, keepdims=False: np.linalg.norm(x, ord, axis, keepdims)),
]:
    register(_info)
del _info


# ----- mutation survivors of the shape ops (benchmarks/mutation.py) ------------------------------------
# Each entry reaches a case the entries above draw rarely or never.
SHAPE_KINDS = MappingProxyType({
    **SHAPE_KINDS,
    "dot_many_axes": "N-d · M-d with nb from 26 to 32 and na + nb ≤ 34 (numpy's limit), sides mostly 1 "
                     "(the letters dot's vjp gives b's axes run past the middle of the alphabet)",
    "roll_axes": "a shape with sides 3 or 4, a shift per axis (axes may repeat), "
                 "some axis' total shift neither 0 nor half its length",
})

for _info in [
    # dot's vjp names b's axes by letters after a's: with many axes they reach the second half of the alphabet
    OpInfo("dot_many_axes", F.dot, 2, ("real", "real"), "dot_many_axes", reference=np.dot),
    # rolling back by −shift differs from rolling by shift unless 2·shift ≡ 0 (sides ≤ 2 never tell)
    OpInfo("roll_axes", F.roll, 1, ("real",), "roll_axes", reference=np.roll),
]:
    register(_info)
del _info
