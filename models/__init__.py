"""The lecture's models (logistic and softmax regression) and datasets, built on autodiff.

    >>> from models import LogisticRegression, SoftmaxRegression, load_model
    >>> from models.datasets import load_iris
"""
from .exceptions import NotFittedError
from .linear import LogisticRegression, SoftmaxRegression
from .persistence import load_model, save_model
from .solvers import DivergenceError

__all__ = ["LogisticRegression", "SoftmaxRegression", "load_model", "save_model", "NotFittedError",
           "DivergenceError"]
