"""The public functions: every op as ``autodiff.<name>(...)``. Each is the op's
single instance (``autodiff.exp is autodiff.ops.exp``), so it is also what the
Tensor method and numpy's ``np.exp(t)`` apply. Arguments may be Tensors, numpy
arrays or Python numbers; the result is a Tensor."""
from __future__ import annotations

from .ops import (abs, add, astype, binary_cross_entropy, binary_cross_entropy_with_logits, broadcast_to, cos,
                  cross_entropy, div, exp, getitem, log, log1p, log_softmax, logsumexp, matmul, max, maximum, mean,
                  minimum, mul, neg, pow, relu, reshape, sigmoid, sin, softmax, sqrt, sub, sum, swapaxes, tanh,
                  transpose)
from .ops.conv import avg_pool2d, conv2d, conv_transpose2d, max_pool2d

__all__ = ["abs", "add", "astype", "binary_cross_entropy", "binary_cross_entropy_with_logits", "broadcast_to",
           "cos", "cross_entropy", "div", "exp", "getitem", "log", "log1p", "log_softmax", "logsumexp", "matmul",
           "max", "maximum", "mean", "minimum", "mul", "neg", "pow", "relu", "reshape", "sigmoid", "sin", "softmax",
           "sqrt", "sub", "sum", "swapaxes", "tanh", "transpose"]
__all__ += ["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"]  # images (N, C, H, W)
