"""RMSprop (Hinton's lecture notes, 2012): divide each coordinate's step by a
running root mean square of its gradients.

    s ← α·s + (1 − α)·g²                 running mean of the squared gradient
    centered:  ḡ ← α·ḡ + (1 − α)·g,  d = √(s − ḡ²) + ε   (a running standard deviation)
    otherwise: d = √s + ε
    θ ← θ − lr·g/d,   or with momentum μ:  b ← μ·b + g/d,  θ ← θ − lr·b

``weight_decay`` adds wd·θ to g first. Same order of operations as PyTorch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._inplace import subtract_
from ..tensor import Tensor
from .optimizer import Array, Optimizer, check_flag, check_number


class RMSprop(Optimizer):
    """``RMSprop(params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False)``."""

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def check_group(self, group: dict[str, Any]) -> None:
        super().check_group(group)
        # alpha = 1 would keep s at 0 forever: every step would be g/eps
        check_number("RMSprop", "alpha", group["alpha"], 0.0, 1.0, high_open=True)
        check_number("RMSprop", "eps", group["eps"], low=0.0, low_open=True)
        check_number("RMSprop", "weight_decay", group["weight_decay"], low=0.0)
        check_number("RMSprop", "momentum", group["momentum"], 0.0, 1.0)
        check_flag("RMSprop", "centered", group["centered"])

    def update(self, p: Tensor, grad: Array, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, alpha, decay, momentum = group["lr"], group["alpha"], group["weight_decay"], group["momentum"]
        param = p.data
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
        if momentum > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        if decay:
            grad = grad + decay * param
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1.0 - alpha) * (grad * grad)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg *= alpha
            grad_avg += (1.0 - alpha) * grad
            # s ≥ ḡ² in exact arithmetic; the maximum keeps a rounding error from giving √(negative)
            denominator = np.subtract(square_avg, grad_avg * grad_avg, out=np.empty_like(square_avg))
            np.maximum(denominator, 0.0, out=denominator)
            np.sqrt(denominator, out=denominator)
        else:  # out=: an array even for a 0-d parameter
            denominator = np.sqrt(square_avg, out=np.empty_like(square_avg))
        denominator += group["eps"]
        np.divide(grad, denominator, out=denominator)  # now g/d
        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += denominator
            denominator = buffer
        subtract_(p, lr * denominator)
