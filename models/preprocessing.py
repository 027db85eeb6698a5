"""Feature scaling: a small numpy version of scikit-learn's ``StandardScaler``.

Fit the scaler on the training data only
----------------------------------------
The lecture's slide fits the scaler on the test set as well::

    X_train_scaled = scaler.fit_transform(X_train.astype(np.float64))
    X_test_scaled = scaler.fit_transform(X_test.astype(np.float64))   # wrong

This is a mistake, for two reasons:

* it **leaks information from the test set** into preprocessing: the test
  set's own mean and standard deviation are used, which a model in
  production never has (a single new sample has no useful statistics), and
* the model is **evaluated on differently scaled data than it was trained
  on**: a pixel value of 128 maps to one number in training and to another
  in testing, so the learned weights are applied to inputs on another scale.

Fit on the training data only, then call ``transform`` (not
``fit_transform``) on the test set::

    scaler = StandardScaler()
    X_train_scaled = scaler.fit_transform(X_train)
    X_test_scaled = scaler.transform(X_test)      # training statistics

The same holds inside cross-validation: the scaler must be fitted on each
training fold, never on the whole data set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Estimator
from .exceptions import NotFittedError

__all__ = ["StandardScaler"]

# Rows per chunk when fitting: about 2**18 float64 values (2 MB) at a time.
_CHUNK_VALUES = 1 << 18


def _first_non_finite(X: np.ndarray) -> tuple[str, int, int] | None:
    """Return (kind, row, column) of the first NaN or infinity in X, or None."""
    bad = ~np.isfinite(X)
    if not bad.any():
        return None
    row, col = (int(i) for i in np.argwhere(bad)[0])
    kind = "NaN" if np.isnan(X[row, col]) else "infinity"
    return kind, row, col


def _check_finite(X: np.ndarray, owner: str) -> None:
    """Raise a ValueError naming the first NaN or infinity in a float array X."""
    if X.dtype.kind != "f":
        return  # integers and booleans are always finite
    with np.errstate(over="ignore", invalid="ignore"):
        total = X.sum()  # fast path: one pass, no temporary
    if np.isfinite(total):
        return
    found = _first_non_finite(X)
    if found is None:
        return  # the sum overflowed, but every value is finite
    kind, row, col = found
    has_nan = bool(np.isnan(X).any())
    has_inf = bool(np.isinf(X).any())
    what = " and ".join(w for w, present in (("NaN", has_nan), ("infinity", has_inf)) if present)
    raise ValueError(
        f"Input X contains {what} (first {kind} at row {row}, column {col}); "
        f"{owner} needs finite values: impute or drop missing values first."
    )


def _check_array(X: Any, owner: str) -> tuple[np.ndarray, bool]:
    """Validate X as a non-empty 2-D numeric array with finite values.

    Returns the array (no copy when X already is an ndarray) and whether it is
    a fresh array that the caller may modify in place.
    """
    fresh = not isinstance(X, np.ndarray)
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{owner} expects a 2-D numeric array; could not convert X: "
                         f"{exc}") from None
    if arr.dtype.kind in "OUSV":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{owner} expects numeric data, but X has dtype {arr.dtype} that could not be "
                f"converted to float64: {exc}"
            ) from None
        fresh = True
    if arr.dtype.kind == "c":
        raise ValueError(f"{owner} does not support complex data (X has dtype {arr.dtype}).")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{owner} expects numeric data, but X has dtype {arr.dtype}.")
    if arr.ndim != 2:
        hint = ""
        if arr.ndim == 1:
            hint = (" Reshape your data with X.reshape(-1, 1) if it has a single feature "
                    "or X.reshape(1, -1) if it contains a single sample.")
        raise ValueError(f"{owner} expects a 2-D array, got a {arr.ndim}-D array of shape "
                         f"{arr.shape}.{hint}")
    if arr.shape[0] == 0:
        raise ValueError(f"{owner} needs at least 1 sample, but X has shape {arr.shape}.")
    if arr.shape[1] == 0:
        raise ValueError(f"{owner} needs at least 1 feature, but X has shape {arr.shape}.")
    _check_finite(arr, owner)
    return arr, fresh


def _working_copy(arr: np.ndarray, fresh: bool, copy: bool) -> np.ndarray:
    """A float array to scale in place, with at most one new copy.

    float32 and float64 keep their dtype (as in scikit-learn); every other
    dtype (integers, uint8 images, booleans, float16) becomes float64.
    """
    if arr.dtype in (np.float32, np.float64):
        if (fresh or not copy) and arr.flags.writeable:
            return arr
        return arr.copy()
    return arr.astype(np.float64)  # the one copy (float64, C order)


class StandardScaler(Estimator):
    """Standardize features: ``z = (x - mean_) / scale_``, column by column.

    The mean and (population, ``ddof=0``) standard deviation are those of the
    data passed to :meth:`fit`. **Fit on the training data only** and use
    :meth:`transform` on validation and test data: the lecture's slide calls
    ``fit_transform`` on the test set too
    (``X_test_scaled = scaler.fit_transform(X_test...)``), which leaks
    information from the test set into preprocessing and evaluates the model
    on differently scaled data than it was trained on. See the module
    docstring for the correct pattern.

    Parameters
    ----------
    with_mean : bool, default True
        Subtract the mean of each feature.
    with_std : bool, default True
        Divide by the standard deviation of each feature. Features with zero
        (or numerically zero) variance get ``scale_ = 1``, so they are only
        centred, as in scikit-learn.
    copy : bool, default True
        If False and X is already a writeable float32/float64 array,
        :meth:`transform` and :meth:`inverse_transform` work in place.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or None
        Per-feature mean (float64); None when ``with_mean`` and ``with_std``
        are both False.
    var_ : ndarray of shape (n_features,) or None
        Per-feature variance (float64); None when ``with_std`` is False.
    scale_ : ndarray of shape (n_features,) or None
        Per-feature scale, ``sqrt(var_)`` with zeros replaced by 1; None when
        ``with_std`` is False.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.
    n_samples_seen_ : int
        Number of samples seen in :meth:`fit`.

    Notes
    -----
    Dtypes follow scikit-learn: float32 input gives float32 output, float64
    stays float64, and integer input (e.g. uint8 MNIST pixels) gives float64.
    :meth:`transform` makes exactly one float copy and scales it in place, so
    a (60000, 784) uint8 array costs one float64 array (376 MB), not several;
    :meth:`fit` streams over row blocks and makes no full-size copy at all.
    Unlike scikit-learn, NaN and infinity are rejected with a ValueError.
    """

    def __init__(self, with_mean: bool = True, with_std: bool = True, copy: bool = True) -> None:
        self.with_mean = with_mean
        self.with_std = with_std
        self.copy = copy


    def _check_params(self) -> None:
        for name in ("with_mean", "with_std", "copy"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"StandardScaler parameter {name} must be True or False, "
                                 f"got {getattr(self, name)!r}.")

    # ------------------------------------------------------------------- fit
    def fit(self, X: Any, y: Any = None) -> "StandardScaler":
        """Compute the per-feature mean and standard deviation of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (finite, numeric). Not modified and not copied.
        y : ignored
            Accepted for pipeline compatibility.

        Returns
        -------
        self
        """
        self._check_params()
        X, _ = _check_array(X, "StandardScaler")
        n_samples, n_features = X.shape

        mean: np.ndarray | None = None
        var: np.ndarray | None = None
        scale: np.ndarray | None = None
        if self.with_mean or self.with_std:
            # float64 accumulation without a full-size float64 copy of X.
            mean = np.sum(X, axis=0, dtype=np.float64) / n_samples
        if self.with_std:
            assert mean is not None
            # Corrected two-pass algorithm (Chan, Golub & LeVeque), as in
            # scikit-learn, streamed over row blocks to bound memory.
            rows = max(1, _CHUNK_VALUES // n_features)
            correction = np.zeros(n_features)
            sum_sq = np.zeros(n_features)
            for start in range(0, n_samples, rows):
                d = X[start:start + rows].astype(np.float64)
                d -= mean
                correction += d.sum(axis=0)
                d *= d
                sum_sq += d.sum(axis=0)
                del d  # free this block before the next one is made
            var = np.maximum((sum_sq - correction ** 2 / n_samples) / n_samples, 0.0)
            # A feature is constant when its variance is within the rounding
            # error bound of the algorithm; such features are only centred.
            eps = np.finfo(np.float64).eps
            constant = var <= n_samples * eps * var + (n_samples * mean * eps) ** 2
            scale = np.sqrt(var)
            scale[constant] = 1.0

        self.mean_ = mean
        self.var_ = var
        self.scale_ = scale
        self.n_features_in_ = int(n_features)
        self.n_samples_seen_ = int(n_samples)
        return self

    # ------------------------------------------------------------- transform
    def _check_fitted_input(self, X: Any, method: str) -> tuple[np.ndarray, bool]:
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(
                f"This StandardScaler instance is not fitted yet. Call 'fit' with the training "
                f"data before calling '{method}'.")
        self._check_params()
        arr, fresh = _check_array(X, "StandardScaler")
        if arr.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {arr.shape[1]} features, but StandardScaler was fitted with "
                             f"{self.n_features_in_} features.")
        return arr, fresh

    def transform(self, X: Any, copy: bool | None = None) -> np.ndarray:
        """Standardize X with the statistics learned in :meth:`fit`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to scale, e.g. the **test set** (scaled with the training
            statistics; do not refit on it).
        copy : bool or None
            Overrides the ``copy`` parameter for this call.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            float32 for float32 input, float64 otherwise.
        """
        arr, fresh = self._check_fitted_input(X, "transform")
        out = _working_copy(arr, fresh, self.copy if copy is None else bool(copy))
        if self.with_mean:
            out -= self.mean_.astype(out.dtype, copy=False)
        if self.with_std:
            out /= self.scale_.astype(out.dtype, copy=False)
        return out

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit to X, then transform X. Use it on the training set only.

        For the test set call :meth:`transform`: refitting on the test set
        leaks its statistics into preprocessing and scales it differently
        from the data the model was trained on.
        """
        return self.fit(X, y).transform(X)

    def inverse_transform(self, X: Any, copy: bool | None = None) -> np.ndarray:
        """Undo :meth:`transform`: ``X * scale_ + mean_`` (same dtype rules)."""
        arr, fresh = self._check_fitted_input(X, "inverse_transform")
        out = _working_copy(arr, fresh, self.copy if copy is None else bool(copy))
        if self.with_std:
            out *= self.scale_.astype(out.dtype, copy=False)
        if self.with_mean:
            out += self.mean_.astype(out.dtype, copy=False)
        return out
