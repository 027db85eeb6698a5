"""models.preprocessing.StandardScaler: the statistics (against numpy's and, where
installed, scikit-learn's), the dtypes and memory, the lecture's leak, the errors."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from models import NotFittedError
from models.preprocessing import StandardScaler

FAST = settings(max_examples=40, deadline=None)


@st.composite
def matrices(draw: st.DrawFn) -> np.ndarray:
    """Small float64 matrices of eighths in [-1000, 1000], sometimes with a constant column.
    (Well scaled: numpy's var and scikit-learn's near-constant rule are exact enough on them.)"""
    n, m = draw(st.integers(1, 25)), draw(st.integers(1, 5))
    X = draw(hnp.arrays(np.float64, (n, m), elements=st.integers(-8000, 8000).map(lambda i: i / 8)))
    if draw(st.booleans()):
        X[:, draw(st.integers(0, m - 1))] = draw(st.integers(-8000, 8000)) / 8
    return X


# ----- the statistics -------------------------------------------------------------------------------
@FAST
@given(X=matrices())
def test_statistics_are_numpys_population_mean_and_std(X: np.ndarray) -> None:
    scaler = StandardScaler().fit(X)
    np.testing.assert_allclose(scaler.mean_, X.mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scaler.var_, X.var(axis=0), rtol=1e-9, atol=1e-9)
    constant = (X == X[0]).all(axis=0)
    np.testing.assert_array_equal(scaler.scale_[constant], 1.0)  # only centred
    np.testing.assert_allclose(scaler.scale_[~constant], X.std(axis=0)[~constant], rtol=1e-9)
    Z = scaler.transform(X)
    np.testing.assert_array_equal(Z[:, constant], 0.0)
    np.testing.assert_allclose(Z, (X - scaler.mean_) / scaler.scale_, rtol=1e-12, atol=1e-12)


@FAST
@given(X=matrices())
def test_matches_sklearn(X: np.ndarray) -> None:
    skp = pytest.importorskip("sklearn.preprocessing")
    ours, theirs = StandardScaler().fit(X), skp.StandardScaler().fit(X)
    for name in ("mean_", "var_", "scale_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-9, atol=1e-9, err_msg=name)
    assert (ours.n_samples_seen_, ours.n_features_in_) == (theirs.n_samples_seen_, theirs.n_features_in_)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-9, atol=1e-9)


def test_matches_sklearn_on_uint8_images_with_blank_borders() -> None:
    skp = pytest.importorskip("sklearn.preprocessing")
    X = np.random.default_rng(0).integers(0, 256, size=(300, 64), dtype=np.uint8)
    X[:, :5] = 0  # blank border pixels, as in MNIST
    ours = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(ours, skp.StandardScaler().fit_transform(X), rtol=1e-12, atol=1e-12)
    assert ours.dtype == np.float64


def test_standardized_columns_have_mean_0_and_std_1() -> None:
    X = np.random.default_rng(2).normal(50.0, 7.0, size=(500, 3))
    Z = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(StandardScaler().fit_transform([[1, 2], [3, 4]]), [[-1, -1], [1, 1]])  # lists


@pytest.mark.parametrize("column, scale", [([1e-300, 3e-300], 1e-300), ([1e308, -1e308], 1e308),
                                           ([1.5e308, 1.5e308, 1.5e308], 1.0), ([0.0, 1e-320], 5e-321)])
def test_extreme_magnitudes(column: list, scale: float) -> None:
    """Tiny and huge columns: squares that would underflow or overflow in a naive sum do not."""
    X = np.array(column)[:, None]
    scaler = StandardScaler().fit(X)
    assert scaler.scale_[0] == pytest.approx(scale, rel=1e-12)
    Z = scaler.transform(X)
    expected = [[0.0]] * len(column) if scale == 1.0 else np.sign(X - X.mean())
    np.testing.assert_allclose(Z, expected, rtol=1e-12)


def test_values_far_outside_the_fitted_range_overflow_loudly() -> None:
    scaler = StandardScaler().fit(np.array([[-1e-300], [1e-300]]))
    with pytest.raises(ValueError, match="StandardScaler.transform: standardizing X overflows float64"):
        scaler.transform([[1e10]])


def test_large_offset_keeps_precision() -> None:
    """The second pass (deviations from the mean) keeps a small spread on a huge offset exact."""
    X = 1e9 + np.array([[1.0], [2.0], [3.0], [4.0]])
    scaler = StandardScaler().fit(X)
    assert scaler.var_[0] == pytest.approx(1.25, rel=1e-12)


# ----- types and memory ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype, expected", [(np.float32, np.float32), (np.float64, np.float64),
                                             (np.uint8, np.float64), (np.int64, np.float64), (bool, np.float64)])
def test_output_dtype(dtype: type, expected: type) -> None:
    X = np.arange(12).reshape(4, 3).astype(dtype)
    Z = StandardScaler().fit(X).transform(X)
    assert Z.dtype == expected and Z is not X
    assert X.dtype == dtype  # the input is not modified


def test_transform_makes_one_float64_array_and_fit_none() -> None:
    X = np.random.default_rng(1).integers(0, 256, size=(3000, 784), dtype=np.uint8)
    one_copy = X.size * 8  # bytes of one float64 array of X's shape
    tracemalloc.start()
    try:
        scaler = StandardScaler().fit(X)
        _, fit_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        Z = scaler.transform(X)
        _, transform_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Z.dtype == np.float64
    assert fit_peak < 0.25 * one_copy, fit_peak / one_copy
    assert transform_peak < 1.2 * one_copy, transform_peak / one_copy


def test_params_and_repr() -> None:
    scaler = StandardScaler()
    assert scaler.get_params() == {} and repr(scaler) == "StandardScaler()"
    with pytest.raises(ValueError, match=r"set_params: unknown parameter 'with_mean'; its parameters are \[\]"):
        scaler.set_params(with_mean=False)


# ----- the lecture's leak: fit_transform on the test set ---------------------------------------------
def test_fitting_on_the_test_set_leaks_and_rescales() -> None:
    """The slide refits the scaler on the test set. A rule learnt on scaled
    training data ("positive iff z > t") then meets test data on another scale,
    and its accuracy collapses; the training set's statistics keep it right."""
    rng = np.random.default_rng(0)
    x_train = rng.normal(0.0, 1.0, size=(200, 1))
    y_train = (x_train[:, 0] > 0).astype(int)
    x_test = rng.normal(1.5, 1.0, size=(200, 1))  # a test batch with more positives
    y_test = (x_test[:, 0] > 0).astype(int)
    scaler = StandardScaler().fit(x_train)
    threshold = scaler.transform(x_train)[y_train == 1].min()
    right = scaler.transform(x_test)
    leaked = StandardScaler().fit_transform(x_test)  # the slide
    assert np.mean((right[:, 0] >= threshold) == y_test) > 0.97
    assert np.mean((leaked[:, 0] >= threshold) == y_test) < 0.7
    # a single new sample, standardized with its own statistics, is 0 whatever its value
    np.testing.assert_array_equal(StandardScaler().fit_transform([[123.0]]), [[0.0]])


# ----- errors ------------------------------------------------------------------------------------------
def test_not_fitted() -> None:
    with pytest.raises(NotFittedError, match="StandardScaler.transform: this StandardScaler has not been trained yet"):
        StandardScaler().transform(np.ones((2, 2)))


def test_feature_count_mismatch() -> None:
    scaler = StandardScaler().fit(np.ones((5, 4)))
    with pytest.raises(ValueError, match="StandardScaler.transform: X has 3 features, but StandardScaler is "
                                         "expecting 4 features"):
        scaler.transform(np.ones((2, 3)))


@pytest.mark.parametrize("X, match", [
    (np.array([[1.0, np.nan], [2.0, 3.0]]), r"StandardScaler.fit: X contains NaN at row 0, column 1"),
    (np.array([[1.0, 2.0], [np.inf, 3.0]]), r"X contains inf \(infinity\) at row 1, column 0"),
    (np.ones(3), r"expected a 2-D array for X .* got a 1-D array of shape \(3,\)"),
    (np.ones((0, 3)), r"X is empty: 0 samples"),
    (np.array([["a", "b"]]), r"X must be numeric"),
    (np.ones((2, 2)) * 1j, r"Complex data not supported"),
])
def test_invalid_input(X: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        StandardScaler().fit(X)


def test_invalid_input_at_transform() -> None:
    scaler = StandardScaler().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"StandardScaler.transform: X contains NaN at row 1, column 0"):
        scaler.transform(np.array([[1.0, 2.0], [np.nan, 1.0]]))


def test_a_sum_that_overflows_is_not_mistaken_for_infinity() -> None:
    X = np.full((4, 1), 1e308)  # finite values whose sum overflows
    np.testing.assert_array_equal(StandardScaler().fit_transform(X), 0.0)
