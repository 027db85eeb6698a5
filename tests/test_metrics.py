"""Tests for models.metrics, compared with scikit-learn where it is installed."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.metrics import (accuracy_score, classification_report, confusion_matrix, f1_score,
                            precision_recall_fscore_support, precision_score, recall_score)

FAST = settings(max_examples=40, deadline=None)
AVERAGES = [None, "micro", "macro", "weighted"]
SCORES = {"precision_score": precision_score, "recall_score": recall_score,
          "f1_score": f1_score}


@st.composite
def label_pairs(draw: st.DrawFn, max_classes: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(y_true, y_pred) of equal length with labels drawn from a few classes."""
    n = draw(st.integers(1, 40))
    k = draw(st.integers(1, max_classes))
    labels = st.integers(0, k - 1)
    y_true = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    y_pred = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    return y_true, y_pred


def _sklearn(name: str, *args: Any, **kwargs: Any) -> Any:
    skm = pytest.importorskip("sklearn.metrics")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UndefinedMetricWarning for 0/0
        return getattr(skm, name)(*args, **kwargs)


def _close(a: Any, b: Any) -> None:
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------
# agreement with scikit-learn
# ----------------------------------------------------------------------------


@FAST
@given(pair=label_pairs())
def test_multiclass_scores_match_sklearn(pair: tuple[np.ndarray, np.ndarray]) -> None:
    y_true, y_pred = pair
    _close(accuracy_score(y_true, y_pred), _sklearn("accuracy_score", y_true, y_pred))
    for average in AVERAGES:
        for zd in ("warn", 1):
            want = _sklearn("precision_recall_fscore_support", y_true, y_pred, average=average,
                            zero_division=zd)
            got = [fn(y_true, y_pred, average=average, zero_division=zd)
                   for fn in SCORES.values()]
            for a, b in zip(got, want):
                _close(a, b)
                assert isinstance(a, float) == (average is not None)


@FAST
@given(pair=label_pairs(max_classes=2), pos_label=st.sampled_from([0, 1]))
def test_binary_scores_match_sklearn(pair: tuple[np.ndarray, np.ndarray], pos_label: int) -> None:
    y_true, y_pred = pair
    present = np.union1d(y_true, y_pred)
    if pos_label not in present and present.size == 2:
        return  # invalid pos_label: tested separately
    for name, ours in SCORES.items():
        _close(ours(y_true, y_pred, pos_label=pos_label),
               _sklearn(name, y_true, y_pred, pos_label=pos_label))


@FAST
@given(pair=label_pairs())
def test_confusion_matrix_matches_sklearn(pair: tuple[np.ndarray, np.ndarray]) -> None:
    y_true, y_pred = pair
    got = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(got, _sklearn("confusion_matrix", y_true, y_pred))
    assert got.dtype == np.int64
    labels = [3, 0, 7, 1]  # custom order, one unknown label, some labels left out
    if np.isin(y_true, labels).any():
        np.testing.assert_array_equal(
            confusion_matrix(y_true, y_pred, labels=labels),
            _sklearn("confusion_matrix", y_true, y_pred, labels=labels))
    for normalize in ("true", "pred", "all"):
        _close(confusion_matrix(y_true, y_pred, normalize=normalize),
               _sklearn("confusion_matrix", y_true, y_pred, normalize=normalize))


def test_string_labels_match_sklearn() -> None:
    y_true = np.array(["cat", "dog", "dog", "bird", "cat", "dog"])
    y_pred = np.array(["cat", "cat", "dog", "bird", "dog", "dog"])
    for name, ours in SCORES.items():
        for average in AVERAGES:
            _close(ours(y_true, y_pred, average=average),
                   _sklearn(name, y_true, y_pred, average=average))
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred),
                                  _sklearn("confusion_matrix", y_true, y_pred))
    binary_t, binary_p = y_true[y_true != "bird"], y_pred[y_true != "bird"]
    _close(f1_score(binary_t, binary_p, pos_label="dog"),
           _sklearn("f1_score", binary_t, binary_p, pos_label="dog"))


def test_support_and_labels_match_sklearn() -> None:
    y_true, y_pred = [0, 1, 2, 2, 1, 0, 2], [0, 2, 2, 2, 1, 1, 0]
    got = precision_recall_fscore_support(y_true, y_pred, labels=[2, 0, 5], beta=2.0)
    want = _sklearn("precision_recall_fscore_support", y_true, y_pred, labels=[2, 0, 5],
                    beta=2.0)
    for a, b in zip(got, want):
        _close(a, b)


# ----------------------------------------------------------------------------
# hand-checked values
# ----------------------------------------------------------------------------


def test_binary_by_hand() -> None:
    y_true = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    y_pred = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0]  # tp=3, fn=1, fp=2, tn=4
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), [[4, 2], [1, 3]])
    assert accuracy_score(y_true, y_pred) == 0.7
    assert accuracy_score(y_true, y_pred, normalize=False) == 7.0
    assert precision_score(y_true, y_pred) == pytest.approx(3 / 5)
    assert recall_score(y_true, y_pred) == pytest.approx(3 / 4)
    assert f1_score(y_true, y_pred) == pytest.approx(2 * 3 / (2 * 3 + 2 + 1))
    assert precision_score(y_true, y_pred, pos_label=0) == pytest.approx(4 / 5)


def test_zero_division() -> None:
    y_true, y_pred = [0, 0, 1], [0, 0, 0]  # class 1 never predicted
    assert precision_score(y_true, y_pred) == 0.0  # default: 0.0 without a warning
    assert precision_score(y_true, y_pred, zero_division=1) == 1.0
    assert np.isnan(precision_score(y_true, y_pred, zero_division=np.nan))
    # NaN entries are left out of the average, like scikit-learn:
    assert precision_score(y_true, y_pred, average="macro", zero_division=np.nan) == 2 / 3
    # Only one class present and pos_label absent: defined as zero_division.
    assert f1_score([0, 0], [0, 0]) == 0.0


def test_classification_report() -> None:
    report = classification_report([0, 1, 1, 2], [0, 1, 2, 2],
                                    target_names=["setosa", "versicolor", "virginica"])
    lines = report.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert lines[2].split() == ["setosa", "1.00", "1.00", "1.00", "1"]
    assert lines[3].split() == ["versicolor", "1.00", "0.50", "0.67", "2"]
    assert "accuracy" in report and "0.75" in report
    assert "macro avg" in report and "weighted avg" in report
    with pytest.raises(ValueError, match="target_names has 2 entries but there are 3 labels"):
        classification_report([0, 1, 2], [0, 1, 2], target_names=["a", "b"])


# ----------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("y_true, y_pred, match", [
    ([0, 1, 1], [0, 1], "different lengths: 3 and 2"),
    ([], [], "empty"),
    ([[0, 1], [1, 0]], [[0, 1], [1, 0]], r"1-D array of class labels, got shape \(2, 2\)"),
    ([0.5, 1.0], [0.0, 1.0], "continuous"),
    ([np.nan, 1.0], [0.0, 1.0], "NaN"),
    (["a", "b"], [0, 1], "Mix of label input types"),
])
def test_invalid_targets(y_true: Any, y_pred: Any, match: str) -> None:
    for fn in (accuracy_score, confusion_matrix, precision_score, recall_score, f1_score):
        with pytest.raises(ValueError, match=match):
            fn(y_true, y_pred)


def test_invalid_options() -> None:
    with pytest.raises(ValueError, match=r"pos_label=2 is not a valid label. It should be one "
                                         r"of \[0, 1\]"):
        precision_score([0, 1, 1], [0, 1, 0], pos_label=2)
    with pytest.raises(ValueError, match="Target is multiclass .* but average='binary'"):
        f1_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="average has to be one of"):
        f1_score([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="zero_division must be"):
        recall_score([0, 1], [0, 1], zero_division=2)
    with pytest.raises(ValueError, match="beta must be a non-negative"):
        precision_recall_fscore_support([0, 1], [0, 1], beta=-1.0)
    with pytest.raises(ValueError, match="At least one label specified must be in y_true"):
        confusion_matrix([0, 1], [0, 1], labels=[5, 6])
    with pytest.raises(ValueError, match="duplicates"):
        confusion_matrix([0, 1], [0, 1], labels=[0, 0, 1])
    with pytest.raises(ValueError, match="normalize must be one of"):
        confusion_matrix([0, 1], [0, 1], normalize="rows")
