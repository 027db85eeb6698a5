"""The ops: each a class holding its formula, forward and vector-Jacobian
product, and naming the numpy functions it implements. One instance of each
serves every call: ``ops.exp`` applies ``Exp``, and is ``autodiff.exp``.

Layering: ``autodiff.engine`` below, ``autodiff.tensor`` (the Tensor class,
whose operators and methods call these instances) above."""
from .base import INSTANCES, NUMPY_COMPOSITES, OP_CLASSES, READS_ALL, READS_NONE, READS_OTHER, Op, apply, inside_vjp, lift
from .arithmetic import add, div, matmul, mul, neg, pow, sub
from .elementwise import abs, astype, cos, exp, log, log1p, maximum, minimum, relu, sigmoid, sin, sqrt, tanh
from .reductions import logsumexp, max, mean, sum
from .shape import broadcast_to, getitem, reshape, swapaxes, transpose
from .softmax import log_softmax, softmax
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy
from .exp_log import erf, erfc, exp2, expm1, log2, log10, reciprocal, square
from .trig import arccos, arccosh, arcsin, arcsinh, arctan, arctanh, cosh, hypot, sinh, tan
from .activations import elu, gelu, leaky_relu, logaddexp, logaddexp2, softplus
from .piecewise import ceil, clip, floor, fmax, fmin, mod, rint, round, sign, trunc, where
from .statistics import min, std, var
from .products import cumprod, cumsum, prod
from .norms import norm
# linear algebra and shapes (issue 11)
from .einsum import einsum
from .linalg import det, dot, inner, inv, kron, outer, slogdet, solve, tensordot, vdot
from .diagonals import diag, diagonal, trace, tril, triu
from .rearrange import expand_dims, flip, fliplr, flipud, moveaxis, ravel, roll, squeeze
from .copies import pad, repeat, tile
from .joining import (array_split, column_stack, concatenate, dsplit, dstack, hsplit, hstack, split, stack, vsplit,
                      vstack)
from .indexing import index_put, take, take_along_axis
from .windows import sliding_window_view
from .conv import avg_pool2d, conv2d, conv2d_weight, conv_transpose2d, max_pool2d

__all__ = ["Op", "apply", "lift", "inside_vjp", "OP_CLASSES", "instances", "numpy_table", "READS_ALL", "READS_NONE",
           "READS_OTHER"]


def instances() -> list[Op]:
    """One instance of every op, as the public functions use them."""
    return list(INSTANCES.values())


def numpy_table() -> dict:
    """numpy function or ufunc -> the op instance that implements it, read off
    each op's ``numpy`` names (the dispatch table of ``Tensor.__array_ufunc__``
    and ``__array_function__``)."""
    import functools

    import numpy as np

    def numpy_function(name: str) -> object:  # "linalg.solve" -> np.linalg.solve
        return functools.reduce(getattr, name.split("."), np)

    table: dict = {numpy_function(name): op for op in INSTANCES.values() for name in op.numpy}
    table.update({numpy_function(name): f for name, f in NUMPY_COMPOSITES.items()})
    return table
