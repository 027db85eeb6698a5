"""A Parameter is a Tensor that a Module lists among its parameters."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """``Parameter(data, requires_grad=True, dtype=None, name=None)``: a leaf Tensor
    that requires a gradient by default and that a Module registers when it is set
    as an attribute (``self.weight = Parameter(...)``).

    Unlike a Tensor, a Parameter always holds its own copy of ``data``: the
    optimizers write into the array in place, and that must never change the
    array the parameter was made from (a dataset, another model's weights)."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None, name: str | None = None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, name=name)
        self.data = np.array(self.data, copy=True)  # owned, contiguous and writable

    def __reduce__(self) -> tuple:
        """copy.deepcopy (of a Module, say) gives a Parameter again, with its data and grad."""
        return _rebuild_parameter, (self.data, self.requires_grad, self.name, self.grad)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("Tensor"):]


def _rebuild_parameter(data: np.ndarray, requires_grad: bool, name: str | None, grad: Any) -> Parameter:
    p = Parameter(data, requires_grad=requires_grad, name=name)
    p.grad = grad
    return p
