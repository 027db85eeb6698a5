"""Writing into a Tensor's array in place: what optimizers, load_state_dict and
the initialisers do to parameters.

The engine being rewritten gives Tensors in-place operators (``t -= x``,
``t *= x``, ``t[...] = v`` inside ``no_grad()``) that also record the write, so
that backward through a graph built before the write raises instead of using the
new values; while such a graph lives it keeps the array read-only. When the
engine has them they are used; with the engine before them the array is written
directly. Either way the parameter keeps its array object.
(Once the rewrite is merged, ``ENGINE_WRITES`` is always True and this can shrink.)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor

ENGINE_WRITES = all(name in vars(Tensor) for name in ("__isub__", "__imul__", "__setitem__"))


def subtract_(t: Tensor, value: Any) -> None:
    """t ← t − value, in place."""
    if ENGINE_WRITES:
        from . import no_grad
        with no_grad():
            t -= value
    else:
        np.subtract(t.data, value, out=t.data, casting="same_kind")


def multiply_(t: Tensor, factor: Any) -> None:
    """t ← t · factor, in place."""
    if ENGINE_WRITES:
        from . import no_grad
        with no_grad():
            t *= factor
    else:
        np.multiply(t.data, factor, out=t.data, casting="same_kind")


def assign_(t: Tensor, value: Any) -> None:
    """t[...] ← value, in place (cast to t's dtype)."""
    if ENGINE_WRITES:
        from . import no_grad
        with no_grad():
            t[...] = value  # type: ignore[index]  # (the engine before the rewrite has no __setitem__)
    else:
        t.data[...] = value
