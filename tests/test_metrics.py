"""models.metrics: by hand, the lecture's numbers, scikit-learn's results where
it is installed, and every error."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.metrics import accuracy_score, confusion_matrix, precision_score, recall_score

FAST = settings(max_examples=40, deadline=None)


@st.composite
def label_pairs(draw: st.DrawFn, classes: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(y_true, y_pred) of equal length, labels from 0 .. classes − 1."""
    n = draw(st.integers(1, 40))
    k = draw(st.integers(1, classes))
    labels = st.lists(st.integers(0, k - 1), min_size=n, max_size=n)
    return np.array(draw(labels)), np.array(draw(labels))


def _sklearn(name: str, *args: Any, **kwargs: Any) -> Any:
    metrics = pytest.importorskip("sklearn.metrics")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its UndefinedMetricWarning for 0/0
        return getattr(metrics, name)(*args, **kwargs)


# ----- by hand --------------------------------------------------------------------------------------
def test_by_hand() -> None:
    y_true = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    y_pred = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0]  # TP 3, FN 1, FP 2, TN 4
    assert accuracy_score(y_true, y_pred) == 0.7
    assert precision_score(y_true, y_pred) == 3 / 5
    assert recall_score(y_true, y_pred) == 3 / 4
    assert precision_score(y_true, y_pred, pos_label=0) == 4 / 5
    assert recall_score(y_true, y_pred, pos_label=0) == 4 / 6
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), [[4, 2], [1, 3]])
    assert confusion_matrix(y_true, y_pred).dtype == np.int64


def test_the_lectures_recall() -> None:
    """The slide: 48 of the 50 Iris-Virginica found is a recall of 0.96."""
    y_true = np.r_[np.zeros(100, int), np.ones(50, int)]
    y_pred = y_true.copy()
    y_pred[[100, 101]] = 0  # two virginica missed
    y_pred[[0, 1, 2, 3]] = 1  # four others taken for virginica
    assert recall_score(y_true, y_pred) == 0.96
    assert precision_score(y_true, y_pred) == 48 / 52 == 0.9230769230769231


def test_string_and_boolean_labels() -> None:
    y_true = np.array(["cat", "dog", "dog", "cat"])
    y_pred = np.array(["cat", "dog", "cat", "cat"])
    assert precision_score(y_true, y_pred, pos_label="dog") == 1.0
    assert recall_score(y_true, y_pred, pos_label="dog") == 0.5
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), [[2, 0], [1, 1]])
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, labels=["dog", "cat"]), [[1, 1], [0, 2]])
    assert recall_score([True, False, True], [True, True, False]) == 0.5  # pos_label=1 is True


# ----- against scikit-learn ---------------------------------------------------------------------------
@FAST
@given(label_pairs())
def test_accuracy_and_confusion_matrix_match_sklearn(pair: tuple[np.ndarray, np.ndarray]) -> None:
    y_true, y_pred = pair
    assert accuracy_score(y_true, y_pred) == _sklearn("accuracy_score", y_true, y_pred)
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), _sklearn("confusion_matrix", y_true, y_pred))
    labels = [4, 2, 0, 3, 1]
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, labels=labels),
                                  _sklearn("confusion_matrix", y_true, y_pred, labels=labels))


@FAST
@given(label_pairs(classes=2), st.sampled_from([0, 1]))
def test_precision_and_recall_match_sklearn(pair: tuple[np.ndarray, np.ndarray], pos_label: int) -> None:
    y_true, y_pred = pair
    for ours, name, positives in ((precision_score, "precision_score", y_pred), (recall_score, "recall_score", y_true)):
        expected = _sklearn(name, y_true, y_pred, pos_label=pos_label, zero_division=0.0)
        if np.any(positives == pos_label):
            assert ours(y_true, y_pred, pos_label=pos_label) == expected
        else:  # 0/0: an error here, 0.0 with a warning in scikit-learn
            with pytest.raises(ValueError, match=rf"{name} is undefined"):
                ours(y_true, y_pred, pos_label=pos_label)
            assert ours(y_true, y_pred, pos_label=pos_label, undefined=0.0) == expected


def test_the_cli_numbers_match_sklearn_on_iris() -> None:
    """The lecture's evaluation, both ways: our metrics of our folds' predictions."""
    from models import LogisticRegression
    from models.datasets import load_iris
    from models.model_selection import cross_val_predict
    X, target = load_iris(return_X_y=True)
    y = (target == 2).astype(int)
    y_pred = cross_val_predict(LogisticRegression(max_iter=500), X, y, cv=3)
    for name, ours in (("precision_score", precision_score), ("recall_score", recall_score),
                       ("accuracy_score", accuracy_score)):
        assert ours(y, y_pred) == _sklearn(name, y, y_pred)


# ----- errors --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: accuracy_score([0, 1], [0, 1, 1]), r"accuracy_score: y_true has 2 labels but y_pred has 3"),
    (lambda: accuracy_score([], []), r"y_true is empty"),
    (lambda: accuracy_score(["a", "b"], [0, 1]), r"hold different kinds of labels \(text against numbers\)"),
    (lambda: accuracy_score([0, 1], [0.5, 1.0]), r"y_pred holds continuous values"),
    (lambda: accuracy_score([[0, 1], [1, 0]], [0, 1]), r"y_true must be a 1-D array of class labels"),
    (lambda: accuracy_score([0, np.nan], [0, 1]), r"y_true contains NaN at index 1"),
    (lambda: precision_score([0, 1, 2], [0, 1, 1]), r"precision_score: precision and recall here are for two "
                                                    r"classes, but y_true and y_pred hold 3 labels \[0, 1, 2\]"),
    (lambda: recall_score(["a", "b"], ["a", "b"]), r"recall_score: pos_label=1 is not one of the labels \['a', 'b'\]"),
    (lambda: precision_score([1, 0], [0, 0]), r"precision_score is undefined: no row is predicted as 1, so the "
                                              r"ratio is 0/0; pass undefined=0.0"),
    (lambda: recall_score([0, 0], [1, 0]), r"recall_score is undefined: no row truly is 1"),
    (lambda: confusion_matrix([0, 1, 2], [0, 1, 1], labels=[0, 1]),
     r"confusion_matrix: the label 2 occurs in y_true or y_pred but not in labels=\[0, 1\]"),
    (lambda: confusion_matrix([0, 1], [0, 1], labels=[0, 1, 0]), r"labels lists a class twice"),
    (lambda: confusion_matrix([0, 1], [0, 1], labels=[]), r"labels must be a non-empty list"),
])
def test_errors(call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()
