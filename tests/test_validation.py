"""Every input check of the estimators names what is wrong."""
import numpy as np
import pytest

from models import DataConversionWarning, LogisticRegression, NotFittedError, SoftmaxRegression
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
    with pytest.raises(ValueError, match=r"X has 0 feature\(s\) \(shape=\(3, 0\)\) while a minimum of 1 is required"):
        LogisticRegression().fit(np.empty((3, 0)), [0, 1, 0])


def test_non_numeric_data():
    X = X_IRIS.astype(object)
    X[2, 0] = "five"
    with pytest.raises(ValueError, match=r"X must be numeric, got dtype object \(e.g. 'five'\)"):
        LogisticRegression().fit(X, Y_BINARY)
    with pytest.raises(ValueError, match="X must be numeric, got dtype <U"):
        LogisticRegression().fit([["a", "b"], ["c", "d"]], [0, 1])
    X[2, 0] = {"petal": 5.0}  # not a number at all: a TypeError, as numpy gives
    with pytest.raises(TypeError, match=r"X must be numeric, but the entry at row 2, column 0 is \{'petal': 5.0\} "
                                        r"of type dict \(float\(\) argument must be a string or a real number"):
        LogisticRegression().fit(X, Y_BINARY)
    X[2, 0] = "5.0"  # numbers written as text are read as numbers, like numpy's astype
    assert LogisticRegression(max_iter=5).fit(X, Y_BINARY).n_features_in_ == 4


def test_complex_data():
    with pytest.raises(ValueError, match=r"X holds complex numbers \(dtype complex128\)\. Complex data not supported"):
        LogisticRegression().fit(X_IRIS + 1j, Y_BINARY)
    with pytest.raises(ValueError, match=r"y holds complex numbers\. Complex data not supported"):
        LogisticRegression().fit(X_IRIS, Y_BINARY + 1j)


def test_sparse_input_is_refused_by_name():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match=r"X is a scipy sparse csr_matrix; sparse input is not supported: pass a dense "
                                        r"array, e.g. X.toarray\(\)"):
        LogisticRegression().fit(sparse.csr_matrix(X_IRIS), Y_BINARY)


def test_y_none_and_continuous_targets():
    with pytest.raises(ValueError, match=r"LogisticRegression.fit: y is None, but a classifier needs the labels: "
                                         r"y should be a 1d array"):
        LogisticRegression().fit(X_IRIS, None)
    y = np.linspace(0.0, 1.0, 150)  # a regression target: 150 distinct real values
    with pytest.raises(ValueError, match=r"SoftmaxRegression.fit: y holds continuous values \(e.g. 0.0067\d+ at "
                                         r"index 1\), not class labels"):
        SoftmaxRegression().fit(X_IRIS, y)
    whole = TARGET.astype(float)  # floats with whole values are class labels
    assert SoftmaxRegression(max_iter=2, tol=None).fit(X_IRIS, whole).classes_.tolist() == [0.0, 1.0, 2.0]


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
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(ValueError, match=rf"LogisticRegression.{method}: X has 3 features, but LogisticRegression "
                                             r"is expecting 4 features as input \(the number of columns it was fitted"):
            getattr(fitted, method)(X_IRIS[:, :3])
    with pytest.raises(ValueError, match="X has 3 features"):
        fitted.score(X_IRIS[:, :3], Y_BINARY)


def test_single_class_at_fit():
    with pytest.raises(ValueError, match=r"y has only one class \(0\) in 50 sample\(s\).*at least 2 classes"):
        SoftmaxRegression().fit(X_IRIS[:50], TARGET[:50])
    with pytest.raises(ValueError, match=r"y has only one class \(2\) in 1 sample\(s\)"):
        LogisticRegression().fit(X_IRIS[-1:], TARGET[-1:])


def test_logistic_regression_with_three_classes_suggests_softmax():
    with pytest.raises(ValueError, match=r"y has 3 classes \[0, 1, 2\]\. Only binary classification is supported by "
                                         r"LogisticRegression; use SoftmaxRegression for more than two classes"):
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
    flattened = r"A column-vector y was passed when a 1d array was expected: LogisticRegression.fit flattens y of " \
                r"shape \(150, 1\) to \(150,\)"
    with pytest.warns(DataConversionWarning, match=flattened):
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
    ({"verbose": 10**30}, r"verbose must fit in a 64-bit integer \(at most 2\*\*63 - 1\), got 1e\+30"),
    ({"verbose": 1.5}, r"verbose must be an integer, got 1.5 of type float"),
    ({"max_iter": True}, r"max_iter must be an integer, got True of type bool"),
    ({"max_iter": "forever"}, r"max_iter must be an integer, got 'forever'"),
    ({"batch_size": 2**70}, r"batch_size must fit in a 64-bit integer"),
    ({"C": 10**400}, r"C must be finite"),
    ({"tol": float("inf")}, r"tol must be finite, got inf"),
    ({"random_state": -1}, r"random_state must be None, an integer seed >= 0 or a numpy Generator, got -1"),
    ({"random_state": "seed"}, r"random_state must be None, an integer seed >= 0"),
    ({"solver": ["gd"]}, r"unknown solver \['gd'\]"),
    ({"dtype": "int32"}, r"dtype must be None, float64 or float32, got 'int32'"),
    ({"dtype": "no such type"}, r"dtype must be None, float64 or float32, got 'no such type'"),
])
def test_bad_hyperparameters(params, message):
    with pytest.raises(ValueError, match=message) as info:
        LogisticRegression(**params).fit(X_IRIS, Y_BINARY)
    assert "LogisticRegression" in str(info.value)


def test_softmax_only_hyperparameter():
    with pytest.raises(ValueError, match="SoftmaxRegression: average must be True or False, got 'yes'"):
        SoftmaxRegression(average="yes").fit(X_IRIS, TARGET)


def test_hyperparameters_are_not_checked_in_init():
    model = SoftmaxRegression(solver="nonsense")  # sklearn convention: checked at fit
    assert model.solver == "nonsense"


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "score", "save"])
def test_not_fitted(method, tmp_path):
    model = SoftmaxRegression()
    args = {"score": (X_IRIS, TARGET), "save": (tmp_path / "m.npz",)}.get(method, (X_IRIS,))
    message = f"SoftmaxRegression.{method}: this SoftmaxRegression has not been trained yet; call its fit"
    with pytest.raises(NotFittedError, match=message):
        getattr(model, method)(*args)
    assert not hasattr(model, "coef_")  # hasattr works: NotFittedError is also an AttributeError
