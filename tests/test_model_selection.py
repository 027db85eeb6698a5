"""models.model_selection: stratified folds (scikit-learn's StratifiedKFold folds
where it is installed), out-of-fold predictions and clone."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from models import LogisticRegression, SoftmaxRegression
from models.datasets import load_iris
from models.model_selection import clone, cross_val_predict, stratified_folds

FAST = settings(max_examples=60, deadline=None)
X_IRIS, TARGET = load_iris(return_X_y=True)


class Memorizer:
    """A model that records what it was fitted on and predicts the label of the
    nearest training row: enough to see which rows each fold trained on."""

    instances: list["Memorizer"] = []

    def __init__(self, shift: int = 0):
        self.shift = shift

    def get_params(self) -> dict[str, Any]:
        return {"shift": self.shift}

    def fit(self, X: np.ndarray, y: np.ndarray) -> "Memorizer":
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        Memorizer.instances.append(self)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        nearest = np.abs(np.asarray(X)[:, :1] - self.X_[:, 0][None, :]).argmin(axis=1)
        return self.y_[nearest]


@st.composite
def labels(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    k = draw(st.integers(2, 5))
    n_classes = draw(st.integers(1, 4))
    names = np.array(["setosa", "b", "a", "zz"])[:n_classes]
    y = draw(st.lists(st.sampled_from(list(names)), min_size=k, max_size=60))
    return np.array(y), k


# ----- the folds ------------------------------------------------------------------------------------
@FAST
@given(labels())
def test_folds_are_sklearns_stratified_k_fold(case: tuple[np.ndarray, int]) -> None:
    sk = pytest.importorskip("sklearn.model_selection")
    y, k = case
    assume(min(np.unique(y, return_counts=True)[1]) >= k)
    theirs = [test for _, test in sk.StratifiedKFold(k).split(np.zeros(len(y)), y)]
    for ours, expected in zip(stratified_folds(y, k), theirs, strict=True):
        np.testing.assert_array_equal(ours, expected)


@FAST
@given(labels())
def test_folds_partition_the_rows_and_keep_the_class_shares(case: tuple[np.ndarray, int]) -> None:
    y, k = case
    assume(min(np.unique(y, return_counts=True)[1]) >= k)
    folds = stratified_folds(y, k)
    np.testing.assert_array_equal(np.sort(np.concatenate(folds)), np.arange(len(y)))
    for label in np.unique(y):
        per_fold = [np.count_nonzero(y[f] == label) for f in folds]
        assert max(per_fold) - min(per_fold) <= 1  # as even as whole rows allow
    sizes = [len(f) for f in folds]
    assert max(sizes) - min(sizes) <= 1


def test_folds_by_hand() -> None:
    y = np.array([1, 1, 0, 0, 1, 0, 1, 1, 0])  # class 1 first seen, so it is lined up first
    assert [f.tolist() for f in stratified_folds(y, 2)] == [[0, 1, 2, 3, 4], [5, 6, 7, 8]]


@pytest.mark.parametrize("y, k, match", [
    ([0, 1, 0, 1], 1, r"the number of folds must be an integer >= 2, got 1"),
    ([0, 1, 0, 1], 2.0, r"got 2.0"),
    ([0, 1, 0], 4, r"4 folds need at least 4 rows, but y has 3"),
    (["a", "a", "a", "b"], 2, r"the class 'b' has only 1 row\(s\), fewer than the 2 folds"),
    ([0.5, 1.5], 2, r"y holds continuous values"),
])
def test_fold_errors(y: Any, k: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        stratified_folds(y, k)


# ----- out-of-fold predictions --------------------------------------------------------------------------
def test_every_row_is_predicted_by_a_model_that_never_saw_it() -> None:
    Memorizer.instances = []
    X = np.arange(30, dtype=float)[:, None]
    y = np.tile([0, 1, 2], 10)
    original = Memorizer()
    predictions = cross_val_predict(original, X, y, cv=3)
    assert not hasattr(original, "X_")  # the estimator passed in is not fitted
    assert len(Memorizer.instances) == 3
    folds = stratified_folds(y, 3)
    for model, test in zip(Memorizer.instances, folds):
        assert not set(model.X_[:, 0]) & set(X[test, 0])  # trained without its test fold
        np.testing.assert_array_equal(predictions[test], model.predict(X[test]))  # in row order


def test_same_predictions_as_sklearn() -> None:
    sk = pytest.importorskip("sklearn.model_selection")
    y = (TARGET == 2).astype(int)
    model = LogisticRegression(max_iter=300)
    np.testing.assert_array_equal(cross_val_predict(model, X_IRIS, y, cv=3),
                                  sk.cross_val_predict(model, X_IRIS, y, cv=3))


def test_string_labels_of_different_lengths_survive() -> None:
    names = np.array(["setosa", "versicolor", "virginica"])[TARGET]
    scaled = (X_IRIS - X_IRIS.mean(axis=0)) / X_IRIS.std(axis=0)
    predicted = cross_val_predict(SoftmaxRegression(random_state=0), scaled, names, cv=5)
    assert predicted.dtype == names.dtype and set(predicted) == set(names)
    assert np.mean(predicted == names) > 0.9


def test_cross_val_predict_errors() -> None:
    with pytest.raises(ValueError, match="cross_val_predict: X has 150 rows but y has 149 labels"):
        cross_val_predict(LogisticRegression(), X_IRIS, TARGET[:-1] == 2)
    with pytest.raises(ValueError, match="cross_val_predict: y is None"):
        cross_val_predict(LogisticRegression(), X_IRIS, None)


# ----- clone ----------------------------------------------------------------------------------------------
def test_clone() -> None:
    model = SoftmaxRegression(learning_rate=0.01, random_state=np.random.default_rng(3)).fit(X_IRIS[::10], TARGET[::10])
    copy = clone(model)
    assert type(copy) is SoftmaxRegression and not hasattr(copy, "coef_")
    assert copy.learning_rate == 0.01 and copy.random_state is not model.random_state  # a copy, not shared
    with pytest.raises(TypeError, match=r"clone: expected a model with get_params\(\), got <class"):
        clone(SoftmaxRegression)
