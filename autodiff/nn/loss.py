"""The losses as modules: ``criterion = nn.CrossEntropyLoss(); loss = criterion(logits, y)``."""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _Loss(Module):
    function: Any = None

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in F.REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {F.REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction

    def forward(self, input: Any, target: Any) -> Tensor:
        return type(self).function(input, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits (m, K) against labels (m,) or probability rows (m, K)."""
    function = staticmethod(F.cross_entropy)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1]."""
    function = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits (sigmoid fused in: stable for any logit)."""
    function = staticmethod(F.binary_cross_entropy_with_logits)


class MSELoss(_Loss):
    """Mean squared error."""
    function = staticmethod(F.mse_loss)


class L1Loss(_Loss):
    """Mean absolute error."""
    function = staticmethod(F.l1_loss)


class HuberLoss(_Loss):
    """Squared error for |x − y| ≤ delta, linear beyond (see functional.huber_loss)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        F.huber_loss(0.0, 0.0, delta=delta)  # checks delta now rather than at the first call
        self.delta = delta

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta}"
