"""Cross-validated predictions, as the lecture evaluates its Iris classifier:
``cross_val_predict(LogisticRegression(), X, y, cv=3)`` predicts every row with
a model that was trained on the other folds, never on that row.

The folds are stratified: every fold gets about the same share of each class.
They are made without any randomness, so the lecture's numbers are
reproducible, and they are the folds scikit-learn's ``StratifiedKFold`` (no
shuffling) makes, so the same call with scikit-learn sees the same folds:

1. number the classes in the order they first occur in y, and line up the
   rows class by class (class 0's rows first, then class 1's, ...);
2. deal the positions of that line to the folds like cards: position p goes
   to fold p mod k. This fixes how many rows of each class every fold gets;
3. give each class's rows, in their order in the data, to fold 0 first,
   then fold 1, and so on, as many as step 2 said.

* :func:`stratified_folds` -- the test rows of each fold
* :func:`cross_val_predict` -- out-of-fold predictions for every row
* :func:`clone` -- a new, unfitted model with the same hyperparameters
"""
from __future__ import annotations

import copy
import numbers
from typing import Any

import numpy as np

from .validation import check_labels

__all__ = ["stratified_folds", "cross_val_predict", "clone"]


def _rows_per_fold(class_sizes: np.ndarray, k: int) -> np.ndarray:
    """Step 2: ``counts[c, f]`` = rows of class c dealt to fold f, when the rows
    are lined up class by class and position p goes to fold p mod k."""
    starts = np.concatenate([[0], np.cumsum(class_sizes)[:-1]])[:, None]
    ends = starts + class_sizes[:, None]
    fold = np.arange(k)[None, :]
    # positions p in [start, end) with p ≡ f (mod k): ceil((end − f)/k) − ceil((start − f)/k),
    # with ceil(a/k) written as −((−a) // k)
    return (fold - starts) // k - (fold - ends) // k


def stratified_folds(y: Any, n_folds: int) -> list[np.ndarray]:
    """The test rows (sorted indices) of each of ``n_folds`` stratified folds of
    the labels y; together they hold every row once. See the module docstring."""
    who = "stratified_folds"
    if isinstance(n_folds, bool) or not isinstance(n_folds, numbers.Integral) or n_folds < 2:
        raise ValueError(f"{who}: the number of folds must be an integer >= 2, got {n_folds!r}")
    labels = check_labels(y, who=who)
    _, first_rows, codes = np.unique(labels, return_index=True, return_inverse=True)
    appearance = np.argsort(np.argsort(first_rows))  # class code -> rank of its first occurrence
    codes = appearance[codes.reshape(-1)]
    sizes = np.bincount(codes)
    if n_folds > len(labels):
        raise ValueError(f"{who}: {n_folds} folds need at least {n_folds} rows, but y has {len(labels)}")
    if sizes.min() < n_folds:
        rare = labels[first_rows[np.argsort(first_rows)][sizes.argmin()]]
        raise ValueError(f"{who}: the class {rare.item()!r} has only {sizes.min()} row(s), fewer than the "
                         f"{n_folds} folds; each fold needs at least one row of every class")
    counts = _rows_per_fold(sizes, n_folds)
    fold_of = np.empty(len(labels), dtype=np.intp)
    for c in range(len(sizes)):  # step 3: the class's rows, in data order, fill fold 0, then 1, ...
        fold_of[codes == c] = np.repeat(np.arange(n_folds), counts[c])
    return [np.flatnonzero(fold_of == f) for f in range(n_folds)]


def clone(estimator: Any) -> Any:
    """A new, unfitted model of the same class with (copies of) the same hyperparameters."""
    if isinstance(estimator, type) or not callable(getattr(estimator, "get_params", None)):
        raise TypeError(f"clone: expected a model with get_params(), got {estimator!r}")
    params = {name: copy.deepcopy(value) for name, value in estimator.get_params().items()}
    return type(estimator)(**params)


def cross_val_predict(estimator: Any, X: Any, y: Any, *, cv: int = 5) -> np.ndarray:
    """The prediction for every row of X from a clone of ``estimator`` fitted
    on the other ``cv`` − 1 stratified folds; in the order of the rows of X.
    The estimator itself is not fitted."""
    X = np.asarray(X)
    labels = check_labels(y, who="cross_val_predict")
    if len(X) != len(labels):
        raise ValueError(f"cross_val_predict: X has {len(X)} rows but y has {len(labels)} labels")
    folds = stratified_folds(labels, cv)
    everything = np.arange(len(labels))
    parts = []
    for test in folds:
        model = clone(estimator).fit(X[np.setdiff1d(everything, test)], labels[np.setdiff1d(everything, test)])
        parts.append(np.asarray(model.predict(X[test])))
    predictions = np.concatenate(parts)  # in fold order; put them back in row order
    in_row_order = np.empty_like(predictions)
    in_row_order[np.concatenate(folds)] = predictions
    return in_row_order
