"""The lecture's classifiers, trained on the autodiff graph, with scikit-learn's
estimator conventions.

* :class:`LogisticRegression` -- binary: ``p = σ(X·w + b)``; its defaults are
  the lecture's full-batch gradient descent (learning rate 0.1, 5,000
  iterations, zero initial weights, no penalty).
* :class:`SoftmaxRegression` -- multinomial: ``P = softmax(X·W + b)``; its
  defaults (mini-batch Adam) are tuned for standardized MNIST.

Both share one training loop (:func:`models.solvers.minimize`): the parameters
are Tensors with ``requires_grad=True``, the loss is the fused cross-entropy of
the graph (plus ``||W||²/(2·C·m)`` when ``penalty="l2"``: scikit-learn's
objective divided by m; the intercept is not penalised), and the gradients
come from ``loss.backward()``.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

import autodiff as ad
from autodiff import Tensor

from . import solvers as S
from .base import Classifier
from .validation import (check_bool, check_choice, check_float_dtype, check_integer, check_number,
                         check_random_state, float_dtype)

__all__ = ["LogisticRegression", "SoftmaxRegression"]


class _LinearClassifier(Classifier):
    """Shared by both models: hyperparameter checks, the training loop, the scores."""

    _binary = False  # True: one logit column and the sigmoid; False: K logits and the softmax
    # the hyperparameters every subclass's constructor stores
    solver: str
    learning_rate: float
    max_iter: int | str
    batch_size: int | None
    penalty: str | None
    C: float
    tol: float | None
    n_iter_no_change: int
    momentum: float
    random_state: Any
    verbose: int
    dtype: Any
    # fitted
    coef_: np.ndarray
    intercept_: np.ndarray
    n_iter_: int
    loss_curve_: list[float]

    # ----- hyperparameters ----------------------------------------------------------------
    def _check_params(self) -> None:
        who = type(self).__name__
        check_choice("solver", self.solver, S.SOLVERS, who=who)
        check_choice("penalty", self.penalty, (None, "l2"), who=who)
        check_number("C", self.C, who=who, low=0, low_inclusive=False)
        check_number("learning_rate", self.learning_rate, who=who, low=0, low_inclusive=False)
        if not (isinstance(self.max_iter, str) and self.max_iter == "auto"):
            check_integer("max_iter", self.max_iter, who=who, low=1)
        check_integer("batch_size", self.batch_size, who=who, low=1, allow_none=True)
        check_number("tol", self.tol, who=who, low=0, allow_none=True)
        check_integer("n_iter_no_change", self.n_iter_no_change, who=who, low=1)
        check_number("momentum", self.momentum, who=who, low=0, high=1)
        check_random_state("random_state", self.random_state, who=who)
        check_integer("verbose", self.verbose, who=who, low=0)
        if hasattr(self, "average"):
            check_bool("average", self.average, who=who)
        check_float_dtype("dtype", self.dtype, who=who)
        if self.solver == "lbfgs":
            try:
                import scipy.optimize  # noqa: F401
            except ImportError:
                raise ImportError("solver='lbfgs' needs scipy: pip install autodiff[lbfgs]") from None

    def _epochs(self, n_samples: int) -> int:
        """``max_iter``; "auto" means 5 epochs, or more on small data, so that
        at least 1,000 updates are made."""
        if self.max_iter != "auto":
            return int(self.max_iter)
        if self.solver in ("gd", "lbfgs") or self.batch_size is None:
            return 1000
        return max(5, math.ceil(1000 / math.ceil(n_samples / self.batch_size)))

    # ----- fit ----------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, *, progress: Callable[[int], Any] | None = None) -> "_LinearClassifier":
        """Train on X (n_samples, n_features) and labels y (any two or more values).

        ``progress``: optional callable, called with 1 after every iteration
        (full batch) or epoch (mini-batch), e.g. a progress bar's ``update``.
        Raises :class:`models.DivergenceError` when training blows up, and
        warns with :class:`models.ConvergenceWarning` when the solver stops
        before its stopping rule is met (not for ``tol=None``, a fixed number
        of iterations, nor for ``max_iter="auto"``, a training length chosen
        for the data size). Returns self.
        """
        who = f"{type(self).__name__}.fit"
        self._check_params()
        dtype = check_float_dtype("dtype", self.dtype, who=who) or float_dtype(X)
        X, classes, codes = self._fit_data(X, y, who=who, dtype=dtype)
        m, n = X.shape
        k = 1 if self._binary else len(classes)
        W = Tensor(np.zeros((n, k), dtype), requires_grad=True)
        b = Tensor(np.zeros(k, dtype), requires_grad=True)
        targets = codes.astype(dtype).reshape(-1, 1) if self._binary else codes.astype(np.intp)
        loss_fn = self._loss_function(W, b, m)
        result = S.minimize(loss_fn, [W, b], X, targets, solver=self.solver, learning_rate=self.learning_rate,
                            max_iter=self._epochs(m), batch_size=self.batch_size, tol=self.tol,
                            n_iter_no_change=self.n_iter_no_change, momentum=self.momentum,
                            random_state=self.random_state, verbose=self.verbose, progress=progress,
                            average=getattr(self, "average", False), fixed_budget=self.max_iter == "auto")
        self.classes_ = classes
        self.coef_ = np.ascontiguousarray(W.data.T)
        self.intercept_ = b.data.copy()
        self.n_iter_ = result.n_iter
        self.loss_curve_ = result.loss_curve
        self.n_features_in_ = n  # last: the model counts as fitted from here on
        return self

    def _loss_function(self, W: Tensor, b: Tensor, m: int) -> Callable[[np.ndarray, np.ndarray], Tensor]:
        """loss(X_batch, y_batch): the mean cross-entropy on the graph, plus the L2 term."""
        scale = 1.0 / (2.0 * self.C * m) if self.penalty == "l2" else 0.0
        fused = ad.binary_cross_entropy_with_logits if self._binary else ad.cross_entropy

        def loss(Xb: np.ndarray, yb: np.ndarray) -> Tensor:
            logits = Xb @ W + b
            try:
                value = fused(logits, yb)  # finite logits give a finite loss, else ValueError
            except ValueError:
                if not np.isfinite(logits.data).all():  # overflow: the solver reports divergence
                    raise FloatingPointError("non-finite logits") from None
                raise
            if scale:
                value = value + (W * W).sum() * scale
            return value
        return loss

    # ----- predictions -------------------------------------------------------------------------
    def _compute_dtype(self) -> Any:
        return self.coef_.dtype

    def _scores(self, X: np.ndarray) -> np.ndarray:
        """The logits ``X·coefᵀ + intercept``: (m, 1) for LogisticRegression, (m, K) otherwise."""
        return X @ self.coef_.T + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (m, K), columns in the order of ``classes_``
        (LogisticRegression: ``[1 − p, p]``)."""
        logits = self._scores(self._input(X, "predict_proba"))
        with ad.no_grad():
            if logits.shape[1] == 1:
                p = ad.sigmoid(logits[:, 0]).data
                return np.column_stack([1.0 - p, p])
            return ad.softmax(logits, axis=1).data

    # ----- persistence ------------------------------------------------------------------------
    def save(self, path: Any) -> None:
        """Write the fitted model to ``path`` (.npz, no pickle); see :func:`models.load_model`."""
        from .persistence import save_model
        save_model(self, path)


class LogisticRegression(_LinearClassifier):
    """Binary logistic regression trained by gradient descent on the autodiff graph.

    The defaults are the lecture's: full-batch gradient descent (``solver="gd"``)
    from zero weights, ``learning_rate=0.1``, ``max_iter=5000`` iterations, no
    penalty, no early stopping (``tol=None``). ``loss_curve_[i]`` is the cost
    at iteration i, computed before that iteration's update, so on Iris
    ``loss_curve_[0]`` is ln 2 = 0.693147.

    Parameters
    ----------
    solver : "gd", "sgd", "momentum", "adam" or "lbfgs".
    learning_rate : step size (> 0); unused by "lbfgs".
    max_iter : iterations (full batch) or epochs (mini-batch).
    batch_size : rows per mini-batch for "sgd", "momentum", "adam" (None: full batch).
    penalty, C : ``penalty="l2"`` adds ``||w||²/(2·C·m)`` to the mean loss.
    tol, n_iter_no_change : stop when the loss has not improved by ``tol`` for
        ``n_iter_no_change`` consecutive iterations/epochs (None: never).
    momentum : for ``solver="momentum"``.
    random_state : seed of the mini-batch shuffling.
    verbose : print ``Cost (iteration i) = ...`` every ``verbose`` iterations (0: silent).
    dtype : float64 or float32 for the parameters and the computation; None
        (default) keeps float32 data in float32 (no copy) and uses float64
        for everything else, as scikit-learn does.

    Attributes
    ----------
    classes_ (2,), coef_ (1, n_features), intercept_ (1,), n_features_in_,
    n_iter_, loss_curve_.
    """

    _binary = True
    _max_classes = 2
    _more_classes_hint = "; use SoftmaxRegression for more than two classes"

    def __init__(self, *, solver: str = "gd", learning_rate: float = 0.1, max_iter: int | str = 5000,
                 batch_size: int | None = None, penalty: str | None = None, C: float = 1.0,
                 tol: float | None = None, n_iter_no_change: int = 5, momentum: float = 0.9,
                 random_state: Any = None, verbose: int = 0, dtype: Any = None):
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.penalty = penalty
        self.C = C
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype


class SoftmaxRegression(_LinearClassifier):
    """Multinomial (softmax) regression trained on the autodiff graph.

    Defaults: mini-batch Adam (``learning_rate=0.005``, ``batch_size=256``),
    float64 (float32 data stays float32), ``max_iter="auto"`` = 5 epochs, or more epochs on small data so
    that at least 1,000 updates are made; ``average=True`` returns the mean of
    the parameters over the last epoch (Polyak averaging), which removes most
    of the mini-batch noise. On standardized MNIST this reaches about 92.5%
    test accuracy in about a second; on standardized Iris about 0.97.

    Parameters are those of :class:`LogisticRegression`, plus ``average``.

    Attributes
    ----------
    classes_ (K,), coef_ (K, n_features), intercept_ (K,), n_features_in_,
    n_iter_, loss_curve_ (one mean loss per epoch).
    """

    def __init__(self, *, solver: str = "adam", learning_rate: float = 0.005, max_iter: int | str = "auto",
                 batch_size: int | None = 256, penalty: str | None = None, C: float = 1.0,
                 tol: float | None = 1e-4, n_iter_no_change: int = 5, momentum: float = 0.9,
                 average: bool = True, random_state: Any = None, verbose: int = 0, dtype: Any = None):
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.penalty = penalty
        self.C = C
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.average = average
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype
