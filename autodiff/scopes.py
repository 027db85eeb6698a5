"""Which ``nn.Module`` call made which tensor: a light record that the graph
views (``text_tree``, ``to_dot``, ``explain``) read to show module boundaries
and to name parameters by their dotted names ("0.weight").

``nn.Module.__call__`` notes, for each call made while gradients are recorded,
the module's dotted name inside the outermost module called, its class, the
numbers of its tensor arguments, its own parameters and the enclosing call.
That is one small entry per module call, kept under the number of the output
tensor: nothing is done per op, and nothing at all inside ``no_grad()``.
Entries whose output tensor is gone are dropped as the table grows.
``record_module_calls(False)`` switches the recording off.
"""
from __future__ import annotations

import threading
import weakref
from typing import Any, Iterable

from .engine import Node, is_grad_enabled

__all__ = ["ModuleCall", "record_module_calls", "calls_of"]


class ModuleCall:
    """One call of a module: ``name`` (dotted, "" for the outermost module),
    ``kind`` (its class name), ``inputs`` (numbers of its tensor arguments),
    ``parameters`` ((name, number) of the module's own parameters), ``parent``
    (the enclosing call or None) and ``depth`` (0 for the outermost)."""

    __slots__ = ("name", "kind", "inputs", "parameters", "parent", "depth", "_module", "_child_names")
    name: str
    kind: str
    inputs: tuple[int, ...]
    parameters: tuple[tuple[str, int], ...]
    parent: "ModuleCall | None"
    depth: int

    def __init__(self, module: Any, name: str, parent: "ModuleCall | None", inputs: tuple[int, ...]):
        self.name = name
        self.kind = type(module).__name__
        self.inputs = inputs
        self.parameters = tuple((key, p.number) for key, p in module.__dict__.get("_parameters", {}).items()
                                if p is not None)
        self.parent = parent
        self.depth = 0 if parent is None else parent.depth + 1
        self._module: Any = module          # only while the call runs: to name the sub-modules it calls
        self._child_names: dict[int, str] | None = None

    @property
    def title(self) -> str:
        """"2: Linear", or "Sequential" for the outermost module."""
        return f"{self.name}: {self.kind}" if self.name else self.kind

    def child_name(self, module: Any) -> str:
        """The dotted name of a sub-module this call runs (its class name when it
        is not registered on the module)."""
        if self._child_names is None:  # once per call: a Sequential of k layers stays O(k)
            self._child_names = {id(m): key for key, m in self._module.__dict__.get("_modules", {}).items()}
        key = self._child_names.get(id(module), type(module).__name__)
        return f"{self.name}.{key}" if self.name else key

    def __repr__(self) -> str:
        return f"ModuleCall({self.title!r})"


_settings = {"enabled": True}
_active = threading.local()            # .stack: the calls running in this thread, outermost first
_table: dict[int, tuple[Any, tuple[ModuleCall, ...]]] = {}  # output number -> (weakref, calls innermost first)
_table_lock = threading.Lock()
_purge_at = [4096]


def record_module_calls(enabled: bool = True) -> bool:
    """Switch the recording of module calls on or off (for every thread); returns
    the previous setting. Off, the views show no module boundaries."""
    if not isinstance(enabled, bool):
        raise TypeError(f"record_module_calls: enabled must be True or False, got {enabled!r}")
    previous = _settings["enabled"]
    _settings["enabled"] = enabled
    return previous


def enter(module: Any, args: tuple, kwargs: dict) -> ModuleCall | None:
    """Called by Module.__call__ before forward: a new call record, or None when
    nothing is recorded (recording off, or gradients off)."""
    if not _settings["enabled"] or not is_grad_enabled():
        return None
    stack = getattr(_active, "stack", None)
    if stack is None:
        stack = _active.stack = []
    parent = stack[-1] if stack else None
    name = parent.child_name(module) if parent is not None else ""
    call = ModuleCall(module, name, parent, tuple(_numbers(args, kwargs)))
    stack.append(call)
    return call


def leave(call: ModuleCall, output: Any) -> None:
    """Called by Module.__call__ after forward (output=None when it raised)."""
    stack = _active.stack
    if stack and stack[-1] is call:
        stack.pop()
    call._module = None
    call._child_names = None
    newest_input = max(call.inputs, default=0)
    for t in _tensors(output):
        # only tensors the call made: an input passed through (Dropout in eval mode) is not its output
        if t.op is not None and t.number > newest_input:
            _register(t, call)


def calls_of(node: Any) -> tuple[ModuleCall, ...]:
    """The module calls whose output ``node`` is, innermost first (empty if none)."""
    number = getattr(node, "number", None)
    entry = _table.get(number) if isinstance(number, int) else None
    if entry is None or entry[0]() is not node:
        return ()
    return entry[1]


def _register(t: Node, call: ModuleCall) -> None:
    with _table_lock:
        entry = _table.get(t.number)
        if entry is not None and entry[0]() is t and _encloses(call, entry[1][-1]):
            _table[t.number] = (entry[0], entry[1] + (call,))  # an enclosing call returning the same tensor
            return
        _table[t.number] = (weakref.ref(t), (call,))
        if len(_table) > _purge_at[0]:  # forget the calls whose outputs are gone; amortised O(1) per call
            for number in [n for n, (ref, _) in _table.items() if ref() is None]:
                del _table[number]
            _purge_at[0] = max(4096, 2 * len(_table))


def _encloses(outer: ModuleCall, inner: ModuleCall) -> bool:
    call = inner.parent
    while call is not None:
        if call is outer:
            return True
        call = call.parent
    return False


def _tensors(value: Any) -> Iterable[Node]:
    if isinstance(value, Node):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            if isinstance(v, Node):
                yield v


def _numbers(args: tuple, kwargs: dict) -> Iterable[int]:
    for value in (*args, *kwargs.values()):
        for t in _tensors(value):
            yield t.number
