"""A multi-layer perceptron classifier with scikit-learn's estimator API, trained with
``autodiff.nn`` (the layers) and ``autodiff.optim`` (Adam or SGD).

The network: ``Linear → activation`` for every hidden layer, then a ``Linear``
output layer with one logit per class, or a single logit for two classes. The
loss is the mean cross-entropy of a mini-batch (softmax for K classes, the
logistic function for two) plus the L2 penalty ``alpha/(2·batch) · Σ‖W‖²`` over
the weight matrices (not the biases), as scikit-learn's MLPClassifier writes it.
The initial weights and biases are drawn from Glorot's uniform distribution
U(−b, b), b = √(6/(fan_in + fan_out)) (√(2/(fan_in + fan_out)) before a
logistic activation), from ``random_state``, which also fixes the shuffling and
the validation split: the same seed gives the same model.

Stopping (``tol`` not None): after ``n_iter_no_change`` epochs in a row in which
the training loss fell by less than ``tol`` below the best so far, or, with
``early_stopping=True``, in which the accuracy on the held-out
``validation_fraction`` of the training data rose by less than ``tol`` above the
best (the parameters of the best validation epoch are then kept). Using up
``max_iter`` epochs first warns with :class:`models.ConvergenceWarning`;
``tol=None`` trains exactly ``max_iter`` epochs.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Callable

import numpy as np

import autodiff as ad
from autodiff import nn, optim

from . import exceptions
from .base import Classifier
from .exceptions import DivergenceError
from .solvers import DIVERGENCE_FACTOR
from .validation import (check_bool, check_choice, check_integer, check_number, check_random_state,
                         float_dtype)

__all__ = ["MLPClassifier"]

ACTIVATIONS = ("relu", "tanh", "logistic")
MLP_SOLVERS = ("adam", "sgd")
_LAYERS = {"relu": nn.ReLU, "tanh": nn.Tanh, "logistic": nn.Sigmoid}


class MLPClassifier(Classifier):
    """Multi-layer perceptron classifier (see the module docstring for the model and the stopping rules).

    Parameters
    ----------
    hidden_layer_sizes : sizes of the hidden layers, e.g. ``(100,)`` or ``(256, 128)``; ``()`` is
        no hidden layer (softmax or logistic regression).
    activation : "relu" (default), "tanh" or "logistic", after every hidden layer.
    solver : "adam" (default) or "sgd" (with ``momentum``, Nesterov's if ``nesterovs_momentum``).
    alpha : strength of the L2 penalty on the weights (>= 0).
    batch_size : rows per mini-batch, or "auto": min(200, n_samples). Larger than the data: the
        whole data, one batch.
    learning_rate_init : the optimizer's step size (> 0).
    max_iter : the most epochs (passes over the training data).
    shuffle : draw a new order of the rows every epoch.
    random_state : None, an int seed or a numpy Generator (weights, shuffling, validation split).
    tol, n_iter_no_change : the stopping rule; ``tol=None`` never stops early.
    verbose : print the loss (and validation accuracy) of every epoch.
    early_stopping, validation_fraction : hold out that fraction of the training data, stratified
        by class, and stop on its accuracy; keep the best epoch's parameters.
    momentum, nesterovs_momentum : for ``solver="sgd"``.
    beta_1, beta_2, epsilon : for ``solver="adam"``.

    Attributes
    ----------
    classes_, n_features_in_; coefs_ (one (n_in, n_out) array per layer, scikit-learn's layout)
    and intercepts_; n_layers_ (hidden layers + 2), n_outputs_, out_activation_ ("logistic" or
    "softmax"); n_iter_ (epochs run), t_ (training rows processed), loss_curve_ (mean training
    loss of every epoch), best_loss_ (None with early stopping), validation_scores_ and
    best_validation_score_ (None without).
    """

    # fitted
    coefs_: list[np.ndarray]
    intercepts_: list[np.ndarray]
    n_layers_: int
    n_outputs_: int
    out_activation_: str
    n_iter_: int
    t_: int
    loss_curve_: list[float]
    best_loss_: float | None
    validation_scores_: list[float] | None
    best_validation_score_: float | None

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: str = "relu", *, solver: str = "adam",
                 alpha: float = 1e-4, batch_size: int | str = "auto", learning_rate_init: float = 1e-3,
                 max_iter: int = 200, shuffle: bool = True, random_state: Any = None, tol: float | None = 1e-4,
                 verbose: bool = False, early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int = 10, momentum: float = 0.9, nesterovs_momentum: bool = True,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    # ----- hyperparameters ---------------------------------------------------------------------
    def _hidden_sizes(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise ValueError(f"MLPClassifier: hidden_layer_sizes must be a tuple of positive integers, "
                             f"got {self.hidden_layer_sizes!r}")
        sizes = tuple(sizes)
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
                raise ValueError(f"MLPClassifier: hidden_layer_sizes must be a tuple of positive integers, "
                                 f"got {self.hidden_layer_sizes!r}")
        return tuple(int(s) for s in sizes)

    def _check_params(self) -> None:
        who = "MLPClassifier"
        self._hidden_sizes()
        check_choice("activation", self.activation, ACTIVATIONS, who=who)
        check_choice("solver", self.solver, MLP_SOLVERS, who=who)
        check_number("alpha", self.alpha, who=who, low=0)
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            check_integer("batch_size", self.batch_size, who=who, low=1)
        check_number("learning_rate_init", self.learning_rate_init, who=who, low=0, low_inclusive=False)
        check_integer("max_iter", self.max_iter, who=who, low=1)
        check_bool("shuffle", self.shuffle, who=who)
        check_random_state("random_state", self.random_state, who=who)
        check_number("tol", self.tol, who=who, low=0, allow_none=True)
        if not isinstance(self.verbose, (bool, np.bool_)):
            check_integer("verbose", self.verbose, who=who, low=0)
        check_bool("early_stopping", self.early_stopping, who=who)
        check_number("validation_fraction", self.validation_fraction, who=who, low=0, high=1, low_inclusive=False)
        if self.validation_fraction >= 1:
            raise ValueError(f"{who}: validation_fraction must be < 1, got {self.validation_fraction!r}")
        check_integer("n_iter_no_change", self.n_iter_no_change, who=who, low=1)
        check_number("momentum", self.momentum, who=who, low=0, high=1)
        check_bool("nesterovs_momentum", self.nesterovs_momentum, who=who)
        for name in ("beta_1", "beta_2"):
            check_number(name, getattr(self, name), who=who, low=0, high=1)
            if getattr(self, name) >= 1:
                raise ValueError(f"{who}: {name} must be < 1, got {getattr(self, name)!r}")
        check_number("epsilon", self.epsilon, who=who, low=0, low_inclusive=False)

    # ----- the network -------------------------------------------------------------------------
    def _network(self, sizes: list[int], dtype: np.dtype, rng: np.random.Generator) -> nn.Sequential:
        """Linear layers of the given sizes, the activation between them, Glorot-initialised."""
        layers: list[nn.Module] = []
        for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = nn.Linear(n_in, n_out, dtype=dtype, rng=rng)
            # before a logistic unit (a hidden one, or the binary output) Glorot's bound is √(2/(in + out))
            logistic = self.activation == "logistic" or (k == len(sizes) - 2 and n_out == 1)
            bound = math.sqrt((2.0 if logistic else 6.0) / (n_in + n_out))
            assert linear.bias is not None  # made with bias=True
            nn.init.uniform_(linear.weight, -bound, bound, rng=rng)
            nn.init.uniform_(linear.bias, -bound, bound, rng=rng)
            layers.append(linear)
            if k < len(sizes) - 2:
                layers.append(_LAYERS[self.activation]())
        return nn.Sequential(*layers)

    def _split(self, X: np.ndarray, codes: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """(X_train, codes_train, X_val, codes_val): with early stopping, validation_fraction of
        each class's rows (rounded) is held out, at random."""
        if not self.early_stopping:
            return X, codes, None, None
        order = rng.permutation(len(X))
        order = order[np.argsort(codes[order], kind="stable")]  # by class, random within a class
        counts = np.bincount(codes)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        taken = np.round(counts * self.validation_fraction).astype(int)
        held = np.zeros(len(X), dtype=bool)
        for start, k in zip(starts, taken):
            held[order[start:start + k]] = True
        if not held.any() or held.all():
            raise ValueError(f"MLPClassifier.fit: validation_fraction={self.validation_fraction} of {len(X)} "
                             f"samples leaves {'no validation' if not held.any() else 'no training'} sample for "
                             "early_stopping; give more data or another validation_fraction")
        return X[~held], codes[~held], X[held], codes[held]

    def _optimizer(self, model: nn.Module) -> optim.Optimizer:
        if self.solver == "adam":
            return optim.Adam(model.parameters(), lr=self.learning_rate_init, betas=(self.beta_1, self.beta_2),
                              eps=self.epsilon)
        nesterov = self.nesterovs_momentum and self.momentum > 0
        return optim.SGD(model.parameters(), lr=self.learning_rate_init, momentum=self.momentum, nesterov=nesterov)

    # ----- fit ---------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, *, progress: Callable[[int], Any] | None = None) -> "MLPClassifier":
        """Train on X (n_samples, n_features) and labels y (two or more classes); returns self.

        ``progress``: optional callable, called with 1 after every epoch (a progress bar's update).
        Raises :class:`models.DivergenceError` when the loss becomes NaN or infinite, or grows
        past ``DIVERGENCE_FACTOR`` (10⁴) times its first value, as the linear models' solvers do
        (the model keeps its previous fit, if any); warns with :class:`models.ConvergenceWarning` when ``max_iter``
        epochs end before the stopping rule is met (not with ``tol=None``)."""
        who = "MLPClassifier.fit"
        self._check_params()
        dtype = float_dtype(X)
        X, classes, codes = self._fit_data(X, y, who=who, dtype=dtype)
        rng = np.random.default_rng(self.random_state)
        binary = len(classes) == 2
        X_train, y_train, X_val, y_val = self._split(X, codes, rng)
        m, n = X_train.shape
        model = self._network([n, *self._hidden_sizes(), 1 if binary else len(classes)], dtype, rng)
        weights = [layer.weight for layer in model if isinstance(layer, nn.Linear)]
        opt = self._optimizer(model)
        batch = min(200 if self.batch_size == "auto" else int(self.batch_size), m)
        targets = y_train.astype(dtype).reshape(-1, 1) if binary else y_train.astype(np.intp)
        loader = ad.data.DataLoader(X_train, targets, batch_size=batch, shuffle=self.shuffle,
                                    seed=int(rng.integers(2 ** 63)))

        def loss_of(Xb: np.ndarray, yb: np.ndarray) -> ad.Tensor:
            logits = model(Xb)
            loss = (ad.binary_cross_entropy_with_logits(logits, yb) if binary else ad.cross_entropy(logits, yb))
            if self.alpha:
                loss = loss + sum((w * w).sum() for w in weights) * (self.alpha / (2.0 * len(Xb)))
            return loss

        curve: list[float] = []
        scores: list[float] = []
        best_loss, best_score, best_state = math.inf, -math.inf, None
        bad_epochs = 0
        stopped = False
        first_loss: float | None = None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked: DivergenceError
            for epoch in range(self.max_iter):
                total = 0.0
                for count, (Xb, yb) in enumerate(loader):
                    opt.zero_grad()
                    try:
                        loss = loss_of(Xb, yb)
                    except ValueError:  # non-finite logits refused by the fused loss
                        loss = None
                    value = math.nan if loss is None else loss.item()
                    if first_loss is None:
                        first_loss = value
                    if not math.isfinite(value):
                        what = f"became {value}"
                    elif value > DIVERGENCE_FACTOR * max(abs(first_loss), 1.0):
                        what = f"grew from {first_loss:.6g} to {value:.6g}"
                    else:
                        what = ""
                    if what or loss is None:  # the same rule as the linear models' solvers
                        raise DivergenceError(
                            f"{who}: training diverged: the loss {what} at epoch {epoch}, batch {count} with "
                            f"learning_rate_init={self.learning_rate_init}; lower it, or standardize the features "
                            "(e.g. StandardScaler); the previous fit, if any, is kept")
                    loss.backward()
                    opt.step()
                    total += value * len(Xb)
                curve.append(total / m)
                if self.early_stopping:
                    assert X_val is not None and y_val is not None  # held out by _split
                    logits = self._forward(model, X_val)
                    predicted = (logits[:, 0] > 0) if binary else logits.argmax(axis=1)
                    score = float(np.mean(predicted == y_val))
                    scores.append(score)
                    improved = self.tol is None or score > best_score + self.tol
                    if score > best_score:
                        best_score, best_state = score, model.state_dict()
                else:
                    improved = self.tol is None or curve[-1] < best_loss - self.tol
                    best_loss = min(best_loss, curve[-1])
                bad_epochs = 0 if improved else bad_epochs + 1
                if self.verbose:
                    extra = f", validation accuracy = {scores[-1]:.6f}" if self.early_stopping else ""
                    print(f"Iteration {epoch + 1}, loss = {curve[-1]:.8f}{extra}")
                if progress is not None:
                    progress(1)
                if self.tol is not None and bad_epochs >= self.n_iter_no_change:
                    stopped = True
                    break
        if best_state is not None:
            model.load_state_dict(best_state)
        if self.tol is not None and not stopped:
            what = "validation accuracy" if self.early_stopping else "training loss"
            warnings.warn(f"MLPClassifier: max_iter={self.max_iter} epochs ended before the {what} stopped "
                          f"improving by more than tol={self.tol} for n_iter_no_change={self.n_iter_no_change} "
                          "epochs in a row; the model may be under-trained: raise max_iter, or set tol=None to "
                          "train for exactly max_iter epochs", exceptions.ConvergenceWarning, stacklevel=2)
        layers = [layer for layer in model if isinstance(layer, nn.Linear)]
        self.coefs_ = [np.ascontiguousarray(layer.weight.data.T) for layer in layers]
        self.intercepts_ = [layer.bias.data.copy() for layer in layers if layer.bias is not None]
        self.classes_ = classes
        self.n_layers_ = len(layers) + 1
        self.n_outputs_ = 1 if binary else len(classes)
        self.out_activation_ = "logistic" if binary else "softmax"
        self.n_iter_ = len(curve)
        self.t_ = len(curve) * m
        self.loss_curve_ = curve
        self.best_loss_ = None if self.early_stopping else best_loss
        self.validation_scores_ = scores if self.early_stopping else None
        self.best_validation_score_ = best_score if self.early_stopping else None
        self.n_features_in_ = n  # last: the model counts as fitted from here on
        return self

    @staticmethod
    def _forward(model: nn.Module, X: np.ndarray) -> np.ndarray:
        with ad.no_grad():
            return model(X).data

    # ----- predictions -------------------------------------------------------------------------
    def _compute_dtype(self) -> Any:
        return self.coefs_[0].dtype

    def _scores(self, X: np.ndarray) -> np.ndarray:
        """The output layer's logits: (m, 1) for two classes, (m, K) otherwise."""
        activation = {"relu": ad.relu, "tanh": ad.tanh, "logistic": ad.sigmoid}[self.activation]
        a = X
        with ad.no_grad():
            for k, (W, b) in enumerate(zip(self.coefs_, self.intercepts_)):
                a = a @ W + b
                if k < len(self.coefs_) - 1:
                    a = activation(a).data
        return a

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (m, K), columns in the order of ``classes_``."""
        logits = self._scores(self._input(X, "predict_proba"))
        with ad.no_grad():
            if logits.shape[1] == 1:
                p = ad.sigmoid(logits[:, 0]).data
                return np.column_stack([1.0 - p, p])
            return ad.softmax(logits, axis=1).data

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of ``predict_proba``, computed stably from the logits."""
        logits = self._scores(self._input(X, "predict_log_proba"))
        with ad.no_grad():
            if logits.shape[1] == 1:
                z = logits[:, 0]
                # log(1 − σ(z)) = −log(1 + e^z), log σ(z) = −log(1 + e^−z)
                return np.column_stack([-np.logaddexp(0.0, z), -np.logaddexp(0.0, -z)])
            return ad.log_softmax(logits, axis=1).data

    # ----- persistence -------------------------------------------------------------------------
    def save(self, path: Any) -> None:
        """Write the fitted model to ``path`` (.npz, no pickle); see :func:`models.load_model`."""
        from .persistence import save_model
        save_model(self, path)
