"""What every model in this package has in common.

:class:`Estimator`
    Hyperparameters are the constructor's keyword arguments, stored on the
    object unchanged and checked only when ``fit`` runs. ``get_params`` reads
    them back through the constructor's signature and ``set_params`` changes
    them, which is all scikit-learn's ``clone``, ``Pipeline`` and grid search
    need; the repr lists the ones that differ from their defaults.

:class:`Classifier`
    The checks shared by every classifier (the linear models here, and any
    later one such as a multi-layer perceptron): the data and labels given
    to ``fit``, the fitted state and feature count at prediction time,
    ``predict`` and ``score`` from per-class scores, and the tags that tell
    scikit-learn's tools (``is_classifier``, ``check_estimator``) what kind
    of model this is. A subclass writes ``_check_params``, ``fit`` (using
    ``_fit_data``) and ``_scores``.
"""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .validation import check_array, check_is_fitted, check_known_labels, check_n_features, check_X_y

__all__ = ["Estimator", "Classifier"]


class Estimator:
    @classmethod
    def _param_names(cls) -> list[str]:
        """The constructor's named parameters, in their order."""
        return [p.name for p in inspect.signature(cls.__init__).parameters.values()
                if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyperparameters as stored. (``deep`` is accepted for scikit-learn;
        no hyperparameter here is itself a model.)"""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Any:
        """Change hyperparameters by name (checked at the next ``fit``); returns self."""
        known = self._param_names()
        unknown = [name for name in params if name not in known]
        if unknown:
            raise ValueError(f"{type(self).__name__}.set_params: unknown parameter {unknown[0]!r}; "
                             f"its parameters are {known}")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        shown = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            same = value is default or (type(value) is type(default) and _equal(value, default))
            if not same:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays and other values without a single truth value
        return False


class Classifier(Estimator):
    """Shared behaviour of the classifiers; see the module docstring.

    Class attributes a subclass may set:

    * ``_max_classes`` -- 2 for a model that is binary only (None: any number);
    * ``_more_classes_hint`` -- what to use instead when y has too many classes;
    * ``_sklearn_expected_failures`` -- scikit-learn conformance checks this
      model is known to fail, ``{check name: reason}`` (read by the test that
      runs ``check_estimator``, and by scikit-learn < 1.6 through
      ``_more_tags``).
    """

    _estimator_type = "classifier"
    classes_: np.ndarray  # set by fit
    n_features_in_: int
    _max_classes: int | None = None
    _more_classes_hint = ""
    _sklearn_expected_failures: dict[str, str] = {}

    # ----- for subclasses ---------------------------------------------------------------------
    def _check_params(self) -> None:
        """Raise ValueError for a bad hyperparameter (called first thing in ``fit``)."""

    def _scores(self, X: np.ndarray) -> np.ndarray:
        """Per-class scores of checked rows X: shape (m, K), larger is more likely."""
        raise NotImplementedError

    def _fit_data(self, X: Any, y: Any, *, who: str, dtype: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Checked training data: X as ``dtype``, the sorted classes, and every
        row's class as an index into them."""
        X, y = check_X_y(X, y, who=who, dtype=dtype)
        classes, codes = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"{who}: y has only one class ({classes.tolist()[0]!r}) in {len(y)} sample(s); "
                             "a classifier needs samples of at least 2 classes")
        if self._max_classes is not None and len(classes) > self._max_classes:
            shown = classes.tolist() if len(classes) <= 10 else classes[:10].tolist() + ["..."]
            raise ValueError(f"{who}: y has {len(classes)} classes {shown}. Only binary classification is "
                             f"supported by {type(self).__name__}{self._more_classes_hint}")
        return X, classes, codes.reshape(-1)

    # ----- predictions --------------------------------------------------------------------------
    def _input(self, X: Any, method: str) -> np.ndarray:
        """X checked for prediction: the model is fitted and X has its number of features."""
        check_is_fitted(self, method)
        who = f"{type(self).__name__}.{method}"
        X = check_array(X, who=who, dtype=self._compute_dtype())
        check_n_features(self, X, who=who)
        return X

    def _compute_dtype(self) -> Any:
        return np.float64

    def decision_function(self, X: Any) -> np.ndarray:
        """Confidence scores. Two classes: shape (m,), the score of ``classes_[1]``
        over ``classes_[0]`` (positive means ``classes_[1]``); more classes:
        shape (m, K), one column per class of ``classes_``."""
        scores = self._scores(self._input(X, "decision_function"))
        if scores.shape[1] == 1:
            return scores[:, 0]
        if scores.shape[1] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict(self, X: Any) -> np.ndarray:
        """The class of highest score for every row (two classes: score > 0 means ``classes_[1]``)."""
        scores = self._scores(self._input(X, "predict"))
        if scores.shape[1] == 1:
            best = (scores[:, 0] > 0).astype(np.intp)
        elif scores.shape[1] == 2:  # the same rule as decision_function's sign
            best = (scores[:, 1] - scores[:, 0] > 0).astype(np.intp)
        else:
            best = scores.argmax(axis=1)
        return self.classes_[best]

    def score(self, X: Any, y: Any) -> float:
        """Accuracy: the fraction of rows whose predicted class is y."""
        who = f"{type(self).__name__}.score"
        check_is_fitted(self, "score")
        X, y = check_X_y(X, y, who=who, dtype=self._compute_dtype())
        check_n_features(self, X, who=who)
        check_known_labels(y, self.classes_, who=who)
        return float(np.mean(self.predict(X) == y))

    # ----- what scikit-learn reads ------------------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        return getattr(self, "n_features_in_", None) is not None

    def __sklearn_tags__(self) -> Any:
        """The tags of scikit-learn >= 1.6. Only scikit-learn calls this, so it is importable here."""
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags
        multi_class = self._max_classes is None or self._max_classes > 2
        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags(multi_class=multi_class),
                    input_tags=InputTags(two_d_array=True))

    def _more_tags(self) -> dict[str, Any]:
        """The same for scikit-learn < 1.6."""
        tags: dict[str, Any] = {"requires_y": True, "binary_only": self._max_classes == 2}
        if self._sklearn_expected_failures:
            tags["_xfail_checks"] = dict(self._sklearn_expected_failures)
        return tags
