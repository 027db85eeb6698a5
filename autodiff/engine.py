"""The engine: graph nodes, the recording of an op call, and the reverse pass.

This is the bottom layer (it imports nothing of autodiff). Above it:
``ops`` (one class per op: forward and vector-Jacobian product), then
``tensor`` (the ``Tensor`` class with its operators and methods), then the
public functions and transforms.

A ``Node`` is a value in a computation: a numpy array, and, when it was made by
an op while gradients were being recorded, the op, its inputs and what the op's
forward saved for its backward. Everything one op call needs lives on its
output node; op objects hold no per-call state and can be shared.

``backpropagate`` walks the graph once, from the outputs to the leaves,
applying the multivariate chain rule at every node:

    dL/d(input) = dL/d(output) · D(output)/D(input)      (a vector-Jacobian product)

and summing the contributions of every path (fan-out). Un-broadcasting, the sum
of a gradient back to the shape of an input that numpy broadcast, is done here,
once, for every op.

Safety:
- Modes (``no_grad``, anomaly detection) are per thread.
- Every array a recorded node holds is read-only: the arrays from outside the
  graph (a leaf's ``.data``, a numpy batch) while a live node holds them, the
  arrays computed by recorded ops for good. So a write through ``x.data[...]``
  or into a reused numpy buffer fails instead of silently changing a gradient.
- A Tensor changed in place (``p -= lr * p.grad`` inside ``no_grad()``) may
  write into such an array: the write is numbered (``write_in_place``), and
  backward refuses to use a node that holds an array written after it was
  recorded, naming the op.
- numpy lets anyone make such an array writable again (``a.setflags(write=True)``):
  backward finds it writable among what a vjp reads and refuses, naming the op.
- Backward passes in several threads into one leaf add every gradient (a lock
  around the read and the write of ``.grad``).
- Backward frees what each node saved; a second backward through the same graph
  raises unless the first was told ``retain_graph=True``.

Installed with a C compiler at hand, this module runs compiled by Cython from
this same source and the declarations of engine.pxd (see setup.py):
``COMPILED`` says which.
"""
from __future__ import annotations

import threading
from heapq import heappop, heappush
from itertools import count
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["Node", "apply", "apply1", "apply2", "lift", "backpropagate", "unbroadcast", "sum_rows", "sum_columns", "topological_order", "no_grad", "enable_grad",
           "is_grad_enabled", "set_grad_enabled", "detect_anomaly", "is_anomaly_enabled", "raw", "FLOAT_DTYPES"]

# True when this module runs as the extension that setup.py compiles from this source
COMPILED = not __file__.endswith(".py")
FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
_next_number = count(1).__next__  # nodes are numbered as they are made (itertools.count is thread-safe)
# In-place writes into arrays that a graph holds are numbered: a node's ``stamp``
# is the last number given out when it was recorded, and _WRITTEN the number of
# the last write into each held array. A held array written after the stamp has
# changed under the node's feet.
_next_write = count(1).__next__
_last_write = [0]
_WRITTEN: dict[int, int] = {}  # id(array) -> number of its last in-place write while held


# ----- modes, one set per thread --------------------------------------------------------
class _Modes(threading.local):
    """Switches read on every op call; each thread starts with these defaults.

    ``usual``: recording, without anomaly detection. The op calls read this one
    flag, and look at the two switches only when it is off."""

    grad_enabled = True
    detect_anomaly = False
    usual = True


MODES = _Modes()


def _set_grad_enabled(value: bool) -> None:
    modes = MODES
    modes.grad_enabled = value
    modes.usual = value and not modes.detect_anomaly


class _GradSwitch:
    """``with``: turn this thread's recording on or off (the subclass's ``value``),
    and restore it on the way out. (Classes with no __init__, as PyTorch's: no
    Python call to make one in a training loop's every step.)"""

    __slots__ = ("previous",)
    value: bool

    def __enter__(self) -> None:
        modes = MODES
        self.previous = modes.grad_enabled
        modes.grad_enabled = value = self.value  # _set_grad_enabled(self.value), inline
        modes.usual = value and not modes.detect_anomaly

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        modes = MODES
        modes.grad_enabled = value = self.previous
        modes.usual = value and not modes.detect_anomaly


class _AnomalySwitch:
    """``with``: anomaly detection on in this thread, and restored on the way out."""

    __slots__ = ("previous",)

    def __enter__(self) -> None:
        modes = MODES
        self.previous = modes.detect_anomaly
        modes.detect_anomaly = True
        modes.usual = False

    def __exit__(self, *exc: Any) -> None:
        modes = MODES
        modes.detect_anomaly = self.previous
        modes.usual = modes.grad_enabled and not self.previous


class no_grad(_GradSwitch):
    """``with no_grad():`` ops run inside record no graph (evaluation, parameter
    updates). This thread only."""

    __slots__ = ()
    value = False


class enable_grad(_GradSwitch):
    """``with enable_grad():`` record graphs again, even inside ``no_grad()``. This thread only."""

    __slots__ = ()
    value = True


def set_grad_enabled(mode: bool) -> Any:
    """``with set_grad_enabled(training): ...``: recording on or off. This thread only."""
    return enable_grad() if mode else no_grad()


def is_grad_enabled() -> bool:
    return MODES.grad_enabled


def detect_anomaly() -> Any:
    """Raise FloatingPointError naming the first op whose forward or backward
    turns finite numbers into NaN or inf. This thread only."""
    return _AnomalySwitch()


def is_anomaly_enabled() -> bool:
    return MODES.detect_anomaly


# ----- read-only locks on the arrays a live graph saved from outside it -----------------
# numpy's ndarray.setflags with the write flag given by position, as its
# documentation allows (``a.setflags(write=None, align=None, uic=None)``): by
# keyword, or as ``a.flags.writeable = False``, the same call costs two to four
# times as much, in every recorded op. (numpy's type stubs declare the flags
# keyword-only, hence the declared type.)
_setflags: Callable[[np.ndarray, bool], None] = np.ndarray.setflags  # type: ignore[assignment]
_LOCKS: dict[int, int] = {}      # id(array) -> number of live nodes that hold it read-only
# Re-entrant: a _Hold's __del__ can run inside a locked section (a garbage
# collection set off by an allocation there) and unlock its own arrays. Each
# count is read and written back with no allocation of a tracked object in
# between, so such a nested unlock never interleaves with one count's update.
_LOCKS_GUARD = threading.RLock()


# The ids of held arrays that are also the outputs of ops whose values a vjp
# reads: read-only for good, so the hold's end leaves them read-only.
_PINNED: set[int] = set()


def _pin(array: np.ndarray) -> None:
    """``array``, the output of an op that a vjp reads, is held read-only for a
    leaf that shares it (made by detach() and used first): the end of that hold
    must leave it read-only, as the outputs a vjp reads are for good."""
    _LOCKS_GUARD.acquire()
    try:
        if id(array) in _LOCKS:
            _PINNED.add(id(array))
    finally:
        _LOCKS_GUARD.release()


class _Hold(tuple):
    """The arrays from outside the graph that one node holds read-only, given
    back when the hold dies: when backward frees its node (``node.locked =
    None``), or when the node dies with its graph unused. A node's only object
    with a finalizer, made only for nodes that hold something. (A tuple: made
    with no Python-level __init__.)"""

    __slots__ = ()

    def __del__(self) -> None:
        _LOCKS_GUARD.acquire()  # (acquire and release cost half of a with-statement on the lock)
        try:
            for a in self:
                key = id(a)
                n = _LOCKS.get(key, 0) - 1
                if n > 0:
                    _LOCKS[key] = n
                elif n == 0:
                    del _LOCKS[key]
                    if _WRITTEN:
                        _WRITTEN.pop(key, None)
                    if _PINNED and key in _PINNED:
                        _PINNED.discard(key)  # stays read-only
                    elif a.base is None or a.base.flags.writeable:
                        _setflags(a, True)
                    # else: a view whose owner another graph still holds stays read-only
        finally:
            _LOCKS_GUARD.release()


def is_locked(array: np.ndarray) -> bool:
    """True while a live graph holds ``array`` read-only."""
    return id(array) in _LOCKS


def write_in_place(array: np.ndarray, write: Any, who: str) -> None:
    """``write(array)``, also when graphs hold the array (or the array that owns
    its memory) read-only: then the write is numbered, so that backward through
    those graphs raises."""
    if 0 in array.strides and any(step == 0 for step, n in zip(array.strides, array.shape) if n > 1):
        raise ValueError(f"{who}: the tensor's data is a broadcast view (elements share memory), which "
                         "cannot be changed in place; make it a tensor of its own with np.array(data)")
    base = array.base if type(array.base) is np.ndarray else None
    if array.flags.writeable and (base is None or id(base) not in _LOCKS):
        write(array)
        return
    touched = (array,) if base is None else (base, array)
    opened = []
    try:
        for a in touched:  # the owner first: a view can be made writable only once its owner is
            if not a.flags.writeable:
                try:
                    _setflags(a, True)
                except ValueError:
                    raise ValueError(f"{who}: the tensor's data is a read-only numpy array (a broadcast view, "
                                     "or made read-only outside autodiff) and cannot be changed in place") from None
                opened.append(a)
        write(array)
    finally:
        for a in reversed(opened):
            _setflags(a, False)
    number = _next_write()
    for a in touched:
        _WRITTEN[id(a)] = number
    _last_write[0] = number


# ----- nodes ----------------------------------------------------------------------------
class Node:
    """A value of a computation; the Tensor class builds on it.

    ``op``, ``inputs`` (Nodes, numpy arrays or numbers), ``args`` (their numpy
    values as forward saw them), ``needs`` (which inputs want a gradient),
    ``saved`` (whatever the op's forward kept for its vjp), ``stamp`` (the
    number of the last in-place write when it was recorded): the state of one op call.
    """

    # The inputs and their values sit in slots of their own (x0, x1, a0, a1; a
    # tuple pair in ``more`` for three or more), not in tuples: then a node is the
    # only object per op call that Python's garbage collector keeps track of,
    # which keeps its passes over a graph of 100,000 nodes short. Compiled,
    # engine.pxd declares these same fields as a C struct (Node becomes a cdef
    # class), and the functions below that declare a variable a Node read and
    # write its fields directly: that about doubles what compiling gains.
    __slots__ = ("data", "grad", "requires_grad", "name", "op", "x0", "x1", "a0", "a1", "more", "needs", "saved",
                 "number", "stamp", "retains_grad", "locked", "__weakref__")

    data: np.ndarray
    grad: Any
    requires_grad: bool
    name: str | None
    op: Any
    x0: Any
    x1: Any
    a0: Any
    a1: Any
    more: Any
    needs: tuple
    saved: Any
    number: int
    stamp: int
    retains_grad: bool
    locked: Any

    def _init_node(self) -> None:
        self.grad = None
        self.requires_grad = False
        self.name = None
        self.op = None
        self.a0 = _FREED
        self.needs = ()
        self.saved = None
        self.number = _next_number()
        self.stamp = 0
        self.retains_grad = False
        self.locked = None

    @property
    def inputs(self) -> tuple:
        """The op's inputs: nodes, or numpy arrays and numbers for constants (() for a leaf)."""
        n = len(self.needs)
        if n == 1:
            return (self.x0,)
        if n == 2:
            return (self.x0, self.x1)
        return self.more[0] if n else ()

    @property
    def args(self) -> tuple | None:
        """The numpy values the op's forward ran on (None once backward freed them)."""
        if self.a0 is _FREED:
            return None
        n = len(self.needs)
        if n == 1:
            return (self.a0,)
        if n == 2:
            return (self.a0, self.a1)
        return self.more[1]


_FREED = object()  # in a0: the node's saved values were freed (or it records nothing)


# Which inputs need a gradient, as shared constant tuples (no allocation per node).
_NEEDS_1 = ((False,), (True,))
_ONE_INPUT = _NEEDS_1[True]  # the needs of every recorded one-input node
_NEEDS_2 = (((False, False), (False, True)), ((True, False), (True, True)))
_FIRST_ONLY, _SECOND_ONLY = _NEEDS_2[True][False], _NEEDS_2[False][True]  # a tensor and a constant

# What an op's vjp reads of its inputs' values (``Op.reads``): the engine holds
# read-only only the outside arrays that a gradient will be computed from.
READS_NONE = 0   # no values, only shapes (+, −, sums, means, reshapes)
READS_OTHER = 1  # of two inputs, each one's gradient reads the other's value (x·y, A @ B)
READS_ALL = 2    # every input (the default)

# The class of the nodes that apply makes: the Tensor module registers itself here.
node_class: Any = Node


def lift(x: Any, who: str) -> Any:
    """An operand as an op input: Tensors and Python numbers as they are,
    anything else as a numeric numpy array (float64 unless already float)."""
    kind = type(x)
    if kind is float or kind is int or isinstance(x, Node):  # the common cases, checked first
        return x
    if kind is np.ndarray and x.dtype.kind == "f":
        return x
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        return x
    try:
        array = np.asarray(x)
    except ValueError as error:
        raise ValueError(f"{who}: operand is not a regular array: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{who}: operand must be numeric, got {type(x).__name__} of dtype {array.dtype}")
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def apply(op: Any, *inputs: Any, **params: Any) -> Any:
    """Run ``op.forward(ctx, *arrays, **params)`` on the numpy values of
    ``inputs`` and return the output node, with the graph recorded when
    gradients are on and some input requires one.

    ``ctx`` is the output node itself: forward may keep what its vjp needs in
    ``ctx.saved``. This is the per-node cost of every forward, so it is kept lean.
    """
    node: Node = Node.__new__(node_class)
    node.saved = node.locked = None
    needs: tuple
    if len(inputs) == 2:  # the common arities first, without a loop
        x0, x1 = inputs
        if isinstance(x0, Node):
            a0, r0 = x0.data, x0.requires_grad
        else:
            a0, r0 = x0, False
        if isinstance(x1, Node):
            a1, r1 = x1.data, x1.requires_grad
        else:
            a1, r1 = x1, False
        needs = node.needs = _NEEDS_2[r0][r1]
        try:
            out = op.forward(node, a0, a1, **params) if params else op.forward(node, a0, a1)
        except (ValueError, IndexError, TypeError) as error:
            raise type(error)(describe_error(op, (a0, a1), error, params)) from None
        record = (r0 or r1) and MODES.grad_enabled
        if record:
            node.x0, node.x1, node.a0, node.a1 = x0, x1, a0, a1
    elif len(inputs) == 1:
        x0 = inputs[0]
        if isinstance(x0, Node):
            a0, r0 = x0.data, x0.requires_grad
        else:
            a0, r0 = x0, False
        needs = node.needs = _NEEDS_1[r0]
        try:
            out = op.forward(node, a0, **params) if params else op.forward(node, a0)
        except (ValueError, IndexError, TypeError) as error:
            raise type(error)(describe_error(op, (a0,), error, params)) from None
        record = r0 and MODES.grad_enabled
        if record:
            node.x0, node.a0 = x0, a0
    else:
        arrays = tuple([x.data if isinstance(x, Node) else x for x in inputs])
        needs = node.needs = tuple([isinstance(x, Node) and x.requires_grad for x in inputs])
        try:
            out = op.forward(node, *arrays, **params)
        except (ValueError, IndexError, TypeError) as error:
            raise type(error)(describe_error(op, arrays, error, params)) from None
        record = True in needs and MODES.grad_enabled
        if record:
            node.a0 = None
            node.more = (inputs, arrays)
    if type(out) is not np.ndarray and not (record and isinstance(out, np.generic)):
        # numpy gives 0-d results as scalars. A recorded node keeps them so: they
        # cannot change (nothing to guard) and their arithmetic is ten times
        # cheaper than a 0-d array's. Results made with no graph become 0-d
        # arrays, which can be updated in place.
        out = np.asarray(out)
    node.data = out
    node.grad = None
    node.name = None
    node.number = _next_number()
    node.retains_grad = False
    if MODES.detect_anomaly:
        check_forward(op, (node.args or ()) if record else [raw(x) for x in inputs], out)
    if not record:
        return _unrecorded(node, out)
    node.requires_grad = True
    node.op = op
    node.stamp = _last_write[0]
    # What a vjp will read cannot change before backward (see _guard_pair): the
    # op's own output, if its vjp reads it, is made read-only for good; so are
    # the outputs of other ops that it reads; the arrays from outside the graph
    # that it reads are copied or held.
    n = len(needs)
    if type(out) is np.ndarray:  # (a numpy scalar cannot change)
        if n == 2:
            if out is a0 or out is a1:  # an input returned unchanged: the node gets an array of its own
                node.data = out = out.view()
        elif n == 1:
            if out is a0:
                node.data = out = out.view()
        elif any(out is a for a in arrays):
            node.data = out = out.view()
        if op.reads_out:
            _setflags(out, False)
    reads = op.reads
    if not reads:
        return node
    if n == 2:
        read0 = type(a0) is np.ndarray and (reads == READS_ALL or r1)
        read1 = type(a1) is np.ndarray and (reads == READS_ALL or r0)
        if read0 or read1:
            _guard_pair(node, read0, read1)
    elif n == 1:
        if type(a0) is np.ndarray:
            if x0 is a0 or x0.op is None:
                _hold(node, (a0,))
            elif a0.flags.writeable:
                _setflags(a0, False)
            elif _LOCKS and id(a0) in _LOCKS:  # read-only already: held for a leaf that shares it (detach())
                _pin(a0)
    else:
        outside: list[np.ndarray] = []
        for x, a in zip(inputs, arrays):
            if type(a) is not np.ndarray:
                continue
            if x is a or x.op is None:
                if all(a is not h for h in outside):
                    outside.append(a)
            elif a.flags.writeable:
                _setflags(a, False)
            elif _LOCKS and id(a) in _LOCKS:  # read-only already: held for a leaf that shares it (detach())
                _pin(a)
        _hold(node, tuple(outside))
    return node


def _unrecorded(node: Node, out: Any) -> Node:
    """The output of an op call that records no graph: a new leaf with the value
    (a 0-d result as an array, which can be updated in place)."""
    node.data = out if type(out) is np.ndarray else np.asarray(out)
    node.requires_grad = False
    node.op = None
    node.needs = ()
    node.a0 = _FREED
    node.saved = None
    node.stamp = 0
    return node


_NO_AXIS = object()


def apply1(op: Any, x0: Any, axis: Any = _NO_AXIS) -> Any:
    """``apply(op, lift(x0))`` for an op of one input and no parameters (exp,
    log, sigmoid, unary minus, ...), or ``apply(op, x0, axis=axis)`` for one
    checked axis (a sum over one axis, a softmax): the same steps, without
    packing the arguments. Just an optimization: ``apply`` does the same for
    any number of inputs and parameters."""
    node: Node = Node.__new__(node_class)
    node.saved = None
    if isinstance(x0, Node):
        n0: Node = x0  # (typed: the compiled engine reads a Node's fields directly)
        a0, r0 = n0.data, n0.requires_grad
    else:
        kind = type(x0)  # a constant: lifted unless it is a float, an int or a float array already
        if kind is not float and kind is not int and (kind is not np.ndarray or x0.dtype.kind != "f"):
            x0 = lift(x0, op.name)
        a0, r0 = x0, False
    node.needs = _NEEDS_1[r0]
    kernel, reads, reads_out = op.engine_reads  # op.kernel, .reads, .reads_out in one lookup
    try:
        if kernel is not None:  # the op's forward, one call shorter
            out = kernel(a0)
        else:
            out = op.forward(node, a0) if axis is _NO_AXIS else op.forward(node, a0, axis)
    except (ValueError, IndexError, TypeError) as error:
        raise type(error)(describe_error(op, (a0,), error, {} if axis is _NO_AXIS else {"axis": axis})) from None
    node.grad = node.name = None  # (locked: set only by _hold; backward reads it for two inputs only)
    node.retains_grad = False
    node.number = _next_number()
    modes = MODES
    if not modes.usual:  # not recording, or checking for anomalies
        if modes.detect_anomaly:
            check_forward(op, (a0,), out)
        if not modes.grad_enabled:
            return _unrecorded(node, out)
    if not r0:
        return _unrecorded(node, out)
    node.x0, node.a0 = x0, a0
    node.requires_grad = True
    node.op = op
    node.stamp = _last_write[0]
    if type(out) is np.ndarray:
        if out is a0:  # the input returned unchanged: the node gets an array of its own
            out = out.view()
        if reads_out:
            _setflags(out, False)
    elif not isinstance(out, np.generic):  # (a numpy scalar stays one: see apply)
        out = np.asarray(out)
    node.data = out
    if reads and type(a0) is np.ndarray:
        if x0.op is None:
            _hold(node, (a0,))
        elif a0.flags.writeable:
            _setflags(a0, False)
        elif _LOCKS and id(a0) in _LOCKS:  # read-only already: held for a leaf that shares it (detach())
            _pin(a0)
    return node


def apply2(op: Any, x0: Any, x1: Any) -> Any:
    """``apply(op, lift(x0), lift(x1))`` for an op of two inputs and no
    parameters (the arithmetic operators): the same steps, without packing the arguments.
    Just an optimization: ``apply`` does the same for any number of inputs."""
    node: Node = Node.__new__(node_class)
    node.saved = None
    if isinstance(x0, Node):
        n0: Node = x0  # (typed: the compiled engine reads a Node's fields directly)
        a0, r0 = n0.data, n0.requires_grad
    else:
        kind = type(x0)  # a constant: lifted unless it is a float, an int or a float array already
        if kind is not float and kind is not int and (kind is not np.ndarray or x0.dtype.kind != "f"):
            x0 = lift(x0, op.name)
        a0, r0 = x0, False
    if isinstance(x1, Node):
        n1: Node = x1
        a1, r1 = n1.data, n1.requires_grad
    else:
        kind = type(x1)
        if kind is not float and kind is not int and (kind is not np.ndarray or x1.dtype.kind != "f"):
            x1 = lift(x1, op.name)
        a1, r1 = x1, False
    node.needs = _NEEDS_2[r0][r1]
    kernel, reads, reads_out = op.engine_reads  # op.kernel, .reads, .reads_out in one lookup
    try:
        out = kernel(a0, a1) if kernel is not None else op.forward(node, a0, a1)  # the op's forward, one call shorter
    except (ValueError, IndexError, TypeError) as error:
        raise type(error)(describe_error(op, (a0, a1), error, {})) from None
    node.grad = node.name = node.locked = None  # (locked: set by _hold, read by backward's check)
    node.retains_grad = False
    node.number = _next_number()
    modes = MODES
    if not modes.usual:  # not recording, or checking for anomalies
        if modes.detect_anomaly:
            check_forward(op, (a0, a1), out)
        if not modes.grad_enabled:
            return _unrecorded(node, out)
    if not (r0 or r1):
        return _unrecorded(node, out)
    node.x0 = x0  # (four plain stores: cheaper than one unpacking of four)
    node.x1 = x1
    node.a0 = a0
    node.a1 = a1
    node.requires_grad = True
    node.op = op
    node.stamp = _last_write[0]
    if type(out) is np.ndarray:
        if out is a0 or out is a1:  # an input returned unchanged: the node gets an array of its own
            out = out.view()
        if reads_out:
            _setflags(out, False)
    elif not isinstance(out, np.generic):  # (a numpy scalar stays one: see apply)
        out = np.asarray(out)
    node.data = out
    if reads:
        read0 = type(a0) is np.ndarray and (reads == READS_ALL or r1)
        read1 = type(a1) is np.ndarray and (reads == READS_ALL or r0)
        if read0 and not read1 and x0 is a0 and a0.nbytes <= COPY_BYTES:
            node.x0 = node.a0 = a0.copy()  # a small numpy constant (y * t): _guard_pair's first case, inline
        elif read0 or read1:
            _guard_pair(node, read0, read1)
    return node


# A numpy constant up to this size that a vjp reads is copied rather than held:
# the copy costs less than a hold (0.3 µs for 4 KB against 1.6 µs), and no
# write into the original can reach it.
COPY_BYTES = 8192


def _guard_pair(node: Node, read0: bool, read1: bool) -> None:
    """Make sure that the input arrays a two-input node's vjp reads stay as
    they are until backward: the output of another op is made read-only for
    good (the graph's own array); a small numpy constant is replaced by a
    private copy; the rest (a leaf's data, a big numpy array) is held
    read-only while the node lives."""
    held = []
    if read0:
        x0, a0 = node.x0, node.a0
        if x0 is a0:
            if a0.nbytes <= COPY_BYTES:
                node.x0 = node.a0 = a0.copy()
            else:
                held.append(a0)
        elif x0.op is None:
            held.append(a0)
        elif a0.flags.writeable:
            _setflags(a0, False)
        elif _LOCKS and id(a0) in _LOCKS:  # read-only already: held for a leaf that shares it (detach())
            _pin(a0)
    if read1:
        x1, a1 = node.x1, node.a1
        if x1 is a1:
            if a1.nbytes <= COPY_BYTES:
                node.x1 = node.a1 = a1.copy()
            elif not held or a1 is not held[0]:
                held.append(a1)
        elif x1.op is None:
            if not held or a1 is not held[0]:
                held.append(a1)
        elif a1.flags.writeable:
            _setflags(a1, False)
        elif _LOCKS and id(a1) in _LOCKS:  # read-only already: held for a leaf that shares it (detach())
            _pin(a1)
    if held:
        _hold(node, held)


def _hold(node: Node, arrays: Sequence[np.ndarray]) -> None:
    """Hold ``arrays`` (from outside the graph, no repeats) read-only while
    ``node`` lives; an array that was read-only to begin with is not ours to
    hold. A view (``X[batch]``) is held with the array that owns its memory,
    so that a write into ``X`` fails too. Counted: several nodes may hold one
    array, and the last to let go makes it writable again (``_Hold``)."""
    held: list[np.ndarray] = []
    out = node.data
    _LOCKS_GUARD.acquire()
    try:
        for a in arrays:
            if a is out:
                continue
            base = a.base
            # the owner first: _Hold gives them back in this order, and a view can
            # be made writable only once its owner is
            for b in ((base, a) if type(base) is np.ndarray and base is not out else (a,)):
                key = id(b)
                count = _LOCKS.get(key, 0)
                if count:
                    _LOCKS[key] = count + 1
                elif b.flags.writeable:
                    _LOCKS[key] = 1
                    _setflags(b, False)
                else:
                    continue
                held.append(b)
    finally:
        _LOCKS_GUARD.release()
    if held:
        node.locked = _Hold(held)


def describe_error(op: Any, arrays: Sequence[Any], error: Exception, params: dict) -> str:
    """An op's error with the op's name and the operands' shapes in front."""
    shapes = [str(np.shape(a)) for a in arrays]
    symbol = getattr(op, "symbol", "")
    what = f" {symbol} ".join(shapes) if symbol else "cannot apply to shapes " + " and ".join(shapes)
    explain = getattr(op, "explain_error", None)
    text = explain(error, arrays, **params) if explain is not None else str(error)
    return f"{op.name}: {what}: {text}"


# ----- the reverse pass ------------------------------------------------------------------
def raw(x: Any) -> Any:
    """The numpy value of a node; anything else as it is."""
    return x.data if isinstance(x, Node) else x


# Sums along one axis of a matrix as a product with a vector of ones. numpy
# reduces a matrix of short rows (128 × 10) one short row at a time, over
# either axis; a matrix-vector product is one BLAS call, three times faster,
# and the same sum in another order (as accurate: numpy's sum over the first
# axis adds row after row too). Just an optimization, for plain numpy arrays.
_ONES: dict[tuple, np.ndarray] = {}


def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of n ones, kept for the next call."""
    ones = _ONES.get((n, dtype))
    if ones is None:
        if len(_ONES) >= 64:
            _ONES.clear()
        ones = np.ones(n, dtype)
        ones.flags.writeable = False
        _ONES[(n, dtype)] = ones
    return ones


def sum_rows(m: np.ndarray) -> np.ndarray:
    """``m.sum(axis=1)`` of a float matrix: m @ (1, ..., 1)."""
    return m @ _ones(m.shape[1], m.dtype)


def sum_columns(m: np.ndarray) -> np.ndarray:
    """``m.sum(axis=0)`` of a float matrix: (1, ..., 1) @ m."""
    return _ones(m.shape[0], m.dtype) @ m


def unbroadcast(grad: Any, shape: tuple) -> Any:
    """Sum a gradient back to the shape of an input that numpy broadcast.

    Broadcasting copies an input along new leading axes and along its axes of
    length 1; the chain rule adds up the gradients of all the copies.
    """
    if not shape:  # a scalar input (a bias, a factor): the sum of every element
        return np.add.reduce(grad, axis=None) if type(grad) is np.ndarray else grad.sum()
    lead = grad.ndim - len(shape)
    if lead == 1 and grad.ndim == 2 and shape[0] == grad.shape[1] and type(grad) is np.ndarray \
            and grad.dtype in FLOAT_DTYPES:
        return sum_columns(grad)  # a bias added to every row (just an optimization)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    if axes:
        grad = grad.sum(axis=axes)
    return grad.reshape(shape) if grad.shape != shape else grad


def topological_order(roots: Sequence[Node]) -> list[Node]:
    """Every node that requires grad and that the roots depend on, inputs
    before the ops that use them (leaves first). Iterative."""
    seen = {id(r): r for r in roots if r.requires_grad}
    stack = list(seen.values())
    while stack:
        for x in stack.pop().inputs:
            if isinstance(x, Node) and x.requires_grad and id(x) not in seen:
                seen[id(x)] = x
                stack.append(x)
    return sorted(seen.values(), key=lambda t: 0 if t.op is None else t.number)


class GraphFreedError(RuntimeError):
    """backward through a graph whose saved values an earlier backward freed."""


class ModifiedInPlaceError(RuntimeError):
    """an input of a recorded op was changed in place before backward."""


def _check_writes(node: Node) -> None:
    """Raise if an array that ``node``'s vjp reads was written in place after it was recorded."""
    stamp = node.stamp
    if _WRITTEN.get(id(node.data), 0) > stamp:
        raise ModifiedInPlaceError(
            f"backward: the output of {node.op.name} was changed in place after it was computed, so the "
            "gradient would be wrong; change a copy, or compute the graph again after the change")
    reads, needs = node.op.reads, node.needs
    for k, (x, a) in enumerate(zip(node.inputs, node.args or ())):
        read = reads == READS_ALL or (reads == READS_OTHER and needs[1 - k])
        if read and type(a) is np.ndarray and _WRITTEN.get(id(a), 0) > stamp:
            who = (repr(x.name) if isinstance(x, Node) and x.name else
                   f"a {'tensor' if isinstance(x, Node) else 'numpy array'} of shape {a.shape}")
            raise ModifiedInPlaceError(
                f"backward: input {k} of {node.op.name} ({who}) was changed in place after {node.op.name} "
                "used it, so the gradient would be wrong; update it after backward(), or compute the graph again")


def _check_reopened(node: Node) -> None:
    """Raise if an array that ``node``'s vjp reads is writable. Each one was made
    read-only when the node was recorded (the op's output, the outputs of other
    ops, held leaves and outside arrays), but for a two-input node's private
    copies of small constants (_guard_pair), which nothing else can reach; and
    only the engine's own in-place writes open it again: numbered, and closed
    at once. One that is writable now was opened by a call such as
    ``a.setflags(write=True)`` (or is being written by another thread), and its
    values may have changed unseen."""
    op = node.op
    if op.reads_out:
        out = node.data
        if type(out) is np.ndarray and out.flags.writeable:
            raise ModifiedInPlaceError(
                f"backward: the output of {op.name} was made writable again (a.setflags(write=True), or a write "
                f"in another thread) after it was computed, and its vjp reads it: the gradient could be wrong. "
                f"{_REOPENED_ADVICE}")
    _check_reopened_inputs(node)


def _check_reopened_inputs(node: Node) -> None:
    """_check_reopened for the node's inputs only."""
    op = node.op
    reads = op.reads
    if not reads:
        return
    a0, needs = node.a0, node.needs
    if a0 is None:
        inputs, arrays = node.more
    elif len(needs) == 1:
        if not (type(a0) is np.ndarray and a0.flags.writeable):
            return
        inputs, arrays = (node.x0,), (a0,)
    else:
        a1 = node.a1
        if not ((type(a0) is np.ndarray and a0.flags.writeable) or (type(a1) is np.ndarray and a1.flags.writeable)):
            return
        inputs, arrays = (node.x0, node.x1), (a0, a1)
    for k, a in enumerate(arrays):
        if type(a) is not np.ndarray or not a.flags.writeable:
            continue
        x = inputs[k]
        if not (reads == READS_ALL or (reads == READS_OTHER and needs[1 - k])):
            continue  # not read
        if x is a and len(arrays) == 2 and a.nbytes <= COPY_BYTES:
            continue  # a private copy
        who = (repr(x.name) if isinstance(x, Node) and x.name else
               f"a {'tensor' if isinstance(x, Node) else 'numpy array'} of shape {a.shape}")
        raise ModifiedInPlaceError(
            f"backward: input {k} of {op.name} ({who}) was made writable again (a.setflags(write=True), or a "
            f"write in another thread) while the graph held it read-only, and {op.name}'s vjp reads it: the "
            f"gradient could be wrong. {_REOPENED_ADVICE}")


_REOPENED_ADVICE = ("To change a tensor's values, write t -= ... or t[k] = ... under ad.no_grad() (backward "
                    "then says whether a graph used the old values), or change them after backward()")


def backpropagate(roots: Sequence[Node], root_grads: Sequence[Any], *, create_graph: bool = False,
                  retain_graph: bool | None = None, accumulate: bool = True,
                  wrt: Sequence[Node] = ()) -> list[Any]:
    """The reverse pass: the multivariate chain rule, node by node from the
    roots to the leaves. Returns the gradients of ``wrt`` (None where unreached).

    ``accumulate``: add the gradients into the leaves' ``.grad`` (``backward``);
    the functional transforms pass False and read the result instead.
    With ``create_graph`` the vjps run on Tensors, so the pass is itself recorded.
    Without ``retain_graph`` (default: ``create_graph``) each node's saved values
    are freed once used.

    The order: a node is always made after its inputs, so its number is larger.
    Taking the waiting node with the largest number next (a heap) means that
    every op using a node has already sent it its share of the gradient: the
    sum over all paths is complete when the node's own vjp runs.
    """
    if retain_graph is None:
        retain_graph = create_graph
    wanted = {t.number: i for i, t in enumerate(wrt)} if wrt else None
    found: list[Any] = [None] * len(wrt)
    # node number -> [node, dL/d(node) summed over the paths so far], for the nodes waiting
    pending: dict[int, list] = {}
    heap: list[int] = []  # minus the numbers of the waiting nodes
    for root, g in zip(roots, root_grads):
        if not root.requires_grad:
            continue
        if create_graph and not isinstance(g, Node):
            g = _constant(g)
        key = root.number
        if key in pending:
            pending[key][1] = pending[key][1] + g
        else:
            pending[key] = [root, g]
            heappush(heap, -key)
    node: Node  # (typed: the compiled engine reads a Node's fields directly)
    x: Node | None
    modes = MODES
    anomaly = modes.detect_anomaly
    last_write = _last_write
    previous_mode = modes.grad_enabled
    if previous_mode is not create_graph:  # the vjps record a graph only under create_graph
        _set_grad_enabled(create_graph)
    try:
        while heap:
            key = -heappop(heap)
            node, g = pending.pop(key)
            if wanted is not None and key in wanted:
                found[wanted[key]] = g
            op = node.op
            if op is None:  # a leaf
                if not accumulate:
                    continue
                _GRAD_LOCK.acquire()  # two threads' backward passes may reach the same leaf
                try:
                    if node.grad is None and not create_graph:  # accumulate_grad's first case, inline
                        node.grad = g.copy() if type(g) is np.ndarray else np.array(g, dtype=node.data.dtype)
                    else:
                        accumulate_grad(node, g, create_graph)
                finally:
                    _GRAD_LOCK.release()
                continue
            if node.retains_grad and accumulate:
                _GRAD_LOCK.acquire()
                try:
                    accumulate_grad(node, g, create_graph)
                finally:
                    _GRAD_LOCK.release()
            a0 = node.a0
            if a0 is _FREED:
                raise GraphFreedError(
                    f"backward: the graph through {op.name} was already used by a backward pass, which "
                    "freed its saved values; call the first backward with retain_graph=True to go through it twice")
            if node.stamp != last_write[0]:  # some held array was written in place since
                _check_writes(node)
            needs = node.needs
            # Every array a vjp reads was made read-only when its node was recorded,
            # but for the private copies of small constants, which nothing else can
            # reach; one that is writable now was opened behind the engine's back.
            # The commonest cases are looked at here, the rest by _check_reopened_inputs,
            # which also makes the error (just an optimization: a test breaks each case).
            _, reads, reads_out = op.engine_reads  # op.reads and .reads_out in one lookup
            if reads_out and node.data.flags.writeable:  # (a numpy scalar's flags say read-only)
                _check_reopened(node)
            if reads:
                if needs is _ONE_INPUT:
                    if a0.flags.writeable:
                        _check_reopened_inputs(node)
                elif needs is _FIRST_ONLY:  # x1: a constant (a number, a private copy, a held array) or a tensor
                    if ((node.x1 is not node.a1 and node.a1.flags.writeable) or node.locked is not None
                            or (reads == READS_ALL and a0.flags.writeable)):
                        _check_reopened_inputs(node)
                elif needs is _SECOND_ONLY:
                    if ((node.x0 is not a0 and a0.flags.writeable) or node.locked is not None
                            or (reads == READS_ALL and node.a1.flags.writeable)):
                        _check_reopened_inputs(node)
                else:
                    _check_reopened_inputs(node)
            # The commonest nodes send a gradient to one input only: an op of one
            # input, or of a tensor and a constant (X @ w, y * t, 1 - t). They are
            # taken without the loop below: the same steps for that one input (just
            # an optimization; a node whose needs are a tuple of its own takes the
            # loop, and a test compares the two).
            if needs is _ONE_INPUT:
                x = node.x0
                gx = (op.vjp(node, g, node, x) if create_graph else op.plain_vjp(node, g, node.data, a0))[0]
            elif needs is _FIRST_ONLY:
                x = node.x0
                gx = (op.vjp(node, g, node, x, node.x1) if create_graph
                      else op.plain_vjp(node, g, node.data, a0, node.a1))[0]
            elif needs is _SECOND_ONLY:
                x = node.x1
                gx = (op.vjp(node, g, node, node.x0, x) if create_graph
                      else op.plain_vjp(node, g, node.data, a0, node.a1))[1]
            else:
                x = None
            if x is not None:
                if not retain_graph:
                    node.a0 = _FREED
                    node.a1 = node.saved = node.locked = None
                if gx is None:
                    continue
                xdata = x.data
                if gx.shape != xdata.shape:
                    gx = unbroadcast(gx, xdata.shape)
                if gx.dtype is not xdata.dtype and not create_graph:
                    gx = gx.astype(xdata.dtype, copy=False)
                if anomaly:
                    _check_backward(op, g, gx)
                key = x.number
                waiting = pending.get(key)
                if waiting is None:
                    pending[key] = [x, gx]
                    heappush(heap, -key)
                else:
                    waiting[1] = waiting[1] + gx
                continue
            n = len(needs)
            # the vjp: dL/d(input) for each input, from g = dL/d(node)
            inputs: tuple
            if n == 2:
                inputs = (node.x0, node.x1)
                input_grads = (op.vjp(node, g, node, *inputs) if create_graph
                               else op.plain_vjp(node, g, node.data, a0, node.a1))
            elif n == 1:
                inputs = (node.x0,)
                input_grads = op.vjp(node, g, node, node.x0) if create_graph else op.plain_vjp(node, g, node.data, a0)
            else:
                inputs, arrays = node.more
                input_grads = (op.vjp(node, g, node, *inputs) if create_graph
                               else op.plain_vjp(node, g, node.data, *arrays))
            if not retain_graph:  # free what the node saved, and give back the arrays it held
                node.a0 = _FREED
                node.a1 = node.more = node.saved = node.locked = None  # a dying _Hold makes its arrays writable
            # the chain rule's sum over paths: add each input's share to what it has so far
            for k, gx in enumerate(input_grads):
                if gx is None or not needs[k]:
                    continue
                x = inputs[k]
                xdata = x.data
                if gx.shape != xdata.shape:
                    gx = unbroadcast(gx, xdata.shape)
                if gx.dtype is not xdata.dtype and not create_graph:
                    gx = gx.astype(xdata.dtype, copy=False)
                if anomaly:
                    _check_backward(op, g, gx)
                key = x.number
                waiting = pending.get(key)
                if waiting is None:
                    pending[key] = [x, gx]
                    heappush(heap, -key)
                else:
                    waiting[1] = waiting[1] + gx
    finally:
        if modes.grad_enabled is not previous_mode:
            _set_grad_enabled(previous_mode)
    return found


def _constant(g: Any) -> Node:
    node: Node = Node.__new__(node_class)
    node._init_node()
    node.data = g if type(g) is np.ndarray else np.asarray(g)
    return node


# Held while a backward pass reads a leaf's .grad and writes the sum back, so
# that passes running in several threads into one shared leaf (a model's
# weights) add every gradient: without it two threads can read the same old
# .grad and one of the two sums is lost.
_GRAD_LOCK = threading.Lock()


def accumulate_grad(leaf: Node, g: Any, create_graph: bool) -> None:
    """leaf.grad += g (the first gradient is stored as an owned, writable copy).
    The caller holds _GRAD_LOCK."""
    if create_graph:
        if leaf.grad is None:
            leaf.grad = g
        else:
            leaf.grad = leaf.grad + g
    elif leaf.grad is None:
        leaf.grad = g.copy() if type(g) is np.ndarray else np.array(g, dtype=leaf.data.dtype)
    else:
        leaf.grad = leaf.grad + raw(g)


def _all_finite(x: Any) -> bool:
    return bool(np.all(np.isfinite(raw(x))))


def _check_backward(op: Any, upstream: Any, result: Any) -> None:
    if not _all_finite(result) and _all_finite(upstream):
        raise FloatingPointError(
            f"detect_anomaly: the backward of {type(op).__name__} produced NaN or inf from a finite upstream gradient")


def check_forward(op: Any, inputs: Sequence[Any], out: np.ndarray) -> None:
    if not _all_finite(out) and all(_all_finite(x) for x in inputs):
        raise FloatingPointError(
            f"detect_anomaly: the forward of {type(op).__name__} produced NaN or inf "
            f"from finite inputs of shapes {[np.shape(raw(x)) for x in inputs]}")
