"""Pictures of the computational graph: Graphviz DOT text, rendered images and
a plain-text tree for terminals.

    >>> import autodiff as ad
    >>> x = ad.Tensor(2.0, requires_grad=True, name="x")
    >>> y = ad.sin((x + 1) ** 2)
    >>> print(ad.text_tree(y))            # doctest: +SKIP
    sin () = 0.4121
    └── pow () = 9
        ├── add () = 3
        │   ├── x () = 2
        │   └── 1
        └── 2

``to_dot`` needs nothing but this module; ``draw`` (and the inline pictures in
Jupyter) run Graphviz's ``dot`` program when it is installed.

One node per tensor (its name or op, shape, value and, after ``backward``, its
gradient), one node per op (the op's name), and small grey nodes for the
constants (numbers and arrays that take part without requiring a gradient).
The gradients shown on every node are those of the graph's output, computed
afresh here (``backward`` keeps ``.grad`` only on leaves), so drawing never
changes any ``.grad``.

Big graphs (more than ``max_nodes`` nodes) are summarised, and the ops of
``nn`` modules are shown inside their module: see ``graph_summary``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from .engine import GraphFreedError, backpropagate
from .graph_summary import INDENT_CAP, GraphView, common_call, more_nodes
from .tensor import Tensor

__all__ = ["to_dot", "draw", "text_tree", "Graph", "dot_available"]

DOT_MISSING = ("Graphviz's `dot` is not installed: apt-get install graphviz / brew install graphviz; "
               "to_dot(t) gives the DOT text")
MAX_NODES = 200   # a graph of more nodes is summarised by the views (repeats collapsed, then cut)
FORMATS = ("svg", "png", "pdf", "jpg", "jpeg", "gif", "ps", "eps", "dot", "json")


# ----- shared helpers (explain.py uses them too) --------------------------------------
def short(value: Any, max_elements: int = 4, precision: int = 4) -> str:
    """A number or array as short text: all elements when few, else the first few
    and the shape (``[0.1, 0.2, 0.3, … ] (784,)``)."""
    a = np.asarray(value)
    if a.ndim == 0:
        return _number(a.item(), precision)
    flat = a.ravel()
    if a.size <= max_elements:
        body = np.array2string(a, precision=precision, separator=", ", suppress_small=False,
                               formatter={"float_kind": lambda v: _number(v, precision)})
        return " ".join(body.split())
    head = ", ".join(_number(v, precision) for v in flat[:max(1, max_elements - 1)])
    return f"[{head}, … ] {a.shape}"


def _number(v: Any, precision: int = 4) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    v = float(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{precision}g}"


def is_constant(x: Any) -> bool:
    """True for an op input that takes part as a constant: a number, an array, or
    a Tensor that requires no gradient and was not made by an op."""
    return not isinstance(x, Tensor) or (not x.requires_grad and x.op is None and not x.name)


def nodes_of(root: Tensor) -> list[Tensor]:
    """Every Tensor the root was computed from (leaves included, constants not),
    inputs before the ops that use them. Iterative: deep chains are fine."""
    seen: dict[int, Tensor] = {}
    order: list[Tensor] = []
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen[id(t)] = t
        stack.append((t, True))
        for x in reversed(t.inputs):
            if isinstance(x, Tensor) and not is_constant(x) and id(x) not in seen:
                stack.append((x, False))
    return order


class Labels:
    """Readable names for the tensors of a graph: a tensor's own ``name``, else
    v1, v2, … for unnamed op outputs (in the order they were computed, as in an
    evaluation trace) and a1, a2, … for unnamed leaves."""

    def __init__(self, nodes: list[Tensor], root: Tensor | None = None, root_name: str | None = None,
                 extra: dict[int, str] | None = None):
        # extra: names by id() for unnamed tensors (parameters: "0.weight", from their modules)
        self._labels: dict[int, str] = {}
        taken = {t.name for t in nodes if t.name}
        for t in nodes:
            if extra and not t.name and id(t) in extra:
                self._labels[id(t)] = extra[id(t)]
                taken.add(extra[id(t)])
        if root is not None and not root.name and root_name and root_name not in taken:
            self._labels[id(root)] = root_name
            taken.add(root_name)
        counters = {"v": 0, "a": 0}
        for t in nodes:
            if t.name:
                self._labels[id(t)] = t.name
                continue
            if id(t) in self._labels:
                continue
            prefix = "a" if t.op is None else "v"
            while True:
                counters[prefix] += 1
                label = f"{prefix}{counters[prefix]}"
                if label not in taken:
                    break
            self._labels[id(t)] = label

    def __call__(self, x: Any) -> str:
        if isinstance(x, Tensor) and id(x) in self._labels:
            return self._labels[id(x)]
        return constant_label(x)


def constant_label(x: Any) -> str:
    a = np.asarray(x.data if isinstance(x, Tensor) else x)
    if a.size <= 1:
        return short(a)
    return f"const {a.shape}"


def node_gradients(root: Tensor, nodes: list[Tensor]) -> dict[int, np.ndarray]:
    """d(root)/d(node) for every node that requires grad (root must be a scalar),
    by a backward pass of our own that touches no ``.grad``."""
    wanted = [t for t in nodes if t.requires_grad]
    if not root.requires_grad or root.size != 1 or not wanted:
        return {}
    try:
        grads = backpropagate([root], [np.ones_like(root.data)], retain_graph=True, accumulate=False, wrt=wanted)
    except GraphFreedError:  # backward already freed the graph: only the leaves' .grad can be shown
        return {}
    return {id(t): np.asarray(g) for t, g in zip(wanted, grads) if g is not None}


def _backward_was_run(nodes: list[Tensor]) -> bool:
    return any(t.grad is not None for t in nodes)


def _gradients_to_show(root: Tensor, nodes: list[Tensor], show_grad: Any) -> dict[int, np.ndarray]:
    """show_grad: True = after backward (when some tensor has a .grad), "always",
    or False."""
    if not show_grad or (show_grad != "always" and not _backward_was_run(nodes)):
        return {}
    grads = node_gradients(root, nodes)
    for t in nodes:  # a non-scalar root: what backward left on the tensors
        if id(t) not in grads and t.grad is not None:
            grads[id(t)] = np.asarray(t.grad.data if isinstance(t.grad, Tensor) else t.grad)
    return grads


def _op_name(t: Tensor) -> str:
    return getattr(t.op, "name", type(t.op).__name__)


# ----- DOT -----------------------------------------------------------------------------
def _quote(text: str) -> str:
    """A DOT string literal; newlines become centred line breaks."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\n", "\\n") + '"'


def to_dot(tensor: Tensor, show_grad: Any = True, max_elements: int = 4, rankdir: str = "LR", *,
           max_nodes: int | None = MAX_NODES, depth: int | None = None) -> str:
    """The graph that computed ``tensor`` as Graphviz DOT text.

    Tensors are boxes (name or op, shape, value, and the gradient of ``tensor``
    with respect to them once ``backward`` has been run; ``show_grad="always"``
    shows it before too, False never), ops are ellipses named by the op
    (e.g. ``sigmoid``), constants small grey boxes. Edges run input → op → output.
    The ops of an ``nn.Module`` call are drawn inside a frame named after it.

    A graph of more than ``max_nodes`` nodes is summarised as ``text_tree``
    does it: a run of repeated op sequences is one dashed box, at most
    ``max_nodes`` ops are drawn (those nearest the output) and every cut is a
    box saying how many nodes it leaves out. ``depth`` cuts the ops more than
    that many levels from the output.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot: expected a Tensor, got {type(tensor).__name__}")
    _check_limits("to_dot", max_nodes, depth)
    nodes = nodes_of(tensor)
    summarise = max_nodes is not None and len(nodes) > max_nodes
    view = GraphView(tensor, nodes, summarise=summarise)
    label = Labels(nodes, extra=view.names)
    grads = _gradients_to_show(tensor, nodes, show_grad)
    ids = {id(t): f"t{i}" for i, t in enumerate(nodes)}
    drawn = _drawn_units(view, max_nodes if summarise else None, depth)
    # statements as (owner module call or None, is an edge, text); edges go after every node
    # when there are frames, since DOT puts a node in the frame where it is first mentioned
    statements: list[list[Any]] = []
    cut_ids: dict[int, str] = {}
    cut_statements: list[list[Any]] = []
    cut_nodes: list[Tensor] = []
    constants = 0

    def source(x: Tensor) -> str:
        if id(x) in drawn:
            return ids[id(x)]
        if id(x) not in cut_ids:  # an op cut away: one box that counts what it leaves out
            cut_ids[id(x)] = f"m{len(cut_ids)}"
            statement = [None, False, ""]
            statements.append(statement)
            cut_statements.append(statement)
            cut_nodes.append(x)
        return cut_ids[id(x)]

    def rows(t: Tensor, first: str) -> list[str]:
        lines = [first, f"shape {t.shape}", f"data {short(t.data, max_elements)}"]
        if id(t) in grads:
            lines.append(f"grad {short(grads[id(t)], max_elements)}")
        return lines

    for t in sorted(drawn.values(), key=lambda t: view.index[id(t)]):
        tid = ids[id(t)]
        run = view.runs.get(id(t))
        if run is not None:
            owner = common_call(run.modules)
            text = "\n".join(rows(t, run.title) + [run.counts] + ([run.module_note] if run.module_note else []))
            statements.append([owner, False, f'  {tid} [label={_quote(text)}, shape=box, '
                                             f'style="rounded,dashed,filled", fillcolor="#f1ecf8"];'])
            statements.append([None, True, f"  {source(run.below)} -> {tid};"])
            continue
        owner = view.owner.get(id(t))
        if t.op is None and t.requires_grad:
            style = 'shape=box, style="rounded,filled", fillcolor="#dbe9f6"'
        elif t is tensor:
            style = 'shape=box, style="rounded,filled,bold", fillcolor="#fde9c9"'
        elif t.op is None:
            style = 'shape=box, style="rounded,filled", fillcolor="#eeeeee"'
        else:
            style = 'shape=box, style="rounded,filled", fillcolor="#ffffff"'
        statements.append([owner, False, f"  {tid} [label={_quote(chr(10).join(rows(t, label(t))))}, {style}];"])
        if t.op is None:
            continue
        oid = f"{tid}_op"
        statements.append([owner, False, f'  {oid} [label={_quote(_op_name(t))}, shape=ellipse, style=filled, '
                                         f'fillcolor="#e8f4e0"];'])
        for k, x in enumerate(t.inputs):
            port = f' [label="{k}", fontsize=8]' if len(t.inputs) > 1 and _op_name(t) in _ORDERED else ""
            if view.in_graph(x):
                statements.append([None, True, f"  {source(x)} -> {oid}{port};"])
            else:
                cid = f"c{constants}"
                constants += 1
                statements.append([owner, False, f'  {cid} [label={_quote(constant_label(x))}, shape=box, '
                                                 f'style=filled, fillcolor="#f2f2f2", color="#aaaaaa", '
                                                 f'fontcolor="#666666", fontsize=9, height=0.2, width=0.3];'])
                statements.append([None, True, f'  {cid} -> {oid} [color="#aaaaaa"'
                                               f'{", " + port[2:-1] if port else ""}];'])
        statements.append([None, True, f"  {oid} -> {tid};"])

    if cut_statements:
        shown = set(drawn)
        for t in drawn.values():
            run = view.runs.get(id(t))
            if run is not None:
                shown.update(id(m) for m in run.members)
                shown.update(id(h) for h in run.hidden)
        for statement, x, n in zip(cut_statements, cut_nodes, view.count_unshown(cut_nodes, shown)):
            statement[2] = (f"  {cut_ids[id(x)]} [label={_quote(more_nodes(n))}, shape=box, "
                            f'style="dashed", color="#888888", fontcolor="#555555"];')
    lines = [
        "digraph autodiff {",
        f"  rankdir={rankdir};",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [color="#555555", arrowsize=0.7];',
    ]
    if any(owner is not None for owner, _, _ in statements):
        lines += _framed(statements)
    else:
        lines += [text for _, _, text in statements]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _drawn_units(view: GraphView, limit: int | None, depth: int | None) -> dict[int, Tensor]:
    """What to_dot draws: the ops nearest the output (breadth first, at most
    ``limit`` of them, none deeper than ``depth``; a run counts as one op, keyed by
    its top), with their leaves."""
    def inputs(t: Tensor) -> list[Tensor]:
        run = view.runs.get(id(t))
        return [run.below] if run is not None else list(view.graph_inputs(t))

    root = view.root
    drawn: dict[int, Tensor] = {id(root): root}
    cut: dict[int, Tensor] = {}
    level = {id(root): 0}
    queue = deque([root])
    ops = 1
    while queue:
        t = queue.popleft()
        for x in inputs(t):
            if id(x) in drawn or id(x) in cut:
                continue
            if x.op is None:  # leaves are drawn with the ops that use them
                drawn[id(x)] = x
                continue
            if (limit is not None and ops >= limit) or (depth is not None and level[id(t)] >= depth):
                cut[id(x)] = x
                continue
            drawn[id(x)] = x
            level[id(x)] = level[id(t)] + 1
            ops += 1
            queue.append(x)
    return drawn


def _framed(statements: list[list[Any]]) -> list[str]:
    """The node statements inside nested ``subgraph cluster_k`` frames, one per
    module call (with the calls enclosing it), then every edge."""
    children: dict[int | None, list[Any]] = {}
    inside: dict[int, list[str]] = {}
    calls: dict[int, Any] = {}
    top: list[str] = []
    for owner, is_edge, text in statements:
        if is_edge:
            continue
        if owner is None:
            top.append(text)
            continue
        inside.setdefault(id(owner), []).append(text)
        call = owner
        while call is not None and id(call) not in calls:  # register the call and the calls around it
            calls[id(call)] = call
            children.setdefault(id(call.parent) if call.parent is not None else None, []).append(call)
            call = call.parent
    lines = list(top)
    counter = [0]

    def frame(call: Any, indent: str) -> None:
        counter[0] += 1
        lines.append(f"{indent}subgraph cluster_{counter[0]} {{")
        lines.append(f'{indent}  label={_quote(call.title)}; style="rounded,dashed"; color="#8c8c8c"; '
                     f'fontcolor="#555555"; fontsize=10;')
        lines.extend(indent + text for text in inside.get(id(call), []))
        for child in children.get(id(call), []):
            frame(child, indent + "  ")
        lines.append(f"{indent}}}")

    for call in children.get(None, []):
        frame(call, "  ")
    lines.extend(text for _, is_edge, text in statements if is_edge)
    return lines


# ops whose inputs' order matters: their edges are numbered
_ORDERED = {"sub", "div", "pow", "matmul", "binary_cross_entropy", "binary_cross_entropy_with_logits",
            "cross_entropy"}


# ----- rendering -----------------------------------------------------------------------
def dot_available() -> bool:
    """True when Graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def render_dot(source: str, format: str = "svg") -> bytes:
    """Run ``dot -T<format>`` on DOT text; RuntimeError when dot is missing or fails."""
    if format not in FORMATS:
        raise ValueError(f"render: format must be one of {FORMATS}, got {format!r}")
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError(DOT_MISSING)
    done = subprocess.run([exe, f"-T{format}"], input=source.encode("utf-8"),
                          capture_output=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"dot failed ({done.returncode}): {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


class Graph:
    """A drawing of the graph that computed a tensor.

    In Jupyter it shows inline as SVG (when ``dot`` is installed; otherwise as
    the text tree). ``.source`` is the DOT text, ``.text`` the text tree,
    ``.render(path, format)`` writes an image, ``str()``/``repr()`` give the tree.
    """

    def __init__(self, tensor: Tensor, show_grad: Any = True, max_elements: int = 4,
                 max_nodes: int | None = MAX_NODES):
        self.tensor = tensor
        self.source = to_dot(tensor, show_grad=show_grad, max_elements=max_elements, max_nodes=max_nodes)
        self.text = text_tree(tensor, show_grad=show_grad, max_elements=max_elements, max_nodes=max_nodes)
        self._svg: str | None = None

    def pipe(self, format: str = "svg") -> bytes:
        """The rendered image as bytes (needs ``dot``)."""
        return render_dot(self.source, format)

    def render(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write the image to ``path``; the format defaults to the path's extension
        (svg when it has none that Graphviz knows)."""
        path = Path(path)
        if format is None:
            suffix = path.suffix.lower().lstrip(".")
            format = suffix if suffix in FORMATS else "svg"
        data = self.source.encode("utf-8") if format == "dot" else self.pipe(format)
        path.write_bytes(data)
        return path

    def svg(self) -> str:
        if self._svg is None:
            self._svg = self.pipe("svg").decode("utf-8")
        return self._svg

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        bundle = {"text/plain": self.text}
        if dot_available():
            try:
                bundle["image/svg+xml"] = self.svg()
            except RuntimeError:
                pass
        return bundle

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def draw(tensor: Tensor, path: str | os.PathLike[str] | None = None, format: str | None = None,
         show_grad: Any = True, max_nodes: int | None = MAX_NODES) -> Graph:
    """Render the graph of ``tensor`` with Graphviz's ``dot``.

    Returns a :class:`Graph` (it shows inline in Jupyter). With ``path`` the
    image is also written there, as ``format`` (default: the path's extension,
    else svg). Raises RuntimeError when ``dot`` is not installed: use
    ``to_dot(tensor)`` for the DOT text or ``text_tree(tensor)`` then.
    """
    if not dot_available():
        raise RuntimeError(DOT_MISSING)
    graph = Graph(tensor, show_grad=show_grad, max_nodes=max_nodes)
    if path is not None:
        graph.render(path, format)
    else:
        graph.svg()
    return graph


# ----- text tree -----------------------------------------------------------------------
def text_tree(tensor: Tensor, show_grad: Any = True, max_elements: int = 4, *,
              max_nodes: int | None = MAX_NODES, depth: int | None = None) -> str:
    """The graph as a plain-text tree, output at the top, like ``tree``::

        L = neg () = 0.4 grad 1
        └── add () = -0.4 grad -1
            ├── mul () …

    Each line: the tensor's name and/or op, its shape, value and (after
    backward) gradient; the output of a module call also gets the module's
    name (``[2: Linear]``). A tensor used twice is expanded once and then shown
    as ``(see above)``. Constants are shown by value.

    A graph of more than ``max_nodes`` nodes is summarised: each run of
    repeated op sequences is one line (``(× 11) matmul → add → relu``), at most
    ``max_nodes`` ops are shown and every cut says what it leaves out
    (``… 1234 more nodes``). ``max_nodes=None`` shows everything. ``depth``
    cuts the ops more than that many levels below the output. Nesting stops at
    40 levels: a deeper subtree goes on in a section of its own below
    (``v12 (continued below)``), so lines stay short and the text grows
    linearly with the graph.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"text_tree: expected a Tensor, got {type(tensor).__name__}")
    _check_limits("text_tree", max_nodes, depth)
    nodes = nodes_of(tensor)
    summarise = max_nodes is not None and len(nodes) > max_nodes
    view = GraphView(tensor, nodes, summarise=summarise)
    label = Labels(nodes, extra=view.names)
    grads = _gradients_to_show(tensor, nodes, show_grad)
    ops_limit = max_nodes if summarise else None

    def value(x: Tensor) -> str:
        text = f"{x.shape} = " + short(x.data, max_elements)
        return text + (" grad " + short(grads[id(x)], max_elements) if id(x) in grads else "")

    def line(x: Tensor) -> str:
        parts = []
        if x.name:
            parts.append(x.name + (" =" if x.op is not None else ""))
        if x.op is not None:
            parts.append(_op_name(x))
        elif not x.name:
            parts.append(label(x))
        return " ".join(parts) + " " + value(x) + view.module_note(x)

    out: list[str | None] = []
    placed: dict[int, str] = {}      # ops already printed ("above") or waiting for a section below ("below")
    shown: set[int] = set()          # nodes printed, or stood for by a run's line
    cuts: list[tuple[int, Tensor, str]] = []  # (line, node, lead) of every "… N more nodes"
    cut: set[int] = set()
    sections: list[tuple[Tensor, int]] = []   # subtrees too deep to nest: (node, level)
    shown_ops = 0
    # an item: (node or constant, lead of its line, lead of its children's lines, level, indent, section root)
    stack: list[tuple[Any, str, str, int, int, bool]] = [(tensor, "", "", 0, 0, True)]
    while True:
        if not stack:
            if not sections:
                break
            root, level = sections.pop(0)
            out.append("")
            stack.append((root, "", "", level, 0, True))
        x, lead, child_lead, level, indent, section_root = stack.pop()
        if is_constant(x):
            out.append(lead + constant_label(x))
            continue
        if x.op is None:  # a leaf: one line wherever it is used
            shown.add(id(x))
            out.append(lead + line(x))
            continue
        own = f"{label(x)} = " if section_root and x is not tensor and not x.name else ""
        if id(x) in placed and not section_root:
            out.append(lead + f"{label(x)} (see {placed[id(x)]})")
            continue
        if id(x) in cut:
            out.append(lead + f"{label(x)} (not shown)")
            continue
        if (ops_limit is not None and shown_ops >= ops_limit) or (depth is not None and level > depth):
            cut.add(id(x))
            cuts.append((len(out), x, lead + own))
            out.append(None)  # the count is known once every line is written
            continue
        if indent >= INDENT_CAP:
            placed[id(x)] = "below"
            sections.append((x, level))
            out.append(lead + f"{label(x)} (continued below)")
            continue
        placed[id(x)] = "above"
        shown_ops += 1
        run = view.runs.get(id(x))
        if run is not None:
            shown.update(id(t) for t in run.members)
            shown.update(id(t) for t in run.hidden)
            note = f"   ({run.counts})" + (" " + run.module_note if run.module_note else "")
            out.append(lead + own + f"{run.title} " + value(x) + note)
            children = [run.below]
        else:
            shown.add(id(x))
            out.append(lead + own + line(x))
            children = list(x.inputs)
        for k in reversed(range(len(children))):
            last = k == len(children) - 1
            stack.append((children[k], child_lead + ("└── " if last else "├── "),
                          child_lead + ("    " if last else "│   "), level + 1, indent + 1, False))
    for (i, _, lead), n in zip(cuts, view.count_unshown([c[1] for c in cuts], shown)):
        out[i] = lead + more_nodes(n)
    return "\n".join(line_ for line_ in out if line_ is not None)


def _check_limits(who: str, max_nodes: Any, depth: Any) -> None:
    for name, value, least in (("max_nodes", max_nodes, 1), ("depth", depth, 0)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                                  or value < least):
            raise ValueError(f"{who}: {name} must be None or an integer ≥ {least}, got {value!r}")
