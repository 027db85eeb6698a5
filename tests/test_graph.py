"""Pictures of the graph: DOT text, rendering (only with Graphviz) and the text tree."""
import re
import shutil

import numpy as np
import pytest

import autodiff as ad
from autodiff.explain import lecture_logistic_loss
from autodiff.graph import DOT_MISSING, Graph, short, to_dot, text_tree

X = np.array([1.0, 2.0, -1.0, 0.5])


def logistic(y=1.0):
    """The lecture's single-instance logistic model, written out with Tensor ops."""
    return lecture_logistic_loss(X, [0.1, -0.2, 0.3, 0.4], 0.5, y)


def nodes_and_edges(dot):
    nodes = re.findall(r"^\s+(\w+) \[label=", dot, flags=re.M)
    edges = re.findall(r"^\s+(\w+) -> (\w+)", dot, flags=re.M)
    return nodes, edges


def test_dot_of_a_known_graph():
    x = ad.Tensor(2.0, requires_grad=True, name="x")
    y = ad.sin((x + 1) ** 2)  # the lecture's chain-rule example
    dot = to_dot(y)
    nodes, edges = nodes_and_edges(dot)
    tensors = [n for n in nodes if re.fullmatch(r"t\d+", n)]
    ops = [n for n in nodes if n.endswith("_op")]
    consts = [n for n in nodes if n.startswith("c")]
    assert len(tensors) == 4 and len(ops) == 3 and len(consts) == 2  # x, add, pow, sin; constants 1 and 2
    assert len(edges) == 3 + 3 + 2  # op -> output, tensor inputs, constant inputs
    for name in ("add", "pow", "sin"):
        assert f'label="{name}"' in dot
    assert 'shape ()' in dot and "grad" not in dot  # no backward yet
    # basic DOT syntax: one digraph, balanced braces, quoted labels, every edge between declared nodes
    assert dot.startswith("digraph autodiff {") and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}") == 1
    assert all(a in nodes and b in nodes for a, b in edges)
    assert dot.count('"') % 2 == 0


def test_dot_shows_gradients_after_backward_without_touching_grad():
    L, w, b = logistic()
    assert "grad" not in to_dot(L)
    L.backward(retain_graph=True)  # the drawing walks the graph again for the inner nodes' gradients
    wgrad = w.grad.copy()
    dot = to_dot(L)
    yhat = 1 / (1 + np.exp(-(w.data @ X + b.data)))
    assert f"grad {short(yhat - 1)}" in dot  # dL/dz = dL/db = ŷ − y on the z and b nodes
    assert f"grad {short((yhat - 1) * X)}" in dot
    assert 'label="L\\nshape ()' in dot and 'label="ŷ\\nshape ()' in dot and 'label="x\\nshape (4,)' in dot
    assert to_dot(L, show_grad=False).count("grad") == 0
    np.testing.assert_array_equal(w.grad, wgrad)
    nodes, edges = nodes_and_edges(dot)
    assert len([n for n in nodes if n.endswith("_op")]) == 10  # matmul add sigmoid log mul sub log mul add neg
    assert 'label="sigmoid"' in dot and 'label="matmul"' in dot


def test_show_grad_always_and_big_arrays_abbreviated():
    a = ad.Tensor(np.arange(100.0), requires_grad=True, name="a")
    dot = to_dot(ad.mean(a * a), show_grad="always")
    assert "(100,)" in dot and "…" in dot and "grad [0, 0.02, 0.04" in dot
    assert len(dot) < 2000


def test_dot_escapes_quotes_in_names():
    a = ad.Tensor(1.0, requires_grad=True, name='say "hi"\\')
    dot = to_dot(ad.exp(a))
    assert 'say \\"hi\\"\\\\' in dot


def test_text_tree():
    L, w, b = logistic()
    tree = text_tree(L)
    lines = tree.splitlines()
    assert lines[0].startswith("L = neg ()")
    assert "└── add" in lines[1]
    assert any("ŷ = sigmoid ()" in line for line in lines)
    assert any("w (4,) = [0.1, -0.2, 0.3, 0.4]" in line for line in lines)
    assert any("ŷ (see above)" in line for line in lines)  # the fan-out is expanded once
    L.backward(retain_graph=True)
    assert "grad 1" in text_tree(L).splitlines()[0]


def test_text_tree_of_a_deep_chain_is_iterative():
    t = ad.Tensor(1.0, requires_grad=True)
    for _ in range(3000):
        t = t * 1.0
    full = text_tree(t, max_nodes=None).splitlines()  # every node, nesting cut into sections of 40 levels
    assert sum("mul () = 1" in line for line in full) == 3000
    assert sum(line.endswith("── 1") for line in full) == 3000 and sum("a1 () = 1" in line for line in full) == 1
    sections = sum(line.endswith("(continued below)") for line in full)
    assert sections == full.count("") == (3000 - 1) // 40 and len(full) == 3000 * 2 + 1 + 2 * sections
    assert max(map(len, full)) <= 4 * 40 + 30
    assert len(text_tree(t).splitlines()) == 6  # summarised: "(× 2998) mul"


def test_graph_object_without_dot(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    L, *_ = logistic()
    g = Graph(L)
    assert repr(g) == text_tree(L)
    assert g._repr_mimebundle_() == {"text/plain": text_tree(L)}
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        ad.draw(L)
    assert "graphviz" in DOT_MISSING and "to_dot" in DOT_MISSING


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_draw_renders_with_dot(tmp_path):
    L, *_ = logistic()
    L.backward(retain_graph=True)
    g = ad.draw(L, tmp_path / "graph.png")
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in g._repr_mimebundle_()["image/svg+xml"]
