"""Where the random numbers of initialisation and dropout come from.

Every function and layer that draws takes ``rng``: a numpy Generator (used as
it is, so its state advances), an int seed (a new Generator seeded with it), or
None: the package's shared Generator, which ``manual_seed`` re-seeds, so that

    nn.manual_seed(0); model = MLP()

builds the same model every time.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_shared = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Re-seed the shared Generator used when no ``rng`` is given."""
    global _shared
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _shared = np.random.default_rng(int(seed))


def as_generator(rng: Any, who: str) -> np.random.Generator:
    """A Generator from ``rng`` (Generator, int seed or None, see the module's doc)."""
    if rng is None:
        return _shared
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(f"{who}: rng must be a numpy Generator, a non-negative int seed or None, got {rng!r}")
