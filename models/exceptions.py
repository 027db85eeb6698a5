"""Exceptions shared by the models package (named like scikit-learn's)."""

from __future__ import annotations

__all__ = ["NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    """An estimator or transformer was used before ``fit`` was called.

    It subclasses both :class:`ValueError` and :class:`AttributeError`, as
    scikit-learn's does, so ``except ValueError`` and ``hasattr`` style checks
    both keep working.
    """
