"""Initialising parameters in place, from a chosen random distribution.

Each function fills a Tensor's array in place and returns the tensor. Random
ones take ``rng``: a numpy Generator, an int seed, or None for the shared
Generator that ``nn.manual_seed`` seeds. The names and formulas are the usual
ones (PyTorch's, with their trailing underscore for "in place"):

* Xavier/Glorot (2010): keep the variance of activations and of gradients equal
  across a layer: Var(w) = gain² · 2/(fan_in + fan_out).
* Kaiming/He (2015): for ReLU-like layers: Var(w) = gain²/fan, fan = fan_in
  (forward pass) or fan_out (backward pass), gain = √(2/(1 + a²)) for a leaky
  ReLU of negative slope a (a = 0: ReLU, gain √2).

A uniform distribution on [−b, b] has variance b²/3, so its bound is b = √3·std.
For a weight of shape (out, in, k1, k2, ...) (Linear, and convolutions later)
fan_in = in·k1·k2·... and fan_out = out·k1·k2·...
"""
from __future__ import annotations

import math
from typing import Any

from .._inplace import assign_
from ..tensor import Tensor
from ._random import as_generator

_GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0),
          "selu": 0.75}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which a nonlinearity changes the standard deviation of its input,
    to be compensated at initialisation. ``param``: leaky_relu's negative slope (0.01)."""
    if not isinstance(nonlinearity, str):
        raise TypeError(f"calculate_gain: nonlinearity must be a name such as 'relu', got {nonlinearity!r}")
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise TypeError(f"calculate_gain: leaky_relu's negative slope must be a number, got {slope!r}")
        return math.sqrt(2.0 / (1.0 + slope ** 2))
    if nonlinearity in _GAINS or nonlinearity.startswith("conv"):
        return _GAINS.get(nonlinearity, 1.0)
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; "
                     f"known: {sorted(_GAINS) + ['leaky_relu', 'conv1d', 'conv2d', 'conv3d']}")


def fan_in_and_fan_out(shape: tuple[int, ...], who: str = "init") -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel)."""
    if len(shape) < 2:
        raise ValueError(f"{who}: fan in and fan out need a weight with at least 2 axes (out, in, ...), "
                         f"got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fill(tensor: Any, values: Any, who: str) -> Any:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{who}: expected a Tensor (e.g. an nn.Parameter), got {type(tensor).__name__}")
    assign_(tensor, values)
    return tensor


def _shape(tensor: Any, who: str) -> tuple[int, ...]:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{who}: expected a Tensor (e.g. an nn.Parameter), got {type(tensor).__name__}")
    return tensor.data.shape


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, rng: Any = None) -> Tensor:
    """Draw from the uniform distribution on [a, b)."""
    if not a <= b:
        raise ValueError(f"uniform_: needs a <= b, got a={a}, b={b}")
    shape = _shape(tensor, "uniform_")
    return _fill(tensor, as_generator(rng, "uniform_").uniform(a, b, size=shape), "uniform_")


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, rng: Any = None) -> Tensor:
    """Draw from the normal distribution N(mean, std²)."""
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    shape = _shape(tensor, "normal_")
    return _fill(tensor, as_generator(rng, "normal_").normal(mean, std, size=shape), "normal_")


def constant_(tensor: Tensor, value: float) -> Tensor:
    return _fill(tensor, value, "constant_")


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0.0, "zeros_")


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1.0, "ones_")


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, rng: Any = None) -> Tensor:
    """U(−b, b) with b = gain·√(6/(fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(_shape(tensor, "xavier_uniform_"), "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, rng)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, rng: Any = None) -> Tensor:
    """N(0, std²) with std = gain·√(2/(fan_in + fan_out))."""
    fan_in, fan_out = fan_in_and_fan_out(_shape(tensor, "xavier_normal_"), "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str, who: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{who}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(_shape(tensor, who), who)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     rng: Any = None) -> Tensor:
    """U(−b, b) with b = √3 · gain/√fan (see the module's doc)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    rng: Any = None) -> Tensor:
    """N(0, std²) with std = gain/√fan (see the module's doc)."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_"), rng)
