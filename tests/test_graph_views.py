"""The graph views on big graphs: text that grows linearly, summaries (repeated
layers collapsed, cuts that count what they leave out), module boundaries;
and the lecture's small graphs printed exactly as before."""
import re

import numpy as np
import pytest

import autodiff as ad
from autodiff import nn, scopes
from autodiff.explain import lecture_logistic_loss
from autodiff.graph import nodes_of, text_tree, to_dot

# ----- the lecture's graphs, character for character as before the summaries ---------------
LOGISTIC_TREE = """\
L = neg () = 0.6444 grad 1
└── add () = -0.6444 grad -1
    ├── mul () = -0.6444 grad -1
    │   ├── 1
    │   └── log () = -0.6444 grad -1
    │       └── ŷ = sigmoid () = 0.525 grad -1.905
    │           └── z = add () = 0.1 grad -0.475
    │               ├── matmul () = -0.4 grad -0.475
    │               │   ├── w (4,) = [0.1, -0.2, 0.3, 0.4] grad [-0.475, -0.95, 0.475, -0.2375]
    │               │   └── x (4,) = [1, 2, -1, 0.5]
    │               └── b () = 0.5 grad -0.475
    └── mul () = 0 grad -1
        ├── 0
        └── log () = -0.7444 grad 0
            └── sub () = 0.475 grad 0
                ├── 1
                └── ŷ (see above)"""

CHAIN_RULE_DOT = """\
digraph autodiff {
  rankdir=LR;
  node [fontname="Helvetica", fontsize=11];
  edge [color="#555555", arrowsize=0.7];
  t0 [label="x\\nshape ()\\ndata 2\\ngrad -5.467", shape=box, style="rounded,filled", fillcolor="#dbe9f6"];
  t1 [label="v1\\nshape ()\\ndata 3\\ngrad -5.467", shape=box, style="rounded,filled", fillcolor="#ffffff"];
  t1_op [label="add", shape=ellipse, style=filled, fillcolor="#e8f4e0"];
  t0 -> t1_op;
  c0 [label="1", shape=box, style=filled, fillcolor="#f2f2f2", color="#aaaaaa", fontcolor="#666666", fontsize=9, height=0.2, width=0.3];
  c0 -> t1_op [color="#aaaaaa"];
  t1_op -> t1;
  t2 [label="v2\\nshape ()\\ndata 9\\ngrad -0.9111", shape=box, style="rounded,filled", fillcolor="#ffffff"];
  t2_op [label="pow", shape=ellipse, style=filled, fillcolor="#e8f4e0"];
  t1 -> t2_op [label="0", fontsize=8];
  c1 [label="2", shape=box, style=filled, fillcolor="#f2f2f2", color="#aaaaaa", fontcolor="#666666", fontsize=9, height=0.2, width=0.3];
  c1 -> t2_op [color="#aaaaaa", label="1", fontsize=8];
  t2_op -> t2;
  t3 [label="f\\nshape ()\\ndata 0.4121\\ngrad 1", shape=box, style="rounded,filled,bold", fillcolor="#fde9c9"];
  t3_op [label="sin", shape=ellipse, style=filled, fillcolor="#e8f4e0"];
  t2 -> t3_op;
  t3_op -> t3;
}
"""  # noqa: E501

CHAIN_RULE_EXPLAIN = """\
Backward pass of f, shape (), value 0.4121
each op: upstream df/d(out), the local derivative it applies, result df/d(in) = upstream · local

[1] f = sin(v2)        (sin, shape ())
    upstream  df/df = 1
    local     d(sin x)/dx = cos x
    Jacobian  Df/Dv2 (1×1) = [[-0.9111]]
    result    df/dv2 = df/df · Df/Dv2 = -0.9111   shape ()

[2] v2 = v1 ^ 2        (pow, shape ())
    upstream  df/dv2 = -0.9111
    local     ∂(xⁿ)/∂x = n·xⁿ⁻¹
    Jacobian  Dv2/Dv1 (1×1) = [[6.]]
    result    df/dv1 = df/dv2 · Dv2/Dv1 = -5.467   shape ()

[3] v1 = x + 1        (add, shape ())
    upstream  df/dv1 = -5.467
    local     ∂z/∂x = 1
    Jacobian  Dv1/Dx (1×1) = [[1.]]
    result    df/dx = df/dv1 · Dv1/Dx = -5.467   shape ()

Gradients of the leaves:
    df/dx = -5.467   shape ()"""


def chain_rule():
    x = ad.Tensor(2.0, requires_grad=True, name="x")
    f = ad.sin((x + 1) ** 2)
    f.name = "f"
    f.backward(retain_graph=True)
    return f


def test_the_lectures_graphs_print_as_before():
    L, *_ = lecture_logistic_loss(np.array([1.0, 2.0, -1.0, 0.5]), [0.1, -0.2, 0.3, 0.4], 0.5, 1.0)
    L.backward(retain_graph=True)
    assert text_tree(L) == LOGISTIC_TREE
    assert text_tree(L, max_nodes=None) == LOGISTIC_TREE
    assert to_dot(chain_rule()) == CHAIN_RULE_DOT
    assert str(ad.explain(chain_rule())) == CHAIN_RULE_EXPLAIN


# ----- linear growth -----------------------------------------------------------------------
def chain(n):
    t = ad.Tensor(1.0, requires_grad=True)
    for _ in range(n):
        t = t * 1.0
    return t


def ladder(n):
    """Every step used twice (t + 0.5·t): fan-out all the way down."""
    t = ad.Tensor(0.5, requires_grad=True)
    for _ in range(n):
        t = ad.tanh(t + t * 0.5)
    return t


def full_text(view, t):
    return str(getattr(ad, view)(t, max_nodes=None)).encode()


@pytest.mark.parametrize("view", ["text_tree", "to_dot", "explain"])
@pytest.mark.parametrize("make", [chain, ladder], ids=["chain", "ladder"])
def test_full_output_grows_linearly(view, make):
    small, big = make(1000), make(2000)
    n_small, n_big = len(nodes_of(small)), len(nodes_of(big))
    size_small, size_big = len(full_text(view, small)), len(full_text(view, big))
    assert 1.9 < size_big / size_small < 2.1  # twice the nodes, twice the text
    assert size_big / n_big < 500  # bytes per node, bounded (the 3000-level tree used to take 12 kB a node)


@pytest.mark.parametrize("view", ["text_tree", "to_dot", "explain"])
def test_summaries_of_big_graphs_stay_small(view):
    t = chain(4000)
    text = str(getattr(ad, view)(t))
    assert "(× 3998) mul" in text and len(text.encode()) < 1500
    assert str(getattr(ad, view)(chain(8000))).count("\n") == text.count("\n")


def test_text_tree_nests_at_most_40_levels():
    lines = text_tree(ladder(500), max_nodes=None).splitlines()
    assert max(len(line) for line in lines) < 4 * 41 + 60
    continued = [line.split("── ")[-1].split()[0] for line in lines if line.endswith("(continued below)")]
    sections = [line.split(" = ")[0] for line in lines if re.match(r"^v\d+ = ", line)]
    assert continued == sections and len(sections) > 10  # each deep subtree goes on in its own section


# ----- summaries: collapsed runs, cuts ----------------------------------------------------------
def test_collapsed_chain_keeps_the_gradients_exact():
    t = chain(3000)
    e = ad.explain(t)
    assert "(× 2998) mul: 2998 ops" in str(e) and "passes on dL/dv1 = 1" in str(e)
    assert len(e.steps) == 3000  # every step is still computed and kept
    leaf = nodes_of(t)[0]
    t.backward()
    np.testing.assert_array_equal(e.gradients["a1"], leaf.grad)


def test_a_node_used_elsewhere_is_never_hidden_in_a_run():
    t = ad.Tensor(1.0, requires_grad=True)
    for k in range(600):
        t = ad.exp(t * 0.001)
        if k == 300:
            middle = t
    middle.name = "middle"
    root = t + middle * 2.0  # middle is used twice
    tree = text_tree(root)
    assert "(× " in tree
    assert sum(line.split("── ")[-1].startswith("middle = exp") for line in tree.splitlines()) == 1
    assert tree.count("middle (see above)") == 1
    assert "middle" in to_dot(root) and "middle" in str(ad.explain(root))


def binary_tree(levels=4):
    """Leaves x0, x1, … combined pairwise with alternating ops: no chain to collapse."""
    layer = [ad.Tensor(float(i + 1), requires_grad=True, name=f"x{i}") for i in range(2 ** levels)]
    ops = [ad.add, ad.mul]
    while len(layer) > 1:
        layer = [ops[len(layer) % 2](a, b) for a, b in zip(layer[::2], layer[1::2])]
    return layer[0]


@pytest.mark.parametrize("max_nodes,depth", [(5, None), (9, None), (None, 1), (None, 2), (6, 2)])
def test_cuts_count_every_node_left_out(max_nodes, depth):
    root = binary_tree()
    total = len(nodes_of(root))  # 15 ops and 16 leaves
    kw = {"max_nodes": max_nodes, "depth": depth}
    tree = text_tree(root, **kw).splitlines()
    cut = sum(int(m) for line in tree for m in re.findall(r"… (\d+) more nodes?$", line))
    ops = sum(bool(re.search(r"(add|mul) \(\) =", line)) for line in tree)
    leaves = {m for line in tree for m in re.findall(r"(x\d+) \(\) =", line)}
    assert cut > 0 and ops + len(leaves) + cut == total
    if max_nodes is not None:
        assert ops <= max_nodes
    dot = to_dot(root, **kw)
    drawn = len(re.findall(r"^\s+t\d+ \[label=", dot, flags=re.M))
    cut = sum(int(m) for m in re.findall(r"… (\d+) more nodes?", dot))
    assert cut > 0 and drawn + cut == total


def test_depth_cuts_the_tree():
    tree = text_tree(chain(4000), depth=3, max_nodes=None).splitlines()
    assert len(tree) == 4 + 4 + 1  # 4 ops, their constants and the cut
    assert tree[4] == "│   │   │   ├── … 3997 more nodes"


def test_limits_are_checked():
    t = chain(3)
    for view in (ad.text_tree, ad.to_dot, ad.explain):
        with pytest.raises(ValueError, match="max_nodes must be None or an integer ≥ 1"):
            view(t, max_nodes=0)
    with pytest.raises(ValueError, match="depth must be None or an integer ≥ 0"):
        ad.text_tree(t, depth=-1)
    with pytest.raises(ValueError, match="depth"):
        ad.to_dot(t, depth=1.5)


# ----- module boundaries -------------------------------------------------------------------------
def mlp(hidden_layers=1, width=5, seed=0):
    nn.manual_seed(seed)
    layers = [nn.Linear(4, width), nn.ReLU()]
    for _ in range(hidden_layers - 1):
        layers += [nn.Linear(width, width), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(width, 3))
    X = np.random.default_rng(seed).normal(size=(6, 4))
    return model, nn.functional.cross_entropy(model(X), np.arange(6) % 3)


def test_module_boundaries_and_parameter_names():
    model, loss = mlp()
    loss.backward(retain_graph=True)
    tree = text_tree(loss)
    assert re.search(r"^└── add \(6, 3\) = .*   \[2: Linear\] \[Sequential\]$", tree, flags=re.M)
    assert re.search(r"relu \(6, 5\) = .*   \[1: ReLU\]$", tree, flags=re.M)
    for name, p in model.named_parameters():
        assert re.search(rf"── {re.escape(name)} {re.escape(str(p.shape))} = .* grad ", tree)
    dot = to_dot(loss)
    frames = re.findall(r'subgraph cluster_\d+ \{\n\s+label="([^"]+)"', dot)
    assert frames == ["Sequential", "0: Linear", "1: ReLU", "2: Linear"]
    linear0 = dot[dot.index('label="0: Linear"'):dot.index('label="1: ReLU"')]
    assert linear0.count('label="matmul"') == linear0.count('label="add"') == 1 and "0.weight" in linear0
    explanation = str(ad.explain(loss))
    for module in ("2: Linear", "1: ReLU", "0: Linear"):
        assert f"── Sequential › {module} ──" in explanation
    assert "dL/d0.weight = " in explanation


def test_repeated_layers_collapse_along_module_boundaries():
    model, loss = mlp(hidden_layers=13)
    tree = text_tree(loss, max_nodes=40)
    assert "(× 12) matmul → add → relu" in tree and "[modules 2 … 25: Linear → ReLU]" in tree
    assert "(48 ops, 24 leaves)" in tree  # 12 × (transpose, matmul, add, relu) and 12 × (weight, bias)
    dot = to_dot(loss, max_nodes=40)
    assert "(× 12) matmul → add → relu" in dot
    e = ad.explain(loss, max_nodes=40)
    loss.backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(e.gradients[name], p.grad, rtol=1e-12, atol=1e-15)


def test_recording_module_calls_can_be_switched_off():
    previous = scopes.record_module_calls(False)
    try:
        _, loss = mlp()
    finally:
        scopes.record_module_calls(previous)
    tree = text_tree(loss)
    assert "[" not in tree.replace("[0", "").split("=")[0] and "Linear" not in tree and "weight" not in tree
    assert "cluster" not in to_dot(loss)
    with pytest.raises(TypeError, match="enabled must be True or False"):
        scopes.record_module_calls("yes")


def test_module_call_records():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)
            self.drop = nn.Dropout(0.5)

        def forward(self, x):
            return self.drop(ad.tanh(self.fc(x)))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()

        def forward(self, x):
            return self.block(x) * 2.0

    net = Net().eval()  # Dropout in eval mode hands its input back: not its output
    x = ad.Tensor(np.ones((2, 3)), requires_grad=True)
    y = net(x)
    assert [c.title for c in scopes.calls_of(y)] == ["Net"]
    tanh = y.inputs[0]
    assert [c.title for c in scopes.calls_of(tanh)] == ["block: Block"]
    fc_out = tanh.inputs[0]
    [call] = scopes.calls_of(fc_out)
    assert call.title == "block.fc: Linear" and call.inputs == (x.number,) and call.parent.parent.kind == "Net"
    assert dict(call.parameters) == {"weight": net.block.fc.weight.number, "bias": net.block.fc.bias.number}
    with ad.no_grad():
        assert scopes.calls_of(net(x)) == ()  # nothing recorded without a graph

    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("broken")
    outer = nn.Sequential(nn.Linear(3, 3), Broken())
    with pytest.raises(ValueError, match="broken"):
        outer(x)
    assert [c.title for c in scopes.calls_of(nn.Linear(3, 3)(x))] == ["Linear"]  # the failed calls were left


def test_module_call_table_forgets_dead_graphs():
    layer = nn.Linear(2, 2)
    x = np.ones((1, 2))
    for _ in range(20000):
        layer(x)
    assert len(scopes._table) <= 2 * 4096 + 1


def test_a_module_frame_holds_only_what_the_call_made():
    a = ad.Tensor(1.0, requires_grad=True, name="a")
    offset = ad.exp(a)  # computed before the call, outside the module

    class Shift(nn.Module):
        def forward(self, x):
            return x + offset

    x = ad.Tensor(2.0, requires_grad=True, name="x") * 3.0
    dot = to_dot(Shift()(x))
    start = dot.index("subgraph cluster_")
    frame = dot[start:dot.index("}", start)]
    assert 'label="Shift"' in frame and 'label="add"' in frame
    assert 'label="exp"' not in frame and 'label="mul"' not in frame


def test_a_tensor_returned_by_many_calls_keeps_one_record():
    made = ad.exp(ad.Tensor(1.0, requires_grad=True))

    class Cached(nn.Module):
        def forward(self):
            return made

    cached = Cached()
    for _ in range(1000):
        cached()
    assert [c.title for c in scopes.calls_of(made)] == ["Cached"]
