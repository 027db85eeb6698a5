"""Graphs are freed by reference counting as soon as the last user reference
goes (no reference cycles, so no garbage-collector pass is needed), and memory
stays flat over a long training loop.

The cycle tests run with the collector disabled: an object that only a gc
pass could free would still be alive when the weakref is checked. Afterwards
gc.collect() must find nothing (0 unreachable objects) and gc.garbage stays
empty.

The training loop is the lecture's Iris logistic regression (lr 0.1, w = 0,
b = 0); its costs at iterations 1000 and 2000 are the lecture's printed
0.126957 and 0.099479, which also checks that the loop trains. Memory growth
between iteration 500 and the end is measured with tracemalloc: current and
peak must stay under 100 KB (one iteration's graph is about 15 KB; a leak of
one 150-float array per iteration would be 1.8 MB).
"""
from __future__ import annotations

import gc
import tracemalloc
import weakref
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

import autodiff as ad
from autodiff import Tensor

IRIS = Path(__file__).resolve().parents[1] / "models" / "data" / "iris.csv"
GROWTH_BOUND = 100_000  # bytes


@contextmanager
def gc_disabled():
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _no_cycles_left():
    assert gc.collect() == 0, "objects were only freed by the cycle collector: the graph holds a reference cycle"
    assert gc.garbage == []


def _rng_data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), np.array([0, 2, 1, 1, 0, 2])


def _cached_arrays(op):
    """The arrays a loss op keeps from its forward for its backward."""
    cache = getattr(op, "cache", None)
    items = cache if isinstance(cache, tuple) else (cache,)
    return [a for a in items if isinstance(a, np.ndarray)]


GRAPHS = {
    "arithmetic": lambda x, w, labels: ((x @ w) * 2.0 - 1.0).sum() / 3.0,
    "elementwise": lambda x, w, labels: ((x @ w).sin().exp().tanh().sigmoid() ** 2).sqrt().abs().relu().mean(),
    "cross_entropy_labels": lambda x, w, labels: ad.cross_entropy(x @ w, labels),
    "cross_entropy_onehot": lambda x, w, labels: ad.cross_entropy(x @ w, np.eye(3)[labels]),
    "bce_with_logits": lambda x, w, labels: ad.binary_cross_entropy_with_logits(x @ w, np.eye(3)[labels]),
    "bce": lambda x, w, labels: ad.binary_cross_entropy((x @ w).sigmoid(), np.eye(3)[labels]),
    "softmax_indexing": lambda x, w, labels: -ad.log((x @ w).softmax()[np.arange(6), labels]).sum(),
    "reductions": lambda x, w, labels: (x @ w).logsumexp(axis=1).sum() + (x @ w).max(axis=0).sum()
    + (x @ w).log_softmax().mean(),
    "shapes": lambda x, w, labels: (x @ w).T.reshape(2, 9).swapaxes(0, 1).broadcast_to((2, 9, 2)).sum(),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("run_backward", [False, True])
def test_graph_is_freed_when_the_loss_goes_without_gc(name, run_backward):
    X, W, labels = _rng_data()
    with gc_disabled():
        x = Tensor(X)
        w = Tensor(W, requires_grad=True)
        loss = GRAPHS[name](x, w, labels)
        assert loss.requires_grad
        # every tensor and op of the graph, and their arrays
        nodes, stack = [], [loss]
        while stack:
            t = stack.pop()
            if t is not w and t.op is not None:
                nodes.append(t)
                stack.extend(i for i in t.inputs if isinstance(i, Tensor))
        assert len(nodes) >= 2
        refs = [weakref.ref(t) for t in nodes]  # (ops have __slots__ without __weakref__)
        arrays = [t.data for t in nodes] + [a for t in nodes for a in _cached_arrays(t.op)]
        array_refs = [weakref.ref(a) for a in arrays if type(a) is np.ndarray and a.base is None]  # (0-d results are numpy scalars)
        del arrays
        assert array_refs
        if run_backward:
            loss.backward()
            assert w.grad is not None
        del t, stack, nodes
        assert all(r() is not None for r in refs)  # the loss still holds them
        del loss
        alive = [r() for r in refs + array_refs if r() is not None]
        assert not alive, f"{len(alive)} graph objects outlived the loss, e.g. {alive[0]!r}"
        assert w.grad is None or w.grad.shape == W.shape  # the leaf and its grad are untouched
    _no_cycles_left()


def test_create_graph_gradients_are_freed_without_gc():
    with gc_disabled():
        x = Tensor(np.array([0.3, -0.2]), requires_grad=True)
        y = (x.sin() * x).sum()
        (g,) = ad.gradients(y, [x], create_graph=True)
        refs = [weakref.ref(y), weakref.ref(g), weakref.ref(g.data)]
        (h,) = ad.gradients(g.sum(), [x])
        del y, g
        assert all(r() is None for r in refs)
        assert x.grad is None
    _no_cycles_left()
    np.testing.assert_allclose(h, 2 * np.cos([0.3, -0.2]) - np.array([0.3, -0.2]) * np.sin([0.3, -0.2]), rtol=1e-14)


def test_hessian_and_jacobian_leave_no_garbage():
    X, W, labels = _rng_data()
    with gc_disabled():
        H = ad.hessian(lambda w: ad.cross_entropy(X @ w.reshape(4, 3), labels))(W.ravel())
        Jm = ad.jacobian(lambda w: (X @ w).softmax())(W)
        _, jt = ad.jvp(lambda w: (X @ w).tanh(), (W,), (np.ones_like(W),))
    _no_cycles_left()
    assert H.shape == (12, 12) and Jm.shape == (6, 3, 4, 3) and jt.shape == (6, 3)


def test_backward_create_graph_cycle_is_broken_by_zero_grad():
    """backward(create_graph=True) stores a Tensor in x.grad whose graph leads
    back to x (as in PyTorch): x → x.grad → … → x is a cycle by construction.
    zero_grad() breaks it, after which the graph goes without gc."""
    with gc_disabled():
        x = Tensor(0.5, requires_grad=True)
        y = x.sin() * x
        y.backward(create_graph=True)
        ref = weakref.ref(x.grad)
        del y
        x.zero_grad()
        assert ref() is None
    _no_cycles_left()


# ----- a long training loop ------------------------------------------------------------------------------------------
def _train_iris(iterations: int, measure_from: int):
    data = np.loadtxt(IRIS, skiprows=1, delimiter=",")
    X, y = data[:, :4], (data[:, 4] == 2).astype(np.float64)
    w = Tensor(np.zeros(4), requires_grad=True)
    b = Tensor(0.0, requires_grad=True)
    costs = {}
    growth = None
    tracemalloc.start()
    try:
        for i in range(iterations + 1):
            if i == measure_from:
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
            loss = ad.binary_cross_entropy_with_logits(X @ w + b, y)
            loss.backward()
            if i % 1000 == 0:
                costs[i] = loss.item()
            w.data -= 0.1 * w.grad
            b.data -= 0.1 * b.grad
            w.zero_grad()
            b.zero_grad()
        current, peak = tracemalloc.get_traced_memory()
        growth = (current - base, peak - base)
    finally:
        tracemalloc.stop()
    with ad.no_grad():
        accuracy = np.mean(((X @ w + b).data > 0) == (y == 1)) * 100
    return costs, growth, w.data, b.item(), accuracy


def test_memory_stays_flat_over_2000_iterations():
    costs, (current, peak), _, _, _ = _train_iris(2000, measure_from=500)
    assert current < GROWTH_BOUND, f"memory grew by {current} bytes between iteration 500 and 2000"
    assert peak < GROWTH_BOUND, f"peak memory rose by {peak} bytes between iteration 500 and 2000"
    # the lecture's printed costs (6 decimals)
    np.testing.assert_allclose([costs[0], costs[1000], costs[2000]], [0.693147, 0.126957, 0.099479], atol=5e-7, rtol=0)


@pytest.mark.slow
def test_memory_stays_flat_over_50000_iterations():
    costs, (current, peak), w, b, accuracy = _train_iris(50_000, measure_from=1000)
    assert current < GROWTH_BOUND, f"memory grew by {current} bytes between iteration 1000 and 50000"
    assert peak < GROWTH_BOUND, f"peak memory rose by {peak} bytes between iteration 1000 and 50000"
    lecture = {10_000: 0.066390, 20_000: 0.058997, 30_000: 0.055479}
    np.testing.assert_allclose([costs[i] for i in lecture], list(lecture.values()), atol=5e-7, rtol=0)
    # The lecture prints 0.053218 at iteration 40000, but its own numpy loop run on this Iris
    # gives 0.05321022 (as do we): a misprint in the slide, so that value is checked loosely.
    np.testing.assert_allclose(costs[40_000], 0.053218, atol=1e-5, rtol=0)
    np.testing.assert_allclose(costs[40_000], 0.05321022135845181, atol=1e-12, rtol=0)
    assert accuracy == 98.0
