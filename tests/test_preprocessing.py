"""Tests for models.preprocessing.StandardScaler (and models.exceptions)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from models.exceptions import NotFittedError
from models.preprocessing import StandardScaler

FAST = settings(max_examples=40, deadline=None)


@st.composite
def matrices(draw: st.DrawFn) -> np.ndarray:
    """Small float64 matrices, sometimes with a constant column."""
    n = draw(st.integers(1, 25))
    m = draw(st.integers(1, 5))
    X = draw(hnp.arrays(np.float64, (n, m),
                        elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)))
    if draw(st.booleans()):
        X[:, draw(st.integers(0, m - 1))] = draw(st.floats(-1e3, 1e3, allow_subnormal=False))
    return X


# ----------------------------------------------------------------------------
# agreement with scikit-learn
# ----------------------------------------------------------------------------


@FAST
@given(X=matrices(), with_mean=st.booleans(), with_std=st.booleans())
def test_matches_sklearn(X: np.ndarray, with_mean: bool, with_std: bool) -> None:
    skp = pytest.importorskip("sklearn.preprocessing")
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    ref = skp.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    for name in ("mean_", "var_", "scale_"):
        a, b = getattr(ours, name), getattr(ref, name)
        if b is None:
            assert a is None, name
        else:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, err_msg=name)
    assert ours.n_samples_seen_ == ref.n_samples_seen_
    assert ours.n_features_in_ == ref.n_features_in_
    Z = ours.transform(X)
    np.testing.assert_allclose(Z, ref.transform(X), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z),
                               rtol=1e-9, atol=1e-6)


def test_matches_sklearn_on_uint8_images() -> None:
    skp = pytest.importorskip("sklearn.preprocessing")
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(300, 64), dtype=np.uint8)
    X[:, :5] = 0  # blank border pixels, like MNIST
    ours, ref = StandardScaler().fit(X), skp.StandardScaler().fit(X)
    np.testing.assert_allclose(ours.scale_, ref.scale_, rtol=1e-12)
    np.testing.assert_array_equal(ours.scale_[:5], 1.0)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------
# behaviour
# ----------------------------------------------------------------------------


def test_standardizes_columns() -> None:
    X = np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0], [5.0, 50.0, 5.0]])
    sc = StandardScaler()
    Z = sc.fit_transform(X)
    np.testing.assert_allclose(sc.mean_, [3.0, 30.0, 5.0])
    np.testing.assert_allclose(sc.var_, [8 / 3, 800 / 3, 0.0])
    np.testing.assert_allclose(sc.scale_, [np.sqrt(8 / 3), np.sqrt(800 / 3), 1.0])  # 0 -> 1
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(Z.std(axis=0), [1.0, 1.0, 0.0])
    np.testing.assert_allclose(sc.inverse_transform(Z), X)
    assert sc.n_samples_seen_ == 3 and sc.n_features_in_ == 3


def test_no_centering_no_scaling() -> None:
    X = np.arange(6.0).reshape(3, 2)
    sc = StandardScaler(with_mean=False, with_std=False).fit(X)
    assert sc.mean_ is None and sc.var_ is None and sc.scale_ is None
    np.testing.assert_array_equal(sc.transform(X), X)
    sc = StandardScaler(with_mean=False).fit(X)
    np.testing.assert_allclose(sc.transform(X), X / X.std(axis=0))


@pytest.mark.parametrize("dtype, expected", [
    (np.uint8, np.float64), (np.int64, np.float64), (np.bool_, np.float64),
    (np.float16, np.float64), (np.float32, np.float32), (np.float64, np.float64),
])
def test_output_dtype_like_sklearn(dtype: type, expected: type) -> None:
    X = (np.arange(12).reshape(4, 3) % 2).astype(dtype)
    sc = StandardScaler().fit(X)
    assert sc.mean_.dtype == np.float64 and sc.scale_.dtype == np.float64
    assert sc.transform(X).dtype == expected
    assert sc.inverse_transform(sc.transform(X)).dtype == expected


def test_copy_semantics() -> None:
    X = np.array([[1.0, 2.0], [3.0, 6.0]])
    original = X.copy()
    Z = StandardScaler().fit(X).transform(X)
    np.testing.assert_array_equal(X, original)  # default copy=True: input untouched
    assert not np.shares_memory(Z, X)
    sc = StandardScaler(copy=False).fit(X)
    Z = sc.transform(X)
    assert np.shares_memory(Z, X)  # in place on a writeable float64 array
    Z2 = StandardScaler().fit(original).transform(original, copy=False)
    assert np.shares_memory(Z2, original)
    readonly = np.array([[1.0, 2.0], [3.0, 4.0]])
    readonly.flags.writeable = False
    assert not np.shares_memory(sc.fit(readonly).transform(readonly), readonly)
    out = StandardScaler().fit_transform([[1, 2], [3, 4]])  # lists work
    np.testing.assert_allclose(out, [[-1, -1], [1, 1]])


def test_transform_makes_one_float64_copy_and_fit_none() -> None:
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, size=(3000, 784), dtype=np.uint8)
    full = X.size * 8  # bytes of one float64 copy
    tracemalloc.start()
    try:
        sc = StandardScaler().fit(X)
        _, fit_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        Z = sc.transform(X)
        _, transform_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert Z.dtype == np.float64
    assert fit_peak < 0.25 * full, fit_peak / full
    assert transform_peak < 1.2 * full, transform_peak / full


def test_params() -> None:
    sc = StandardScaler(with_mean=False)
    assert sc.get_params() == {"with_mean": False, "with_std": True, "copy": True}
    assert sc.set_params(with_std=False) is sc and sc.with_std is False
    assert type(sc)(**sc.get_params()).get_params() == sc.get_params()
    assert repr(sc) == "StandardScaler(with_mean=False, with_std=False)"
    with pytest.raises(ValueError, match="Invalid parameter 'with_median'"):
        sc.set_params(with_median=True)
    with pytest.raises(ValueError, match="with_mean must be True or False"):
        StandardScaler(with_mean="yes").fit(np.ones((2, 2)))


# ----------------------------------------------------------------------------
# the lecture's leak: fit_transform on the test set
# ----------------------------------------------------------------------------


def test_fitting_on_test_set_leaks_and_rescales() -> None:
    """The lecture's slide refits the scaler on the test set. A model that
    learned "positive iff x > 0" on scaled training data is then applied to
    test data on another scale, and its test accuracy collapses; fitting on
    the training set only keeps it correct."""
    rng = np.random.default_rng(0)
    x_train = rng.normal(0.0, 1.0, size=(200, 1))
    y_train = (x_train[:, 0] > 0).astype(int)
    x_test = rng.normal(1.5, 1.0, size=(200, 1))  # test batch skewed to positives
    y_test = (x_test[:, 0] > 0).astype(int)

    scaler = StandardScaler()
    z_train = scaler.fit_transform(x_train)
    threshold = z_train[y_train == 1].min()  # learned rule on the scaled training data

    right = scaler.transform(x_test)                # training statistics
    leaked = StandardScaler().fit_transform(x_test)  # the slide: refit on the test set
    acc_right = np.mean((right[:, 0] >= threshold) == y_test)
    acc_leaked = np.mean((leaked[:, 0] >= threshold) == y_test)
    assert acc_right > 0.97
    assert acc_leaked < 0.7
    # The refitted scaler used the test set's own statistics...
    assert not np.allclose(StandardScaler().fit(x_test).mean_, scaler.mean_, atol=0.5)
    # ... and a single new sample would be mapped to 0 whatever its value.
    np.testing.assert_array_equal(StandardScaler().fit_transform([[123.0]]), [[0.0]])


# ----------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------


def test_not_fitted() -> None:
    for method in ("transform", "inverse_transform"):
        with pytest.raises(NotFittedError, match=f"not fitted yet.*before calling '{method}'"):
            getattr(StandardScaler(), method)(np.ones((2, 2)))
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def test_feature_count_mismatch() -> None:
    sc = StandardScaler().fit(np.ones((5, 4)))
    with pytest.raises(ValueError, match="X has 3 features, but StandardScaler was fitted with 4"):
        sc.transform(np.ones((5, 3)))
    with pytest.raises(ValueError, match="X has 5 features"):
        sc.inverse_transform(np.ones((1, 5)))


@pytest.mark.parametrize("X, match", [
    (np.ones(4), r"2-D array, got a 1-D array of shape \(4,\).*reshape\(-1, 1\)"),
    (np.ones((2, 2, 2)), "got a 3-D array"),
    (np.ones((0, 3)), "at least 1 sample"),
    (np.ones((3, 0)), "at least 1 feature"),
    (np.array([[1.0, np.nan], [2.0, 3.0]]), r"contains NaN \(first NaN at row 0, column 1\)"),
    (np.array([[1.0, 2.0], [np.inf, 3.0]]), r"contains infinity \(first infinity at row 1, col"),
    (np.array([[np.nan, np.inf]], dtype=np.float32), "contains NaN and infinity"),
    (np.array([["a", "b"]]), "could not be converted to float64"),
    (np.ones((2, 2), dtype=complex), "does not support complex"),
])
def test_invalid_input(X: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        StandardScaler().fit(X)


def test_invalid_input_at_transform() -> None:
    sc = StandardScaler().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="contains NaN"):
        sc.transform(np.array([[0.0, np.nan]]))


def test_overflowing_sum_is_not_mistaken_for_infinity() -> None:
    X = np.full((4, 1), np.finfo(np.float32).max, dtype=np.float32)
    Z = StandardScaler().fit_transform(X)  # the float32 sum overflows, the values are finite
    assert np.isfinite(Z).all()
