"""Stochastic gradient descent, with momentum (heavy ball or Nesterov) and L2 weight decay.

With g the gradient (plus ``weight_decay``·θ), the lecture's update is θ ← θ − lr·g.
With momentum μ a velocity remembers past gradients:

    v ← μ·v + (1 − dampening)·g      (v = g at the first step)
    θ ← θ − lr·v                      (heavy ball)
    θ ← θ − lr·(g + μ·v)              (Nesterov: the gradient "looks ahead" along v)

This is the formulation PyTorch uses (lr multiplies the velocity, not the gradient
inside it), so the two agree step by step.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._inplace import subtract_
from ..tensor import Tensor
from .optimizer import Array, Optimizer, check_flag, check_number


class SGD(Optimizer):
    """``SGD(params, lr=0.01, momentum=0, dampening=0, nesterov=False, weight_decay=0)``."""

    def __init__(self, params: Any, lr: float = 0.01, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                                      weight_decay=weight_decay))

    def check_group(self, group: dict[str, Any]) -> None:
        super().check_group(group)
        check_number("SGD", "momentum", group["momentum"], 0.0, 1.0)
        check_number("SGD", "dampening", group["dampening"], 0.0, 1.0)
        check_number("SGD", "weight_decay", group["weight_decay"], low=0.0)
        check_flag("SGD", "nesterov", group["nesterov"])
        if group["nesterov"] and (group["momentum"] == 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: nesterov=True needs momentum > 0 and dampening = 0, "
                             f"got momentum={group['momentum']}, dampening={group['dampening']}")

    def update(self, p: Tensor, grad: Array, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, momentum, decay = group["lr"], group["momentum"], group["weight_decay"]
        param = p.data
        if decay:
            grad = grad + decay * param  # a new array: the user's .grad is never written
        if momentum:
            velocity = state.get("momentum_buffer")
            if velocity is None:
                velocity = state["momentum_buffer"] = np.array(grad, dtype=param.dtype)
            else:
                velocity *= momentum
                velocity += (1.0 - group["dampening"]) * grad
            grad = grad + momentum * velocity if group["nesterov"] else velocity
        subtract_(p, lr * grad)
