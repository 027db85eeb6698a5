"""Random computation graphs built step by step by a hypothesis state machine.

The machine starts from 1-3 leaves of one small shape and applies random
unary ops (sin, tanh, sigmoid, exp∘tanh, x·x, softmax, x − mean, x·sum) and
binary ops (+, −, ·, a/(1 + b²)) to nodes drawn from a bundle, so fan-out,
reuse (a + a) and diamonds arise naturally. Every node keeps a closure that
recomputes it from the leaf values with plain numpy.

The check reduces a random weighted subset of the nodes to a scalar S,
backpropagates, and compares every leaf's .grad with the derivative of the
whole recomputed graph taken by the complex step,
    ∂S/∂x_j = Im S(x + i·h·e_j) / h,   h = 1e-30,
a finite difference without cancellation (every op used is analytic), so it is
as exact as central differences are not: the comparison is rtol 1e-9, atol
1e-12 · (scale of S). Node values are kept below 100 in magnitude (a step that
would exceed it adds nothing), so nothing overflows.
"""
from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, multiple, rule

import autodiff as ad
from autodiff import Tensor

H = 1e-30
BOUND = 100.0
RTOL = 1e-9


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


# name: (engine function on Tensors, numpy function on real or complex arrays)
UNARY = {
    "sin": (ad.sin, np.sin),
    "tanh": (ad.tanh, np.tanh),
    "sigmoid": (ad.sigmoid, _np_sigmoid),
    "exp_tanh": (lambda t: t.tanh().exp(), lambda x: np.exp(np.tanh(x))),
    "square": (lambda t: t * t, lambda x: x * x),
    "softmax": (ad.softmax, _np_softmax),
    "centre": (lambda t: t - t.mean(), lambda x: x - x.mean()),
    "scale_by_sum": (lambda t: t * t.sum(axis=-1, keepdims=True), lambda x: x * x.sum(axis=-1, keepdims=True)),
    "log_softmax": (ad.log_softmax, lambda x: x - np.log(np.exp(x).sum(axis=-1, keepdims=True))),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / (1.0 + b * b), lambda a, b: a / (1.0 + b * b)),
}


class Node:
    __slots__ = ("tensor", "recompute", "label")

    def __init__(self, tensor, recompute, label):
        self.tensor, self.recompute, self.label = tensor, recompute, label

    def __repr__(self):
        return self.label


class RandomGraph(RuleBasedStateMachine):
    nodes = Bundle("nodes")

    def __init__(self):
        super().__init__()
        self.leaves: list[Tensor] = []
        self.all_nodes: list[Node] = []

    @initialize(target=nodes, data=st.data())
    def make_leaves(self, data):
        shape = data.draw(st.sampled_from([(3,), (2, 3)]), label="shape")
        count = data.draw(st.integers(1, 3), label="leaves")
        made = []
        for i in range(count):
            value = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2)), label=f"x{i}")
            leaf = Tensor(value, requires_grad=True)
            self.leaves.append(leaf)
            made.append(self._add(Node(leaf, lambda L, i=i: L[i], f"x{i}")))
        return multiple(*made)

    def _add(self, node):
        self.all_nodes.append(node)
        return node

    def _keep(self, node):
        """A node joins the bundle only when its values are moderate."""
        if not np.all(np.abs(node.tensor.data) < BOUND):
            return multiple()
        return self._add(node)

    @rule(target=nodes, a=nodes, name=st.sampled_from(sorted(UNARY)))
    def unary(self, a, name):
        engine, numpy_fn = UNARY[name]
        return self._keep(Node(engine(a.tensor), lambda L, f=a.recompute: numpy_fn(f(L)), f"{name}({a})"))

    @rule(target=nodes, a=nodes, b=nodes, name=st.sampled_from(sorted(BINARY)))
    def binary(self, a, b, name):
        engine, numpy_fn = BINARY[name]
        return self._keep(Node(engine(a.tensor, b.tensor),
                               lambda L, f=a.recompute, g=b.recompute: numpy_fn(f(L), g(L)), f"{name}({a}, {b})"))

    @rule(data=st.data())
    def check_weighted_subset(self, data):
        chosen = data.draw(st.lists(st.sampled_from(self.all_nodes), min_size=1, max_size=4), label="subset")
        weights = data.draw(st.lists(st.floats(-2, 2), min_size=len(chosen), max_size=len(chosen)), label="weights")
        self._check(chosen, weights)

    def teardown(self):
        """At the end of every run: S = the sum of all nodes."""
        if self.all_nodes:
            self._check(self.all_nodes, [1.0] * len(self.all_nodes))

    def _check(self, chosen, weights):
        values = [leaf.data for leaf in self.leaves]
        for node in chosen:  # forward: the engine computes what numpy computes
            np.testing.assert_allclose(node.tensor.data, node.recompute(values), rtol=1e-12, atol=1e-12,
                                       err_msg=repr(node))
        total = None
        for node, w in zip(chosen, weights):
            term = node.tensor.sum() * w
            total = term if total is None else total + term
        for leaf in self.leaves:
            leaf.zero_grad()
        total.backward(retain_graph=True)  # the nodes take part in later checks too

        def S(L):
            return sum(w * node.recompute(L).sum() for node, w in zip(chosen, weights))

        scale = 1.0 + float(np.abs(S(values)))
        for i, leaf in enumerate(self.leaves):
            expected = np.zeros(leaf.shape)
            for j in range(leaf.size):
                L = [v.astype(np.complex128) for v in values]
                L[i].flat[j] += 1j * H
                expected.flat[j] = S(L).imag / H
            got = np.zeros(leaf.shape) if leaf.grad is None else leaf.grad
            np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-12 * scale,
                                       err_msg=f"d/dx{i} of {list(zip(chosen, weights))}")


RandomGraph.TestCase.settings = settings(max_examples=30, stateful_step_count=15, deadline=None)
TestRandomGraph = RandomGraph.TestCase
