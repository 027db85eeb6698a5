"""Checks of what users pass to the models: data, labels and hyperparameters.

Every failure is an exception whose message starts with where it happened
(``who``, e.g. ``"LogisticRegression.fit"``), names the argument, and says
what was expected and what came instead.

Data
    :func:`check_array` (X: a finite, numeric, non-empty 2-D array),
    :func:`check_labels` (y: one class label per row), :func:`check_X_y`,
    :func:`check_n_features`, :func:`check_is_fitted`,
    :func:`check_known_labels`.
Hyperparameters
    :func:`check_number`, :func:`check_integer`, :func:`check_choice`,
    :func:`check_bool`, :func:`check_random_state`, :func:`check_float_dtype`.

A few messages contain a phrase that scikit-learn's conformance suite
(``check_estimator``) searches for, e.g. "Complex data not supported" or
"is expecting 4 features as input"; those phrases are kept word for word so
that the suite recognises the error, the rest of each message is ours.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Iterable

import numpy as np

from . import exceptions

__all__ = ["check_array", "check_labels", "check_X_y", "check_n_features", "check_is_fitted",
           "check_known_labels", "check_number", "check_integer", "check_choice", "check_bool",
           "check_random_state", "check_float_dtype", "float_dtype"]

_INT64_MAX = int(np.iinfo(np.int64).max)


# ----- data ------------------------------------------------------------------------------------
def float_dtype(X: Any) -> np.dtype:
    """The float type to compute in: float32 data stays float32, anything else is float64."""
    return np.dtype(np.float32) if getattr(X, "dtype", None) == np.float32 else np.dtype(np.float64)


def _position(index: tuple[int, ...]) -> str:
    return f"row {index[0]}, column {index[1]}" if len(index) == 2 else f"index {index[0]}"


def _reject_non_finite(values: np.ndarray, name: str, who: str) -> None:
    """A float array must hold no NaN and no ±inf; the error names the first bad entry."""
    if values.dtype.kind != "f":
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(values.sum()):  # one cheap pass; a finite sum means every entry is finite
            return
    bad = ~np.isfinite(values)
    if not bad.any():
        return  # the sum overflowed, the entries are fine
    nan = np.isnan(values)
    if nan.any():
        where = tuple(int(i) for i in np.argwhere(nan)[0])
        raise ValueError(f"{who}: {name} contains NaN at {_position(where)}; "
                         "remove or impute the missing values first")
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    raise ValueError(f"{who}: {name} contains {values[where]} (infinity) at {_position(where)}")


def _as_array(data: Any, name: str, who: str) -> np.ndarray:
    if data is None:
        raise ValueError(f"{who}: {name} is None; pass an array")
    if type(data).__module__.startswith("scipy.sparse"):  # no scipy import needed to recognise one
        raise TypeError(f"{who}: {name} is a scipy sparse {type(data).__name__}; sparse input is not supported: "
                        f"pass a dense array, e.g. {name}.toarray()")
    try:
        return np.asarray(data)
    except ValueError as error:  # e.g. rows of different lengths
        raise ValueError(f"{who}: {name} is not a regular array ({error})") from None


def _numeric(array: np.ndarray, name: str, who: str) -> np.ndarray:
    """Numbers as they are; an object array converted to float64 entry by entry."""
    if array.dtype.kind in "biuf":
        return array
    if array.dtype.kind == "c":
        raise ValueError(f"{who}: {name} holds complex numbers (dtype {array.dtype}). Complex data not "
                         "supported: the models work on real numbers")
    if array.dtype.kind == "O":
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError):
            pass  # find the entry to name below
    for index, value in np.ndenumerate(array):
        try:
            float(value)
        except TypeError as error:  # a dict, a list, None, ...: not a number at all
            raise TypeError(f"{who}: {name} must be numeric, but the entry at {_position(index)} is {value!r} "
                            f"of type {type(value).__name__} ({error})") from None
        except ValueError:  # a string that is not a number
            break
    example = next((v for v in array.ravel() if not isinstance(v, (numbers.Real, np.bool_))), None)
    shown = f" (e.g. {example!r})" if example is not None else ""
    raise ValueError(f"{who}: {name} must be numeric, got dtype {array.dtype}{shown}; "
                     "encode categorical or text columns as numbers first")


def check_array(X: Any, *, who: str, name: str = "X", dtype: Any = np.float64) -> np.ndarray:
    """X as a non-empty 2-D array of finite numbers.

    ``dtype``: the type to convert to (no copy when X already has it); None
    keeps any numeric type as it is (e.g. uint8 images, converted later
    block by block).
    """
    array = _numeric(_as_array(X, name, who), name, who)
    if array.ndim != 2:
        hint = (" Reshape your data: X.reshape(-1, 1) if it is one feature, X.reshape(1, -1) if it "
                "is one sample." if array.ndim == 1 else "")
        raise ValueError(f"{who}: expected a 2-D array for {name} (samples × features), "
                         f"got a {array.ndim}-D array of shape {array.shape}.{hint}")
    rows, columns = array.shape
    if rows == 0:
        raise ValueError(f"{who}: {name} is empty: 0 samples (shape {array.shape}); at least 1 is needed")
    if columns == 0:
        raise ValueError(f"{who}: {name} has 0 feature(s) (shape={array.shape}) while a minimum of 1 is "
                         "required.")
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    _reject_non_finite(array, name, who)
    return array


def check_labels(y: Any, *, who: str, name: str = "y") -> np.ndarray:
    """Class labels as a 1-D array.

    A column (m, 1) is flattened, with a DataConversionWarning. Labels may
    be integers, strings, booleans or floats with whole values; floats with
    a fractional part are continuous targets (regression), not classes.
    """
    if y is None:
        raise ValueError(f"{who}: {name} is None, but a classifier needs the labels: y should be a 1d "
                         "array with one class label per row of X")
    labels = _as_array(y, name, who)
    if labels.ndim == 2 and labels.shape[1] == 1:
        warnings.warn(f"A column-vector y was passed when a 1d array was expected: {who} flattens "
                      f"{name} of shape {labels.shape} to ({labels.shape[0]},); pass y.ravel() to avoid "
                      "this warning", exceptions.DataConversionWarning, stacklevel=4)
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"{who}: {name} must be a 1-D array of class labels, got shape {labels.shape}")
    if labels.size == 0:
        raise ValueError(f"{who}: {name} is empty: 0 labels")
    if labels.dtype.kind == "c":
        raise ValueError(f"{who}: {name} holds complex numbers. Complex data not supported: "
                         "class labels are integers or strings")
    if labels.dtype.kind == "f":
        _reject_non_finite(labels, name, who)
        fractional = labels != np.round(labels)
        if fractional.any():
            i = int(np.flatnonzero(fractional)[0])
            raise ValueError(f"{who}: {name} holds continuous values (e.g. {labels[i].item()!r} at index {i}), "
                             "not class labels; a classifier needs a finite set of classes such as 0, 1, 2 "
                             "(for a numeric target, use a regression model)")
    if labels.dtype.kind == "O":
        missing = [i for i, v in enumerate(labels) if v is None]
        if missing:
            raise ValueError(f"{who}: {name} contains None at index {missing[0]}")
        try:
            np.unique(labels)
        except TypeError:
            kinds = sorted({type(v).__name__ for v in labels})
            raise ValueError(f"{who}: {name} mixes labels of types that cannot be compared ({kinds})") from None
    return labels


def check_X_y(X: Any, y: Any, *, who: str, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Checked X (2-D, numeric) and y (1-D labels) with one label per row."""
    X = check_array(X, who=who, dtype=dtype)
    y = check_labels(y, who=who)
    if len(X) != len(y):
        raise ValueError(f"{who}: X and y have different lengths: X has {len(X)} samples "
                         f"but y has {len(y)} labels")
    return X, y


def check_is_fitted(estimator: Any, method: str) -> None:
    """Raise NotFittedError unless ``fit`` has run (it sets ``n_features_in_`` last)."""
    if getattr(estimator, "n_features_in_", None) is None:
        name = type(estimator).__name__
        raise exceptions.NotFittedError(f"{name}.{method}: this {name} has not been trained yet; "
                                        "call its fit method first")


def check_n_features(estimator: Any, X: np.ndarray, *, who: str) -> None:
    """X must have the number of features the estimator was fitted with."""
    expected = estimator.n_features_in_
    if X.shape[1] != expected:
        raise ValueError(f"{who}: X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
                         f"{expected} features as input (the number of columns it was fitted with)")


def check_known_labels(y: np.ndarray, classes: np.ndarray, *, who: str) -> None:
    """Every label in y must be one of ``classes``, the classes seen at fit."""
    unseen = ~np.isin(y, classes)
    if unseen.any():
        i = int(np.flatnonzero(unseen)[0])
        raise ValueError(f"{who}: y contains the label {y[i:i + 1].tolist()[0]!r} (index {i}) that was not "
                         f"seen at fit; the classes seen at fit are {list(classes.tolist())}")


# ----- hyperparameters -------------------------------------------------------------------------
def _range_text(low: float | None, high: float | None, low_inclusive: bool) -> str:
    parts = []
    if low is not None:
        parts.append(f">= {low}" if low_inclusive else f"> {low}")
    if high is not None:
        parts.append(f"<= {high}")
    return " and ".join(parts)


def check_number(name: str, value: Any, *, who: str, low: float | None = None, high: float | None = None,
                 low_inclusive: bool = True, allow_none: bool = False) -> None:
    """A finite real number (not a bool) in the range given by low and high."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{who}: {name} must be a number{' or None' if allow_none else ''}, "
                         f"got {value!r} of type {type(value).__name__}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int too big for a float
        finite = False
    if not finite:
        raise ValueError(f"{who}: {name} must be finite, got {value!r}")
    number = float(value)
    too_low = low is not None and (number < low if low_inclusive else number <= low)
    if too_low or (high is not None and number > high):
        raise ValueError(f"{who}: {name} must be {_range_text(low, high, low_inclusive)}, got {value!r}")


def check_integer(name: str, value: Any, *, who: str, low: int | None = None, high: int | None = None,
                  allow_none: bool = False) -> None:
    """An integer (not a bool) in [low, high]; it must also fit in 64 bits, as numpy needs."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{who}: {name} must be an integer{' or None' if allow_none else ''}, "
                         f"got {value!r} of type {type(value).__name__}")
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{who}: {name} must be {_range_text(low, high, True)}, got {value!r}")
    if abs(number) > _INT64_MAX:  # numpy and the loops cannot count that far
        raise ValueError(f"{who}: {name} must fit in a 64-bit integer (at most 2**63 - 1), got {float(value):.3g}")


def check_choice(name: str, value: Any, choices: Iterable[Any], *, who: str) -> None:
    """A hyperparameter that must be one of ``choices``."""
    options = list(choices)
    if not any(value is option or (isinstance(value, type(option)) and value == option) for option in options):
        raise ValueError(f"{who}: unknown {name} {value!r}; choose one of {options}")


def check_bool(name: str, value: Any, *, who: str) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{who}: {name} must be True or False, got {value!r}")


def check_random_state(name: str, value: Any, *, who: str) -> None:
    """None, a seed (an integer >= 0) or a numpy Generator."""
    if value is None or isinstance(value, np.random.Generator):
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= int(value) <= _INT64_MAX:
        raise ValueError(f"{who}: {name} must be None, an integer seed >= 0 or a numpy Generator, "
                         f"got {value!r}")


def check_float_dtype(name: str, value: Any, *, who: str) -> np.dtype | None:
    """None, float64 or float32 (in any spelling numpy accepts); returns the dtype."""
    if value is None:
        return None
    try:
        dtype = np.dtype(value)
    except TypeError:  # not a type numpy knows
        dtype = np.dtype(object)
    if dtype.kind != "f" or dtype.itemsize not in (4, 8):
        raise ValueError(f"{who}: {name} must be None, float64 or float32, got {value!r}")
    return dtype
