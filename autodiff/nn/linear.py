"""Linear: the affine layer y = x Wᵀ + b."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import init
from ._random import as_generator
from .functional import linear
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """``Linear(in_features, out_features, bias=True, dtype=float64, rng=None)``.

    ``weight`` has PyTorch's layout (out_features, in_features) and ``bias``
    (out_features,); an input (..., in_features) gives (..., out_features). The
    initialisation is PyTorch's default too: every weight and bias drawn from
    U(−1/√in_features, 1/√in_features) (kaiming_uniform_ with a = √5 gives that bound).
    ``rng``: a numpy Generator, an int seed, or None for the Generator ``nn.manual_seed`` seeds.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, dtype: Any = np.float64,
                 rng: Any = None):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Linear: {name} must be a positive integer, got {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(np.zeros((self.out_features, self.in_features), dtype), dtype=dtype)
        self.bias = Parameter(np.zeros(self.out_features, dtype), dtype=dtype) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng: Any = None) -> None:
        """Draw the weight and bias again, from PyTorch's default distribution."""
        generator = as_generator(rng, "Linear")
        init.kaiming_uniform_(self.weight, a=math.sqrt(5.0), rng=generator)
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound, rng=generator)

    def forward(self, x: Any) -> Tensor:
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        if len(shape) == 0 or shape[-1] != self.in_features:
            raise ValueError(f"Linear({self.in_features}, {self.out_features}): the input has shape {shape}; "
                             f"its last axis must hold the {self.in_features} features")
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
