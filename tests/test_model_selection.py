"""Tests for models.model_selection, compared with scikit-learn where installed."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.model_selection import (KFold, StratifiedKFold, check_cv, clone, cross_val_predict,
                                    cross_val_score, train_test_split)

FAST = settings(max_examples=30, deadline=None)


class NearestCentroid:
    """A tiny classifier: predict the class whose training mean is nearest."""

    _estimator_type = "classifier"

    def __init__(self, shrink: float = 0.0, metric: str = "euclidean") -> None:
        self.shrink = shrink
        self.metric = metric

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"shrink": self.shrink, "metric": self.metric}

    def set_params(self, **params: Any) -> "NearestCentroid":
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def fit(self, X: np.ndarray, y: np.ndarray) -> "NearestCentroid":
        X, y = np.asarray(X, dtype=float), np.asarray(y)
        self.classes_ = np.unique(y)
        centroids = np.array([X[y == c].mean(axis=0) for c in self.classes_])
        self.centroids_ = (1 - self.shrink) * centroids + self.shrink * X.mean(axis=0)
        return self

    def _distances(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        return ((X[:, None, :] - self.centroids_[None, :, :]) ** 2).sum(axis=2)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[np.argmin(self._distances(X), axis=1)]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        e = np.exp(-(self._distances(X) - self._distances(X).min(axis=1, keepdims=True)))
        return e / e.sum(axis=1, keepdims=True)

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))


class MeanRegressor:
    """Predict the training mean of y plus a multiple of the first feature."""

    def __init__(self, slope: float = 0.5) -> None:
        self.slope = slope

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"slope": self.slope}

    def fit(self, X: np.ndarray, y: np.ndarray) -> "MeanRegressor":
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.mean_ + self.slope * np.asarray(X)[:, 0]


def _sk_versions() -> tuple[Any, type, type]:
    """scikit-learn's model_selection and sklearn-tagged copies of the test estimators."""
    ms = pytest.importorskip("sklearn.model_selection")
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

    class SkNearestCentroid(ClassifierMixin, BaseEstimator, NearestCentroid):
        pass

    class SkMeanRegressor(RegressorMixin, BaseEstimator, MeanRegressor):
        pass

    return ms, SkNearestCentroid, SkMeanRegressor


def _folds(splitter: Any, X: Any, y: Any = None) -> list[tuple[list[int], list[int]]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # small classes
        return [(tr.tolist(), te.tolist()) for tr, te in splitter.split(X, y)]


@st.composite
def labels(draw: st.DrawFn, min_size: int = 2) -> np.ndarray:
    n = draw(st.integers(min_size, 40))
    k = draw(st.integers(1, 4))
    return np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))) * 3 + 7


# ----------------------------------------------------------------------------
# StratifiedKFold and KFold: the same folds as scikit-learn
# ----------------------------------------------------------------------------


@FAST
@given(y=labels(), n_splits=st.integers(2, 5), seed=st.integers(0, 2**31 - 1))
def test_stratified_kfold_same_folds_as_sklearn(y: np.ndarray, n_splits: int, seed: int) -> None:
    ms = pytest.importorskip("sklearn.model_selection")
    X = np.zeros((y.size, 2))
    if n_splits > y.size or np.all(n_splits > np.unique(y, return_counts=True)[1]):
        with pytest.raises(ValueError):
            _folds(StratifiedKFold(n_splits), X, y)
        return
    assert _folds(StratifiedKFold(n_splits), X, y) == _folds(ms.StratifiedKFold(n_splits), X, y)
    assert (_folds(StratifiedKFold(n_splits, shuffle=True, random_state=seed), X, y)
            == _folds(ms.StratifiedKFold(n_splits, shuffle=True, random_state=seed), X, y))


@FAST
@given(n=st.integers(2, 40), n_splits=st.integers(2, 6), seed=st.integers(0, 2**31 - 1))
def test_kfold_same_folds_as_sklearn(n: int, n_splits: int, seed: int) -> None:
    ms = pytest.importorskip("sklearn.model_selection")
    X = np.zeros((n, 1))
    if n_splits > n:
        with pytest.raises(ValueError, match=f"n_splits={n_splits} greater than the number of "
                                             f"samples: n_samples={n}"):
            _folds(KFold(n_splits), X)
        return
    assert _folds(KFold(n_splits), X) == _folds(ms.KFold(n_splits), X)
    assert (_folds(KFold(n_splits, shuffle=True, random_state=seed), X)
            == _folds(ms.KFold(n_splits, shuffle=True, random_state=seed), X))


def test_stratified_folds_preserve_class_proportions() -> None:
    y = np.array([0] * 30 + [1] * 60 + [2] * 90)
    skf = StratifiedKFold(3)
    assert skf.get_n_splits() == 3
    seen = []
    for train, test in skf.split(np.zeros((y.size, 1)), y):
        np.testing.assert_array_equal(np.bincount(y[test]), [10, 20, 30])
        np.testing.assert_array_equal(np.bincount(y[train]), [20, 40, 60])
        assert np.intersect1d(train, test).size == 0
        seen.append(test)
    np.testing.assert_array_equal(np.sort(np.concatenate(seen)), np.arange(y.size))


def test_stratified_kfold_small_classes() -> None:
    X = np.zeros((7, 1))
    with pytest.warns(UserWarning, match="least populated class in y has only 1 members, which "
                                         "is less than n_splits=3"):
        list(StratifiedKFold(3).split(X, [0, 0, 0, 0, 0, 0, 1]))
    with pytest.raises(ValueError, match="n_splits=3 cannot be greater than the number of "
                                         r"members in each class \(class counts: \[2, 2\]\)"):
        list(StratifiedKFold(3).split(X[:4], [0, 0, 1, 1]))


@pytest.mark.parametrize("make, match", [
    (lambda: KFold(1), "at least one train/test split by setting n_splits=2"),
    (lambda: StratifiedKFold(2.5), "number of folds must be an integer"),
    (lambda: KFold(3, random_state=0), "random_state has no effect since shuffle is False"),
    (lambda: StratifiedKFold(3, shuffle="yes"), "shuffle must be True or False"),
    (lambda: list(StratifiedKFold(2).split(np.zeros((4, 1)))), "needs the class labels y"),
    (lambda: list(StratifiedKFold(2).split(np.zeros((4, 1)), [0, 1, 0])),
     r"inconsistent numbers of samples \(X, y\): \[4, 3\]"),
    (lambda: list(StratifiedKFold(2).split(np.zeros((4, 1)), [0.1, 0.2, 0.3, 0.4])),
     "Supported target types are: \\('binary', 'multiclass'\\). Got 'continuous'"),
    (lambda: list(KFold(2, shuffle=True, random_state="x").split(np.zeros(4))),
     "random_state must be None, an int"),
])
def test_splitter_validation(make: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


# ----------------------------------------------------------------------------
# train_test_split
# ----------------------------------------------------------------------------


@FAST
@given(n=st.integers(4, 60), seed=st.integers(0, 2**31 - 1),
       sizes=st.sampled_from([(None, None), (0.3, None), (None, 0.6), (0.2, 0.5), (2, None),
                              (None, 3), (1, 2)]))
def test_train_test_split_same_as_sklearn(n: int, seed: int, sizes: tuple[Any, Any]) -> None:
    ms = pytest.importorskip("sklearn.model_selection")
    X, y = np.arange(2 * n).reshape(n, 2), np.arange(n) % 3
    test_size, train_size = sizes
    kwargs = dict(test_size=test_size, train_size=train_size, random_state=seed)
    try:
        want = ms.train_test_split(X, y, **kwargs)
    except ValueError:
        with pytest.raises(ValueError):
            train_test_split(X, y, **kwargs)
        return
    got = train_test_split(X, y, **kwargs)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    kwargs.pop("random_state")
    got, want = train_test_split(y, shuffle=False, **kwargs), ms.train_test_split(
        y, shuffle=False, **kwargs)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


@FAST
@given(y=labels(min_size=12), seed=st.integers(0, 2**31 - 1),
       test_size=st.sampled_from([0.25, 0.4, 5]))
def test_stratified_split_same_as_sklearn(y: np.ndarray, seed: int, test_size: Any) -> None:
    ms = pytest.importorskip("sklearn.model_selection")
    X = np.arange(y.size)
    try:
        want = ms.train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    except ValueError:
        with pytest.raises(ValueError):
            train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
        return
    got = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_train_test_split_sizes_and_stratification() -> None:
    X = np.arange(200).reshape(100, 2)
    y = np.array([0] * 80 + [1] * 20)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    assert X_tr.shape == (75, 2) and X_te.shape == (25, 2)
    np.testing.assert_array_equal(np.bincount(y_te), [20, 5])  # 80/20 kept
    np.testing.assert_array_equal(X_tr[:, 0] // 2, np.flatnonzero(np.isin(X[:, 0], X_tr[:, 0])
                                                                  )[np.argsort(np.argsort(
                                                                      X_tr[:, 0]))])
    assert np.union1d(X_tr[:, 0], X_te[:, 0]).size == 100  # a partition
    a_tr, a_te = train_test_split(list("abcdefgh"), shuffle=False, test_size=2)
    assert a_tr == list("abcdef") and a_te == ["g", "h"]  # lists stay lists
    r1 = train_test_split(X, random_state=np.random.RandomState(3))
    r2 = train_test_split(X, random_state=3)
    np.testing.assert_array_equal(r1[0], r2[0])


@pytest.mark.parametrize("kwargs, match", [
    (dict(test_size=1.5), r"test_size=1.5 should be either positive and smaller than the number "
                          r"of samples 10 or a float in the \(0, 1\) range"),
    (dict(test_size=10), "test_size=10 should be either positive"),
    (dict(train_size=0), "train_size=0 should be either positive"),
    (dict(test_size=0.6, train_size=0.6), "sum of test_size and train_size = 1.2"),
    (dict(test_size=6, train_size=6), "sum of train_size and test_size = 12"),
    (dict(test_size="half"), "Invalid value for test_size: 'half'"),
    (dict(shuffle=False, stratify=[0, 1] * 5), "not implemented for shuffle=False"),
    (dict(stratify=[0] * 9 + [1]), r"only 1 member.*\[1\]"),
    (dict(stratify=[0, 1] * 4), "stratify has 8 labels but the arrays have 10 samples"),
    (dict(random_state=1.5), "random_state must be None, an int"),
])
def test_train_test_split_validation(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        train_test_split(np.arange(10), **kwargs)


def test_train_test_split_array_validation() -> None:
    with pytest.raises(ValueError, match="At least one array"):
        train_test_split()
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[10, 9\]"):
        train_test_split(np.arange(10), np.arange(9))


# ----------------------------------------------------------------------------
# clone, cross_val_predict, cross_val_score
# ----------------------------------------------------------------------------


def _blobs(seed: int, n_per_class: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.full(n, c) for c, n in enumerate(n_per_class)])
    rng.shuffle(y)
    X = rng.normal(size=(y.size, 2)) + 1.5 * y[:, None]
    return X, y


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call scikit-learn with its warnings (small classes, folds missing a class) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), cv=st.integers(2, 4),
       sizes=st.tuples(st.integers(4, 15), st.integers(4, 15), st.integers(0, 15)),
       shrink=st.floats(0.0, 0.9))
def test_cross_val_predict_same_as_sklearn(seed: int, cv: int, sizes: tuple[int, ...],
                                           shrink: float) -> None:
    ms, SkNearestCentroid, _ = _sk_versions()
    X, y = _blobs(seed, tuple(s for s in sizes if s))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a class smaller than cv
        got = cross_val_predict(NearestCentroid(shrink=shrink), X, y, cv=cv)
        proba = cross_val_predict(NearestCentroid(shrink=shrink), X, y, cv=cv,
                                  method="predict_proba")
        scores = cross_val_score(NearestCentroid(shrink=shrink), X, y, cv=cv)
    np.testing.assert_array_equal(
        got, _quiet(ms.cross_val_predict, SkNearestCentroid(shrink=shrink), X, y, cv=cv))
    np.testing.assert_allclose(proba, _quiet(ms.cross_val_predict, SkNearestCentroid(
        shrink=shrink), X, y, cv=cv, method="predict_proba"), rtol=1e-12)
    np.testing.assert_allclose(scores, _quiet(ms.cross_val_score, SkNearestCentroid(
        shrink=shrink), X, y, cv=cv))


def test_integer_cv_uses_stratified_folds_for_classifiers_only() -> None:
    ms, _, SkMeanRegressor = _sk_versions()
    X, y = _blobs(0, (12, 9, 6))
    # The estimator is a classifier: the folds are StratifiedKFold's.
    explicit = cross_val_predict(NearestCentroid(), X, y, cv=StratifiedKFold(3))
    np.testing.assert_array_equal(cross_val_predict(NearestCentroid(), X, y, cv=3), explicit)
    assert isinstance(check_cv(3, y, classifier=True), StratifiedKFold)
    assert isinstance(check_cv(3, y.astype(float) + 0.5, classifier=True), KFold)
    # A regressor gets KFold, as in scikit-learn.
    t = X[:, 1] * 2.0
    np.testing.assert_allclose(cross_val_predict(MeanRegressor(), X, t, cv=3),
                               ms.cross_val_predict(SkMeanRegressor(), X, t, cv=3))
    np.testing.assert_allclose(cross_val_predict(MeanRegressor(), X, t, cv=3),
                               cross_val_predict(MeanRegressor(), X, t, cv=KFold(3)))


def test_predict_proba_columns_aligned_when_a_fold_misses_a_class() -> None:
    ms, SkNearestCentroid, _ = _sk_versions()
    X = np.arange(12.0).reshape(-1, 1)
    y = np.repeat([0, 1, 2], 4)  # KFold(3) holds out one whole class per fold
    with pytest.warns(UserWarning, match=r"training fold \(2\) does not match total number "
                                         r"of classes \(3\)"):
        got = cross_val_predict(NearestCentroid(), X, y, cv=KFold(3), method="predict_proba")
    want = _quiet(ms.cross_val_predict, SkNearestCentroid(), X, y, cv=ms.KFold(3),
                  method="predict_proba")
    np.testing.assert_allclose(got, want)
    assert np.all(got[y == 0, 0] == 0.0)  # class 0 never seen when predicting its fold


def test_cross_val_score_scoring_options() -> None:
    X, y = _blobs(1, (10, 10))
    est = NearestCentroid()
    default = cross_val_score(est, X, y, cv=4)
    assert default.shape == (4,)
    np.testing.assert_allclose(cross_val_score(est, X, y, cv=4, scoring="accuracy"), default)
    np.testing.assert_allclose(
        cross_val_score(est, X, y, cv=4, scoring=lambda e, Xt, yt: e.score(Xt, yt)), default)
    f1 = cross_val_score(est, X, y, cv=4, scoring="f1_macro")
    assert np.all((0 <= f1) & (f1 <= 1))
    with pytest.raises(ValueError, match="Unknown scoring 'auc'"):
        cross_val_score(est, X, y, scoring="auc")
    with pytest.raises(ValueError, match="needs an estimator with a 'score' method"):
        cross_val_score(MeanRegressor(), X, y)


def test_cross_val_predict_does_not_fit_the_original_and_covers_every_sample() -> None:
    X, y = _blobs(2, (9, 9, 9))
    est = NearestCentroid()
    pred = cross_val_predict(est, X, y, cv=3)
    assert pred.shape == y.shape and not hasattr(est, "classes_")
    assert np.mean(pred == y) > 0.6
    lst = cross_val_predict(est, X.tolist(), y.tolist(), cv=3)  # lists work too
    np.testing.assert_array_equal(lst, pred)


def test_cross_val_predict_validation() -> None:
    X, y = _blobs(3, (6, 6))
    with pytest.raises(ValueError, match="only works for partitions"):
        cross_val_predict(NearestCentroid(), X, y, cv=[(np.arange(6), np.arange(6, 10))])
    with pytest.raises(ValueError, match="method must be one of"):
        cross_val_predict(NearestCentroid(), X, y, method="transform")
    with pytest.raises(ValueError, match="has no method 'predict_proba'"):
        cross_val_predict(MeanRegressor(), X, y, method="predict_proba")
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples \(X, y\): \[12, 11\]"):
        cross_val_predict(NearestCentroid(), X, y[:-1])
    with pytest.raises(ValueError, match="cv must be an int, a cross-validator"):
        cross_val_predict(NearestCentroid(), X, y, cv="five")


def test_clone() -> None:
    est = NearestCentroid(shrink=0.3, metric="manhattan").fit([[0.0], [1.0]], [0, 1])
    copy = clone(est)
    assert type(copy) is NearestCentroid and copy is not est
    assert copy.get_params() == est.get_params() and not hasattr(copy, "classes_")
    nested = MeanRegressor(slope=[1, 2])  # mutable parameters are copied, not shared
    assert clone(nested).slope == [1, 2] and clone(nested).slope is not nested.slope
    with pytest.raises(TypeError, match="Cannot clone object"):
        clone(object())
    with pytest.raises(TypeError, match="Cannot clone object"):
        clone(NearestCentroid)
