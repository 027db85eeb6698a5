"""What every optimizer shares: parameter groups, the checks made before a step,
``zero_grad`` and the state dict.

An optimizer holds references to parameters (leaf Tensors) and, after
``loss.backward()`` has filled their ``.grad``, ``step()`` changes each
parameter's numpy array in place: ``p.data`` stays the same array object, so
anything else holding it (a Module, another optimizer, a plot) sees the update.

The parameters are organised in groups, each a dict with ``"params"`` and the
hyperparameters of that group (an omitted one takes the optimizer's default):

    opt = SGD([{"params": body.parameters()}, {"params": head.parameters(), "lr": 0.01}], lr=0.1)

A step is all or nothing: every gradient is checked (shape, float dtype, finite
values) and every hyperparameter too, before any parameter is touched.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import enable_grad  # the package's public name (the engine is being reorganised)
from ..tensor import Tensor

Array = np.ndarray


class Optimizer:
    """Base class. A subclass sets ``defaults`` (its hyperparameters), checks them
    in ``check_group`` and implements ``update`` for one parameter."""

    def __init__(self, params: Any, defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        # per parameter (keyed by id: Tensor's == compares values), its buffers and step count
        self.state: dict[int, dict[str, Any]] = {}
        self._names: dict[int, str] = {}  # id(parameter) -> a name for error messages
        groups = _as_groups(params, type(self).__name__)
        for group in groups:
            self.add_param_group(group)

    # ----- groups ---------------------------------------------------------------
    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters, with hyperparameters of its own (the defaults fill the rest)."""
        who = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{who}: a parameter group is a dict with a 'params' entry, got {type(group).__name__}")
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(f"{who}: unknown hyperparameter(s) {sorted(unknown)} in a parameter group; "
                             f"this optimizer has {sorted(self.defaults)}")
        index = len(self.param_groups)
        params = _named_params(group["params"], who, index)
        if not params:
            raise ValueError(f"{who}: parameter group {index} has no parameters")
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        for name, p in params:
            if id(p) in taken:
                raise ValueError(f"{who}: parameter {name} is given twice; each parameter may be in one group only")
            taken.add(id(p))
        new_group = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}}
        self.check_group(new_group)
        new_group["params"] = [p for _, p in params]
        self.param_groups.append(new_group)
        self._names.update({id(p): name for name, p in params})

    def check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError for a hyperparameter out of range (subclasses extend)."""
        check_number(type(self).__name__, "lr", group["lr"], low=0.0)

    # ----- the step -------------------------------------------------------------
    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``.grad = None``), before the next backward."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; parameters whose ``.grad``
        is None are skipped. ``closure``, if given, recomputes the loss (zero_grad,
        forward, backward) and its result is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        # all checks first, so that a failing step changes nothing
        work = []
        for group in self.param_groups:
            self.check_group(group)
            for p in group["params"]:
                if p.grad is not None:
                    work.append((self._checked_grad(p), group, p))
        for done, (grad, group, p) in enumerate(work):
            try:
                with np.errstate(over="raise", invalid="raise"):
                    self.update(p, grad, self.state.setdefault(id(p), {}), group)
            except FloatingPointError as error:  # finite inputs, yet the update overflowed
                raise FloatingPointError(
                    f"{type(self).__name__}: the update of parameter {self._names[id(p)]} overflowed ({error}); "
                    f"are the gradients or lr too large? {done} parameter(s) before it were already updated") from None
        return loss

    def update(self, p: Tensor, grad: Array, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Change ``p`` in place from ``grad`` (with ``_inplace``, so that its array stays
        the same object); ``state`` holds this parameter's buffers."""
        raise NotImplementedError

    def _checked_grad(self, p: Tensor) -> Array:
        who, name = type(self).__name__, self._names[id(p)]
        grad = p.grad.data if isinstance(p.grad, Tensor) else p.grad
        if isinstance(grad, (float, np.floating)):  # a 0-d gradient set by hand
            grad = np.asarray(grad)
        if not isinstance(grad, np.ndarray) or grad.dtype.kind != "f":
            kind = f"dtype {grad.dtype}" if isinstance(grad, np.ndarray) else f"a {type(grad).__name__}"
            raise TypeError(f"{who}: the gradient of parameter {name} must be a float numpy array, got {kind}")
        if grad.shape != p.data.shape:
            raise ValueError(f"{who}: the gradient of parameter {name} has shape {grad.shape}, "
                             f"but the parameter has shape {p.data.shape}")
        if not np.isfinite(grad).all():
            bad = tuple(np.argwhere(~np.isfinite(grad))[0].tolist())
            raise ValueError(f"{who}: the gradient of parameter {name} holds {grad[bad]} at index {bad}; "
                             "no parameter was changed")
        data = p.data
        if any(stride == 0 and n > 1 for stride, n in zip(data.strides, data.shape)):
            raise ValueError(f"{who}: parameter {name}'s array is a broadcast view whose elements share memory, "
                             "so it cannot be updated element by element; give the parameter its own copy")
        return grad

    # ----- state dict -------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """A copy of the optimizer's state in plain numpy arrays, numbers and lists:

        ``{"state": {i: {buffer name: array or number}}, "param_groups": [{hyperparameters,
        "params": [i, ...]}]}``, parameters numbered 0, 1, ... across the groups in order."""
        groups, state, index = [], {}, 0
        for group in self.param_groups:
            numbers = []
            for p in group["params"]:
                if self.state.get(id(p)):
                    state[index] = {k: _copy(v) for k, v in self.state[id(p)].items()}
                numbers.append(index)
                index += 1
            groups.append({**{k: _copy(v) for k, v in group.items() if k != "params"}, "params": numbers})
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by ``state_dict()`` of an optimizer of the same kind over
        parameters of the same shapes, in the same groups. All is checked before
        anything changes; the arrays are copied."""
        who = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(f"{who}: expected a dict with keys 'state' and 'param_groups'")
        groups = state_dict["param_groups"]
        if not isinstance(groups, (list, tuple)) or len(groups) != len(self.param_groups):
            count = len(groups) if isinstance(groups, (list, tuple)) else "no list of"
            raise ValueError(f"{who}: the state has {count} parameter group(s), "
                             f"this optimizer has {len(self.param_groups)}")
        params: dict[int, Tensor] = {}
        new_groups = []
        for i, (saved, group) in enumerate(zip(groups, self.param_groups)):
            if not isinstance(saved, dict) or "params" not in saved:
                raise ValueError(f"{who}: parameter group {i} is not a dict with 'params'")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{who}: parameter group {i} holds {len(saved['params'])} parameter(s) in the "
                                 f"state, {len(group['params'])} in this optimizer")
            if set(saved) - {"params"} != set(self.defaults):
                raise ValueError(f"{who}: parameter group {i} has hyperparameters {sorted(set(saved) - {'params'})}, "
                                 f"expected {sorted(self.defaults)}")
            hyper = {k: _copy(v) for k, v in saved.items() if k != "params"}
            self.check_group(hyper)
            new_groups.append(hyper)
            params.update({int(n): p for n, p in zip(saved["params"], group["params"])})
        new_state: dict[int, dict[str, Any]] = {}
        for n, buffers in dict(state_dict["state"]).items():
            if int(n) not in params:
                raise ValueError(f"{who}: the state has buffers for parameter {n}, which no group lists")
            p = params[int(n)]
            new_state[id(p)] = {}
            for key, value in dict(buffers).items():
                if isinstance(value, np.ndarray):
                    if value.shape != p.data.shape or value.dtype.kind != "f":
                        raise ValueError(f"{who}: buffer {key!r} of parameter {n} has shape {value.shape} "
                                         f"and dtype {value.dtype}; the parameter is {p.data.dtype} {p.data.shape}")
                    value = value.astype(p.data.dtype, copy=True)
                elif not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
                    raise ValueError(f"{who}: buffer {key!r} of parameter {n} is a {type(value).__name__}, "
                                     "expected a numpy array or a number")
                new_state[id(p)][key] = value
        for hyper, group in zip(new_groups, self.param_groups):
            group.update(hyper)
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            settings = ", ".join(f"{k}={v}" for k, v in group.items() if k != "params")
            lines.append(f"  group {i}: {len(group['params'])} parameters, {settings}")
        return "\n".join(lines + [")"])


# ----- helpers shared by the optimizers and schedulers -------------------------------
def check_number(who: str, name: str, value: Any, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> None:
    """``value`` must be a real, finite number between ``low`` and ``high`` (ends
    included unless ``low_open``/``high_open``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{who}: {name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{who}: {name} must be finite, got {value}")
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        if low is not None and high is not None:
            allowed = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        elif low is not None:
            allowed = f"{'>' if low_open else '>='} {low:g}"
        else:
            allowed = f"{'<' if high_open else '<='} {high:g}"
        raise ValueError(f"{who}: {name} must be {allowed}, got {value}")


def check_flag(who: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: {name} must be True or False, got {value!r}")


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def _as_groups(params: Any, who: str) -> list[dict[str, Any]]:
    """The constructor's ``params``: Tensors, (name, Tensor) pairs, or dicts (groups)."""
    if isinstance(params, Tensor):
        raise TypeError(f"{who}: params must be an iterable of Tensors (e.g. model.parameters() or [w, b]), "
                        "got a single Tensor; wrap it in a list")
    if isinstance(params, dict):
        raise TypeError(f"{who}: params must be an iterable of Tensors or of parameter groups (dicts), "
                        "got a dict; wrap a group in a list")
    try:
        items = list(params)
    except TypeError:
        raise TypeError(f"{who}: params must be an iterable of Tensors, got {type(params).__name__}") from None
    if not items:
        raise ValueError(f"{who}: got no parameters to optimize")
    if all(isinstance(item, dict) for item in items):
        return items
    if any(isinstance(item, dict) for item in items):
        raise TypeError(f"{who}: params mixes parameter groups (dicts) with single parameters")
    return [{"params": items}]


def _named_params(params: Any, who: str, group: int) -> list[tuple[str, Tensor]]:
    """A group's parameters with names for messages: the given ones, else "#i (shape)"."""
    if isinstance(params, Tensor):
        params = [params]
    named = []
    for i, item in enumerate(list(params)):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, p = item
            name = repr(name)
        else:
            p = item
            name = None
        if not isinstance(p, Tensor):
            raise TypeError(f"{who}: parameter {i} of group {group} is a {type(p).__name__}, not a Tensor")
        if not p.is_leaf:
            raise ValueError(f"{who}: parameter {i} of group {group} is computed from other tensors; "
                             "only leaf tensors (e.g. nn.Parameter or Tensor(..., requires_grad=True)) can be optimized")
        if name is None:
            name = f"{p.name!r}" if p.name else f"#{i}" + (f" of group {group}" if group else "")
            name += f" (shape {p.data.shape})"
        named.append((name, p))
    return named

