"""The lecture's pictures, with matplotlib (``pip install autodiff[plot]``).

Every function takes data or a fitted model and ``path=None``; it returns the
matplotlib Figure and, when ``path`` is given, also saves it there as PNG.
matplotlib is imported only when a function is called, with the Agg backend
when there is no display, so ``python -m models ... --plot DIR`` works on a
server.

* :func:`plot_cost_curve` -- the cost against the training iterations;
* :func:`plot_iris_probability` -- the estimated Iris-Virginica probability
  against petal width, with the decision boundary (as in Géron's book);
* :func:`plot_digits` -- a grid of MNIST digits, predicted and true labels,
  the mistakes in red; :func:`pick_digits` chooses a mix of classes and
  mistakes to show;
* :func:`plot_weights` -- the ten weight vectors of softmax regression as
  28×28 images;
* :func:`plot_confusion_matrix`;
* :func:`iris_plots` and :func:`mnist_plots` write them all into a folder.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np

__all__ = ["plot_cost_curve", "plot_iris_probability", "plot_digits", "pick_digits", "plot_weights",
           "plot_confusion_matrix", "iris_plots", "mnist_plots", "IRIS_PICTURES", "MNIST_PICTURES"]

#: The files :func:`iris_plots` and :func:`mnist_plots` write: each name says
#: which command made it, so both can share a folder.
IRIS_PICTURES = ("iris_probability.png", "iris_cost_curve.png")
MNIST_PICTURES = ("mnist_digits.png", "mnist_weights.png", "mnist_confusion_matrix.png", "mnist_cost_curve.png")

MISSING = "plotting needs matplotlib: pip install autodiff[plot]"
DPI = 80


def _pyplot() -> Any:
    """matplotlib.pyplot, imported on first use; the Agg backend when there is no
    display (and no backend was chosen, as Jupyter does through MPLBACKEND)."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(MISSING) from None
    no_display = os.name != "nt" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if no_display and not os.environ.get("MPLBACKEND") and "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _finish(fig: Any, path: Any) -> Any:
    fig.tight_layout()
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=DPI)
    return fig


def _new(plt: Any, figsize: tuple) -> tuple[Any, Any]:
    return plt.subplots(figsize=figsize)


def _figure(plt: Any, figsize: tuple) -> Any:
    return plt.figure(figsize=figsize)


def _close(fig: Any) -> None:
    """Forget a figure pyplot is tracking (the CLI writes many)."""
    import matplotlib.pyplot as plt
    plt.close(fig)


# ----------------------------------------------------------------------------------------
def plot_cost_curve(loss_curve: Sequence[float], path: Any = None, *, title: str = "Training cost",
                    xlabel: str = "iteration", every: int = 1) -> Any:
    """The cost J against the iterations (``model.loss_curve_``); ``every``: the
    number of iterations between two recorded costs."""
    plt = _pyplot()
    costs = np.asarray(loss_curve, dtype=float).ravel()
    if costs.size == 0:
        raise ValueError("plot_cost_curve: the loss curve is empty")
    fig, ax = _new(plt, (6, 3.6))
    ax.plot(np.arange(costs.size) * every, costs, color="C0", lw=2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cost J")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if costs.size > 1 and np.all(costs > 0) and costs.max() / costs.min() > 50:
        ax.set_yscale("log")
    return _finish(fig, path)


def _positive_proba(model: Any, X: np.ndarray) -> np.ndarray:
    """P(class 1) from predict_proba, whatever its shape."""
    proba = np.asarray(model.predict_proba(X), dtype=float)
    if proba.ndim == 2:
        classes = list(getattr(model, "classes_", range(proba.shape[1])))
        column = classes.index(1) if 1 in classes else proba.shape[1] - 1
        return proba[:, column]
    return proba.ravel()


def plot_iris_probability(model: Any, X_petal_width: Any, y: Any, path: Any = None) -> Any:
    """The estimated probability of Iris-Virginica against petal width, with the
    decision boundary where it crosses 0.5 (Géron, *Hands-On Machine Learning*, ch. 4).

    ``model``: a LogisticRegression fitted on the petal width alone, or None to fit
    one here on (X_petal_width, y). ``X_petal_width``: petal widths, (m,) or (m, 1)
    (or the full Iris data (m, 4), whose 4th column is used); ``y``: 1 for Virginica.
    """
    plt = _pyplot()
    X = np.asarray(X_petal_width, dtype=float)
    if X.ndim == 2 and X.shape[1] == 4:
        X = X[:, 3:]
    X = X.reshape(-1, 1)
    y = np.asarray(y).ravel()
    if len(y) != len(X):
        raise ValueError(f"plot_iris_probability: {len(X)} petal widths but {len(y)} labels")
    if model is None:
        from .linear import LogisticRegression
        model = LogisticRegression().fit(X, y)
    grid = np.linspace(0, 3, 1000).reshape(-1, 1)
    p = _positive_proba(model, grid)
    fig, ax = _new(plt, (7, 3.6))
    ax.plot(X[y == 1], y[y == 1], "g^", label="Iris-Virginica")
    ax.plot(X[y != 1], y[y != 1], "bs", label="not Iris-Virginica")
    ax.plot(grid, p, "g-", lw=2, label="Iris-Virginica (estimated probability)")
    ax.plot(grid, 1 - p, "b--", lw=2, label="not Iris-Virginica")
    crossing = np.flatnonzero(np.diff(np.sign(p - 0.5)))
    if crossing.size:
        boundary = float(grid[crossing[0], 0])
        ax.axvline(boundary, color="k", ls=":", lw=2)
        ax.annotate(f"decision boundary ≈ {boundary:.2f} cm", xy=(boundary, 0.5),
                    xytext=(boundary + 0.1, 0.55), fontsize=10)
    ax.set_xlabel("petal width (cm)")
    ax.set_ylabel("probability")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlim(0, 3)
    ax.legend(loc="center left", fontsize=8)
    ax.grid(alpha=0.3)
    return _finish(fig, path)


def _images(images: Any) -> np.ndarray:
    a = np.asarray(images, dtype=float)
    if a.ndim == 2 and a.shape[1] == 784:
        a = a.reshape(-1, 28, 28)
    elif a.ndim == 1 and a.size == 784:
        a = a.reshape(1, 28, 28)
    if a.ndim != 3:
        raise ValueError(f"expected images of shape (n, 784) or (n, 28, 28), got {np.shape(images)}")
    return a


def plot_digits(images: Any, y_true: Any, y_pred: Any = None, path: Any = None, n: int = 25, *,
                title: str | None = None) -> Any:
    """The first ``n`` digits in a square grid, titled "predicted (true)"; the
    wrong predictions in red. ``images``: (m, 784) or (m, 28, 28); to show a
    mix of classes and mistakes, index them with :func:`pick_digits`."""
    plt = _pyplot()
    imgs = _images(images)[:n]
    y_true = np.asarray(y_true).ravel()[:n]
    y_pred = None if y_pred is None else np.asarray(y_pred).ravel()[:n]
    k = len(imgs)
    if k == 0:
        raise ValueError("plot_digits: no images")
    cols = int(np.ceil(np.sqrt(k)))
    rows = int(np.ceil(k / cols))
    fig = _figure(plt, (1.3 * cols, 1.45 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= k:
            continue
        ax.imshow(imgs[i], cmap="binary", interpolation="nearest")
        if y_pred is None:
            ax.set_title(f"{y_true[i]}", fontsize=10)
        else:
            wrong = y_pred[i] != y_true[i]
            ax.set_title(f"{y_pred[i]} ({y_true[i]})", fontsize=10, color="red" if wrong else "black",
                         fontweight="bold" if wrong else "normal")
    if title is None:
        title = "predicted (true)" if y_pred is not None else "labels"
    fig.suptitle(title, fontsize=10)
    return _finish(fig, path)


def pick_digits(y_true: Any, y_pred: Any, n: int = 25, mistakes: int | None = None) -> np.ndarray:
    """Indices of ``n`` digits worth showing: up to ``mistakes`` wrong
    predictions (default: about half of ``n``), then right ones, each taken
    in turn from every true class (first ones first), so a test set sorted by
    label still shows all the classes; ordered by true label."""
    y_true = np.asarray(y_true).ravel()
    y_pred = np.asarray(y_pred).ravel()
    if len(y_true) != len(y_pred):
        raise ValueError(f"pick_digits: {len(y_true)} true labels but {len(y_pred)} predictions")
    n = min(n, len(y_true))
    wrong = y_true != y_pred
    budget = min(int(wrong.sum()), n // 2 if mistakes is None else mistakes, n)
    chosen = _round_robin(np.flatnonzero(wrong), y_true, budget)
    chosen += _round_robin(np.flatnonzero(~wrong), y_true, n - len(chosen))
    chosen = np.array(chosen, dtype=np.intp)
    return chosen[np.argsort(y_true[chosen], kind="stable")]


def _round_robin(candidates: np.ndarray, labels: np.ndarray, k: int) -> list[int]:
    """``k`` of ``candidates`` (indices, ascending), one per label in turn."""
    queues = [list(candidates[labels[candidates] == c]) for c in np.unique(labels[candidates])]
    picked: list[int] = []
    while len(picked) < k and any(queues):
        for queue in queues:
            if queue and len(picked) < k:
                picked.append(int(queue.pop(0)))
    return picked


def plot_weights(coef: Any, path: Any = None, labels: Sequence[Any] | None = None) -> Any:
    """The weight vector of each class as a 28×28 image (blue negative, red
    positive). ``coef``: (K, 784) as ``SoftmaxRegression.coef_`` (or (784, K))."""
    plt = _pyplot()
    W = np.asarray(coef, dtype=float)
    if W.ndim != 2 or 784 not in W.shape:
        raise ValueError(f"plot_weights: expected weights of shape (K, 784), got {W.shape}")
    if W.shape[0] == 784 and W.shape[1] != 784:
        W = W.T
    K = W.shape[0]
    labels = list(range(K)) if labels is None else list(labels)
    cols = min(K, 5)
    rows = int(np.ceil(K / cols))
    fig = _figure(plt, (1.6 * cols, 1.75 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    scale = np.abs(W).max() or 1.0
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < K:
            ax.imshow(W[i].reshape(28, 28), cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
            ax.set_title(f"class {labels[i]}", fontsize=10)
    fig.suptitle("softmax regression weights", fontsize=10)
    return _finish(fig, path)


def plot_confusion_matrix(cm: Any, labels: Sequence[Any] | None = None, path: Any = None, *,
                          normalize: bool = False) -> Any:
    """The confusion matrix (rows: true class, columns: predicted), counts written
    in the cells; ``normalize=True`` shows each row as fractions."""
    plt = _pyplot()
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"plot_confusion_matrix: expected a square matrix, got shape {cm.shape}")
    K = cm.shape[0]
    labels = list(range(K)) if labels is None else list(labels)
    if len(labels) != K:
        raise ValueError(f"plot_confusion_matrix: {len(labels)} labels for a {K}×{K} matrix")
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    size = max(4.0, 0.45 * K + 2)
    fig, ax = _new(plt, (size + 0.8, size))
    image = ax.imshow(shown, cmap="Blues", interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(K), [str(v) for v in labels])
    ax.set_yticks(range(K), [str(v) for v in labels])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix")
    top = shown.max() or 1.0
    for i in range(K):
        for j in range(K):
            value = f"{shown[i, j]:.2f}" if normalize else f"{int(cm[i, j])}"
            ax.text(j, i, value, ha="center", va="center", fontsize=8 if K > 5 else 10,
                    color="white" if shown[i, j] > top / 2 else "black")
    return _finish(fig, path)


# ----------------------------------------------------------------------------------------
def iris_plots(outdir: Any, model: Any = None) -> list[Path]:
    """Write ``iris_probability.png`` and ``iris_cost_curve.png`` into ``outdir``.

    ``model``: a fitted LogisticRegression (Iris-Virginica or not), e.g. the
    CLI's on the four features, whose ``loss_curve_`` is drawn; default: the
    lecture's model, fitted here. The probability plot needs a model of the
    petal width alone: ``model`` when it has one feature, else one fitted here.
    """
    from .datasets import load_iris
    from .linear import LogisticRegression
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    X, target = load_iris(return_X_y=True)
    y = (target == 2).astype(int)
    width = X[:, 3:]
    if model is None:
        model = LogisticRegression().fit(X, y)
    one_feature = model if getattr(model, "n_features_in_", None) == 1 else LogisticRegression().fit(width, y)
    paths = [out / name for name in IRIS_PICTURES]
    _close(plot_iris_probability(one_feature, width, y, paths[0]))
    curve = getattr(model, "loss_curve_", None)
    if curve is not None and len(curve):
        _close(plot_cost_curve(curve, paths[1], title="Logistic regression on Iris: training cost"))
    else:
        paths.pop()
    return paths


def mnist_plots(model: Any, X_test: Any, y_test: Any, outdir: Any, images: Any = None) -> list[Path]:
    """Write ``mnist_digits.png`` (a mix of classes, with mistakes),
    ``mnist_weights.png``, ``mnist_confusion_matrix.png`` and
    ``mnist_cost_curve.png`` for a fitted softmax regression into ``outdir``.
    ``X_test`` is what the model predicts from (e.g. standardized); ``images`` the
    raw pixels to show (default: X_test)."""
    from .metrics import confusion_matrix
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    y_test = np.asarray(y_test).ravel()
    y_pred = np.asarray(model.predict(X_test)).ravel()
    shown = _images(X_test if images is None else images)
    classes = list(getattr(model, "classes_", np.unique(y_test)))
    paths = [out / name for name in MNIST_PICTURES]
    pick = pick_digits(y_test, y_pred, n=25)
    wrong = int((y_pred != y_test).sum())
    title = (f"predicted (true); {int((y_pred[pick] != y_test[pick]).sum())} of the {wrong} mistakes "
             f"on {len(y_test)} test images, in red")
    _close(plot_digits(shown[pick], y_test[pick], y_pred[pick], paths[0], n=len(pick), title=title))
    _close(plot_weights(model.coef_, paths[1], labels=classes))
    _close(plot_confusion_matrix(confusion_matrix(y_test, y_pred), classes, paths[2]))
    curve = getattr(model, "loss_curve_", None)
    if curve is not None and len(curve):
        _close(plot_cost_curve(curve, paths[3], title="Softmax regression on MNIST: training cost",
                               xlabel="epoch"))
    else:
        paths.pop()
    return paths
