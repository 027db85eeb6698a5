"""Input checks for the estimators: every error names what is wrong and where.

All errors are ``ValueError`` (or subclasses), as in scikit-learn:

* :func:`check_array` -- X must be a non-empty, numeric, finite 2-D array.
* :func:`check_X_y` -- X and labels y of the same length.
* :func:`check_n_features` -- X at predict has as many features as at fit.
* :func:`check_is_fitted` -- raises :class:`NotFittedError` before ``fit``.
* :func:`check_known_labels` -- labels at ``score`` were seen at ``fit``.
* :func:`check_number`, :func:`check_choice` -- hyperparameters.
"""
from __future__ import annotations

import numbers
from typing import Any, Iterable, Sequence

import numpy as np

from .exceptions import NotFittedError

__all__ = ["NotFittedError", "check_array", "check_X_y", "check_n_features", "check_is_fitted",
           "check_known_labels", "check_number", "check_choice"]


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _where(index: tuple[int, ...]) -> str:
    return f"row {index[0]}, column {index[1]}" if len(index) == 2 else f"index {index[0]}"


def _check_finite(array: np.ndarray, name: str, who: str) -> None:
    if array.dtype.kind != "f":
        return
    with np.errstate(over="ignore", invalid="ignore"):
        total = array.sum()  # finite sum: every entry is finite (one pass, no mask)
    if not np.isfinite(total) and not np.isfinite(array).all():
        nan = np.isnan(array)
        if nan.any():
            raise ValueError(f"{who}: {name} contains NaN at {_where(_first_bad(nan))}; "
                             "remove or impute missing values first")
        index = _first_bad(~np.isfinite(array))
        raise ValueError(f"{who}: {name} contains {array[index]} (infinity) at {_where(index)}")


def _as_numeric(data: Any, name: str, who: str) -> np.ndarray:
    try:
        array = np.asarray(data)
    except ValueError as error:  # ragged lists
        raise ValueError(f"{who}: {name} is not a regular array ({error})") from None
    if array.dtype.kind in "biuf":
        return array
    if array.dtype.kind == "O":
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError):
            pass
    bad = next((v for v in array.ravel() if not isinstance(v, (numbers.Real, np.bool_))), None)
    example = f" (e.g. {bad!r})" if bad is not None else ""
    raise ValueError(f"{who}: {name} must be numeric, got dtype {array.dtype}{example}; "
                     "encode categorical or text columns as numbers first")


def check_array(X: Any, *, who: str, name: str = "X", dtype: Any = np.float64) -> np.ndarray:
    """X as a finite 2-D float array of ``dtype`` (no copy when it already is one)."""
    array = _as_numeric(X, name, who)
    if array.ndim != 2:
        hint = (" Reshape your data with X.reshape(-1, 1) if it has a single feature "
                "or X.reshape(1, -1) if it is a single sample." if array.ndim == 1 else "")
        raise ValueError(f"{who}: expected a 2-D array for {name} (samples × features), "
                         f"got a {array.ndim}-D array of shape {array.shape}.{hint}")
    if array.shape[0] == 0:
        raise ValueError(f"{who}: {name} is empty: 0 samples (shape {array.shape}); at least 1 is required")
    if array.shape[1] == 0:
        raise ValueError(f"{who}: {name} has 0 features (shape {array.shape}); at least 1 is required")
    array = array.astype(dtype, copy=False)
    _check_finite(array, name, who)
    return array


def check_labels(y: Any, *, who: str, name: str = "y") -> np.ndarray:
    """Class labels as a 1-D array (a column (m, 1) is accepted and flattened)."""
    try:
        labels = np.asarray(y)
    except ValueError as error:
        raise ValueError(f"{who}: {name} is not a regular array ({error})") from None
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"{who}: {name} must be a 1-D array of class labels, got shape {labels.shape}")
    if labels.size == 0:
        raise ValueError(f"{who}: {name} is empty: 0 labels")
    if labels.dtype.kind == "f":
        _check_finite(labels, name, who)
    if labels.dtype.kind == "O":
        if any(v is None for v in labels):
            raise ValueError(f"{who}: {name} contains None at index {[v is None for v in labels].index(True)}")
        try:
            np.unique(labels)
        except TypeError:
            raise ValueError(f"{who}: {name} mixes labels of types that cannot be compared "
                             f"({sorted({type(v).__name__ for v in labels})})") from None
    return labels


def check_X_y(X: Any, y: Any, *, who: str, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Checked X (2-D float) and y (1-D labels) of the same length."""
    X = check_array(X, who=who, dtype=dtype)
    y = check_labels(y, who=who)
    if len(X) != len(y):
        raise ValueError(f"{who}: X and y have different lengths: X has {len(X)} samples "
                         f"but y has {len(y)} labels")
    return X, y


def check_is_fitted(estimator: Any, method: str) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has been fitted."""
    if getattr(estimator, "coef_", None) is None:
        name = type(estimator).__name__
        raise NotFittedError(f"This {name} instance is not fitted yet: call 'fit' with appropriate "
                             f"arguments before using '{method}'.")


def check_n_features(estimator: Any, X: np.ndarray) -> None:
    """X must have as many features as the estimator was fitted with."""
    expected = estimator.n_features_in_
    if X.shape[1] != expected:
        raise ValueError(f"X has {X.shape[1]} features, but {type(estimator).__name__} "
                         f"was fitted with {expected} features")


def check_known_labels(y: np.ndarray, classes: np.ndarray, *, who: str) -> None:
    """Every label in y must be one of ``classes`` (the classes seen at fit)."""
    unseen = ~np.isin(y, classes)
    if unseen.any():
        i = int(np.flatnonzero(unseen)[0])
        raise ValueError(f"{who}: y contains the label {y[i:i + 1].tolist()[0]!r} (index {i}) that was not seen at fit; "
                         f"the classes seen at fit are {list(classes.tolist())}")


def check_number(name: str, value: Any, *, who: str, kind: type | tuple = numbers.Real,
                 low: float | None = None, high: float | None = None, low_inclusive: bool = True,
                 allow_none: bool = False) -> None:
    """A numeric hyperparameter of type ``kind`` in [low, high] (or (low, high] if not low_inclusive)."""
    if value is None and allow_none:
        return
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        names = " or ".join("an integer" if k is numbers.Integral else "a number" for k in kinds)
        raise ValueError(f"{who}: {name} must be {names}{' or None' if allow_none else ''}, "
                         f"got {value!r} of type {type(value).__name__}")
    if isinstance(value, numbers.Real) and not np.isfinite(value):
        raise ValueError(f"{who}: {name} must be finite, got {value!r}")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    if too_low or (high is not None and value > high):
        lo = "" if low is None else (f">= {low}" if low_inclusive else f"> {low}")
        hi = "" if high is None else f"<= {high}"
        raise ValueError(f"{who}: {name} must be {' and '.join(s for s in (lo, hi) if s)}, got {value!r}")


def check_choice(name: str, value: Any, choices: Sequence[Any] | Iterable[Any], *, who: str) -> None:
    """A hyperparameter that must be one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"{who}: unknown {name} {value!r}; choose one of {choices}")
