"""scikit-learn's own conformance suite (``check_estimator``) on both models, and
the exceptions and warnings scikit-learn code expects to catch.

The same suite runs on a minimal classifier built on the shared base
(models.base.Classifier), as a later model would be built. A check a model is
known to fail would be listed, with the reason, in its
``_sklearn_expected_failures`` (passed to scikit-learn as
``expected_failed_checks``, or read from ``_more_tags`` by scikit-learn < 1.6);
today every list is empty: every check passes.
"""
import inspect
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from models import LogisticRegression, MLPClassifier, SoftmaxRegression
from models.base import Classifier
from models.datasets import load_iris
from models.validation import check_number

sklearn = pytest.importorskip("sklearn", reason="the conformance suite needs scikit-learn (pip install autodiff[test])")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
X_IRIS, TARGET = load_iris(return_X_y=True)


def _expected_failures(estimator):
    return dict(estimator._sklearn_expected_failures)


_OPTIONS = ({"expected_failed_checks": _expected_failures}
            if "expected_failed_checks" in inspect.signature(parametrize_with_checks).parameters else {})


class NearestMean(Classifier):
    """The smallest classifier on the shared base (the nearest class mean): the base alone,
    as a later model such as an MLP would use it, is enough to pass the suite."""

    def __init__(self, *, shrink: float = 0.0):
        self.shrink = shrink

    def _check_params(self) -> None:
        check_number("shrink", self.shrink, who="NearestMean", low=0, high=1)

    def fit(self, X, y):
        self._check_params()
        X, classes, codes = self._fit_data(X, y, who="NearestMean.fit", dtype=np.float64)
        means = np.stack([X[codes == c].mean(axis=0) for c in range(len(classes))])
        self.means_ = (1 - self.shrink) * means + self.shrink * X.mean(axis=0)
        self.classes_, self.n_features_in_ = classes, X.shape[1]
        return self

    def _scores(self, X):
        return -((X[:, None, :] - self.means_[None]) ** 2).sum(axis=2)


# LogisticRegression's 5,000 lecture iterations would make its ~60 checks take 16 s; 500 are enough for
# every check (the API does not depend on the number of iterations).
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*does not inherit from `sklearn.base.BaseEstimator`")
    _CHECKS = parametrize_with_checks([LogisticRegression(max_iter=500), SoftmaxRegression(), NearestMean(),
                                       MLPClassifier(learning_rate_init=0.01, max_iter=50, random_state=0)], **_OPTIONS)


@pytest.mark.filterwarnings("ignore::models.exceptions.ConvergenceWarning")  # tiny data, few epochs: expected
@_CHECKS
def test_check_estimator(estimator, check):
    check(estimator)


def test_no_check_is_expected_to_fail():
    assert LogisticRegression()._sklearn_expected_failures == {}
    assert SoftmaxRegression()._sklearn_expected_failures == {}
    assert MLPClassifier()._sklearn_expected_failures == {}


def test_the_base_gives_a_new_classifier_the_shared_checks():
    with pytest.raises(ValueError, match=r"NearestMean: shrink must be >= 0 and <= 1, got 2"):
        NearestMean(shrink=2).fit(X_IRIS, TARGET)
    with pytest.raises(ValueError, match=r"NearestMean.fit: y has only one class"):
        NearestMean().fit(X_IRIS[:50], TARGET[:50])
    model = NearestMean().fit(X_IRIS, TARGET)
    with pytest.raises(ValueError, match=r"NearestMean.predict: X has 2 features, but NearestMean is expecting 4"):
        model.predict(X_IRIS[:, :2])
    assert model.score(X_IRIS, TARGET) > 0.9 and repr(NearestMean(shrink=0.5)) == "NearestMean(shrink=0.5)"


# ----- scikit-learn's exception and warning classes catch ours --------------------------------------
def test_not_fitted_error_is_caught_as_sklearns():
    from sklearn.exceptions import NotFittedError as Theirs
    with pytest.raises(Theirs, match="SoftmaxRegression.predict: this SoftmaxRegression has not been"):
        SoftmaxRegression().predict(X_IRIS)
    from models import NotFittedError
    assert issubclass(NotFittedError, Theirs) and issubclass(NotFittedError, (ValueError, AttributeError))


def test_convergence_warning_is_filtered_as_sklearns():
    from sklearn.exceptions import ConvergenceWarning as Theirs
    model = SoftmaxRegression(solver="gd", max_iter=3, tol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=Theirs)  # what scikit-learn users write
        model.fit(X_IRIS, TARGET)
    with pytest.warns(Theirs, match="used all max_iter=3 iterations"):
        model.fit(X_IRIS, TARGET)


def test_data_conversion_warning_is_sklearns():
    from sklearn.exceptions import DataConversionWarning as Theirs
    with pytest.warns(Theirs, match="A column-vector y was passed"):
        LogisticRegression(max_iter=2).fit(X_IRIS, (TARGET == 2)[:, None])


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_package_does_not_import_sklearn():
    code = ("import sys, models, models.linear, models.metrics, models.model_selection, models.preprocessing\n"
            "print('sklearn' in sys.modules)")
    assert _run(code) == "False"


def test_without_sklearn_the_classes_derive_from_the_builtins():
    code = ("import sys; sys.modules['sklearn'] = None  # as if it were not installed\n"
            "import models\n"
            "from models import NotFittedError, ConvergenceWarning, DataConversionWarning\n"
            "print(NotFittedError.__mro__[1:3] == (ValueError, AttributeError),"
            " ConvergenceWarning.__bases__ == (UserWarning,), DataConversionWarning.__bases__ == (UserWarning,))\n"
            "try:\n    models.SoftmaxRegression().predict([[1.0]])\n"
            "except NotFittedError as error:\n    print(type(error).__name__)")
    assert _run(code).splitlines() == ["True True True", "NotFittedError"]


# ----- the binary decision function and scikit-learn's scorers ----------------------------------------
@pytest.mark.parametrize("make", [lambda: LogisticRegression(max_iter=300),
                                  lambda: SoftmaxRegression(random_state=0)])
def test_roc_auc_on_a_binary_problem(make):
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import cross_val_score
    y = (TARGET == 2).astype(int)
    model = make().fit(X_IRIS, y)
    scores = model.decision_function(X_IRIS)
    assert scores.shape == (150,)
    # the score ranks like the probability of classes_[1] ...
    np.testing.assert_array_equal(np.argsort(scores, kind="stable"),
                                  np.argsort(model.predict_proba(X_IRIS)[:, 1], kind="stable"))
    assert roc_auc_score(y, scores) > 0.95
    # ... so scikit-learn's roc_auc scorer works on it
    assert cross_val_score(make(), X_IRIS, y, cv=3, scoring="roc_auc").min() > 0.9
