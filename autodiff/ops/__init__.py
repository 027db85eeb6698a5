"""The ops: each a class holding its formula, forward and vector-Jacobian
product, and naming the numpy functions it implements. One instance of each
serves every call: ``ops.exp`` applies ``Exp``, and is ``autodiff.exp``.

Layering: ``autodiff.engine`` below, ``autodiff.tensor`` (the Tensor class,
whose operators and methods call these instances) above."""
from .base import INSTANCES, OP_CLASSES, Op, apply, inside_vjp, lift
from .arithmetic import add, div, matmul, mul, neg, pow, sub
from .elementwise import abs, astype, cos, exp, log, log1p, maximum, minimum, relu, sigmoid, sin, sqrt, tanh
from .reductions import logsumexp, max, mean, sum
from .shape import broadcast_to, getitem, reshape, swapaxes, transpose
from .softmax import log_softmax, softmax
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy
from .conv import avg_pool2d, conv2d, conv2d_weight, conv_transpose2d, max_pool2d

__all__ = ["Op", "apply", "lift", "inside_vjp", "OP_CLASSES", "instances", "numpy_table"]


def instances() -> list[Op]:
    """One instance of every op, as the public functions use them."""
    return list(INSTANCES.values())


def numpy_table() -> dict:
    """numpy function or ufunc -> the op instance that implements it, read off
    each op's ``numpy`` names (the dispatch table of ``Tensor.__array_ufunc__``
    and ``__array_function__``)."""
    import numpy as np
    return {getattr(np, name): op for op in INSTANCES.values() for name in op.numpy}
