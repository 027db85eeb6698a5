"""Data splitting and cross-validation: small numpy versions of scikit-learn's.

* :func:`train_test_split` -- shuffled (optionally stratified) split
* :class:`KFold`, :class:`StratifiedKFold` -- k-fold cross-validators
* :func:`cross_val_predict` -- out-of-fold predictions for every sample
* :func:`cross_val_score` -- one score per fold
* :func:`clone` -- an unfitted copy of an estimator with the same parameters

The splits are **identical** to scikit-learn's for the same arguments
(including integer ``random_state``), because the same algorithms and the
same numpy ``RandomState`` draws are used. So the lecture's
``cross_val_predict(clf, X, y, cv=3)`` sees the same folds as with
scikit-learn.

Randomness (``random_state``) follows scikit-learn: ``None`` uses numpy's
global ``RandomState``, an int seeds a new ``RandomState``, and a
``RandomState`` (or ``Generator``) instance is used as is.
"""

from __future__ import annotations

import copy
import numbers
import warnings
from math import ceil, floor
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from . import metrics

__all__ = [
    "train_test_split", "KFold", "StratifiedKFold", "cross_val_predict", "cross_val_score",
    "clone", "check_cv",
]

# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------


def _check_random_state(seed: Any) -> np.random.RandomState | np.random.Generator:
    """Turn ``seed`` into a random number generator (like scikit-learn's)."""
    if seed is None:
        return np.random.mtrand._rand  # numpy's global RandomState
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    if isinstance(seed, (np.random.RandomState, np.random.Generator)):
        return seed
    raise ValueError(f"random_state must be None, an int, a numpy RandomState or Generator; "
                     f"got {seed!r}.")


def _num_samples(x: Any, name: str = "X") -> int:
    """Number of samples (length of the first axis) of an array-like."""
    if x is None:
        raise ValueError(f"{name} is None; an array-like is required.")
    shape = getattr(x, "shape", None)
    if shape is not None:
        if len(shape) == 0:
            raise ValueError(f"{name} is a scalar (0-d array); an array-like with samples along "
                             f"the first axis is required.")
        return int(shape[0])
    try:
        return len(x)
    except TypeError:
        raise ValueError(f"{name} of type {type(x).__name__} has no length; an array-like is "
                         f"required.") from None


def _check_consistent_length(arrays: Sequence[Any], names: Sequence[str] | None = None) -> int:
    lengths = [_num_samples(a) for a in arrays]
    if len(set(lengths)) > 1:
        label = "" if names is None else f" ({', '.join(names)})"
        raise ValueError(f"Found input variables with inconsistent numbers of samples{label}: "
                         f"{lengths}.")
    return lengths[0]


def _index(x: Any, idx: np.ndarray) -> Any:
    """Rows ``idx`` of x: numpy fancy indexing, or a list for lists and tuples."""
    if isinstance(x, (list, tuple)):
        return [x[i] for i in idx]
    return x[idx]


def _target_type(y: np.ndarray) -> str:
    """'binary', 'multiclass', 'continuous' or 'multioutput' (a subset of
    scikit-learn's ``type_of_target``, enough for choosing a splitter)."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        return "multioutput"
    if y.dtype.kind == "f" and y.size and (not np.isfinite(y).all() or np.any(y != np.round(y))):
        return "continuous"
    if y.dtype.kind == "c":
        return "continuous"
    try:
        n_classes = np.unique(y).size
    except TypeError:
        return "unknown"
    return "multiclass" if n_classes > 2 else "binary"


# ----------------------------------------------------------------------------
# train_test_split
# ----------------------------------------------------------------------------


def _validate_split_sizes(n_samples: int, test_size: Any, train_size: Any,
                          default_test_size: float) -> tuple[int, int]:
    """Resolve test_size/train_size (fractions or counts) to (n_train, n_test)."""
    if test_size is None and train_size is None:
        test_size = default_test_size

    def kind(v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, bool):
            return "bad"
        if isinstance(v, numbers.Integral):
            return "i"
        if isinstance(v, numbers.Real):
            return "f"
        return "bad"

    for name, value in (("test_size", test_size), ("train_size", train_size)):
        k = kind(value)
        if k == "bad":
            raise ValueError(f"Invalid value for {name}: {value!r}; use an int (a number of "
                             f"samples) or a float in (0, 1) (a fraction).")
        if (k == "i" and not 0 < value < n_samples) or (k == "f" and not 0 < value < 1):
            raise ValueError(f"{name}={value} should be either positive and smaller than the "
                             f"number of samples {n_samples} or a float in the (0, 1) range.")
    kt, kr = kind(test_size), kind(train_size)
    if kt == "f" and kr == "f" and train_size + test_size > 1:
        raise ValueError(f"The sum of test_size and train_size = {train_size + test_size}, "
                         f"should be in the (0, 1) range. Reduce test_size and/or train_size.")
    n_test = ceil(test_size * n_samples) if kt == "f" else (int(test_size) if kt == "i" else None)
    n_train = (floor(train_size * n_samples) if kr == "f"
               else (int(train_size) if kr == "i" else None))
    if n_train is None:
        assert n_test is not None
        n_train = n_samples - n_test
    elif n_test is None:
        n_test = n_samples - n_train
    if n_train + n_test > n_samples:
        raise ValueError(f"The sum of train_size and test_size = {n_train + n_test}, should be "
                         f"smaller than the number of samples {n_samples}. Reduce test_size "
                         f"and/or train_size.")
    if n_train == 0:
        raise ValueError(f"With n_samples={n_samples}, test_size={test_size} and "
                         f"train_size={train_size}, the resulting train set will be empty. "
                         f"Adjust any of the aforementioned parameters.")
    if n_test == 0:
        raise ValueError(f"With n_samples={n_samples}, test_size={test_size} and "
                         f"train_size={train_size}, the resulting test set will be empty. "
                         f"Adjust any of the aforementioned parameters.")
    return n_train, n_test


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rng: Any) -> np.ndarray:
    """Per-class counts summing to ``n_draws``, proportional to ``class_counts``
    (largest remainders get the extra samples; ties broken at random)."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def _stratified_indices(y: np.ndarray, n_train: int, n_test: int,
                        rng: Any) -> tuple[np.ndarray, np.ndarray]:
    """One stratified shuffled split (scikit-learn's StratifiedShuffleSplit)."""
    if y.ndim == 2:  # multi-label: one class per distinct row
        y = np.array([" ".join(row.astype(str)) for row in y])
    classes, y_indices, class_counts = np.unique(y, return_inverse=True, return_counts=True)
    y_indices = y_indices.ravel()
    n_classes = classes.shape[0]
    if np.min(class_counts) < 2:
        raise ValueError(f"The least populated classes in y have only 1 member, which is too few "
                         f"to stratify. Classes with too few members are: "
                         f"{classes[class_counts < 2].tolist()}.")
    if n_train < n_classes:
        raise ValueError(f"The train_size = {n_train} should be greater or equal to the number "
                         f"of classes = {n_classes}.")
    if n_test < n_classes:
        raise ValueError(f"The test_size = {n_test} should be greater or equal to the number "
                         f"of classes = {n_classes}.")
    class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
    n_i = _approximate_mode(class_counts, n_train, rng)
    t_i = _approximate_mode(class_counts - n_i, n_test, rng)
    train: list[int] = []
    test: list[int] = []
    for i in range(n_classes):
        perm = class_indices[i].take(rng.permutation(class_counts[i]), mode="clip")
        train.extend(perm[:n_i[i]])
        test.extend(perm[n_i[i]:n_i[i] + t_i[i]])
    return rng.permutation(np.asarray(train, dtype=int)), rng.permutation(
        np.asarray(test, dtype=int))


def train_test_split(*arrays: Any, test_size: float | int | None = None,
                     train_size: float | int | None = None, random_state: Any = None,
                     shuffle: bool = True, stratify: Any = None) -> list[Any]:
    """Split arrays into random train and test subsets (like scikit-learn's).

    Parameters
    ----------
    *arrays : array-likes with the same first dimension
        numpy arrays are indexed with numpy; lists and tuples give lists.
    test_size : float in (0, 1), int or None
        Fraction or number of test samples. If both sizes are None it is 0.25;
        if only ``train_size`` is given, the rest of the data.
    train_size : float in (0, 1), int or None
        Fraction or number of training samples (default: the complement of
        ``test_size``).
    random_state : None, int, RandomState or Generator
        Controls the shuffle; an int gives the same split as scikit-learn.
    shuffle : bool, default True
        If False, the first samples form the training set, the next the test
        set (``stratify`` must then be None).
    stratify : array-like or None
        Class labels: each class keeps its proportion in both subsets.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]`` for ``arrays = (a, b, ...)``.
    """
    if not arrays:
        raise ValueError("At least one array is required as input.")
    n_samples = _check_consistent_length(arrays)
    n_train, n_test = _validate_split_sizes(n_samples, test_size, train_size, 0.25)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError(f"shuffle must be True or False, got {shuffle!r}.")
    if not shuffle:
        if stratify is not None:
            raise ValueError("Stratified train/test split is not implemented for shuffle=False.")
        train = np.arange(n_train)
        test = np.arange(n_train, n_train + n_test)
    elif stratify is not None:
        y = np.asarray(stratify)
        if _num_samples(y) != n_samples:
            raise ValueError(f"stratify has {_num_samples(y)} labels but the arrays have "
                             f"{n_samples} samples.")
        train, test = _stratified_indices(y, n_train, n_test, _check_random_state(random_state))
    else:
        perm = _check_random_state(random_state).permutation(n_samples)
        test = perm[:n_test]
        train = perm[n_test:n_test + n_train]
    out: list[Any] = []
    for a in arrays:
        out.extend((_index(a, train), _index(a, test)))
    return out


# ----------------------------------------------------------------------------
# k-fold cross-validators
# ----------------------------------------------------------------------------


class _BaseKFold:
    """Shared parameter checks and ``split`` logic of the k-fold splitters."""

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False,
                 random_state: Any = None) -> None:
        if not isinstance(n_splits, numbers.Integral) or isinstance(n_splits, bool):
            raise ValueError(f"The number of folds must be an integer, got {n_splits!r} of type "
                             f"{type(n_splits).__name__}.")
        if n_splits <= 1:
            raise ValueError(f"k-fold cross-validation requires at least one train/test split "
                             f"by setting n_splits=2 or more, got n_splits={n_splits}.")
        if not isinstance(shuffle, (bool, np.bool_)):
            raise ValueError(f"shuffle must be True or False, got {shuffle!r}.")
        if not shuffle and random_state is not None:
            raise ValueError("Setting a random_state has no effect since shuffle is False. Leave "
                             "random_state to its default (None), or set shuffle=True.")
        self.n_splits = int(n_splits)
        self.shuffle = bool(shuffle)
        self.random_state = random_state

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds (X, y and groups are ignored)."""
        return self.n_splits

    def _test_folds(self, n_samples: int, y: Any) -> Iterator[np.ndarray]:
        raise NotImplementedError

    def split(self, X: Any, y: Any = None,
              groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_indices, test_indices)`` for each fold.

        Test folds are disjoint and together cover every sample once; each
        index array is sorted ascending.
        """
        n_samples = _num_samples(X)
        if self.n_splits > n_samples:
            raise ValueError(f"Cannot have number of splits n_splits={self.n_splits} greater "
                             f"than the number of samples: n_samples={n_samples}.")
        indices = np.arange(n_samples)
        for test_mask in self._test_folds(n_samples, y):
            yield indices[~test_mask], indices[test_mask]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(n_splits={self.n_splits}, "
                f"random_state={self.random_state!r}, shuffle={self.shuffle})")


class KFold(_BaseKFold):
    """K consecutive folds (shuffled first if ``shuffle=True``).

    The first ``n_samples % n_splits`` folds have ``n_samples // n_splits + 1``
    samples, the others ``n_samples // n_splits`` (as in scikit-learn).
    """

    def _test_folds(self, n_samples: int, y: Any) -> Iterator[np.ndarray]:
        indices = np.arange(n_samples)
        if self.shuffle:
            _check_random_state(self.random_state).shuffle(indices)
        fold_sizes = np.full(self.n_splits, n_samples // self.n_splits, dtype=int)
        fold_sizes[: n_samples % self.n_splits] += 1
        current = 0
        for size in fold_sizes:
            mask = np.zeros(n_samples, dtype=bool)
            mask[indices[current:current + size]] = True
            current += size
            yield mask


class StratifiedKFold(_BaseKFold):
    """K folds that keep each class's proportion (scikit-learn's algorithm).

    Classes are numbered in order of first appearance in ``y``; the samples
    sorted by class are dealt round-robin to the folds to decide how many
    samples of each class every fold gets, and each class's samples are then
    assigned to folds in contiguous blocks, in data order (block order
    shuffled per class when ``shuffle=True``). Without shuffling this yields
    exactly scikit-learn's folds.

    ``split`` raises ValueError when ``n_splits`` exceeds the size of every
    class, and (like scikit-learn) only warns with a UserWarning when it
    exceeds the size of the smallest class, whose samples then miss some
    test folds.
    """

    def split(self, X: Any, y: Any = None,
              groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_indices, test_indices)`` for each fold; ``y`` is required."""
        if y is None:
            raise ValueError("StratifiedKFold.split needs the class labels y.")
        _check_consistent_length([X, y], ["X", "y"])
        return super().split(X, y, groups)

    def _test_folds(self, n_samples: int, y: Any) -> Iterator[np.ndarray]:
        y = np.asarray(y)
        kind = _target_type(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"Supported target types are: ('binary', 'multiclass'). Got "
                             f"{kind!r} instead.")
        y = y.ravel()
        _, y_idx, y_inv = np.unique(y, return_index=True, return_inverse=True)
        # Encode classes in order of first appearance (0 = first label seen).
        _, class_perm = np.unique(y_idx, return_inverse=True)
        y_encoded = class_perm[y_inv.ravel()]
        n_classes = len(y_idx)
        y_counts = np.bincount(y_encoded)
        if np.all(self.n_splits > y_counts):
            raise ValueError(f"n_splits={self.n_splits} cannot be greater than the number of "
                             f"members in each class (class counts: {y_counts.tolist()}).")
        if self.n_splits > y_counts.min():
            warnings.warn(f"The least populated class in y has only {y_counts.min()} members, "
                          f"which is less than n_splits={self.n_splits}.", UserWarning,
                          stacklevel=3)
        y_order = np.sort(y_encoded)
        allocation = np.asarray([np.bincount(y_order[i::self.n_splits], minlength=n_classes)
                                 for i in range(self.n_splits)])
        rng = _check_random_state(self.random_state) if self.shuffle else None
        test_folds = np.empty(len(y), dtype=int)
        for k in range(n_classes):
            folds_for_class = np.arange(self.n_splits).repeat(allocation[:, k])
            if rng is not None:
                rng.shuffle(folds_for_class)
            test_folds[y_encoded == k] = folds_for_class
        for i in range(self.n_splits):
            yield test_folds == i


# ----------------------------------------------------------------------------
# estimators: clone, cross_val_predict, cross_val_score
# ----------------------------------------------------------------------------


def clone(estimator: Any) -> Any:
    """A new, unfitted estimator with the same parameters:
    ``type(est)(**est.get_params(deep=False))``.

    Parameters that are estimators are cloned too; other parameters are deep
    copied, so the clone shares no state with the original.
    """
    if isinstance(estimator, type) or not hasattr(estimator, "get_params"):
        raise TypeError(f"Cannot clone object {estimator!r} (type {type(estimator).__name__}): "
                        f"it is not an estimator instance with a 'get_params' method.")
    try:
        params = estimator.get_params(deep=False)
    except TypeError:
        params = estimator.get_params()
    new_params = {name: clone(value) if hasattr(value, "get_params")
                  and not isinstance(value, type) else copy.deepcopy(value)
                  for name, value in params.items()}
    return type(estimator)(**new_params)


def _is_classifier(estimator: Any) -> bool:
    """True for classifiers: ``_estimator_type == "classifier"``, or a
    scikit-learn estimator tagged as a classifier."""
    if getattr(estimator, "_estimator_type", None) == "classifier":
        return True
    tags = getattr(estimator, "__sklearn_tags__", None)
    if callable(tags):
        try:
            return getattr(tags(), "estimator_type", None) == "classifier"
        except Exception:  # noqa: BLE001 - a foreign hook; fall back to "not a classifier"
            return False
    return False


def check_cv(cv: Any = 5, y: Any = None, *, classifier: bool = False) -> Any:
    """Turn ``cv`` into a cross-validator.

    An int (``None`` means 5) gives :class:`StratifiedKFold` for a classifier
    with binary or multiclass ``y`` and :class:`KFold` otherwise (neither
    shuffled). An object with a ``split`` method is returned as is; an
    iterable of ``(train, test)`` index pairs is wrapped.
    """
    cv = 5 if cv is None else cv
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if classifier and y is not None and _target_type(np.asarray(y)) in ("binary",
                                                                            "multiclass"):
            return StratifiedKFold(int(cv))
        return KFold(int(cv))
    if hasattr(cv, "split") and not isinstance(cv, str):
        return cv
    if isinstance(cv, Iterable) and not isinstance(cv, str):
        return _CVIterableWrapper(cv)
    raise ValueError(f"cv must be an int, a cross-validator with a 'split' method or an "
                     f"iterable of (train, test) index pairs; got {cv!r}.")


class _CVIterableWrapper:
    """Wrap a list of (train, test) pairs as a cross-validator."""

    def __init__(self, cv: Iterable[tuple[Any, Any]]) -> None:
        self.cv = [(np.asarray(tr), np.asarray(te)) for tr, te in cv]

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return len(self.cv)

    def split(self, X: Any = None, y: Any = None,
              groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        yield from self.cv


_PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def cross_val_predict(estimator: Any, X: Any, y: Any = None, *, cv: Any = 5,
                      method: str = "predict") -> np.ndarray:
    """Out-of-fold predictions: each sample is predicted by a clone of
    ``estimator`` fitted on the folds that do not contain it.

    Parameters
    ----------
    estimator : object with ``fit``, ``get_params`` and ``method``
        Cloned for every fold (the original is not fitted).
    X : array-like of shape (n_samples, ...)
    y : array-like of shape (n_samples,)
    cv : int, cross-validator or iterable of (train, test) pairs, default 5
        An int means :class:`StratifiedKFold` (not shuffled, identical to
        scikit-learn's folds) when the estimator is a classifier
        (``_estimator_type == "classifier"``) and y is binary/multiclass, and
        :class:`KFold` otherwise. The test folds must partition the samples.
    method : {"predict", "predict_proba", "predict_log_proba", "decision_function"}

    Returns
    -------
    ndarray of shape (n_samples,) or (n_samples, n_classes)
        Predictions in the original sample order.
    """
    if method not in _PREDICT_METHODS:
        raise ValueError(f"method must be one of {_PREDICT_METHODS}, got {method!r}.")
    if not hasattr(estimator, method):
        raise ValueError(f"The estimator {type(estimator).__name__} has no method {method!r}.")
    n_samples = _num_samples(X) if y is None else _check_consistent_length([X, y], ["X", "y"])
    splitter = check_cv(cv, y, classifier=_is_classifier(estimator))
    splits = list(splitter.split(X, y))
    test_indices = np.concatenate([np.asarray(test, dtype=int) for _, test in splits])
    if test_indices.size != n_samples or not np.array_equal(np.sort(test_indices),
                                                            np.arange(n_samples)):
        raise ValueError("cross_val_predict only works for partitions: every sample must be in "
                         "exactly one test fold.")
    all_classes = None
    if method != "predict" and y is not None:
        y_arr = np.asarray(y)
        if y_arr.ndim == 1:
            all_classes = np.unique(y_arr)

    predictions = []
    for train, test in splits:
        est = clone(estimator)
        est.fit(_index(X, train), None if y is None else _index(y, train))
        pred = np.asarray(getattr(est, method)(_index(X, test)))
        if all_classes is not None:
            pred = _align_columns(pred, est, all_classes, method)
        predictions.append(pred)
    shapes = {p.shape[1:] for p in predictions}
    if len(shapes) > 1:
        raise ValueError(f"The folds' {method} outputs have different shapes {sorted(shapes)}; "
                         f"a training fold probably missed a class and the estimator has no "
                         f"classes_ attribute to align the columns.")
    inverse = np.empty(n_samples, dtype=int)
    inverse[test_indices] = np.arange(n_samples)
    return np.concatenate(predictions)[inverse]


def _align_columns(pred: np.ndarray, est: Any, all_classes: np.ndarray,
                   method: str) -> np.ndarray:
    """Put a fold's per-class columns in the order of ``all_classes``, filling
    classes the fold never saw (as scikit-learn does)."""
    classes = getattr(est, "classes_", None)
    if classes is None or pred.ndim != 2 or len(classes) == len(all_classes):
        return pred
    warnings.warn(f"Number of classes in training fold ({len(classes)}) does not match total "
                  f"number of classes ({len(all_classes)}); the missing classes get "
                  f"{method} columns filled with a constant. Use stratified folds.",
                  UserWarning, stacklevel=3)
    if method == "decision_function" and len(classes) <= 2:
        raise ValueError("A training fold has only two classes but the data has "
                         f"{len(all_classes)}; decision_function columns cannot be aligned. "
                         "Use StratifiedKFold or predict_proba.")
    fill = {"predict_proba": 0.0, "predict_log_proba": -np.inf,
            "decision_function": np.finfo(pred.dtype if pred.dtype.kind == "f"
                                          else np.float64).min}[method]
    out = np.full((pred.shape[0], len(all_classes)), fill,
                  dtype=pred.dtype if pred.dtype.kind == "f" else np.float64)
    out[:, np.searchsorted(all_classes, np.asarray(classes))] = pred
    return out


def _averaged(metric: Callable[..., float], average: str) -> Callable[[Any, Any], float]:
    def score(y_true: Any, y_pred: Any) -> float:
        return metric(y_true, y_pred, average=average)
    return score


_SCORERS: dict[str, Callable[[Any, Any], float]] = {"accuracy": metrics.accuracy_score}
for _name, _metric in (("precision", metrics.precision_score),
                       ("recall", metrics.recall_score), ("f1", metrics.f1_score)):
    for _suffix, _average in (("", "binary"), ("_macro", "macro"), ("_micro", "micro"),
                              ("_weighted", "weighted")):
        _SCORERS[_name + _suffix] = _averaged(_metric, _average)


def cross_val_score(estimator: Any, X: Any, y: Any = None, *, cv: Any = 5,
                    scoring: str | Callable[..., float] | None = None) -> np.ndarray:
    """One score per fold for clones of ``estimator`` fitted on the other folds.

    Parameters
    ----------
    estimator, X, y, cv
        As in :func:`cross_val_predict`.
    scoring : None, str or callable
        None uses ``estimator.score(X_test, y_test)``; a string is one of
        ``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"`` (binary) or
        those with a ``_macro``, ``_micro`` or ``_weighted`` suffix; a callable
        is called as ``scoring(fitted_estimator, X_test, y_test)``.

    Returns
    -------
    ndarray of shape (n_splits,)
    """
    if scoring is None:
        if not hasattr(estimator, "score"):
            raise ValueError(f"scoring=None needs an estimator with a 'score' method; "
                             f"{type(estimator).__name__} has none. Pass scoring=.")

        def scorer(est: Any, Xt: Any, yt: Any) -> float:
            return est.score(Xt, yt)
    elif isinstance(scoring, str):
        if scoring not in _SCORERS:
            raise ValueError(f"Unknown scoring {scoring!r}; use one of {sorted(_SCORERS)}, a "
                             f"callable or None.")
        metric = _SCORERS[scoring]

        def scorer(est: Any, Xt: Any, yt: Any) -> float:
            return metric(yt, est.predict(Xt))
    elif callable(scoring):
        scorer = scoring
    else:
        raise ValueError(f"scoring must be None, a string or a callable, got {scoring!r}.")
    if y is not None:
        _check_consistent_length([X, y], ["X", "y"])
    splitter = check_cv(cv, y, classifier=_is_classifier(estimator))
    scores = []
    for train, test in splitter.split(X, y):
        est = clone(estimator)
        est.fit(_index(X, train), None if y is None else _index(y, train))
        scores.append(float(scorer(est, _index(X, test), None if y is None else _index(y, test))))
    return np.asarray(scores)
