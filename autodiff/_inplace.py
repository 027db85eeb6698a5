"""Writing into a parameter in place, as optimizers, load_state_dict and the
initialisers do: through the Tensor's own in-place operators inside
``no_grad()``, so that the parameter keeps its array object and a graph built
before the write refuses to go backward (see ``autodiff.engine``)."""
from __future__ import annotations

from typing import Any

from .engine import no_grad
from .tensor import Tensor


def subtract_(t: Tensor, value: Any) -> None:
    """t ← t − value, in place."""
    with no_grad():
        t -= value


def multiply_(t: Tensor, factor: Any) -> None:
    """t ← t · factor, in place."""
    with no_grad():
        t *= factor


def assign_(t: Tensor, value: Any) -> None:
    """t[...] ← value, in place (cast to t's dtype)."""
    with no_grad():
        t[...] = value
