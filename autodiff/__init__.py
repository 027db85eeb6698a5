"""autodiff: a small, exact reverse-mode automatic differentiation framework on numpy.

    >>> import autodiff as ad
    >>> x = ad.Tensor(2.0, requires_grad=True)
    >>> y = ad.sin((x + 1) ** 2)          # the lecture's chain-rule example
    >>> y.backward()
    >>> x.grad                             # 2 cos((x+1)²)(x+1)
    array(-5.46678157)

Layers, each importing only those below it: ``engine`` (nodes, modes, backward)
← ``ops`` (one class per op) ← ``tensor`` (the Tensor class) ← ``functions``,
``functional``, ``gradcheck``, ``graph``, ``explain``, ``registry``, ``testing``.
"""
from .engine import (backpropagate, detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad,
                     set_grad_enabled)
from .tensor import Tensor
from .functions import *  # noqa: F401,F403
from .functions import __all__ as _functions
from . import entropy, jacobians
from .creation import *  # noqa: F401,F403  (zeros, ones, full, arange, linspace, eye, rand, randn, *_like)
from .creation import __all__ as _creation

__version__ = "0.2.0"
from .functional import gradients, grad, value_and_grad, vjp, jvp, jacobian, hessian, local_jacobian
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from . import testing, registry
from .graph import to_dot, draw, text_tree
from .explain import explain
from . import nn, optim, data  # networks, optimizers, mini-batches

__all__ = ["Tensor", "backpropagate", "detect_anomaly", "enable_grad", "is_anomaly_enabled", "is_grad_enabled",
           "no_grad", "set_grad_enabled", "entropy", "jacobians", "gradients", "grad", "value_and_grad", "vjp",
           "jvp", "jacobian", "hessian", "local_jacobian", "gradcheck", "gradgradcheck", "GradcheckError",
           "testing", "registry", "to_dot", "draw", "text_tree", "explain", "nn", "optim", "data", *_functions,
           *_creation]
