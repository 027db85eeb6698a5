"""Every input check of the estimators names what is wrong."""
import numpy as np
import pytest

from models import LogisticRegression, NotFittedError, SoftmaxRegression
from models.datasets import load_iris

X_IRIS, TARGET = load_iris(return_X_y=True)
Y_BINARY = (TARGET == 2).astype(int)


@pytest.fixture(scope="module")
def fitted():
    return LogisticRegression(max_iter=50).fit(X_IRIS, Y_BINARY)


def test_length_mismatch():
    with pytest.raises(ValueError, match="X has 150 samples but y has 149 labels"):
        LogisticRegression().fit(X_IRIS, Y_BINARY[:-1])


def test_nan_names_row_and_column():
    X = X_IRIS.copy()
    X[7, 2] = np.nan
    with pytest.raises(ValueError, match="X contains NaN at row 7, column 2"):
        LogisticRegression().fit(X, Y_BINARY)


def test_inf_names_row_and_column(fitted):
    X = X_IRIS[:5].copy()
    X[3, 1] = -np.inf
    with pytest.raises(ValueError, match=r"X contains -inf \(infinity\) at row 3, column 1"):
        fitted.predict(X)


def test_nan_label():
    y = Y_BINARY.astype(float)
    y[4] = np.nan
    with pytest.raises(ValueError, match="y contains NaN at index 4"):
        LogisticRegression().fit(X_IRIS, y)


def test_empty_input():
    with pytest.raises(ValueError, match="X is empty: 0 samples"):
        LogisticRegression().fit(np.empty((0, 4)), [])
    with pytest.raises(ValueError, match="X has 0 features"):
        LogisticRegression().fit(np.empty((3, 0)), [0, 1, 0])


def test_non_numeric_data():
    X = X_IRIS.astype(object)
    X[2, 0] = "five"
    with pytest.raises(ValueError, match=r"X must be numeric, got dtype object \(e.g. 'five'\)"):
        LogisticRegression().fit(X, Y_BINARY)
    with pytest.raises(ValueError, match="X must be numeric, got dtype <U"):
        LogisticRegression().fit([["a", "b"], ["c", "d"]], [0, 1])


def test_X_not_2d(fitted):
    with pytest.raises(ValueError, match=r"expected a 2-D array for X .* got a 1-D array of shape \(4,\).*reshape",
                       ) as info:
        fitted.predict(X_IRIS[0])
    assert "X.reshape(1, -1)" in str(info.value)
    with pytest.raises(ValueError, match="got a 3-D array"):
        LogisticRegression().fit(np.zeros((2, 2, 2)), [0, 1])


def test_ragged_input():
    with pytest.raises(ValueError, match="X is not a regular array"):
        LogisticRegression().fit([[1.0, 2.0], [3.0]], [0, 1])


def test_wrong_number_of_features_at_predict(fitted):
    with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression was fitted with 4"):
        fitted.predict(X_IRIS[:, :3])
    with pytest.raises(ValueError, match="X has 3 features"):
        fitted.predict_proba(X_IRIS[:, :3])


def test_single_class_at_fit():
    with pytest.raises(ValueError, match=r"y has a single class \(0\).*at least 2 classes"):
        SoftmaxRegression().fit(X_IRIS[:50], TARGET[:50])


def test_logistic_regression_with_three_classes_suggests_softmax():
    with pytest.raises(ValueError, match="y has 3 classes .* use SoftmaxRegression"):
        LogisticRegression().fit(X_IRIS, TARGET)


def test_unseen_label_at_score(fitted):
    y = Y_BINARY.copy()
    y[10] = 5
    with pytest.raises(ValueError, match=r"y contains the label 5 \(index 10\) that was not seen at fit; "
                                         r"the classes seen at fit are \[0, 1\]"):
        fitted.score(X_IRIS, y)


def test_y_shape():
    with pytest.raises(ValueError, match=r"y must be a 1-D array of class labels, got shape \(150, 2\)"):
        LogisticRegression().fit(X_IRIS, np.zeros((150, 2)))
    model = LogisticRegression(max_iter=5).fit(X_IRIS, Y_BINARY[:, None])  # a column is accepted
    assert model.classes_.tolist() == [0, 1]


@pytest.mark.parametrize("params, message", [
    ({"learning_rate": -0.1}, r"learning_rate must be > 0, got -0.1"),
    ({"learning_rate": 0}, r"learning_rate must be > 0, got 0"),
    ({"learning_rate": float("nan")}, r"learning_rate must be finite"),
    ({"learning_rate": "fast"}, r"learning_rate must be a number, got 'fast'"),
    ({"solver": "newton"}, r"unknown solver 'newton'; choose one of \['gd', 'sgd', 'momentum', 'adam', 'lbfgs'\]"),
    ({"penalty": "l1"}, r"unknown penalty 'l1'"),
    ({"C": 0.0}, r"C must be > 0"),
    ({"max_iter": 0}, r"max_iter must be >= 1, got 0"),
    ({"max_iter": 2.5}, r"max_iter must be an integer"),
    ({"batch_size": 0}, r"batch_size must be >= 1"),
    ({"tol": -1e-3}, r"tol must be >= 0"),
    ({"n_iter_no_change": 0}, r"n_iter_no_change must be >= 1"),
    ({"momentum": 1.5}, r"momentum must be >= 0 and <= 1"),
    ({"verbose": -1}, r"verbose must be >= 0"),
    ({"dtype": "int32"}, r"dtype must be None, float64 or float32, got 'int32'"),
])
def test_bad_hyperparameters(params, message):
    with pytest.raises(ValueError, match=message) as info:
        LogisticRegression(**params).fit(X_IRIS, Y_BINARY)
    assert "LogisticRegression" in str(info.value)


def test_hyperparameters_are_not_checked_in_init():
    model = SoftmaxRegression(solver="nonsense")  # sklearn convention: checked at fit
    assert model.solver == "nonsense"


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "score", "save"])
def test_not_fitted(method, tmp_path):
    model = SoftmaxRegression()
    args = {"score": (X_IRIS, TARGET), "save": (tmp_path / "m.npz",)}.get(method, (X_IRIS,))
    with pytest.raises(NotFittedError, match=f"This SoftmaxRegression instance is not fitted yet.*'{method}'"):
        getattr(model, method)(*args)
    assert not hasattr(model, "coef_")  # hasattr works: NotFittedError is also an AttributeError
