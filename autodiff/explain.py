"""Explain a backward pass step by step, in the lecture's notation.

    >>> import numpy as np, autodiff as ad
    >>> x, y = np.array([1.0, 2.0]), 1.0
    >>> w = ad.Tensor([0.1, -0.2], requires_grad=True, name="w")
    >>> b = ad.Tensor(0.0, requires_grad=True, name="b")
    >>> z = w @ x + b; z.name = "z"
    >>> yhat = ad.sigmoid(z); yhat.name = "ŷ"
    >>> L = -(y * ad.log(yhat) + (1 - y) * ad.log(1 - yhat)); L.name = "L"
    >>> print(ad.explain(L))              # doctest: +SKIP

walks the graph from L back to w and b, as the "Calculating Derivatives" slide
does: for every op, the upstream gradient dL/d(out) it receives, the local
derivative it applies (∂L/∂ŷ = −y/ŷ + (1 − y)/(1 − ŷ) arrives at the sigmoid,
which applies dŷ/dz = ŷ(1 − ŷ); the add applies ∂z/∂b = 1, the matmul
∂z/∂w_j = x_j), its local Jacobian when it is small, and the result
dL/d(in) = dL/d(out) · D(out)/D(in), ending with dL/dw = (ŷ − y)x and dL/db = ŷ − y.

It runs its own backward pass (the same vjps as ``backward``) and never touches
any ``.grad``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

from .functional import local_jacobian
from .graph import MAX_NODES, Labels, _check_limits, nodes_of, short
from .graph_summary import GraphView, plural
from .engine import topological_order, unbroadcast
from .ops import instances
from .tensor import Tensor

__all__ = ["explain", "Explanation", "Step", "LOCAL_DERIVATIVES", "lecture_logistic_loss"]

# The local derivative each op applies, as the lecture writes it, read off the
# op classes' ``local`` (a tuple gives one entry per input of a two-input op).
LOCAL_DERIVATIVES: dict[str, str | tuple[str, ...]] = {op.name: op.local for op in instances() if op.local}

_INFIX = {"add": "+", "sub": "−", "mul": "·", "div": "/", "pow": "^", "matmul": "@"}


def lecture_logistic_loss(x: Any, w: Any, b: Any, y: float) -> tuple[Tensor, Tensor, Tensor]:
    """The "Calculating Derivatives" slide's single training instance, written out
    with Tensor ops and named as on the slide: z = wᵀx + b, ŷ = σ(z),
    L = −(y log ŷ + (1 − y) log(1 − ŷ)). Returns (L, w, b); w and b are leaves."""
    from . import functions as F
    x = Tensor(x, name="x")
    w = Tensor(w, requires_grad=True, name="w")
    b = Tensor(b, requires_grad=True, name="b")
    z = w @ x + b
    z.name = "z"
    yhat = F.sigmoid(z)
    yhat.name = "ŷ"
    L = -(y * F.log(yhat) + (1 - y) * F.log(1 - yhat))
    L.name = "L"
    return L, w, b


def local_notation(op: Any, index: int) -> str:
    """The lecture's notation for the derivative of ``op`` w.r.t. input ``index``;
    for ops without one, the first line of the op's docstring."""
    entry = LOCAL_DERIVATIVES.get(getattr(op, "name", ""))
    if isinstance(entry, tuple):
        return entry[min(index, len(entry) - 1)]
    if entry:
        return entry
    doc = (type(op).__doc__ or "").strip()
    return doc.splitlines()[0] if doc else f"the derivative of {getattr(op, 'name', type(op).__name__)}"


@dataclass
class Step:
    """One edge of the backward pass: the op that made ``node`` sends the
    gradient back to its input ``input``."""

    number: int              # 1, 2, … in the order of the backward pass
    node: str                # label of the op's output, e.g. "ŷ"
    op: str                  # the op's name, e.g. "sigmoid"
    formula: str             # e.g. "ŷ = sigmoid(z)"
    input: str               # label of the input the gradient goes to, e.g. "z"
    index: int               # the input's position among the op's inputs
    upstream: np.ndarray     # dL/d(node), summed over every path to it
    paths: int               # how many paths were summed into upstream
    local: str               # the local derivative in the lecture's notation
    jacobian: np.ndarray | None  # D(node)/D(input), (node.size, input.size), when small
    result: np.ndarray       # this edge's dL/d(input) = upstream · local
    shape: tuple = ()        # the input's shape


@dataclass
class Explanation:
    """What :func:`explain` found: ``.steps``, the leaves' ``.gradients`` (by
    label) and the text (``str()``; shown as is in a REPL or notebook)."""

    loss: str
    steps: list[Step] = field(default_factory=list)
    gradients: dict[str, np.ndarray] = field(default_factory=dict)
    text: str = ""

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)

    def steps_of(self, op: str) -> list[Step]:
        """The steps of every op with that name."""
        return [s for s in self.steps if s.op == op]


def _formula(node: Tensor, label: Labels) -> str:
    args = [label(x) for x in node.inputs]
    name = getattr(node.op, "name", type(node.op).__name__)
    if name in _INFIX and len(args) == 2:
        rhs = f"{args[0]} {_INFIX[name]} {args[1]}"
    elif name == "neg":
        rhs = f"−{args[0]}"
    else:
        rhs = f"{name}({', '.join(args)})"
    return f"{label(node)} = {rhs}"


def _matrix(a: np.ndarray, indent: str) -> str:
    text = np.array2string(a, precision=4, suppress_small=True, separator=" ", max_line_width=100)
    return text.replace("\n", "\n" + indent)


def explain(loss: Tensor, file: IO[str] | None = None, max_elements: int = 6,
            max_jacobian: int = 36, *, max_nodes: int | None = MAX_NODES) -> Explanation:
    """Walk the backward pass of ``loss`` node by node, from the loss to the leaves.

    For every op: the upstream gradient dL/d(out) (complete: summed over every
    path), and for each input that needs a gradient the local derivative in the
    lecture's notation, the local Jacobian (when out.size · in.size ≤
    ``max_jacobian``) and the result dL/d(in). Ends with dL/d(leaf) for every
    leaf. Arrays longer than ``max_elements`` are abbreviated. When the graph
    was built by ``nn`` modules, a line names the module whose ops follow.

    A graph of more than ``max_nodes`` nodes is summarised: a run of repeated
    op sequences (``(× 11) matmul → add → relu``) is one block, giving the
    gradient that enters it and the one it passes on; at most ``max_nodes``
    blocks and leaves are written, and the text says how many more there are.
    ``.steps`` and ``.gradients`` are always complete (the steps of blocks not
    written carry no Jacobian). ``max_nodes=None``
    writes everything.

    Returns an :class:`Explanation` (``.steps``, ``.gradients``, ``str()``);
    with ``file`` (e.g. ``sys.stdout``) the text is also written there.
    ``loss`` may be non-scalar: the walk then starts from dL/d(loss) = 1 everywhere.
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"explain: expected a Tensor, got {type(loss).__name__}")
    if not loss.requires_grad:
        raise RuntimeError("explain: the tensor does not require grad: no input had requires_grad=True, "
                           "or it was computed inside no_grad()")
    _check_limits("explain", max_nodes, None)
    nodes = nodes_of(loss)
    summarise = max_nodes is not None and len(nodes) > max_nodes
    limit = max_nodes if summarise else None   # blocks and leaves written at most
    view = GraphView(loss, nodes, summarise=summarise)
    label = Labels(nodes, root=loss, root_name="L", extra=view.names)
    L = label(loss)
    fmt = lambda a: short(a, max_elements)  # noqa: E731
    lines = [f"Backward pass of {L}, shape {loss.shape}, value {fmt(loss.data)}",
             f"each op: upstream d{L}/d(out), the local derivative it applies, "
             f"result d{L}/d(in) = upstream · local",
             ""]
    result = Explanation(loss=L)
    grads: dict[int, Any] = {id(loss): np.ones_like(loss.data)}
    paths: dict[int, int] = {id(loss): 1}
    order: list[Any] = list(reversed(topological_order([loss])))
    block = 0
    not_written = 0                       # ops past max_nodes blocks
    run_exits: dict[int, int] = {}        # id(last op of a written run) -> its line "passes on"
    module_path: tuple = ()
    for node in order:
        g = grads.pop(id(node), None)
        if g is None:
            continue
        name = label(node)
        if node.op is None:
            result.gradients[name] = np.asarray(g)
            continue
        op = node.op
        formula = _formula(node, label)
        run = view.covered.get(id(node))
        write = run is None or run.top is node
        if write and limit is not None and block >= limit:
            write = False
            not_written += 1 if run is None else len(run.members) + sum(t.op is not None for t in run.hidden)
        if write:
            block += 1
            path = tuple(view.module_path(node))
            if path != module_path and (path or module_path):
                where = " › ".join(c.title for c in path) if path else "outside the modules"
                lines.append(f"── {where} ──")
                module_path = path
            summed = f"   (the sum over {paths[id(node)]} paths)" if paths[id(node)] > 1 else ""
            if run is None:
                lines.append(f"[{block}] {formula}        ({op.name}, shape {node.shape})")
            else:
                note = f"   {run.module_note}" if run.module_note else ""
                lines.append(f"[{block}] {run.title}: {run.counts}{note}")
            lines.append(f"    upstream  d{L}/d{name} = {fmt(g)}{summed}")
            if run is not None:
                run_exits[id(run.members[-1])] = len(lines)
                lines.append("")  # "passes on": written when the walk reaches the run's last op
                lines.append("")
        inputs = node.inputs
        if node.args is None:
            raise ValueError(f"explain: the values {op.name} saved were freed by a backward pass; "
                             "explain a graph before backward, or call backward with retain_graph=True")
        n_grad_inputs = sum(isinstance(v, Tensor) and v.requires_grad for v in inputs)
        input_grads = op.plain_vjp(node, g, node.data, *node.args)
        for k, (x, gx) in enumerate(zip(inputs, input_grads)):
            if gx is None or not isinstance(x, Tensor) or not x.requires_grad:
                continue
            gx = np.asarray(gx)
            if gx.shape != x.shape:
                gx = unbroadcast(gx, x.shape)
            gx = gx.astype(x.dtype, copy=False)
            xname = label(x)
            notation = local_notation(op, k)
            jac = None
            if write and run is None:
                jac = local_jacobian(node, k) if node.size * x.size <= max_jacobian else None
                pad = "    "
                if n_grad_inputs > 1:
                    lines.append(f"    → {xname}")
                    pad = "        "
                lines.append(f"{pad}local     {notation}")
                if jac is not None:
                    head = f"{pad}Jacobian  D{name}/D{xname} ({jac.shape[0]}×{jac.shape[1]}) = "
                    lines.append(head + _matrix(jac, " " * len(head)))
                lines.append(f"{pad}result    d{L}/d{xname} = d{L}/d{name} · D{name}/D{xname} = {fmt(gx)}"
                             f"   shape {x.shape}")
            elif id(node) in run_exits and x is view.covered[id(node)].below:
                lines[run_exits.pop(id(node))] = (f"    passes on d{L}/d{xname} = {fmt(gx)}   shape {x.shape}"
                                                  f"   (from this run, to its input {xname})")
            result.steps.append(Step(number=len(result.steps) + 1, node=name, op=op.name,
                                     formula=formula, input=xname, index=k,
                                     upstream=np.asarray(g), paths=paths[id(node)], local=notation,
                                     jacobian=jac, result=gx, shape=x.shape))
            key = id(x)
            if key in grads:
                grads[key] = grads[key] + gx
                paths[key] += 1
            else:
                grads[key] = gx
                paths[key] = 1
        if write and run is None:
            lines.append("")
    if not_written:
        lines.append(f"… {plural(not_written, 'more op')} not written (max_nodes={max_nodes}); "
                     "their gradients are in .steps and in the leaves' gradients below")
        lines.append("")
    lines.append("Gradients of the leaves:")
    leaves = list(result.gradients.items())
    shown_leaves = leaves[:limit] if limit is not None else leaves
    for name, g in shown_leaves:
        lines.append(f"    d{L}/d{name} = {fmt(g)}   shape {np.shape(g)}")
    if len(shown_leaves) < len(leaves):
        lines.append(f"    … {plural(len(leaves) - len(shown_leaves), 'more leaf', 'more leaves')} "
                     "(all of them in .gradients)")
    result.text = "\n".join(lines)
    if file is not None:
        print(result.text, file=file)
    return result
