"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

Adam's ``weight_decay`` adds wd·θ to the gradient, and the moments then divide
it by √v: a coordinate with large gradients is hardly regularised. AdamW instead
shrinks the parameters directly before the Adam step, θ ← θ·(1 − lr·wd), the
same for every coordinate. Its default decay is 0.01, as in PyTorch.
"""
from __future__ import annotations

from typing import Any

from .adam import Adam


class AdamW(Adam):
    """``AdamW(params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False)``."""

    decoupled_weight_decay = True

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
