"""Training that goes wrong says so: divergence raises DivergenceError naming the
iteration and the learning rate; a solver that stops before its stopping rule
is met warns with ConvergenceWarning; a fixed budget (tol=None) is silent."""
import warnings

import numpy as np
import pytest

import autodiff as ad
from models import ConvergenceWarning, DivergenceError, LogisticRegression, SoftmaxRegression
from models import solvers
from models.datasets import load_iris

X_IRIS, TARGET = load_iris(return_X_y=True)
Y_BINARY = (TARGET == 2).astype(int)
X_STD = (X_IRIS - X_IRIS.mean(axis=0)) / X_IRIS.std(axis=0)


# ----- divergence -----------------------------------------------------------------------------------
def test_a_loss_that_grows_huge_but_stays_finite_is_divergence():
    """learning_rate=1e300 used to end with a loss of 3e298 and weights of 1e301, silently."""
    model = LogisticRegression(learning_rate=1e300)
    with pytest.raises(DivergenceError, match=r"training diverged: the loss grew from 0.693147 to [0-9.]+e\+\d{3}, "
                                              r"more than 10000 times its first value, at iteration 1 with "
                                              r"learning_rate=1e\+300; lower the learning rate"):
        model.fit(X_IRIS, Y_BINARY)
    assert not hasattr(model, "coef_")  # nothing half-trained is left behind


def test_mini_batch_divergence_names_epoch_and_batch():
    model = SoftmaxRegression(solver="sgd", learning_rate=1e200, batch_size=50, random_state=0)
    with pytest.raises(DivergenceError, match=r"at epoch 0, batch 1 with learning_rate=1e\+200"):
        model.fit(X_IRIS, TARGET)


def _scripted(values):
    """A loss_fn whose values are given in advance (its gradient is zero)."""
    W = ad.Tensor(np.zeros((4, 1)), requires_grad=True)
    script = iter(values)

    def loss(Xb, yb):
        return ad.sum(Xb @ W) * 0.0 + next(script)
    return W, loss


def test_the_growth_bound_is_relative_to_the_first_loss():
    bound = solvers.DIVERGENCE_FACTOR * 2.0  # first loss 2.0
    W, loss = _scripted([2.0, 0.5, bound * 0.999, 1.0])
    result = solvers.minimize(loss, [W], X_IRIS, Y_BINARY[:, None], max_iter=4)  # below the bound: fine
    assert result.loss_curve == [2.0, 0.5, bound * 0.999, 1.0]
    W, loss = _scripted([2.0, 0.5, bound * 1.001])
    with pytest.raises(DivergenceError, match=r"grew from 2 to 20020, more than 10000 times its first value, "
                                              r"at iteration 2 with learning_rate=0.1"):
        solvers.minimize(loss, [W], X_IRIS, Y_BINARY[:, None], max_iter=4)
    # a first loss below 1 counts as 1: from 1e-3, 9,000 is still in bounds
    W, loss = _scripted([1e-3, 9000.0])
    solvers.minimize(loss, [W], X_IRIS, Y_BINARY[:, None], max_iter=2)


def test_a_nan_loss_is_divergence():
    W, loss = _scripted([0.7, float("nan")])
    with pytest.raises(DivergenceError, match="the loss became nan at iteration 1"):
        solvers.minimize(loss, [W], X_IRIS, Y_BINARY[:, None], max_iter=3)


# ----- convergence ------------------------------------------------------------------------------------
def test_lbfgs_on_huge_features_warns_instead_of_returning_a_zero_model_silently():
    with pytest.warns(ConvergenceWarning, match=r"solver='lbfgs' stopped after 0 iterations without converging "
                                                r"\(scipy: .*\); the parameters are still their starting values"):
        model = LogisticRegression(solver="lbfgs").fit(X_IRIS * 1e100, Y_BINARY)
    assert model.n_iter_ == 0 and not model.coef_.any()


def test_lbfgs_out_of_iterations_warns():
    with pytest.warns(ConvergenceWarning, match=r"solver='lbfgs' stopped after 3 iterations .*; raise max_iter"):
        SoftmaxRegression(solver="lbfgs", max_iter=3).fit(X_STD, TARGET)


def test_lbfgs_that_converges_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(solver="lbfgs", penalty="l2").fit(X_STD, Y_BINARY)
    assert model.n_iter_ < 100


@pytest.mark.parametrize("solver, unit", [("gd", "iterations"), ("adam", "epochs")])
def test_first_order_solver_out_of_iterations_warns(solver, unit):
    with pytest.warns(ConvergenceWarning, match=rf"solver='{solver}' used all max_iter=4 {unit} before its stopping "
                                                rf"rule was met .* set tol=None to train for exactly max_iter {unit}"):
        SoftmaxRegression(solver=solver, max_iter=4, tol=1e-4, batch_size=32, random_state=0).fit(X_STD, TARGET)


def test_stopping_rule_met_or_fixed_budget_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stopped = SoftmaxRegression(solver="gd", learning_rate=0.5, max_iter=5000, tol=1e-3).fit(X_STD, TARGET)
        assert stopped.n_iter_ < 5000
        stopped_last = SoftmaxRegression(solver="adam", random_state=0).fit(X_STD, TARGET)  # defaults
        assert stopped_last.n_iter_ < stopped_last._epochs(150)
        LogisticRegression(max_iter=50).fit(X_IRIS, Y_BINARY)  # the lecture: tol=None, a fixed budget


def test_warning_points_at_the_callers_line():
    with pytest.warns(ConvergenceWarning) as record:
        SoftmaxRegression(solver="gd", max_iter=2, tol=1e-4).fit(X_STD, TARGET)
    assert record[0].filename == __file__


def test_the_auto_training_length_is_a_budget_not_a_failure():
    """max_iter="auto" on 51,200 rows is 5 epochs (1,000 updates of 256 rows): the n_iter_no_change=5
    rule cannot be met in 5 epochs, and reaching the chosen length is not a convergence failure."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(51200, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=51200) > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = SoftmaxRegression(random_state=0).fit(X, y)
    assert model.n_iter_ == 5 == model._epochs(51200)
    with pytest.warns(ConvergenceWarning, match="used all max_iter=5 epochs"):  # the same length, asked for
        SoftmaxRegression(random_state=0, max_iter=5).fit(X, y)
