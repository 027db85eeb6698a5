"""The errors and warnings of the models package.

* :class:`NotFittedError` -- a model was asked for predictions before ``fit``.
* :class:`ConvergenceWarning` -- a solver stopped before its stopping rule was met.
* :class:`DataConversionWarning` -- an input was reshaped (a column y flattened).
* :class:`DivergenceError` -- training blew up (the loss became non-finite or
  grew far beyond its starting value).

The first three have namesakes in scikit-learn. When scikit-learn is
installed, ours are subclasses of its classes, so code written for
scikit-learn (``except sklearn.exceptions.NotFittedError``,
``warnings.filterwarnings("ignore", category=sklearn.exceptions.ConvergenceWarning)``)
handles ours too. scikit-learn takes about a second to import, so it is not
imported with this package: each of the three classes is made the first time
it is looked up (PEP 562 module ``__getattr__``), e.g. when the first one is
raised or when ``from models import NotFittedError`` runs. Without
scikit-learn they derive from the built-in classes only.
"""
from __future__ import annotations

import importlib.util
import threading
from typing import TYPE_CHECKING, Any

__all__ = ["NotFittedError", "ConvergenceWarning", "DataConversionWarning", "DivergenceError"]


class DivergenceError(FloatingPointError, ValueError):
    """Training diverged: the loss became NaN or infinite, or grew far past
    its value at the start (usually a learning rate that is too large, or
    features on a huge scale)."""


# name -> (built-in bases, docstring) of the classes that have a scikit-learn namesake
_SHARED: dict[str, tuple[tuple[type, ...], str]] = {
    "NotFittedError": ((ValueError, AttributeError),
                       "A model was used before ``fit``. It is both a ValueError and an "
                       "AttributeError, so ``hasattr(model, 'coef_')``-style probes keep working."),
    "ConvergenceWarning": ((UserWarning,),
                           "A solver stopped (iteration budget used up, or a line search failed) "
                           "before its stopping rule was met; the model may be poor."),
    "DataConversionWarning": ((UserWarning,),
                              "An input was converted to the layout the model needs "
                              "(e.g. a column y of shape (m, 1) flattened to (m,))."),
}
_lock = threading.Lock()

if TYPE_CHECKING:  # what type checkers see; at run time the classes are made below
    class NotFittedError(ValueError, AttributeError): ...
    class ConvergenceWarning(UserWarning): ...
    class DataConversionWarning(UserWarning): ...


def _sklearn_class(name: str) -> type | None:
    """scikit-learn's class of that name, or None when it is not installed (or broken)."""
    if importlib.util.find_spec("sklearn") is None:
        return None
    try:
        from sklearn import exceptions
    except Exception:  # noqa: BLE001 - a broken install: fall back to the built-in bases
        return None
    return getattr(exceptions, name, None)


def __getattr__(name: str) -> Any:
    """Make one of the three shared classes, once, on its first look-up."""
    if name not in _SHARED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        made = globals().get(name)
        if made is None:
            bases, doc = _SHARED[name]
            theirs = _sklearn_class(name)
            if theirs is not None:  # theirs already derives from the built-in bases
                bases = (theirs,) + tuple(b for b in bases if not issubclass(theirs, b))
            made = type(name, bases, {"__doc__": doc, "__module__": __name__})
            globals()[name] = made
    return made
