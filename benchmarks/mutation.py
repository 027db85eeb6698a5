"""Mutation testing of the vector-Jacobian products against the registry checks.

    python -m benchmarks.mutation [--max-examples N] [--only NAME ...] [--list] [--verbose]

How good are the registry tests (``autodiff.testing.check_op`` and
``check_op_second_derivatives``, the checks ``tests/test_ops_registry.py`` runs
on every registry entry)? Break the code they guard in small ways, one way at a
time, and count how many breaks they notice. Here a break ("mutant") is one
arithmetic operator flipped in a backward formula:

- ``+`` ↔ ``-``, ``*`` ↔ ``/`` and ``**`` → ``*`` (also in ``+=``, ``-=``, ...);
- a unary minus removed (``-g`` → ``g``).

What is mutated, found by reading the sources with ``ast`` (so that ops added
later are covered without a change here):

- the ``vjp`` and ``plain_vjp`` of every ``Op`` subclass defined in the
  ``autodiff`` package (every module of it is imported first: ``autodiff.ops``
  and wherever else an op is added);
- the module-level functions of ``autodiff`` that those methods call by name
  (``_weights``, ``_spread``, ``reduced_shape``, ...), followed transitively;
- ``autodiff.engine.accumulate_grad`` and ``autodiff.engine.unbroadcast``,
  which every backward pass goes through.

Each mutant is compiled from the mutated syntax tree in the module's globals
and set in place of the original everywhere it is referenced: on every op class
whose ``__dict__`` holds it (``Op.__init_subclass__`` makes ``plain_vjp`` the
same function as ``vjp`` when a class has no kernel of its own, and a subclass
such as ``SwapAxes`` holds its parent's), and in every ``autodiff`` module that
imported it by name. Then the registry checks run, in this process, on the
entries whose graphs use that op class (found by running each entry and walking
its graph, the create_graph backward graph included); for an engine function,
on every entry. Hypothesis draws the inputs as in the test suite, derandomized
(so a run is reproducible), without shrinking, and RuntimeWarnings are errors as
in setup.cfg. The first failure kills the mutant (a failed check, or any error
the mutant causes: the test would fail as well); a mutant that passes every
check survives. The original is put back after each mutant. Before the mutants
of a function, its unmutated copy is compiled the same way and must pass (else
the run stops with status 2: the machinery, not the tests, would be killing).

A surviving mutant is either a gap in the tests (strengthen them) or an
equivalent mutant: one that computes the same gradients (e.g. ``x * 1.0`` →
``x / 1.0``). Equivalent mutants are listed in ``EQUIVALENT`` below, each with
the reason; they are reported but not counted as survivors.

Output: each survivor with file:line and its original and mutated expression,
then ``mutation score: K killed / N mutants (S survivors)``. Exit status 1 if
any mutant survived (outside the allow-list) or an allow-listed one was
killed, 0 otherwise. Not part of the default test suite (a full run takes about
half a minute on 2 busy cores); ``tests/test_mutation_smoke.py`` checks the
machinery on one op.
"""
from __future__ import annotations

import __future__
import argparse
import ast
import copy
import importlib
import inspect
import pkgutil
import sys
import textwrap
import time
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

import autodiff as ad
import autodiff.engine as engine
from autodiff import testing
from autodiff.ops.base import OP_CLASSES, Op
from autodiff.registry import OPS, OpInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXAMPLES = 25  # as the default hypothesis profile of the test suite (tests/conftest.py)
ENGINE_FUNCTIONS = ("accumulate_grad", "unbroadcast")  # engine code every backward pass runs
MUTATED_METHODS = ("vjp", "plain_vjp")

# Binary operators and the operator each is flipped to.
FLIPS: dict[type, type] = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
                           ast.Pow: ast.Mult}

# Mutants that compute the same gradients as the original, so that no test can
# kill them: (function, original expression, mutated expression) -> why.
# The function is written as in the report: "<module path>:<qualified name>"; an
# expression the function writes more than once carries its " [k of n]" as well.
EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("autodiff/ops/conv.py:MaxPool2d.plain_vjp", "ho * kh [1 of 3]", "ho / kh"):
        "(ho * kh, wo * kw) == (h, w) only chooses between returning the tiles as they are and copying them into "
        "zeros of x's shape at [:ho * kh, :wo * kw]; when the windows cover x exactly both give the same array.",
    ("autodiff/ops/conv.py:MaxPool2d.plain_vjp", "wo * kw [1 of 3]", "wo / kw"):
        "the same test as ho * kh: either branch gives the tiles placed over x, with zeros where no window reached.",
    ("autodiff/ops/losses.py:CrossEntropy.vjp", "-1", "1"):
        "y.sum(axis=-1) -> y.sum(axis=1): y is always (m, K) there (the call reshapes 1-D logits to one row, "
        "and labels become an (m, K) table), so axis 1 is the last axis.",
    ("autodiff/ops/indexing.py:_written_last", "-1", "1"):
        "np.full(shape, -1) -> np.full(shape, 1): the fill value of owner is never read: owner[key] is read "
        "only at the positions the assignment owner[key] = order has just written.",
    ("autodiff/ops/indexing.py:IndexPut.vjp", "np.ndim(raw(v)) - np.ndim(raw(gv))",
     "np.ndim(raw(v)) + np.ndim(raw(gv))"):
        "extra = nv + nt (nt = ndim of x[key]) only prepends more axes of length 1 to gv: the engine's "
        "unbroadcast sums the leading 2·nt of its nv + 2·nt axes (nv + nt ones, then the first nt − nv axes of "
        "x[key] when nt > nv, which it sums for the original too) and keeps the last nv, the original's gv "
        "shape (1,)*(nv − nt) + x[key].shape or its last nv axes; when nv = nt = 0 neither reshapes.",
    ("autodiff/ops/linalg.py:Dot.vjp", "na + nb - 3 [2 of 2]", "na + nb + 3"):
        "_FREE[na + nb - 3] -> _FREE[na + nb + 3], the letter of b's last axis (and of the output's): numpy's "
        "dot takes at most 32 axes per operand and gives at most 32 (na + nb ≤ 34), so the index is ≤ 37 < 51 "
        "letters, and it names no other axis (a's are _FREE[:na - 1], b's leading ones _FREE[na - 1:na + nb - 3]): "
        "the same contraction with one free axis renamed.",
}


# ----- what is mutated ----------------------------------------------------------------------
@dataclass
class Target:
    """One function whose operators are flipped, and what checks it."""

    module: types.ModuleType
    qualname: str               # "Exp.vjp", "_weights", "accumulate_grad"
    function: types.FunctionType
    tree: ast.FunctionDef       # its syntax tree, with the line numbers of the file
    classes: set = field(default_factory=set)  # op classes whose backward runs it (empty: the engine's, all)

    @property
    def file(self) -> str:
        return str(self.module.__file__)

    @property
    def path(self) -> str:
        try:
            return str(Path(self.file).resolve().relative_to(ROOT))
        except ValueError:
            return self.file

    @property
    def where(self) -> str:
        return f"{self.path}:{self.qualname}"

    @property
    def is_engine(self) -> bool:
        return not self.classes


@dataclass
class Mutant:
    """One operator of one target flipped (or one unary minus removed)."""

    target: Target
    key: tuple          # (node type, line, column, end line, end column): finds the node in a copy of the tree
    line: int
    original: str       # the expression as written
    mutated: str        # the expression after the flip
    occurrence: str = ""  # " [k of n]" when the function writes the same expression n times (k: in source order)

    @property
    def location(self) -> str:
        return f"{self.target.path}:{self.line}"

    @property
    def allow_key(self) -> tuple[str, str, str]:
        return (self.target.where, self.original + self.occurrence, self.mutated)

    def describe(self) -> str:
        return f"{self.location} ({self.target.qualname}): {self.original}{self.occurrence}  ->  {self.mutated}"


def _autodiff_modules() -> list[types.ModuleType]:
    """Every module of the autodiff package, imported (ops added later, wherever
    they live, included). A module that needs a missing optional package is skipped."""
    found = [ad]
    for info in pkgutil.walk_packages(ad.__path__, ad.__name__ + "."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        try:
            found.append(importlib.import_module(info.name))
        except ImportError as error:  # an optional dependency (matplotlib, scipy...)
            print(f"mutation: skipped {info.name} ({error})", file=sys.stderr)
    return found


def _is_ours(module_name: str) -> bool:
    return module_name == ad.__name__ or module_name.startswith(ad.__name__ + ".")


def _function_tree(function: types.FunctionType) -> Any:
    """The syntax tree of a function, with the line and column numbers of its file."""
    lines, first = inspect.getsourcelines(function)
    source = textwrap.dedent("".join(lines))
    indent = len(lines[0]) - len(lines[0].lstrip())
    tree: Any = ast.parse(source).body[0]
    node: Any
    for node in ast.walk(tree):  # back to the file's coordinates (for the report and tracebacks)
        if hasattr(node, "lineno"):
            node.lineno += first - 1
            node.end_lineno += first - 1
            node.col_offset += indent
            node.end_col_offset += indent
    if not isinstance(tree, ast.FunctionDef):
        raise TypeError(f"mutation: {function.__qualname__} is not a plain function")
    return tree


def _is_op_class(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, Op) and value is not Op


def _called_helpers(target: Target) -> Iterator[types.FunctionType]:
    """Module-level functions of autodiff that ``target`` calls by name."""
    for node in ast.walk(target.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            value = vars(target.module).get(node.func.id)
            if isinstance(value, types.FunctionType) and _is_ours(value.__module__):
                yield value


def discover_targets() -> list[Target]:
    """The vjps of every op class, the helpers they call, and the engine's functions."""
    if engine.COMPILED:
        raise RuntimeError(
            f"the mutation script rewrites the engine's Python source, but this process runs the engine compiled "
            f"({engine.__file__}); run it on the source: AUTODIFF_ENGINE=python python -m benchmarks.mutation")
    targets: dict[Any, Target] = {}  # by the function object: one target per function
    queue: list[Target] = []
    _autodiff_modules()
    for cls in OP_CLASSES:  # every Op subclass defined so far (Op.__init_subclass__ lists them)
        if not _is_op_class(cls) or not _is_ours(cls.__module__):
            continue  # the ops of tests and of users are theirs to check
        module = sys.modules[cls.__module__]
        for method in MUTATED_METHODS:
            function = cls.__dict__.get(method)
            if not isinstance(function, types.FunctionType) or function.__qualname__ != f"{cls.__qualname__}.{method}":
                continue  # inherited, or the vjp set as plain_vjp by Op.__init_subclass__
            target = Target(module, function.__qualname__, function, _function_tree(function), {cls})
            targets[function] = target
            queue.append(target)
    while queue:  # helpers, transitively: the op classes of their callers check them
        caller = queue.pop()
        for helper in _called_helpers(caller):
            if helper.__module__ == engine.__name__ and helper.__name__ in ENGINE_FUNCTIONS:
                continue  # checked on every entry below
            if helper not in targets:
                targets[helper] = Target(sys.modules[helper.__module__], helper.__qualname__, helper,
                                         _function_tree(helper))
            target = targets[helper]
            if not caller.classes <= target.classes:
                target.classes |= caller.classes
                queue.append(target)
    for name in ENGINE_FUNCTIONS:
        function = getattr(engine, name)
        targets[function] = Target(engine, name, function, _function_tree(function), set())
    # subclasses that inherit a vjp (SwapAxes from Transpose) are checked with it
    for target in targets.values():
        for cls in OP_CLASSES:
            if any(issubclass(cls, owner) for owner in target.classes):
                target.classes.add(cls)
    return sorted(targets.values(), key=lambda t: (t.is_engine, t.path, t.tree.lineno))


def _node_key(node: Any) -> tuple:
    return (type(node).__name__, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


def _mutable_nodes(tree: ast.AST) -> list[Any]:
    found: list[Any] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in FLIPS:
            found.append(node)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            found.append(node)
    return sorted(found, key=lambda node: _node_key(node)[1:])  # in reading order


class _Flip(ast.NodeTransformer):
    """Flip the operator of the node with ``key`` (or drop its unary minus)."""

    def __init__(self, key: tuple):
        self.key = key
        self.done = False

    def visit(self, node: Any) -> Any:
        if hasattr(node, "lineno") and _node_key(node) == self.key:
            self.done = True
            if isinstance(node, ast.UnaryOp):
                return node.operand
            node.op = FLIPS[type(node.op)]()
            return node
        return self.generic_visit(node)


def _mutate(tree: Any, key: tuple) -> Any:
    flipped = copy.deepcopy(tree)
    transformer = _Flip(key)
    flipped = transformer.visit(flipped)
    if not transformer.done:
        raise LookupError(f"mutation: no node {key} in {tree.name}")
    return flipped


def _text(node: Any) -> str:
    """An expression as the file writes it (an augmented assignment: without its target)."""
    if isinstance(node, ast.AugAssign):
        return f"{ast.unparse(node.target)} {_SYMBOLS[type(node.op)]}= {ast.unparse(node.value)}"
    return ast.unparse(node)


_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


def mutants_of(target: Target) -> list[Mutant]:
    found = []
    for node in _mutable_nodes(target.tree):
        key = _node_key(node)
        flipped = _Flip(key)
        mutated_node = flipped.visit(copy.deepcopy(node))
        found.append(Mutant(target, key, node.lineno, _text(node), _text(mutated_node)))
    # the same flip of the same expression written twice (e.g. x[n - 1:n] and x[n - 1]): number them by
    # their place in the source so that an allow-list entry names one of them
    by_text: dict[tuple, list] = {}
    for m in sorted(found, key=lambda m: m.key[1:3]):
        by_text.setdefault((m.original, m.mutated), []).append(m)
    for same in by_text.values():
        if len(same) > 1:
            for k, m in enumerate(same, 1):
                m.occurrence = f" [{k} of {len(same)}]"
    return found


def compile_variant(target: Target, tree: Any) -> types.FunctionType:
    """The function that ``tree`` defines, compiled in the target's module globals."""
    if target.function.__code__.co_freevars:
        raise ValueError(f"mutation: {target.where} uses a closure (super() or an enclosing function's "
                         "variables), which a recompiled copy would not have")
    tree = copy.deepcopy(tree)
    tree.decorator_list = []
    module = ast.fix_missing_locations(ast.Module(body=[tree], type_ignores=[]))
    code = compile(module, filename=target.file, mode="exec",
                   flags=__future__.annotations.compiler_flag, dont_inherit=True)
    namespace: dict = {}
    exec(code, vars(target.module), namespace)
    function = namespace[tree.name]
    function.__qualname__ = target.function.__qualname__
    function.__module__ = target.function.__module__
    function.__defaults__ = target.function.__defaults__
    function.__kwdefaults__ = target.function.__kwdefaults__
    return function


class patched:
    """``with patched(original, replacement):`` sets ``replacement`` wherever
    ``original`` is referenced (op class dicts, autodiff module globals), and
    puts the original back afterwards."""

    def __init__(self, original: types.FunctionType, replacement: types.FunctionType):
        self.original, self.replacement = original, replacement
        self.sites: list[tuple[Any, str]] = []

    def __enter__(self) -> "patched":
        holders: list[Any] = list(OP_CLASSES) + [m for name, m in sorted(sys.modules.items())
                                                 if name == "autodiff" or name.startswith("autodiff.")]
        for holder in holders:
            for name, value in list(vars(holder).items()):
                if value is self.original:
                    self.sites.append((holder, name))
        if not self.sites:
            raise LookupError(f"mutation: {self.original.__qualname__} is referenced nowhere to patch")
        for holder, name in self.sites:
            setattr(holder, name, self.replacement)
        return self

    def __exit__(self, *exc: Any) -> None:
        for holder, name in self.sites:
            setattr(holder, name, self.original)


# ----- the checks -----------------------------------------------------------------------------
def _settings(max_examples: int) -> Any:
    from hypothesis import HealthCheck, Phase, Verbosity, settings
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck),
                    report_multiple_bugs=False, print_blob=False, verbosity=Verbosity.quiet)


def run_checks(info: OpInfo, max_examples: int = DEFAULT_EXAMPLES) -> None:
    """The registry test's checks of one entry (tests/test_ops_registry.py), as
    the default suite runs them: ``check_op`` on the entry's fixed examples and on ``max_examples`` drawn inputs in
    every dtype of the entry, and for a smooth entry ``check_op_second_derivatives``
    on a third as many float64 inputs. Raises on the first failure."""
    from hypothesis import given
    from hypothesis import strategies as st

    @_settings(max_examples)
    @given(data=st.data())
    def first_order(data: Any) -> None:
        args, kwargs = data.draw(testing.inputs_for(info, dtype=info.dtypes))
        testing.check_op(info, args, kwargs)

    @_settings(max(3, max_examples // 3))
    @given(data=st.data())
    def second_order(data: Any) -> None:
        args, kwargs = data.draw(testing.inputs_for(info))
        testing.check_op_second_derivatives(info, args, kwargs, max_full=512)

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # as setup.cfg's filterwarnings
        for dtype in info.dtypes:  # the entry's fixed inputs (test_op_fixed_examples)
            for args, kwargs in testing.fixed_inputs(info, dtype):
                testing.check_op(info, args, kwargs)
        first_order()
        if info.smooth:
            second_order()


def _op_classes(roots: Sequence[Any]) -> set:
    """The op classes of the graphs that end in ``roots``."""
    found: set = set()
    seen: set = set()
    stack = list(roots)
    while stack:
        t = stack.pop()
        if not isinstance(t, ad.Tensor) or id(t) in seen:
            continue
        seen.add(id(t))
        if t.op is not None:
            found.add(type(t.op))
            stack.extend(t.inputs)
    return found


def classes_used(info: OpInfo, n_examples: int = 5) -> tuple[set, set]:
    """(the op classes of the entry's forward graphs, those of its forward and
    create_graph backward graphs), over a few drawn inputs (the shapes change
    the ops a vjp uses: matmul's cases)."""
    from hypothesis import given
    from hypothesis import strategies as st
    forward: set = set()
    both: set = set()

    @_settings(n_examples)
    @given(data=st.data())
    def collect(data: Any) -> None:
        args, kwargs = data.draw(testing.inputs_for(info))
        tensors = [ad.Tensor(a, requires_grad=True) if i in info.differentiable else a for i, a in enumerate(args)]
        out = info(*tensors, **kwargs)
        forward.update(_op_classes([out]))
        seed = ad.Tensor(np.ones(out.shape), requires_grad=True)  # so that the vjps record their ops
        out.backward(seed, create_graph=True)
        both.update(_op_classes([out] + [t.grad for t in tensors if isinstance(t, ad.Tensor)]))

    collect()
    return forward, both


class Plan:
    """Which registry entries check which op class, the most direct first."""

    def __init__(self, infos: Sequence[OpInfo]):
        self.infos = list(infos)
        self.forward: dict[str, set] = {}
        self.used: dict[str, set] = {}
        for info in self.infos:
            self.forward[info.name], self.used[info.name] = classes_used(info)

    def entries_for(self, target: Target) -> list[OpInfo]:
        """The entries that exercise the target: for an op's vjp, the entries whose
        forward uses the op come first (the most likely to kill a mutant early),
        then those whose backward graphs use it; for the engine, every entry,
        those with broadcasting shapes first."""
        if target.is_engine:
            return sorted(self.infos, key=lambda info: (info.shapes != "broadcast", info.name))
        direct = [i for i in self.infos if self.forward[i.name] & target.classes]
        indirect = [i for i in self.infos if i not in direct and self.used[i.name] & target.classes]
        # the entries of the fewest op classes first: their failures point at the op
        return (sorted(direct, key=lambda i: (len(self.forward[i.name]), i.name))
                + sorted(indirect, key=lambda i: i.name))


@dataclass
class Outcome:
    mutant: Mutant
    killed: bool
    by: str = ""          # the entry and the failure that killed it
    seconds: float = 0.0


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:200]


def run_mutant(mutant: Mutant, entries: Sequence[OpInfo], max_examples: int) -> Outcome:
    """Patch the mutant in, run the entries' checks until one fails, restore the original."""
    start = time.perf_counter()
    replacement = compile_variant(mutant.target, _mutate(mutant.target.tree, mutant.key))
    with patched(mutant.target.function, replacement):
        for info in entries:
            try:
                run_checks(info, max_examples)
            except Exception as error:  # any failure (an assertion, or an error the mutant causes) kills it
                return Outcome(mutant, True, f"{info.name}: {_first_line(error)}", time.perf_counter() - start)
    return Outcome(mutant, False, "", time.perf_counter() - start)


def check_unmutated(target: Target, entries: Sequence[OpInfo], max_examples: int) -> None:
    """The target recompiled from its unmutated tree passes its checks (else the
    machinery, not the tests, would be killing mutants)."""
    with patched(target.function, compile_variant(target, target.tree)):
        for info in entries:
            run_checks(info, max_examples)


# ----- the command ----------------------------------------------------------------------------
def _selected(targets: list[Target], only: Sequence[str]) -> list[Target]:
    if not only:
        return targets
    wanted = set(only)
    chosen = []
    for t in targets:
        names = {t.qualname, t.qualname.split(".")[0], t.function.__name__}
        names |= {c.__name__ for c in t.classes} | {getattr(c, "name", "") for c in t.classes}
        if t.is_engine:
            names.add("engine")
        if names & wanted:
            chosen.append(t)
    if not chosen:
        raise SystemExit(f"mutation: --only {' '.join(only)} matches no target; op names: "
                         f"{sorted({str(getattr(c, 'name', '')) for c in OP_CLASSES if _is_op_class(c)})}, or 'engine'")
    return chosen


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.mutation", description=(
        "Flip each arithmetic operator and unary minus in every vjp (and the engine's accumulate_grad "
        "and unbroadcast), one at a time, run the registry checks, and print the survivors."))
    p.add_argument("--max-examples", type=int, default=DEFAULT_EXAMPLES,
                   help=f"hypothesis examples per entry and check (default {DEFAULT_EXAMPLES}, as the test suite)")
    p.add_argument("--only", nargs="+", default=(), metavar="NAME",
                   help="op names (exp, cross_entropy), class names, function names or 'engine'")
    p.add_argument("--list", action="store_true", help="list the mutants and the entries that check them, run nothing")
    p.add_argument("--verbose", "-v", action="store_true", help="one line per mutant: killed by what, or survived")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if args.max_examples < 1:
        raise SystemExit("mutation: --max-examples must be at least 1")
    start = time.perf_counter()
    try:
        found = discover_targets()
    except RuntimeError as error:  # the engine is compiled: a message, not a traceback
        raise SystemExit(f"mutation: {error}") from None
    targets = _selected(found, args.only)
    plan = Plan(list(OPS.values()))
    out = sys.stdout
    work: list[tuple[Target, list[OpInfo], list[Mutant]]] = []
    for target in targets:
        entries = plan.entries_for(target)
        mutants = mutants_of(target)
        if mutants and not entries:  # its mutants all survive: nothing checks them
            print(f"mutation: no registry entry exercises {target.where}: register one", file=out)
        work.append((target, entries, mutants))
    n_mutants = sum(len(m) for _, _, m in work)
    if args.list:
        for target, entries, mutants in work:
            print(f"{target.where}: {len(mutants)} mutants, checked by {', '.join(i.name for i in entries)}", file=out)
            for m in mutants:
                print(f"    {m.line}: {m.original}  ->  {m.mutated}", file=out)
        print(f"{n_mutants} mutants in {len(work)} functions", file=out)
        return 0
    print(f"{n_mutants} mutants in {len(work)} functions, {args.max_examples} examples per entry", file=out)
    outcomes: list[Outcome] = []
    for target, entries, mutants in work:
        if not mutants:
            continue
        try:  # the machinery is sound: the recompiled original passes
            check_unmutated(target, entries[:1], max(1, args.max_examples // 5))
        except Exception as error:
            print(f"mutation: {target.where} fails its checks unmutated ({entries[0].name}: "
                  f"{_first_line(error)}); fix that first", file=out)
            return 2
        for mutant in mutants:
            outcome = run_mutant(mutant, entries, args.max_examples)
            outcomes.append(outcome)
            if args.verbose:
                verdict = f"killed by {outcome.by}" if outcome.killed else "SURVIVED"
                print(f"  {mutant.describe()}: {verdict} ({outcome.seconds:.1f} s)", file=out, flush=True)
    return report(outcomes, time.perf_counter() - start, out)


def report(outcomes: Sequence[Outcome], seconds: float, out: Any = None) -> int:
    """Print the survivors and the score (to ``out``, default stdout); 1 if a
    mutant survived outside the allow-list, or an allow-listed one was killed."""
    out = sys.stdout if out is None else out
    survivors = [o for o in outcomes if not o.killed and o.mutant.allow_key not in EQUIVALENT]
    equivalent = [o for o in outcomes if not o.killed and o.mutant.allow_key in EQUIVALENT]
    stale = [o for o in outcomes if o.killed and o.mutant.allow_key in EQUIVALENT]
    for o in equivalent:
        print(f"equivalent: {o.mutant.describe()}\n    {EQUIVALENT[o.mutant.allow_key]}", file=out)
    for o in stale:
        print(f"allow-list entry killed (not equivalent, remove it): {o.mutant.describe()} by {o.by}", file=out)
    for o in survivors:
        print(f"SURVIVOR: {o.mutant.describe()}", file=out)
    killed = sum(o.killed for o in outcomes)
    print(f"mutation score: {killed} killed / {len(outcomes)} mutants ({len(survivors)} survivors"
          + (f", {len(equivalent)} equivalent" if equivalent else "") + f") in {seconds:.0f} s", file=out)
    return 1 if survivors or stale else 0


if __name__ == "__main__":
    sys.exit(main())
