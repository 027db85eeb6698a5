"""autodiff: a small, exact reverse-mode automatic differentiation framework on numpy.

    >>> import autodiff as ad
    >>> x = ad.Tensor(2.0, requires_grad=True)
    >>> y = ad.sin((x + 1) ** 2)          # the lecture's chain-rule example
    >>> y.backward()
    >>> x.grad                             # 2 cos((x+1)²)(x+1)
    array(-5.46678157)
"""
from .tensor import Tensor, backpropagate, detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .functions import (abs, add, astype, binary_cross_entropy, binary_cross_entropy_with_logits, broadcast_to,
                        cos, cross_entropy, div, exp, getitem, log, log_softmax, logsumexp, matmul, max, mean,
                        mul, neg, pow, relu, reshape, sigmoid, sin, softmax, sqrt, sub, sum, swapaxes, tanh,
                        transpose)
from . import entropy, jacobians

__version__ = "0.1.0"
from .functional import gradients, grad, value_and_grad, vjp, jvp, jacobian, hessian, local_jacobian
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from . import testing, registry
from .graph import to_dot, draw, text_tree
from .explain import explain
from . import nn, optim, data  # networks, optimizers, mini-batches (issue 11)
