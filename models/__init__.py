"""The lecture's models (logistic and softmax regression), a multi-layer perceptron, and datasets,
built on autodiff.

    >>> from models import LogisticRegression, SoftmaxRegression, load_model
    >>> from models.datasets import load_iris
"""
from typing import Any

from .exceptions import DivergenceError
from .linear import LogisticRegression, SoftmaxRegression
from .mlp import MLPClassifier
from .persistence import load_model, save_model

__all__ = ["LogisticRegression", "SoftmaxRegression", "MLPClassifier", "load_model", "save_model", "NotFittedError",
           "DivergenceError", "ConvergenceWarning", "DataConversionWarning"]


def __getattr__(name: str) -> Any:
    """NotFittedError, ConvergenceWarning and DataConversionWarning are made on
    first use (subclasses of scikit-learn's when it is installed, without
    importing scikit-learn with this package); see models.exceptions."""
    if name in ("NotFittedError", "ConvergenceWarning", "DataConversionWarning"):
        from . import exceptions
        return getattr(exceptions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
