"""How good are a classifier's predictions: the four measures the lecture uses.

* ``accuracy_score``   -- correct predictions / all predictions
* ``precision_score``  -- TP / (TP + FP): of the rows predicted positive, the share that are
* ``recall_score``     -- TP / (TP + FN): of the positive rows, the share that were found
* ``confusion_matrix`` -- ``C[i, j]`` = rows of true class ``labels[i]`` predicted as ``labels[j]``

Precision and recall are for two classes, as in the lecture's "is it
Iris-Virginica?": ``pos_label`` (default 1) is the positive class. A ratio
whose denominator is 0 (nothing predicted positive, or no positive row) has
no value: that is a ValueError saying so, unless ``undefined=`` gives the
number to report instead.

Labels may be integers, strings or booleans; y_true and y_pred must hold
the same kind (numbers against strings would never match, so it is an error).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .validation import check_labels

__all__ = ["accuracy_score", "precision_score", "recall_score", "confusion_matrix"]


def _pair(y_true: Any, y_pred: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Both label vectors, checked: 1-D, equally long, of the same kind."""
    truth = check_labels(y_true, who=who, name="y_true")
    guess = check_labels(y_pred, who=who, name="y_pred")
    if len(truth) != len(guess):
        raise ValueError(f"{who}: y_true has {len(truth)} labels but y_pred has {len(guess)}")
    if (truth.dtype.kind in "USO") != (guess.dtype.kind in "USO"):
        raise ValueError(f"{who}: y_true ({truth.dtype}) and y_pred ({guess.dtype}) hold different kinds of labels "
                         "(text against numbers); no prediction could ever be counted as right")
    return truth, guess


def accuracy_score(y_true: Any, y_pred: Any) -> float:
    """The fraction of rows whose predicted label equals the true one."""
    truth, guess = _pair(y_true, y_pred, "accuracy_score")
    return float(np.count_nonzero(truth == guess) / len(truth))


def _binary_counts(y_true: Any, y_pred: Any, pos_label: Any, who: str) -> tuple[int, int, int]:
    """True positives, predicted positives and actual positives."""
    truth, guess = _pair(y_true, y_pred, who)
    seen = np.unique(np.concatenate([truth, guess]))
    if len(seen) > 2:
        raise ValueError(f"{who}: precision and recall here are for two classes, but y_true and y_pred hold "
                         f"{len(seen)} labels {seen.tolist()}")
    if len(seen) == 2 and pos_label not in seen.tolist():
        raise ValueError(f"{who}: pos_label={pos_label!r} is not one of the labels {seen.tolist()}")
    is_true, is_guess = truth == pos_label, guess == pos_label
    return int(np.count_nonzero(is_true & is_guess)), int(np.count_nonzero(is_guess)), int(np.count_nonzero(is_true))


def _ratio(hits: int, total: int, undefined: float | None, who: str, what: str) -> float:
    if total:
        return hits / total
    if undefined is None:
        raise ValueError(f"{who} is undefined: {what}, so the ratio is 0/0; pass undefined=0.0 (or another "
                         "value) to report a number anyway")
    return float(undefined)


def precision_score(y_true: Any, y_pred: Any, *, pos_label: Any = 1, undefined: float | None = None) -> float:
    """TP / (TP + FP): of the rows predicted as ``pos_label``, the fraction
    that truly are. Two classes only; see the module docstring."""
    hits, predicted, _ = _binary_counts(y_true, y_pred, pos_label, "precision_score")
    return _ratio(hits, predicted, undefined, "precision_score", f"no row is predicted as {pos_label!r}")


def recall_score(y_true: Any, y_pred: Any, *, pos_label: Any = 1, undefined: float | None = None) -> float:
    """TP / (TP + FN): of the rows that truly are ``pos_label``, the fraction
    predicted as such. Two classes only; see the module docstring."""
    hits, _, actual = _binary_counts(y_true, y_pred, pos_label, "recall_score")
    return _ratio(hits, actual, undefined, "recall_score", f"no row truly is {pos_label!r}")


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of rows whose true label is ``labels[i]`` and whose
    predicted label is ``labels[j]`` (rows: truth, columns: prediction), as an
    int64 array of shape (K, K). ``labels`` (default: every label that occurs,
    sorted) fixes the order; a row whose label is not in it is an error, not
    silently left out.
    """
    who = "confusion_matrix"
    truth, guess = _pair(y_true, y_pred, who)
    if labels is None:
        order = np.unique(np.concatenate([truth, guess]))
    else:
        order = np.asarray(labels)
        if order.ndim != 1 or order.size == 0:
            raise ValueError(f"{who}: labels must be a non-empty list of class labels, got shape {order.shape}")
        if len(np.unique(order)) != len(order):
            raise ValueError(f"{who}: labels lists a class twice: {order.tolist()}")
    position = {label: i for i, label in enumerate(order.tolist())}
    k = len(order)
    try:
        rows = np.array([position[v] for v in truth.tolist()], dtype=np.intp)
        columns = np.array([position[v] for v in guess.tolist()], dtype=np.intp)
    except KeyError as missing:
        raise ValueError(f"{who}: the label {missing.args[0]!r} occurs in y_true or y_pred but not in "
                         f"labels={order.tolist()}") from None
    return np.bincount(rows * k + columns, minlength=k * k).reshape(k, k).astype(np.int64)
