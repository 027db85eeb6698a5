"""The ops: each a class holding its forward and its vector-Jacobian product,
with the formula in its docstring. The public functions are in autodiff.functions."""
from .base import Op, apply

__all__ = ["Op", "apply"]
