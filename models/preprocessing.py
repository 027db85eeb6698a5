"""Standardizing features: every column to mean 0 and standard deviation 1.

Fit on the training set only
----------------------------
The lecture's slide standardizes the test set with its own statistics::

    X_train_scaled = scaler.fit_transform(X_train.astype(np.float64))
    X_test_scaled = scaler.fit_transform(X_test.astype(np.float64))   # the slide: wrong

That is a mistake twice over: the test set's mean and spread leak into the
preprocessing (a model in use never sees a batch of future data to take
statistics from), and the model is evaluated on data scaled differently from
what it was trained on (a pixel value of 128 becomes one number in training
and another in testing). Fit on the training data, then only ``transform``::

    scaler = StandardScaler().fit(X_train)
    X_train_scaled = scaler.transform(X_train)
    X_test_scaled = scaler.transform(X_test)    # the training set's statistics

The same goes for cross-validation: fit the scaler inside each training fold.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Estimator
from .validation import check_array, check_is_fitted, check_n_features, float_dtype

__all__ = ["StandardScaler"]

# Rows are converted to float64 a block at a time while fitting: about 2 MB per block.
_BLOCK_VALUES = 1 << 18


class StandardScaler(Estimator):
    """``z = (x − mean_) / scale_`` for every column, with the statistics of the
    data given to :meth:`fit` (see the module docstring: the training set).

    ``scale_`` is the population standard deviation (divided by n, not n − 1).
    A constant column (every value equal) gets ``scale_ = 1``: it is only
    centred, to 0.

    Types: float32 data gives float32 results, float64 stays float64, and
    integers (e.g. uint8 MNIST pixels) give float64. ``fit`` converts the data
    a block of rows at a time, so it needs no float64 copy of a uint8 data
    set; ``transform`` makes exactly one array, the result. NaN and infinity
    are refused with an error naming the row and column.

    Attributes: ``mean_``, ``var_``, ``scale_`` (float64, one per column),
    ``n_features_in_``, ``n_samples_seen_``.
    """

    def __init__(self) -> None:
        pass  # no hyperparameters

    def fit(self, X: Any, y: Any = None) -> "StandardScaler":
        """Learn every column's mean and standard deviation from X (``y`` is
        ignored; it is accepted so that the scaler fits into a pipeline)."""
        X = check_array(X, who="StandardScaler.fit", dtype=None)  # any numeric type, not converted
        n, columns = X.shape
        lowest = X.min(axis=0).astype(np.float64)
        highest = X.max(axis=0).astype(np.float64)
        # Each column is divided by a power of two near its largest magnitude (which leaves every
        # value below 2): exact, and no sum or square can then overflow or underflow, even for
        # values near 1e308 or 1e-300.
        _, exponent = np.frexp(np.maximum(np.abs(lowest), np.abs(highest)))
        unit = np.ldexp(1.0, exponent - 1)
        rows = max(1, _BLOCK_VALUES // columns)
        blocks = [slice(start, start + rows) for start in range(0, n, rows)]
        mean = sum(((X[b] / unit).sum(axis=0) for b in blocks), np.zeros(columns)) / n
        # Second pass: the squared deviations from the mean. The sum of the deviations
        # (0 in exact arithmetic) corrects the rounding in the mean.
        squares, deviations = np.zeros(columns), np.zeros(columns)
        for b in blocks:
            block = X[b] / unit
            block -= mean
            deviations += block.sum(axis=0)
            block *= block
            squares += block.sum(axis=0)
        spread = np.sqrt(np.maximum((squares - deviations ** 2 / n) / n, 0.0))
        constant = lowest == highest
        mean = mean * unit
        mean[constant] = lowest[constant]  # exactly the value, so that it maps to exactly 0
        scale = spread * unit
        scale[constant] = 1.0  # a constant column is only centred, not divided by 0
        with np.errstate(over="ignore"):
            self.var_ = np.where(constant, 0.0, scale ** 2)  # inf for a spread beyond 1e154
        self.mean_, self.scale_ = mean, scale
        self.n_samples_seen_ = n
        self.n_features_in_ = columns  # last: the scaler counts as fitted from here on
        return self

    def transform(self, X: Any) -> np.ndarray:
        """X standardized with the statistics learned by :meth:`fit` (a new array)."""
        check_is_fitted(self, "transform")
        X = check_array(X, who="StandardScaler.transform", dtype=None)
        check_n_features(self, X, who="StandardScaler.transform")
        dtype = float_dtype(X)
        out = X.astype(dtype)  # the one new array; everything below works in place
        with np.errstate(over="ignore", invalid="ignore"):
            out -= self.mean_.astype(dtype)
            out /= self.scale_.astype(dtype)
            if not np.isfinite(out.sum()) and not np.isfinite(out).all():
                raise ValueError(f"StandardScaler.transform: standardizing X overflows {dtype} (values far "
                                 "outside the range seen at fit, or a float32 range too small for them)")
        return out

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``: for the training set only (for the
        test set, call :meth:`transform`)."""
        return self.fit(X, y).transform(X)
