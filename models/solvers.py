"""Optimizers on the autodiff graph and the one training loop every model shares.

A model hands :func:`minimize` a ``loss_fn(X_batch, y_batch) -> Tensor`` that
builds the loss from Tensor ops and the list of parameter Tensors
(``requires_grad=True``). Every step is: build the loss, ``loss.backward()``,
then update each parameter's ``.data`` in place from its ``.grad`` (no graph
is recorded for the update).

Solvers:

* ``"gd"`` -- full-batch gradient descent, the lecture's ``W = W - lr * dW``.
* ``"sgd"`` -- mini-batch stochastic gradient descent (shuffled every epoch).
* ``"momentum"`` -- mini-batch SGD with heavy-ball momentum.
* ``"adam"`` -- mini-batch Adam (Kingma & Ba, 2015).
* ``"lbfgs"`` -- scipy's L-BFGS-B, fed the loss and gradients of the graph
  (needs scipy).

``max_iter`` counts iterations for full-batch solvers and epochs for
mini-batch ones; ``loss_curve`` holds the loss of every iteration computed
before that iteration's update (the lecture's "Cost (iteration i)"), or for
mini-batch solvers the mean of an epoch's batch losses.

Training that goes wrong says so:

* divergence -- a loss that becomes NaN or infinite, or that grows past
  ``DIVERGENCE_FACTOR`` times its first value (at least 1), raises
  :class:`DivergenceError` naming the iteration (or epoch and batch) and the
  learning rate; the parameters are left at the last values whose loss was
  in bounds;
* no convergence -- a first-order solver with a ``tol`` that uses up
  ``max_iter`` before its stopping rule is met, or an L-BFGS run that scipy
  reports as unsuccessful, warns with :class:`ConvergenceWarning`. With
  ``tol=None`` a first-order solver runs exactly ``max_iter`` iterations, as
  asked, and does not warn; nor with ``fixed_budget=True`` (the models'
  ``max_iter="auto"``, a training length chosen for the data size).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from autodiff import Tensor, no_grad

from . import exceptions
from .exceptions import DivergenceError

__all__ = ["SOLVERS", "MINI_BATCH_SOLVERS", "DIVERGENCE_FACTOR", "DivergenceError", "TrainResult",
           "make_optimizer", "minimize"]

SOLVERS = ("gd", "sgd", "momentum", "adam", "lbfgs")
MINI_BATCH_SOLVERS = ("sgd", "momentum", "adam")
LossFn = Callable[[np.ndarray, np.ndarray], Tensor]
# A loss above DIVERGENCE_FACTOR · max(|first loss|, 1) means training has diverged. Cross-entropy
# from zero weights starts at ln K (0.69 for two classes): 10,000 times that is a mean probability of
# e^-6931 for the true class, which no working run comes near.
DIVERGENCE_FACTOR = 1e4


@dataclass
class TrainResult:
    """What a training run did: iterations (or epochs) run, the loss curve, and
    whether the tol criterion stopped it before max_iter."""

    n_iter: int
    loss_curve: list[float] = field(default_factory=list)
    converged: bool = False
    message: str = ""  # why the solver stopped (L-BFGS: scipy's message)


# ----- optimizers: autodiff.optim's, one implementation of each rule ------------------------
class _StepAndClear:
    """An autodiff.optim optimizer whose step also clears the gradients (the loop
    below builds a fresh loss and calls backward once per step)."""

    def __init__(self, optimizer: Any):
        self.optimizer = optimizer

    def step(self) -> None:
        self.optimizer.step()
        self.optimizer.zero_grad()


def make_optimizer(solver: str, params: Sequence[Tensor], learning_rate: float,
                   momentum: float = 0.9) -> _StepAndClear:
    """The optimizer of a first-order solver name: "gd"/"sgd" ``p ← p − lr·∇p``;
    "momentum" heavy-ball momentum; "adam" Adam with its usual betas and eps."""
    from autodiff import optim
    if solver in ("gd", "sgd"):
        return _StepAndClear(optim.SGD(params, lr=learning_rate))
    if solver == "momentum":
        return _StepAndClear(optim.SGD(params, lr=learning_rate, momentum=momentum))
    if solver == "adam":
        return _StepAndClear(optim.Adam(params, lr=learning_rate, betas=(0.9, 0.999), eps=1e-8))
    raise ValueError(f"unknown first-order solver {solver!r}; choose one of {SOLVERS[:-1]}")


# ----- the shared training loop ---------------------------------------------------------
class _EarlyStopping:
    """scikit-learn's SGD rule: stop after ``n_iter_no_change`` consecutive
    iterations (epochs) whose loss is not below best_loss − tol."""

    def __init__(self, tol: float | None, n_iter_no_change: int):
        self.tol, self.patience = tol, n_iter_no_change
        self.best, self.bad = math.inf, 0

    def stop(self, loss: float) -> bool:
        if self.tol is None:
            return False
        self.bad = self.bad + 1 if loss > self.best - self.tol else 0
        self.best = min(self.best, loss)
        return self.bad >= self.patience


class _Guard:
    """Checks every loss of a run: finite, and below the bound set by the first one."""

    def __init__(self, learning_rate: float):
        self.learning_rate = learning_rate
        self.first: float | None = None

    def _error(self, what: str, where: str) -> DivergenceError:
        return DivergenceError(f"training diverged: the loss {what} at {where} with "
                               f"learning_rate={self.learning_rate}; lower the learning rate, or standardize "
                               "the features (e.g. StandardScaler); the parameters were left at the last "
                               "values whose loss was in bounds")

    def loss(self, loss_fn: LossFn, X: np.ndarray, y: np.ndarray, where: str) -> Tensor:
        """``loss_fn(X, y)``, or DivergenceError if it is not finite or has grown out of bounds."""
        try:
            loss = loss_fn(X, y)
        except FloatingPointError:  # the model signals an overflow of its logits
            raise self._error("became inf", where) from None
        value = loss.item()
        if not math.isfinite(value):
            raise self._error(f"became {'nan' if math.isnan(value) else 'inf'}", where)
        if self.first is None:
            self.first = value
        elif value > DIVERGENCE_FACTOR * max(abs(self.first), 1.0):
            raise self._error(f"grew from {self.first:.6g} to {value:.6g}, more than {DIVERGENCE_FACTOR:g} "
                              "times its first value,", where)
        return loss


def _report(verbose: int, unit: str, i: int, loss: float) -> None:
    if verbose and i % verbose == 0:
        print("Cost (%s %i) = %f" % (unit, i, loss))


def minimize(loss_fn: LossFn, params: Sequence[Tensor], X: np.ndarray, y: np.ndarray, *,
             solver: str = "gd", learning_rate: float = 0.1, max_iter: int = 5000,
             batch_size: int | None = None, tol: float | None = None, n_iter_no_change: int = 5,
             momentum: float = 0.9, random_state: Any = None, verbose: int = 0,
             progress: Callable[[int], Any] | None = None, average: bool = False,
             fixed_budget: bool = False) -> TrainResult:
    """Train ``params`` (in place) to minimize ``loss_fn`` over (X, y).

    ``average`` (mini-batch solvers): end with the mean of the parameters over
    the updates of the last epoch (Polyak-Ruppert averaging).

    ``fixed_budget``: ``max_iter`` is the intended training length (a model's
    ``max_iter="auto"``), so a first-order solver that reaches it without
    meeting the ``tol`` rule does not warn; ``tol`` can still stop it earlier.

    ``progress``: called with 1 after every epoch (for a progress bar).
    Raises :class:`DivergenceError` if the loss becomes NaN or inf or grows
    past ``DIVERGENCE_FACTOR`` times its first value; the parameters are
    then restored to the last values whose loss was in bounds. Warns with
    :class:`ConvergenceWarning` when the solver stops before its stopping
    rule is met (see the module docstring).
    """
    params = list(params)
    if solver == "lbfgs":
        result = _minimize_lbfgs(loss_fn, params, X, y, max_iter, tol, verbose, progress)
        if not result.converged:
            warnings.warn(_lbfgs_not_converged(result, max_iter), exceptions.ConvergenceWarning, stacklevel=3)
        return result
    good = [p.data.copy() for p in params]
    full_batch = solver == "gd" or batch_size is None or batch_size >= len(X)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if full_batch:
                result = _full_batch(loss_fn, params, X, y, solver, learning_rate, max_iter, tol,
                                     n_iter_no_change, momentum, verbose, progress, good)
            else:
                result = _mini_batch(loss_fn, params, X, y, solver, learning_rate, max_iter, batch_size, tol,
                                     n_iter_no_change, momentum, random_state, verbose, progress, good, average)
    except DivergenceError:
        with no_grad():  # in place through the Tensor: the diverged graph may still hold the arrays
            for p, g in zip(params, good):
                p[...] = g
                p.grad = None
        raise
    if tol is not None and not result.converged and not fixed_budget:
        unit = "iterations" if full_batch else "epochs"
        warnings.warn(f"solver={solver!r} used all max_iter={max_iter} {unit} before its stopping rule was met "
                      f"(no improvement of the loss by more than tol={tol} for n_iter_no_change="
                      f"{n_iter_no_change} {unit} in a row); the model may be under-trained: raise max_iter, "
                      f"or set tol=None to train for exactly max_iter {unit}",
                      exceptions.ConvergenceWarning, stacklevel=3)
    return result


def _lbfgs_not_converged(result: "TrainResult", max_iter: int) -> str:
    text = f"solver='lbfgs' stopped after {result.n_iter} iterations without converging ({result.message})"
    if result.n_iter == 0:
        return text + ("; the parameters are still their starting values, so the model has learnt nothing: "
                       "the features are probably on a huge scale; standardize them (e.g. StandardScaler)")
    if result.n_iter >= max_iter:
        return text + "; raise max_iter"
    return text + "; the line search failed: standardize the features (e.g. StandardScaler) or add penalty='l2'"


def _full_batch(loss_fn, params, X, y, solver, lr, max_iter, tol, patience, momentum, verbose,
                progress, good) -> TrainResult:
    optimizer = make_optimizer(solver, params, lr, momentum)
    stopper = _EarlyStopping(tol, patience)
    guard = _Guard(lr)
    curve: list[float] = []
    for i in range(max_iter):
        loss = guard.loss(loss_fn, X, y, f"iteration {i}")
        value = loss.item()
        curve.append(value)
        _report(verbose, "iteration", i, value)
        for g, p in zip(good, params):
            np.copyto(g, p.data)  # these gave a finite loss
        loss.backward()
        optimizer.step()
        if progress is not None:
            progress(1)
        if stopper.stop(value):
            return TrainResult(i + 1, curve, True)
    return TrainResult(max_iter, curve, False)


def _mini_batch(loss_fn, params, X, y, solver, lr, max_iter, batch_size, tol, patience, momentum,
                random_state, verbose, progress, good, average) -> TrainResult:
    """Epochs of shuffled mini-batches: one permutation per epoch; each batch is
    gathered once (X[indices]) and used directly by the two matmuls."""
    optimizer = make_optimizer(solver, params, lr, momentum)
    stopper = _EarlyStopping(tol, patience)
    guard = _Guard(lr)
    rng = np.random.default_rng(random_state)
    m = len(X)
    curve: list[float] = []
    stopped = False
    means = [np.zeros_like(p.data) for p in params] if average else []
    for epoch in range(max_iter):
        order = rng.permutation(m)
        total = 0.0
        for count, start in enumerate(range(0, m, batch_size), 1):
            rows = order[start:start + batch_size]
            loss = guard.loss(loss_fn, X[rows], y[rows], f"epoch {epoch}, batch {count - 1}")
            total += loss.item() * len(rows)
            for g, p in zip(good, params):
                np.copyto(g, p.data)
            loss.backward()
            optimizer.step()
            for mean, p in zip(means, params):  # running mean of this epoch's iterates
                mean += (p.data - mean) / count
        value = total / m
        curve.append(value)
        _report(verbose, "epoch", epoch, value)
        if progress is not None:
            progress(1)
        if stopper.stop(value):
            stopped = True
            break
    with no_grad():
        for mean, p in zip(means, params):
            p[...] = mean
    return TrainResult(len(curve), curve, stopped)


def _minimize_lbfgs(loss_fn, params, X, y, max_iter, tol, verbose, progress) -> TrainResult:
    """scipy's L-BFGS-B on the flattened parameters; loss and gradient from the graph."""
    try:
        from scipy.optimize import minimize as scipy_minimize
    except ImportError:
        raise ImportError("solver='lbfgs' needs scipy: pip install autodiff[lbfgs]") from None
    shapes = [p.data.shape for p in params]
    sizes = [p.data.size for p in params]
    dtype = params[0].data.dtype

    def unpack(theta: np.ndarray) -> None:
        with no_grad():
            for p, chunk, shape in zip(params, np.split(theta, np.cumsum(sizes)[:-1]), shapes):
                p[...] = chunk.reshape(shape)

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        unpack(theta)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                loss = loss_fn(X, y)
            except FloatingPointError:
                return math.inf, np.zeros_like(theta)
            loss.backward()
        grads = [p.grad if p.grad is not None else np.zeros_like(p.data) for p in params]
        for p in params:
            p.grad = None
        return loss.item(), np.concatenate([g.ravel() for g in grads]).astype(np.float64)

    curve: list[float] = []

    def callback(intermediate_result: Any) -> None:
        curve.append(float(intermediate_result.fun))
        _report(verbose, "iteration", len(curve), curve[-1])
        if progress is not None:
            progress(1)

    theta0 = np.concatenate([p.data.ravel() for p in params]).astype(np.float64)
    start = fun(theta0)[0]
    _report(verbose, "iteration", 0, start)
    options = {"maxiter": max_iter, "gtol": 1e-10 if tol is None else tol, "ftol": 1e-15 if tol is None else tol}
    result = scipy_minimize(fun, theta0, jac=True, method="L-BFGS-B", options=options, callback=callback)
    if not np.all(np.isfinite(result.x)):
        unpack(theta0)
        raise DivergenceError("training diverged: solver='lbfgs' produced non-finite parameters; standardize "
                              "the features (e.g. StandardScaler); the parameters were left at their start")
    unpack(result.x.astype(dtype))
    n_iter = int(result.nit)
    message = result.message.decode() if isinstance(result.message, bytes) else str(result.message)
    return TrainResult(n_iter, ([start] + curve)[:max(n_iter, 1)], bool(result.success), f"scipy: {message}")
