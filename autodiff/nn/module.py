"""Module: the building block of networks. It keeps track of its parameters and
sub-modules, so that a whole network can be trained, switched between training
and evaluation, saved and loaded.

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(784, 128)      # a sub-module: registered
            self.out = nn.Linear(128, 10)
            self.scale = nn.Parameter(1.0)         # a parameter: registered

        def forward(self, x):
            return self.out(ad.relu(self.hidden(x))) * self.scale

    model = MLP()
    [name for name, _ in model.named_parameters()]
    # ['scale', 'hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']

Setting an attribute to a Parameter or a Module registers it; ``register_buffer``
registers a numpy array that is state but not trained (a layer's running
statistics, say): buffers are saved and loaded with the parameters.
"""
from __future__ import annotations

from typing import Any, Iterator, NamedTuple

import numpy as np

from .. import scopes
from .._inplace import assign_
from ..tensor import Tensor
from ._npz import load_arrays, save_arrays
from .parameter import Parameter

_FORMAT_KEY = "__autodiff_format__"   # an entry that marks files written by Module.save
_FORMAT = "autodiff.nn.Module.state_dict v1"


class LoadResult(NamedTuple):
    """What ``load_state_dict(strict=False)`` left out."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of every layer and network: subclasses call ``super().__init__()``
    first, set their parameters and sub-modules as attributes and define ``forward``."""

    training: bool

    def __init__(self) -> None:
        # set through object.__setattr__: our own __setattr__ needs them to exist
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    # ----- registration by attribute ------------------------------------------------
    def _registries(self, name: str) -> tuple[dict, dict, dict]:
        try:
            return self.__dict__["_parameters"], self.__dict__["_buffers"], self.__dict__["_modules"]
        except KeyError:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() at the start of __init__, "
                                 f"before setting self.{name}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        parameters, buffers, modules = self._registries(name)
        if isinstance(value, Parameter):
            self._forget(name)
            parameters[name] = value
        elif isinstance(value, Module):
            self._forget(name)
            modules[name] = value
        elif name in parameters and value is not None:
            raise TypeError(f"{type(self).__name__}.{name} is a Parameter; assign an nn.Parameter "
                            f"(or None to remove it), not a {type(value).__name__}")
        elif name in modules and value is not None:
            raise TypeError(f"{type(self).__name__}.{name} is a sub-module; assign a Module "
                            f"(or None to remove it), not a {type(value).__name__}")
        elif name in buffers and value is not None:
            if not isinstance(value, np.ndarray):
                raise TypeError(f"{type(self).__name__}.{name} is a buffer; assign a numpy array "
                                f"(or None to remove it), not a {type(value).__name__}")
            buffers[name] = value
        else:
            if isinstance(value, Tensor) and value.is_leaf and value.requires_grad:
                # would be trained by nobody: parameters() would not list it
                raise TypeError(
                    f"{type(self).__name__}.{name}: a Tensor that requires grad set on a Module must be an "
                    f"nn.Parameter, so that parameters() lists it: self.{name} = nn.Parameter(...); "
                    "a constant can be a Tensor without requires_grad")
            self._forget(name)
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        for registry in self._registries(name):
            registry.pop(name, None)
        self.__dict__.pop(name, None)

    def __getattr__(self, name: str) -> Any:
        """Called when normal lookup fails: the registered parameters, buffers and sub-modules."""
        for registry in ("_parameters", "_buffers", "_modules"):
            found = self.__dict__.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        parameters, buffers, modules = self._registries(name)
        if name in parameters or name in buffers or name in modules:
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def register_buffer(self, name: str, array: np.ndarray | None) -> None:
        """Register ``array`` as state that is saved with the parameters but not trained."""
        if not isinstance(name, str) or not name.isidentifier() or "." in name:
            raise ValueError(f"{type(self).__name__}.register_buffer: the name must be an identifier, got {name!r}")
        if array is not None and not isinstance(array, np.ndarray):
            raise TypeError(f"{type(self).__name__}.register_buffer: {name} must be a numpy array, "
                            f"got {type(array).__name__}")
        self._forget(name)
        self._buffers[name] = array

    # ----- walking the tree ------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """This module and every module inside it (each once), with dotted names."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module._modules.items()]
            stack.extend(reversed(children))  # depth first, in the order they were set

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """The direct sub-modules, in the order they were set."""
        yield from self._modules.items()

    def children(self) -> Iterator["Module"]:
        yield from self._modules.values()

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (``"hidden.weight"``); a parameter shared
        by two modules is listed once, under the first name found."""
        yield from self._named("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, np.ndarray]]:
        yield from self._named("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[np.ndarray]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def _named(self, registry: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        owners = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for owner_name, module in owners:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{owner_name}.{name}" if owner_name else name), value

    # ----- modes and gradients ------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Training mode (the default) for this module and all inside it; returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"{type(self).__name__}.train: mode must be True or False, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode (dropout off, for instance); the same as ``train(False)``."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``.grad = None``)."""
        for p in self.parameters():
            p.grad = None

    def requires_grad_(self, flag: bool = True) -> "Module":
        """Freeze (False) or unfreeze (True) every parameter; returns self."""
        for p in self.parameters():
            p.requires_grad_(flag)
        return self

    # ----- calling ------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} defines no forward(); a Module subclass must")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # a note of this call for the graph views (module boundaries, parameter names);
        # one small record per call, none inside no_grad() (autodiff.scopes)
        call = scopes.enter(self, args, kwargs)
        if call is None:
            return self.forward(*args, **kwargs)
        output = None
        try:
            output = self.forward(*args, **kwargs)
        finally:
            scopes.leave(call, output)
        return output

    # ----- state ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter's and buffer's array, by dotted name."""
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update({name: b.copy() for name, b in self.named_buffers()})
        return state

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> LoadResult:
        """Copy the arrays of ``state_dict`` into the parameters and buffers, in place
        (so an optimizer holding them keeps working). Everything is checked before
        anything is written. ``strict``: every key must match; otherwise the keys
        left out are returned."""
        who = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict):
            raise TypeError(f"{who}: expected a dict of arrays by name, got {type(state_dict).__name__}")
        targets: dict[str, Any] = dict(self.named_parameters())  # Parameters, then buffers (arrays)
        targets.update(self.named_buffers())
        missing = [name for name in targets if name not in state_dict]
        unexpected = [name for name in state_dict if name not in targets]
        if strict and (missing or unexpected):
            problems = []
            if missing:
                problems.append(f"missing keys {missing}")
            if unexpected:
                problems.append(f"unexpected keys {unexpected}")
            raise KeyError(f"{who}: {' and '.join(problems)} (strict=False loads the matching ones)")
        plan = []
        for name, target in targets.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            value = value.data if isinstance(value, Tensor) else np.asarray(value)
            if value.dtype.kind not in "biuf":
                raise TypeError(f"{who}: {name} has dtype {value.dtype}; expected numbers")
            if value.shape != np.shape(target.data if isinstance(target, Tensor) else target):
                raise ValueError(f"{who}: {name} has shape {value.shape} in the state, "
                                 f"{np.shape(target.data if isinstance(target, Tensor) else target)} in the module")
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                bad = tuple(np.argwhere(~np.isfinite(value))[0].tolist())
                raise ValueError(f"{who}: {name} holds {value[bad]} at index {bad}")
            array = target.data if isinstance(target, Tensor) else target
            if not array.flags.writeable and not isinstance(target, Tensor):
                raise ValueError(f"{who}: the array of {name} is read-only")
            plan.append((target, value))
        for target, value in plan:  # cast to the dtype the module holds (float32 <-> float64)
            if isinstance(target, Tensor):
                assign_(target, value)
            else:
                np.copyto(target, value, casting="unsafe")
        return LoadResult(missing, unexpected)

    def save(self, path: Any) -> None:
        """Write ``state_dict()`` to the .npz file ``path`` (the name as given), atomically:
        a failed save leaves an existing file as it was."""
        state = self.state_dict()
        state[_FORMAT_KEY] = np.array(_FORMAT)
        save_arrays(path, state, f"{type(self).__name__}.save")

    def load(self, path: Any, strict: bool = True) -> "Module":
        """Load the parameters saved by ``save(path)`` into this module (of the same
        architecture) and return it. Read with ``allow_pickle=False``: no code runs."""
        who = f"{type(self).__name__}.load"
        arrays = load_arrays(path, who)
        marker = arrays.pop(_FORMAT_KEY, None)
        if marker is None or marker.shape != () or marker.dtype.kind != "U" or str(marker) != _FORMAT:
            raise ValueError(f"{who}: {path} was not written by Module.save (no {_FORMAT_KEY!r} entry)")
        try:
            self.load_state_dict(arrays, strict=strict)
        except (KeyError, ValueError, TypeError) as error:
            message = error.args[0] if isinstance(error, KeyError) else str(error)
            raise type(error)(f"{who}: {path}: {message}") from None
        return self

    # ----- printing --------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The settings shown between the parentheses of ``repr`` (layers override it)."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(module).replace("\n", "\n  ") for name, module in self._modules.items()]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + "\n  " + "\n  ".join(lines) + "\n)"
