"""Sequential: modules applied one after the other."""
from __future__ import annotations

from typing import Any, Iterator

from .module import Module


class Sequential(Module):
    """``Sequential(m0, m1, ...)``: ``forward(x)`` is ``m_last(...m1(m0(x)))``. The modules
    are registered as "0", "1", ..., so parameters are named "0.weight", "2.bias"..."""

    def __init__(self, *modules: Module):
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> "Sequential":
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: item {len(self)} is a {type(module).__name__}, not a Module "
                            "(functions can be wrapped: nn.ReLU() rather than ad.relu)")
        setattr(self, str(len(self)), module)
        return self

    def forward(self, x: Any) -> Any:
        for module in self:
            x = module(x)
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        try:
            return modules[index]
        except (IndexError, TypeError):
            raise IndexError(f"Sequential: index {index!r} is out of range for {len(modules)} modules") from None
