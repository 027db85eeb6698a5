"""autodiff.data: the seeded mini-batch iterator, the MNIST arrays, the bar over epochs."""
import io
import subprocess
import sys

import numpy as np
import pytest

import autodiff as ad
from autodiff import data


def _rows(n=10, features=3):
    X = np.arange(n * features, dtype=float).reshape(n, features)
    y = np.arange(n) * 10  # y[i] identifies row i of X
    return X, y


def test_batches_cover_the_rows_in_order_without_shuffle():
    X, y = _rows(10)
    loader = data.DataLoader(X, y, batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), X)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)
    assert np.shares_memory(batches[0][0], X)  # slices, not copies


def test_drop_last():
    X, y = _rows(10)
    loader = data.DataLoader(X, y, batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(b[0]) for b in loader] == [4, 4]
    assert len(data.DataLoader(X, batch_size=5, drop_last=True)) == 2


def test_shuffle_is_a_permutation_that_keeps_rows_together_and_changes_every_epoch():
    X, y = _rows(50)
    loader = data.DataLoader(X, y, batch_size=8, shuffle=True, seed=3)
    epochs = []
    for _ in range(3):
        epochs.append(np.concatenate([b[0] for b in loader]))
    for xb in epochs:
        assert sorted(xb[:, 0].tolist()) == sorted(X[:, 0].tolist())  # every row once
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])
    for xb, yb in data.DataLoader(X, y, batch_size=8, shuffle=True, seed=3):
        np.testing.assert_array_equal(xb[:, 0], yb / 10 * 3)  # the labels travel with their rows
    assert loader.epoch == 3


def test_same_seed_same_epochs_and_set_epoch_resumes():
    X, y = _rows(30)

    def epoch_orders(loader, n):
        return [np.concatenate([b[1] for b in loader]) for _ in range(n)]
    first = epoch_orders(data.DataLoader(X, y, batch_size=7, shuffle=True, seed=11), 4)
    second = epoch_orders(data.DataLoader(X, y, batch_size=7, shuffle=True, seed=11), 4)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    resumed = data.DataLoader(X, y, batch_size=7, shuffle=True, seed=11)
    resumed.set_epoch(2)
    np.testing.assert_array_equal(epoch_orders(resumed, 1)[0], first[2])
    other = epoch_orders(data.DataLoader(X, y, batch_size=7, shuffle=True, seed=12), 1)[0]
    assert not np.array_equal(other, first[0])


def test_a_generator_is_drawn_from():
    X, y = _rows(20)
    a = data.DataLoader(X, y, batch_size=5, shuffle=True, seed=np.random.default_rng(0))
    b = data.DataLoader(X, y, batch_size=5, shuffle=True, seed=np.random.default_rng(0))
    for _ in range(2):
        np.testing.assert_array_equal(np.concatenate([t[1] for t in a]), np.concatenate([t[1] for t in b]))
    unseeded = [np.concatenate([t[1] for t in data.DataLoader(X, y, batch_size=5, shuffle=True)]) for _ in range(2)]
    assert sorted(unseeded[0]) == sorted(y)


def test_single_array_and_tensor_inputs():
    X, _ = _rows(6)
    batches = list(data.DataLoader(ad.Tensor(X), batch_size=4))
    assert isinstance(batches[0], np.ndarray) and batches[0].shape == (4, 3)
    assert "6 rows, batch_size=4" in repr(data.DataLoader(X, batch_size=4, seed=1))


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((), {}, ValueError, "at least one array"),
    ((np.ones((5, 2)), np.ones(4)), {}, ValueError, "array 1 has 4 rows, array 0 has 5"),
    ((np.ones((0, 2)),), {}, ValueError, "no rows"),
    ((np.float64(3.0),), {}, ValueError, "scalar"),
    ((np.array(["a", "b"]),), {}, TypeError, "dtype <U1"),
    ((np.ones(5),), {"batch_size": 0}, ValueError, "batch_size must be a positive integer"),
    ((np.ones(5),), {"batch_size": 2.0}, ValueError, "batch_size"),
    ((np.ones(5),), {"batch_size": 8, "drop_last": True}, ValueError, "no batch at all"),
    ((np.ones(5),), {"shuffle": 1}, TypeError, "shuffle must be True or False"),
    ((np.ones(5),), {"seed": -1}, TypeError, "seed must be"),
    ((np.ones(5),), {"seed": "abc"}, TypeError, "seed must be"),
])
def test_bad_arguments_are_named(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        data.DataLoader(*args, **kwargs)


def test_set_epoch_checks_its_argument():
    with pytest.raises(ValueError, match="epoch must be a non-negative integer"):
        data.DataLoader(np.ones(3)).set_epoch(-1)


def test_mnist_arrays_from_the_bundled_sample():
    X_train, y_train, X_test, y_test = data.load_mnist_arrays()
    assert X_train.shape == (5000, 784) and X_test.shape == (1000, 784)
    assert X_train.dtype == np.float64 and 0.0 == X_train.min() and X_train.max() == 1.0
    assert y_train.dtype == np.int64 and set(np.unique(y_train)) == set(range(10))
    raw = data.load_mnist_sample()
    np.testing.assert_array_equal(X_train * 255.0, raw.data[:5000])
    np.testing.assert_array_equal(y_test, raw.target[5000:])
    unscaled = data.load_mnist_arrays(scale=False, dtype=np.float32)[0]
    assert unscaled.dtype == np.float32 and unscaled.max() == 255.0
    with pytest.raises(TypeError, match="float dtype"):
        data.load_mnist_arrays(dtype=np.int32)


def test_importing_autodiff_does_not_import_models():
    code = "import sys, autodiff; from autodiff import nn, optim, data; print('models' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_epochs_with_and_without_a_bar(monkeypatch):
    assert list(data.epochs(3, progress=False)) == [0, 1, 2]
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    assert list(data.epochs(4, desc="training", progress=True)) == [0, 1, 2, 3]
    assert "training" in stream.getvalue() and "4/4" in stream.getvalue()
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert list(data.epochs(2)) == [0, 1]  # not a terminal: no bar
    assert quiet.getvalue() == ""
    with pytest.raises(ValueError, match="n must be a non-negative integer"):
        list(data.epochs(-1))
