"""Adam (Kingma & Ba, 2015): a step per coordinate scaled by running averages of
the gradient and of its square.

    m ← β₁·m + (1 − β₁)·g                 first moment (mean of the gradients)
    v ← β₂·v + (1 − β₂)·g²                second moment
    θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

m and v start at 0, so they are too small in the first steps: the factors
1 − βᵗ correct that bias. ``weight_decay`` adds wd·θ to g (L2 regularisation,
which the moments then rescale; AdamW decouples it). ``amsgrad`` divides by the
largest v seen so far instead of v (Reddi et al., 2018). The order of the
operations is PyTorch's, so the two agree step by step.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._inplace import multiply_, subtract_
from ..tensor import Tensor
from .optimizer import Array, Optimizer, check_flag, check_number


class Adam(Optimizer):
    """``Adam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)``."""

    decoupled_weight_decay = False  # AdamW: True

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad))

    def check_group(self, group: dict[str, Any]) -> None:
        who = type(self).__name__
        super().check_group(group)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{who}: betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(betas)
        check_number(who, "beta1 (betas[0])", betas[0], 0.0, 1.0, high_open=True)
        check_number(who, "beta2 (betas[1])", betas[1], 0.0, 1.0, high_open=True)
        # eps = 0 would divide 0 by 0 for a coordinate whose gradients have all been 0
        check_number(who, "eps", group["eps"], low=0.0, low_open=True)
        check_number(who, "weight_decay", group["weight_decay"], low=0.0)
        check_flag(who, "amsgrad", group["amsgrad"])

    def update(self, p: Tensor, grad: Array, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (beta1, beta2), decay = group["lr"], group["betas"], group["weight_decay"]
        param = p.data
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        if decay:
            if self.decoupled_weight_decay:
                multiply_(p, 1.0 - lr * decay)  # shrink θ directly, outside the moments
            else:
                grad = grad + decay * param
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1.0 - beta1) * grad
        v *= beta2
        v += (1.0 - beta2) * (grad * grad)
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = lr / (1.0 - beta1 ** step)
        denominator = np.sqrt(v, out=np.empty_like(v))  # out=: an array even for a 0-d parameter
        denominator /= math.sqrt(1.0 - beta2 ** step)
        denominator += group["eps"]
        np.divide(m, denominator, out=denominator)
        denominator *= step_size
        subtract_(p, denominator)
