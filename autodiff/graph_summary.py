"""What the graph views (``text_tree``, ``to_dot``, ``explain``) share to show
big graphs: module boundaries, repeated layers collapsed, and the count of the
nodes a cut leaves out.

A graph of at most ``max_nodes`` nodes is shown in full, as it always was. A
bigger one is summarised:

* a run of identical op sequences along a chain (the layers of a deep MLP, a
  loop's body) becomes one line, ``(× 11) matmul → add → relu``. The chain
  follows each op's main input (the one with the longest history); side
  branches of a few nodes such as ``transpose(W)`` travel with the op they
  feed, and the leaves and constants of the run are left out and counted.
  Only ops used once and without a name of their own are collapsed, so
  nothing that another part of the drawing refers to disappears;
* what the views still cannot show within ``max_nodes`` (or ``depth``) is cut,
  and every cut says how many nodes it leaves out: ``… 1234 more nodes``.

Module boundaries come from the record ``nn.Module.__call__`` keeps
(``autodiff.scopes``): every node is assigned to the innermost module call that
made it, and parameters get their dotted names ("0.weight").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .scopes import ModuleCall, calls_of
from .tensor import Tensor

SIDE_MAX = 6        # a side branch of at most this many nodes (transpose(W)) travels with the op it feeds
MAX_PERIOD = 12     # the longest op sequence looked for in a run
MIN_COLLAPSED = 4   # a run is collapsed when it repeats at least twice and covers at least this many ops
INDENT_CAP = 40     # text_tree nests at most this many levels, then goes on in a section of its own


@dataclass
class Run:
    """A run of repeated op sequences along a chain, shown as one node."""

    members: list[Tensor]          # the ops of the run, the one nearest the output first
    period: int                    # ops in one repetition
    repeats: int
    below: Tensor                  # the input the run takes from outside: the drawing goes on there
    hidden: list[Tensor] = field(default_factory=list)   # the members' side branches and leaves
    modules: list[ModuleCall] = field(default_factory=list)  # the module calls inside, forward order

    @property
    def top(self) -> Tensor:
        return self.members[0]

    @property
    def ops(self) -> list[str]:
        """One repetition, in the order the forward pass ran it."""
        return [op_name(t) for t in reversed(self.members[:self.period])]

    @property
    def title(self) -> str:
        return f"(× {self.repeats}) " + " → ".join(self.ops)

    @property
    def counts(self) -> str:
        """What the run stands for: "44 ops, 22 leaves"."""
        ops = len(self.members) + sum(t.op is not None for t in self.hidden)
        leaves = sum(t.op is None for t in self.hidden)
        return plural(ops, "op") + (f", {plural(leaves, 'leaf', 'leaves')}" if leaves else "")

    @property
    def module_note(self) -> str:
        """"[modules 1 … 22: Linear → ReLU]", or "" when no module made the run."""
        if not self.modules:
            return ""
        kinds: list[str] = []
        for call in self.modules[:max(1, len(self.modules) // self.repeats)]:
            if not kinds or kinds[-1] != call.kind:
                kinds.append(call.kind)
        first, last = self.modules[0].name or self.modules[0].kind, self.modules[-1].name or self.modules[-1].kind
        where = first if first == last else f"{first} … {last}"
        return f"[modules {where}: {' → '.join(kinds)}]"


def call_path(call: ModuleCall | None) -> list[ModuleCall]:
    """``call`` and the calls enclosing it, outermost first."""
    path = []
    while call is not None:
        path.append(call)
        call = call.parent
    return path[::-1]


def common_call(calls: list[ModuleCall]) -> ModuleCall | None:
    """The innermost module call that encloses all of ``calls`` (None if none)."""
    common = None
    for level in zip(*(call_path(call) for call in calls)):
        if any(c is not level[0] for c in level):
            break
        common = level[0]
    return common if calls else None


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def op_name(t: Tensor) -> str:
    return getattr(t.op, "name", type(t.op).__name__)


def more_nodes(n: int) -> str:
    return f"… {plural(n, 'more node')}"


class GraphView:
    """The nodes of a graph (``nodes``: inputs before the ops that use them), with
    their module calls and, when ``summarise``, the runs to collapse."""

    def __init__(self, root: Tensor, nodes: list[Tensor], summarise: bool = False):
        self.root = root
        self.nodes = nodes
        self.index = {id(t): i for i, t in enumerate(nodes)}
        # module calls: the outputs they made, the innermost call of every node, parameter names
        self.module_outputs: dict[int, tuple[ModuleCall, ...]] = {}
        for t in nodes:
            if t.op is not None:
                calls = calls_of(t)
                if calls:
                    self.module_outputs[id(t)] = calls
        self.owner: dict[int, ModuleCall] = {}
        self.names: dict[int, str] = {}
        if self.module_outputs:
            self._assign_owners()
        self.runs: dict[int, Run] = {}       # id(top) -> run
        self.covered: dict[int, Run] = {}    # id(node) -> the run that stands for it (members and hidden)
        if summarise:
            self._find_runs()

    def in_graph(self, x: Any) -> bool:
        return isinstance(x, Tensor) and id(x) in self.index

    def graph_inputs(self, t: Tensor) -> Iterable[Tensor]:
        """The inputs of ``t`` that are nodes of the graph (constants left out)."""
        for x in t.inputs:
            if isinstance(x, Tensor) and id(x) in self.index:
                yield x

    # ----- module calls ---------------------------------------------------------------------
    def _assign_owners(self) -> None:
        """Walk back from each call's output to its arguments, outermost calls first, so
        that every node ends up with the innermost call that made it."""
        calls: dict[int, tuple[ModuleCall, Tensor]] = {}
        for t in self.nodes:
            for call in self.module_outputs.get(id(t), ()):
                calls[id(call)] = (call, t)
        for call, out in sorted(calls.values(), key=lambda pair: pair[0].depth):
            arguments = set(call.inputs)
            parameters = dict((number, key) for key, number in call.parameters)
            oldest = min(call.inputs, default=0)  # nodes older than every argument were not made by the call
            stack, seen = [out], {id(out)}
            while stack:
                t = stack.pop()
                self.owner[id(t)] = call
                for x in self.graph_inputs(t):
                    if id(x) in seen or x.number in arguments:
                        continue
                    seen.add(id(x))
                    if x.op is None:
                        if x.number in parameters:
                            self.owner[id(x)] = call
                            key = parameters[x.number]
                            self.names[id(x)] = f"{call.name}.{key}" if call.name else key
                    elif x.number > oldest:
                        stack.append(x)

    def module_note(self, t: Tensor) -> str:
        """"   [2: Linear] [Sequential]" for the output of module calls, else ""."""
        calls = self.module_outputs.get(id(t))
        return "   " + " ".join(f"[{c.title}]" for c in calls) if calls else ""

    def module_path(self, t: Tensor) -> list[ModuleCall]:
        """The calls that made ``t`` (for a run's top: that enclose the whole run), outermost first."""
        run = self.runs.get(id(t))
        return call_path(common_call(run.modules) if run is not None else self.owner.get(id(t)))

    # ----- runs --------------------------------------------------------------------------------
    def _find_runs(self) -> None:
        index = self.index
        uses: dict[int, int] = {}
        height: dict[int, int] = {}   # longest path down to a leaf
        for t in self.nodes:
            h = 0
            for x in t.inputs:
                if isinstance(x, Tensor) and id(x) in index:
                    i = id(x)
                    uses[i] = uses.get(i, 0) + 1
                    if height[i] >= h:
                        h = height[i] + 1
            height[id(t)] = h
        self._uses = uses
        signatures: dict[Any, int] = {}
        sig: dict[int, int] = {}
        main: dict[int, Tensor] = {}
        for t in self.nodes:
            # a node may be hidden in a run when nothing else refers to it: used once, no name
            if t.op is None or t.name or uses.get(id(t), 0) != 1 or t is self.root:
                continue
            found = self._main_and_kinds(t, height)
            if found is None:
                continue
            main[id(t)], kinds = found
            owner = self.owner.get(id(t))
            key = (op_name(t), t.shape, t.dtype.str, kinds, owner.kind if owner else None)
            sig[id(t)] = signatures.setdefault(key, len(signatures))
        # chains: each node followed by its main input, when both may be hidden
        following = {key: x for key, x in main.items() if id(x) in sig}
        has_previous = {id(x) for x in following.values()}
        for head in reversed(self.nodes):  # chains from the output down
            if id(head) not in sig or id(head) in has_previous:
                continue
            chain = [head]
            while id(chain[-1]) in following:
                chain.append(following[id(chain[-1])])
            self._collapse(chain, [sig[id(t)] for t in chain], main)

    def _main_and_kinds(self, t: Tensor, height: dict[int, int]) -> tuple[Tensor, tuple] | None:
        """The main input of ``t`` (the op input with the longest history, when the
        others are small side branches) and what each input is; None when there is none."""
        index = self.index
        x_main, k_main, h_main = None, -1, -1
        for k, x in enumerate(t.inputs):
            if isinstance(x, Tensor) and x.op is not None and id(x) in index and height[id(x)] > h_main:
                x_main, k_main, h_main = x, k, height[id(x)]
        if x_main is None:
            return None
        kinds: list[Any] = []
        for k, x in enumerate(t.inputs):
            if k == k_main:
                kinds.append("main")
            elif not (isinstance(x, Tensor) and id(x) in index):
                kinds.append(("constant", _shape(x.data if isinstance(x, Tensor) else x)))
            elif x.op is None:
                kinds.append(("leaf", x.shape))
            else:
                if height[id(x)] >= h_main:
                    return None  # two inputs of the same weight: a branch, not a chain
                side = self._side_signature(x)
                if side is None:
                    return None
                kinds.append(("side", side))
        return x_main, tuple(kinds)

    def _side_signature(self, x: Tensor) -> Any:
        """The structure of a small side branch used only here, or None."""
        count = [0]

        def walk(t: Tensor) -> Any:
            count[0] += 1
            if count[0] > SIDE_MAX:
                return None
            if t.op is None:  # a leaf may be used elsewhere too (tied weights): leaves are shown wherever used
                return ("leaf", t.shape)
            if t.name or self._uses.get(id(t), 0) != 1:
                return None
            parts = []
            for y in t.inputs:
                if not self.in_graph(y):
                    parts.append(("constant", _shape(y)))
                    continue
                part = walk(y)
                if part is None:
                    return None
                parts.append(part)
            return (op_name(t), t.shape, tuple(parts))
        return walk(x)

    def _collapse(self, chain: list[Tensor], sigs: list[int], main: dict[int, Tensor]) -> None:
        """Find the runs of a chain greedily from its top: at each position, the
        period (up to MAX_PERIOD) that repeats over the most ops."""
        n, i = len(chain), 0
        while i < n:
            best_cover, best_period = 0, 0
            for period in range(1, min(MAX_PERIOD, (n - i) // 2) + 1):
                j = i + period
                while j < n and sigs[j] == sigs[j - period]:
                    j += 1
                cover = (j - i) // period * period
                if cover > best_cover:
                    best_cover, best_period = cover, period
                if best_cover == n - i:
                    break
            if best_cover >= MIN_COLLAPSED and best_cover // best_period >= 2:
                members = chain[i:i + best_cover]
                self._add_run(Run(members, best_period, best_cover // best_period, main[id(members[-1])]), main)
                i += best_cover
            else:
                i += 1

    def _add_run(self, run: Run, main: dict[int, Tensor]) -> None:
        seen: set[int] = set()
        for t in run.members:
            self.covered[id(t)] = run
            for x in self.graph_inputs(t):
                if x is main[id(t)] or id(x) in seen:
                    continue
                stack = [x]
                while stack:  # a leaf, or a small side branch with its leaves
                    y = stack.pop()
                    if id(y) in seen:
                        continue
                    seen.add(id(y))
                    run.hidden.append(y)
                    if y.op is not None:
                        self.covered[id(y)] = run
                        stack.extend(self.graph_inputs(y))
        for t in reversed(run.members):
            call = self.owner.get(id(t))
            if call is not None and (not run.modules or run.modules[-1] is not call):
                run.modules.append(call)
        self.runs[id(run.top)] = run

    # ----- what a cut leaves out ------------------------------------------------------------------
    def count_unshown(self, cuts: list[Tensor], shown: set[int]) -> list[int]:
        """For each cut node (in the order the view shows the cuts), how many nodes
        not shown anywhere it leaves out, itself included; a node reachable from
        several cuts is counted at the first. The counts add up to every node not shown."""
        assigned: set[int] = set()
        counts = []
        for cut in cuts:
            n = 0
            stack = [cut]
            while stack:
                t = stack.pop()
                if id(t) in assigned or id(t) in shown:
                    continue
                assigned.add(id(t))
                n += 1
                stack.extend(self.graph_inputs(t))
            counts.append(n)
        return counts


def _shape(x: Any) -> tuple:
    return tuple(getattr(x, "shape", ()))
