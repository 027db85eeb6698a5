"""Layers without parameters: activations, Flatten, Dropout."""
from __future__ import annotations

from typing import Any

from .. import functions as F
from ..tensor import Tensor
from ._random import as_generator
from .functional import check_probability, dropout, flatten
from .module import Module


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Any) -> Tensor:
        return F.relu(x)


class Sigmoid(Module):
    """1/(1 + e⁻ˣ), elementwise."""

    def forward(self, x: Any) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh x, elementwise."""

    def forward(self, x: Any) -> Tensor:
        return F.tanh(x)


class Softmax(Module):
    """Softmax along ``axis`` (the last by default): rows of probabilities."""

    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Tensor:
        return F.softmax(x, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """log softmax along ``axis`` (the last by default), computed stably."""

    def forward(self, x: Any) -> Tensor:
        return F.log_softmax(x, axis=self.axis)


class Flatten(Module):
    """Merge the axes start_dim..end_dim (all but the batch axis by default): (m, 28, 28) → (m, 784)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Any) -> Tensor:
        return flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """In training mode, zero each element with probability ``p`` and scale the rest by
    1/(1 − p); in evaluation mode (``model.eval()``), the identity. ``rng``: a numpy
    Generator or int seed for reproducible masks, None for the shared Generator."""

    def __init__(self, p: float = 0.5, rng: Any = None):
        super().__init__()
        check_probability("Dropout", p)
        self.p = p
        self.rng = None if rng is None else as_generator(rng, "Dropout")

    def forward(self, x: Any) -> Tensor:
        return dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
