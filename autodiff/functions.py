"""The public functions: every op as ``autodiff.<name>(...)``. Each is the op's
single instance (``autodiff.exp is autodiff.ops.exp``), so it is also what the
Tensor method and numpy's ``np.exp(t)`` apply. Arguments may be Tensors, numpy
arrays or Python numbers; the result is a Tensor."""
from __future__ import annotations

from .ops import (abs, add, astype, binary_cross_entropy, binary_cross_entropy_with_logits, broadcast_to, cos,
                  cross_entropy, div, exp, getitem, log, log1p, log_softmax, logsumexp, matmul, max, maximum, mean,
                  minimum, mul, neg, pow, relu, reshape, sigmoid, sin, softmax, sqrt, sub, sum, swapaxes, tanh,
                  transpose)
from .ops import (arccos, arccosh, arcsin, arcsinh, arctan, arctanh, ceil, clip, cosh, cumprod, cumsum, elu, erf,
                  erfc, exp2, expm1, floor, fmax, fmin, gelu, hypot, leaky_relu, log2, log10, logaddexp, logaddexp2,
                  min, mod, norm, prod, reciprocal, rint, round, sign, sinh, softplus, square, std, tan, trunc, var,
                  where)
from .ops.conv import avg_pool2d, conv2d, conv_transpose2d, max_pool2d

remainder = mod  # numpy's other name for the same ufunc

__all__ = ["abs", "add", "astype", "binary_cross_entropy", "binary_cross_entropy_with_logits", "broadcast_to",
           "cos", "cross_entropy", "div", "exp", "getitem", "log", "log1p", "log_softmax", "logsumexp", "matmul",
           "max", "maximum", "mean", "minimum", "mul", "neg", "pow", "relu", "reshape", "sigmoid", "sin", "softmax",
           "sqrt", "sub", "sum", "swapaxes", "tanh", "transpose",
           # issue 11: more elementwise ops and reductions
           "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "ceil", "clip", "cosh", "cumprod", "cumsum",
           "elu", "erf", "erfc", "exp2", "expm1", "floor", "fmax", "fmin", "gelu", "hypot", "leaky_relu", "log2",
           "log10", "logaddexp", "logaddexp2", "min", "mod", "norm", "prod", "reciprocal", "remainder", "rint",
           "round", "sign", "sinh", "softplus", "square", "std", "tan", "trunc", "var", "where"]

# ----- linear algebra and shapes (issue 11) ------------------------------------------------------
from .ops import (array_split, column_stack, concatenate, det, diag, diagonal, dot, dsplit, dstack, einsum,
                  expand_dims, flip, fliplr, flipud, hsplit, hstack, index_put, inner, inv, kron, moveaxis, outer,
                  pad, ravel, repeat, roll, sliding_window_view, slogdet, solve, split, squeeze, stack, take,
                  take_along_axis, tensordot, tile, trace, tril, triu, vdot, vsplit, vstack)

__all__ += ["array_split", "column_stack", "concatenate", "det", "diag", "diagonal", "dot", "dsplit", "dstack",
            "einsum", "expand_dims", "flip", "fliplr", "flipud", "hsplit", "hstack", "index_put", "inner", "inv",
            "kron", "moveaxis", "outer", "pad", "ravel", "repeat", "roll", "sliding_window_view", "slogdet",
            "solve", "split", "squeeze", "stack", "take", "take_along_axis", "tensordot", "tile", "trace", "tril",
            "triu", "vdot", "vsplit", "vstack"]
__all__ += ["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"]  # images (N, C, H, W)
