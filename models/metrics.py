"""Classification metrics: small numpy versions of scikit-learn's.

* :func:`accuracy_score`
* :func:`precision_score`, :func:`recall_score`, :func:`f1_score` -- binary
  (``pos_label``) or multiclass with ``average`` in ``None``, ``"binary"``,
  ``"micro"``, ``"macro"``, ``"weighted"``
* :func:`precision_recall_fscore_support`
* :func:`confusion_matrix` -- rows are true labels, columns predicted labels
* :func:`classification_report` -- a text table

Labels may be integers, booleans or strings. Results agree with
scikit-learn's. One difference: where a ratio is undefined (e.g. precision
of a class that is never predicted), scikit-learn's default
``zero_division="warn"`` returns 0.0 *and* warns; here the value is 0.0 (or
whatever ``zero_division`` says) and nothing is warned.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = [
    "accuracy_score", "precision_score", "recall_score", "f1_score",
    "precision_recall_fscore_support", "confusion_matrix", "classification_report",
]

_AVERAGES = (None, "binary", "micro", "macro", "weighted")


# ----------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------


def _as_labels(y: Any, name: str) -> np.ndarray:
    """A 1-D array of class labels (a column vector (n, 1) is flattened)."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {arr.shape}.")
    if arr.dtype.kind == "f":
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN; class labels must be defined.")
        if np.isinf(arr).any() or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} contains continuous (non-integer) values; classification "
                             f"metrics need class labels.")
    elif arr.dtype.kind == "c":
        raise ValueError(f"{name} has complex dtype; classification metrics need class labels.")
    return arr


def _check_targets(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a pair of label vectors: 1-D, same non-zero length, same label kind."""
    yt = _as_labels(y_true, "y_true")
    yp = _as_labels(y_pred, "y_pred")
    if yt.shape[0] != yp.shape[0]:
        raise ValueError(f"y_true and y_pred have different lengths: {yt.shape[0]} and "
                         f"{yp.shape[0]}.")
    if yt.shape[0] == 0:
        raise ValueError("y_true and y_pred are empty; at least one sample is needed.")
    text_t, text_p = yt.dtype.kind in "USO", yp.dtype.kind in "USO"
    if text_t != text_p:
        raise ValueError(f"Mix of label input types (string and number): y_true has dtype "
                         f"{yt.dtype}, y_pred has dtype {yp.dtype}.")
    return yt, yp


def _unique_labels(*ys: np.ndarray) -> np.ndarray:
    """The sorted union of the labels in ys."""
    try:
        return np.unique(np.concatenate(ys))
    except TypeError as exc:
        raise ValueError(f"Labels could not be sorted (mixed types?): {exc}") from None


def _check_zero_division(zero_division: Any) -> float:
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, (int, float, np.integer, np.floating)) and not isinstance(
            zero_division, bool):
        value = float(zero_division)
        if value in (0.0, 1.0) or np.isnan(value):
            return value
    raise ValueError(f"zero_division must be 0, 1, np.nan or 'warn', got {zero_division!r}.")


def _divide(num: np.ndarray, den: np.ndarray, zero_division: float) -> np.ndarray:
    """num / den elementwise, with ``zero_division`` where den == 0."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    zero = den == 0
    out = num / np.where(zero, 1.0, den)
    out[zero] = zero_division
    return out


def _nanaverage(a: np.ndarray, weights: np.ndarray | None) -> float:
    """Average ignoring NaN entries; all-zero weights fall back to the plain mean."""
    mask = np.isnan(a)
    if a.size == 0 or mask.all():
        return float("nan")
    a = a[~mask]
    if weights is None:
        return float(a.mean())
    w = np.asarray(weights, dtype=np.float64)[~mask]
    if w.sum() == 0:
        return float(a.mean())
    return float(np.average(a, weights=w))


# ----------------------------------------------------------------------------
# metrics
# ----------------------------------------------------------------------------


def accuracy_score(y_true: Any, y_pred: Any, *, normalize: bool = True) -> float:
    """Fraction (or, with ``normalize=False``, number) of correct predictions."""
    yt, yp = _check_targets(y_true, y_pred)
    correct = int(np.count_nonzero(yt == yp))
    return float(correct / yt.shape[0]) if normalize else float(correct)


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None,
                     normalize: str | None = None) -> np.ndarray:
    """Confusion matrix ``C`` with ``C[i, j]`` = samples of true class ``labels[i]``
    predicted as ``labels[j]`` (rows true, columns predicted, like scikit-learn).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : sequence, optional
        Row/column order. Defaults to the sorted union of the labels in
        ``y_true`` and ``y_pred``. Samples whose true or predicted label is
        not in ``labels`` are ignored.
    normalize : {None, "true", "pred", "all"}
        Divide by row sums, column sums or the total (empty rows give 0).

    Returns
    -------
    ndarray of shape (n_labels, n_labels); int64, or float64 when normalized.
    """
    yt, yp = _check_targets(y_true, y_pred)
    if labels is None:
        labs = _unique_labels(yt, yp)
    else:
        labs = np.asarray(labels)
        if labs.ndim != 1 or labs.size == 0:
            raise ValueError("labels must be a non-empty 1-D sequence of class labels.")
        if np.unique(labs).size != labs.size:
            raise ValueError(f"labels contains duplicates: {labs.tolist()}.")
        if not np.isin(yt, labs).any():
            raise ValueError("At least one label specified must be in y_true.")
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be one of None, 'true', 'pred', 'all', got "
                         f"{normalize!r}.")
    n = labs.size
    order = np.argsort(labs, kind="stable")
    sorted_labs = labs[order]

    def encode(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pos = np.clip(np.searchsorted(sorted_labs, y), 0, n - 1)
        found = sorted_labs[pos] == y
        return order[pos], found

    it, ft = encode(yt)
    ip, fp = encode(yp)
    keep = ft & fp
    cm = np.bincount(it[keep] * n + ip[keep], minlength=n * n).reshape(n, n).astype(np.int64)
    if normalize is None:
        return cm
    if normalize == "all":
        total = cm.sum()
        return cm / total if total else cm.astype(np.float64)
    axis = 1 if normalize == "true" else 0
    sums = cm.sum(axis=axis, keepdims=True)
    return _divide(cm, np.broadcast_to(sums, cm.shape), 0.0)


def precision_recall_fscore_support(
    y_true: Any, y_pred: Any, *, beta: float = 1.0, labels: Sequence[Any] | None = None,
    pos_label: Any = 1, average: str | None = None, zero_division: Any = "warn",
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support, per class or averaged.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    beta : float, default 1.0
        Weight of recall in the F-score.
    labels : sequence, optional
        Classes to report (default: the sorted union of y_true and y_pred).
    pos_label : label, default 1
        The positive class when ``average="binary"``.
    average : {None, "binary", "micro", "macro", "weighted"}, default None
        ``None``: per-class arrays. ``"binary"``: only ``pos_label`` (the
        data must have at most two classes). ``"micro"``: global counts of
        true/false positives. ``"macro"``: unweighted mean over classes.
        ``"weighted"``: mean weighted by each class's support.
    zero_division : {0, 1, np.nan, "warn"}, default "warn"
        Value for an undefined ratio; ``"warn"`` means 0.0 (no warning here).

    Returns
    -------
    precision, recall, fscore, support
        Arrays of shape (n_labels,) for ``average=None``; floats otherwise,
        with support None.
    """
    zd = _check_zero_division(zero_division)
    if average not in _AVERAGES:
        raise ValueError(f"average has to be one of {list(_AVERAGES)}, got {average!r}.")
    if not (isinstance(beta, (int, float, np.integer, np.floating)) and beta >= 0):
        raise ValueError(f"beta must be a non-negative number, got {beta!r}.")
    yt, yp = _check_targets(y_true, y_pred)
    present = _unique_labels(yt, yp)

    if average == "binary":
        if present.size > 2:
            raise ValueError(
                f"Target is multiclass (labels {present.tolist()}) but average='binary'. "
                f"Please choose another average setting, one of "
                f"[None, 'micro', 'macro', 'weighted'].")
        if pos_label not in present.tolist() and present.size >= 2:
            raise ValueError(f"pos_label={pos_label!r} is not a valid label. It should be one "
                             f"of {present.tolist()}.")
        labs = np.asarray([pos_label])
    elif labels is None:
        labs = present
    else:
        labs = np.asarray(labels)
        if labs.ndim != 1 or labs.size == 0:
            raise ValueError("labels must be a non-empty 1-D sequence of class labels.")

    tp = np.array([np.count_nonzero((yt == c) & (yp == c)) for c in labs], dtype=np.int64)
    pred_sum = np.array([np.count_nonzero(yp == c) for c in labs], dtype=np.int64)
    true_sum = np.array([np.count_nonzero(yt == c) for c in labs], dtype=np.int64)
    if average == "micro":
        tp, pred_sum, true_sum = (np.array([s.sum()]) for s in (tp, pred_sum, true_sum))

    precision = _divide(tp, pred_sum, zd)
    recall = _divide(tp, true_sum, zd)
    if np.isposinf(beta):
        fscore = recall
    elif beta == 0:
        fscore = precision
    else:
        b2 = float(beta) ** 2
        fscore = _divide((1 + b2) * tp, b2 * true_sum + pred_sum, zd)

    if average is None:
        return precision, recall, fscore, true_sum
    weights = true_sum if average == "weighted" else None
    return (_nanaverage(precision, weights), _nanaverage(recall, weights),
            _nanaverage(fscore, weights), None)


def precision_score(y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None,
                    pos_label: Any = 1, average: str | None = "binary",
                    zero_division: Any = "warn") -> Any:
    """Precision ``tp / (tp + fp)``: of the samples predicted as a class, the
    fraction that really are. See :func:`precision_recall_fscore_support`."""
    p, _, _, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division)
    return p


def recall_score(y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None,
                 pos_label: Any = 1, average: str | None = "binary",
                 zero_division: Any = "warn") -> Any:
    """Recall ``tp / (tp + fn)``: of the samples of a class, the fraction
    found. See :func:`precision_recall_fscore_support`."""
    _, r, _, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division)
    return r


def f1_score(y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None,
             pos_label: Any = 1, average: str | None = "binary",
             zero_division: Any = "warn") -> Any:
    """F1 ``2 tp / (2 tp + fp + fn)``, the harmonic mean of precision and
    recall. See :func:`precision_recall_fscore_support`."""
    _, _, f, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        zero_division=zero_division)
    return f


def classification_report(y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None,
                          target_names: Sequence[str] | None = None, digits: int = 2,
                          zero_division: Any = "warn") -> str:
    """A text table of per-class precision, recall, F1 and support, followed
    by accuracy and the macro and weighted averages (like scikit-learn's)."""
    yt, yp = _check_targets(y_true, y_pred)
    labs = _unique_labels(yt, yp) if labels is None else np.asarray(labels)
    names = [str(c) for c in labs] if target_names is None else [str(t) for t in target_names]
    if len(names) != labs.size:
        raise ValueError(f"target_names has {len(names)} entries but there are {labs.size} "
                         f"labels.")
    p, r, f, s = precision_recall_fscore_support(yt, yp, labels=labs, average=None,
                                                 zero_division=zero_division)
    width = max(len("weighted avg"), *(len(n) for n in names))
    head = f"{'':>{width}} {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}"
    rows = [head, ""]
    for name, *vals, sup in zip(names, p, r, f, s):
        rows.append(f"{name:>{width}} " + " ".join(f"{v:>9.{digits}f}" for v in vals)
                    + f" {int(sup):>9}")
    rows.append("")
    total = int(s.sum())
    rows.append(f"{'accuracy':>{width}} {'':>9} {'':>9} "
                f"{accuracy_score(yt, yp):>9.{digits}f} {total:>9}")
    for avg in ("macro", "weighted"):
        ap, ar, af, _ = precision_recall_fscore_support(yt, yp, labels=labs, average=avg,
                                                        zero_division=zero_division)
        rows.append(f"{avg + ' avg':>{width}} {ap:>9.{digits}f} {ar:>9.{digits}f} "
                    f"{af:>9.{digits}f} {total:>9}")
    return "\n".join(rows) + "\n"
