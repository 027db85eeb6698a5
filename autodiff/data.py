"""Feeding a training loop: seeded mini-batches, the MNIST arrays, a bar over epochs.

    X_train, y_train, X_test, y_test = data.load_mnist_arrays()      # the bundled sample
    loader = data.DataLoader(X_train, y_train, batch_size=64, shuffle=True, seed=0)
    for epoch in data.epochs(5):
        for X, y in loader:          # a new order every epoch, the same for the same seed
            ...

The datasets live in ``models.datasets``, which is built on autodiff; so that
importing autodiff never imports models, the MNIST functions import it when called.
"""
from __future__ import annotations

import importlib
import math
from typing import Any, Iterator

import numpy as np

from .tensor import Tensor

__all__ = ["DataLoader", "load_mnist", "load_mnist_sample", "load_mnist_arrays", "epochs"]


class DataLoader:
    """``DataLoader(*arrays, batch_size=32, shuffle=False, drop_last=False, seed=None)``:
    iterate over mini-batches of rows of arrays that share their first axis (X and y).

    Each pass (epoch) yields tuples ``(X_batch, y_batch, ...)`` of numpy arrays
    (one array alone is yielded as is). With ``shuffle`` the rows are permuted anew
    every epoch:

    * ``seed`` an int (or None: a fresh random seed, drawn once): epoch e uses the
      permutation seeded by (seed, e), so the order depends only on the seed and
      the epoch number: two loaders with the same seed agree, and ``set_epoch``
      resumes a run exactly;
    * ``seed`` a numpy Generator: each epoch draws its permutation from it.

    ``drop_last`` leaves out a last batch smaller than ``batch_size``.
    """

    def __init__(self, *arrays: Any, batch_size: int = 32, shuffle: bool = False, drop_last: bool = False,
                 seed: int | np.random.Generator | None = None):
        if not arrays:
            raise ValueError("DataLoader: give at least one array (e.g. DataLoader(X, y, batch_size=64))")
        self.arrays = tuple(_as_array(a, i) for i, a in enumerate(arrays))
        n = len(self.arrays[0])
        for i, a in enumerate(self.arrays[1:], start=1):
            if len(a) != n:
                raise ValueError(f"DataLoader: array {i} has {len(a)} rows, array 0 has {n}; "
                                 "the arrays must share their first axis")
        if n == 0:
            raise ValueError("DataLoader: the arrays have no rows")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, bool):
                raise TypeError(f"DataLoader: {name} must be True or False, got {flag!r}")
        if drop_last and batch_size > n:
            raise ValueError(f"DataLoader: with drop_last=True and batch_size={batch_size} > {n} rows "
                             "there would be no batch at all")
        if isinstance(seed, np.random.Generator):
            self.generator: np.random.Generator | None = seed
            self.seed: int | None = None
        elif seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
            self.generator = None
            # None: a seed of our own, so the epochs still differ from each other
            self.seed = int(np.random.default_rng().integers(2 ** 63)) if seed is None else int(seed)
        else:
            raise TypeError(f"DataLoader: seed must be a non-negative int, a numpy Generator or None, got {seed!r}")
        self.n_rows = n
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.epoch = 0  # the epoch the next pass runs

    def __len__(self) -> int:
        """The number of batches in an epoch."""
        if self.drop_last:
            return self.n_rows // self.batch_size
        return math.ceil(self.n_rows / self.batch_size)

    def set_epoch(self, epoch: int) -> None:
        """Make the next pass epoch ``epoch`` (with an int seed, its order is then known)."""
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"DataLoader.set_epoch: epoch must be a non-negative integer, got {epoch!r}")
        self.epoch = int(epoch)

    def order(self, epoch: int | None = None) -> np.ndarray | None:
        """The row order of an epoch (None without shuffle: rows in order). With a
        Generator this draws from it, so call it only for the epoch about to run."""
        if not self.shuffle:
            return None
        if self.generator is not None:
            return self.generator.permutation(self.n_rows)
        epoch = self.epoch if epoch is None else epoch
        assert self.seed is not None  # set whenever there is no Generator
        return np.random.default_rng([self.seed, epoch]).permutation(self.n_rows)

    def __iter__(self) -> Iterator[Any]:
        order = self.order()
        self.epoch += 1
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            stop = min(start + self.batch_size, self.n_rows)
            if order is None:  # slices: views, no copy
                batch = tuple(a[start:stop] for a in self.arrays)
            else:
                rows = order[start:stop]
                batch = tuple(a[rows] for a in self.arrays)
            yield batch[0] if len(batch) == 1 else batch

    def __repr__(self) -> str:
        seed = "Generator" if self.generator is not None else self.seed
        return (f"DataLoader({self.n_rows} rows, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, seed={seed})")


def _as_array(a: Any, i: int) -> np.ndarray:
    array = np.asarray(a.data if isinstance(a, Tensor) else a)
    if array.ndim == 0:
        raise ValueError(f"DataLoader: array {i} is a scalar; each array needs a first axis of rows")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"DataLoader: array {i} has dtype {array.dtype}; expected numbers")
    return array


# ----- MNIST ------------------------------------------------------------------------------
def _datasets() -> Any:
    """``models.datasets``, imported only now: models is built on autodiff."""
    return importlib.import_module("models.datasets")


def load_mnist(*args: Any, **kwargs: Any) -> Any:
    """``models.datasets.load_mnist``: the full MNIST, found locally or downloaded once."""
    datasets = _datasets()
    return datasets.load_mnist(*args, **kwargs)


def load_mnist_sample() -> Any:
    """``models.datasets.load_mnist_sample``: the bundled 6,000-image sample (offline)."""
    datasets = _datasets()
    return datasets.load_mnist_sample()


def load_mnist_arrays(sample: bool = True, scale: bool = True, dtype: Any = np.float64,
                      **kwargs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, y_train, X_test, y_test`` ready for a network: images as rows of 784
    pixels (``dtype``, divided by 255 into [0, 1] when ``scale``), labels as int64.
    ``sample=True``: the bundled sample (5,000 + 1,000 images); False: the full
    MNIST (60,000 + 10,000; ``kwargs`` go to ``load_mnist``: path, download...)."""
    datasets = _datasets()
    bunch = datasets.load_mnist_sample() if sample else datasets.load_mnist(**kwargs)
    X_train, X_test, y_train, y_test = datasets.train_test_split_mnist(bunch)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"load_mnist_arrays: dtype must be a float dtype, got {dtype}")
    X_train, X_test = X_train.astype(dtype), X_test.astype(dtype)
    if scale:
        X_train /= 255.0
        X_test /= 255.0
    return X_train, y_train.astype(np.int64), X_test, y_test.astype(np.int64)


# ----- progress -----------------------------------------------------------------------------
def epochs(n: int, desc: str = "epoch", progress: bool | None = None) -> Iterator[int]:
    """``range(n)`` with a progress bar on stderr (drawn only on a terminal unless
    ``progress`` is True; False: never). Uses the models package's ProgressBar."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"epochs: n must be a non-negative integer, got {n!r}")
    if progress is False:
        yield from range(n)
        return
    bar = importlib.import_module("models._progress").ProgressBar(total=n, desc=desc, enabled=progress)
    try:
        for epoch in range(n):
            yield epoch
            bar.update(1)
    finally:
        bar.close()
